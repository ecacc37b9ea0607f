"""The legal texting windows and caps, as data: ``engine/data/compliance.toml``.

Each rule names its jurisdiction, its window (local hours at the person's
location, with a Sunday window where the law has one), its cap (texts per
rolling hours), the clues that bring a person under it (their phone's area
code, their parcel's delivery address), its citation, source and effective
date. Read once at import; everything here is pure.

A person's location has up to two clues (``engine.geo.Clue``), and they can
disagree: a Florida area code with a California delivery ZIP. A text must
satisfy every rule that any clue brings in, each in that clue's own zone: the
federal window in both zones, and Florida's 8 PM in Florida's zone.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, Final
from zoneinfo import ZoneInfo

from engine.errors import LocalMisuse
from engine.localclock import hour_and_weekday, hour_on_day, local_day, weekday_of

CLUE_KINDS: Final = ("area_code", "address")
RESOLUTIONS: Final = ("area_code", "address", "both")


@dataclass(frozen=True, slots=True)
class Clue:
    """One clue to where a person is: ``by`` "area_code" (their phone number's),
    "address" (the parcel's delivery ZIP) or "default" (neither known), with the
    state it points to (None if none) and the IANA zone."""

    by: str
    state: str | None
    zone: str


@dataclass(frozen=True, slots=True)
class Rule:
    """One jurisdiction's window and cap (see the data file's header for each field)."""

    jurisdiction: str
    start: int
    end: int
    sunday: tuple[int, int] | None
    cap: int
    cap_hours: int
    applies_by: tuple[str, ...]
    citation: str
    source: str
    effective: date
    note: str

    def hours(self, weekday: int) -> tuple[int, int]:
        """The window on a day (Monday is 0)."""
        return self.sunday if weekday == 6 and self.sunday is not None else (self.start,
                                                                             self.end)


def _window(value: Any, where: str) -> tuple[int, int]:
    if (not isinstance(value, list) or len(value) != 2
            or not all(type(v) is int for v in value) or not 0 <= value[0] < value[1] <= 24):
        raise LocalMisuse(f"{where}: a window is [first hour, end hour] with 0 <= first < end "
                          f"<= 24, got {value!r}")
    return value[0], value[1]


def load(text: str, name: str = "compliance.toml") -> tuple[Rule, ...]:
    """Rules from the TOML text; errors name the file, the rule and the field."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LocalMisuse(f"{name}: {exc}") from None
    except RecursionError:  # tomllib recurses on nested arrays
        raise LocalMisuse(f"{name}: arrays or tables nested too deeply") from None
    rules = []
    for i, raw in enumerate(doc.get("rule", [])):
        where = f"{name}: rule {i + 1} ({raw.get('jurisdiction', '?')})"
        try:
            applies_by = tuple(raw["applies_by"])
            if not applies_by or any(b not in CLUE_KINDS for b in applies_by):
                raise LocalMisuse(f"{where}: applies_by must name {' or '.join(CLUE_KINDS)}")
            start, end = _window(raw["window"], where)
            sunday = _window(raw["sunday"], where) if "sunday" in raw else None
            cap, cap_hours = raw["cap"], raw["cap_hours"]
            if type(cap) is not int or cap < 0 or type(cap_hours) is not int or cap_hours < 1:
                raise LocalMisuse(f"{where}: cap >= 0 and cap_hours >= 1 must be integers")
            rules.append(Rule(
                jurisdiction=str(raw["jurisdiction"]), start=start, end=end, sunday=sunday,
                cap=cap, cap_hours=cap_hours, applies_by=applies_by,
                citation=str(raw["citation"]), source=str(raw["source"]),
                effective=date.fromisoformat(str(raw["effective"])), note=str(raw["note"])))
        except KeyError as exc:
            raise LocalMisuse(f"{where}: missing field {exc}") from None
        except ValueError as exc:
            raise LocalMisuse(f"{where}: {exc}") from None
    if not rules or rules[0].jurisdiction != "US":
        raise LocalMisuse(f"{name}: the first rule must be the federal one (US)")
    return tuple(rules)


RULES: Final = load(resources.files("engine").joinpath("data/compliance.toml")
                    .read_text(encoding="utf-8"))
FEDERAL: Final = RULES[0]
BY_STATE: Final = {r.jurisdiction: r for r in RULES[1:]}


def resolve(clues: tuple[Clue, ...], by: str) -> tuple[Clue, ...]:
    """The clues a way of resolving a person's zone keeps: ``both`` keeps all; a
    single kind keeps its own clue, or the others when there is none of it."""
    if by == "both":
        return clues
    own = tuple(c for c in clues if c.by == by)
    return own or clues


@dataclass(frozen=True, slots=True)
class Window:
    """A rule's window in one zone."""

    rule: Rule
    zone: ZoneInfo


@cache
def windows(clues: tuple[Clue, ...]) -> tuple[Window, ...]:
    """Every window a text to a person with ``clues`` must fall in."""
    found: list[Window] = []
    for clue in clues:
        zone = ZoneInfo(clue.zone)
        rules = [FEDERAL]
        state_rule = BY_STATE.get(clue.state or "")
        if state_rule is not None and clue.by in state_rule.applies_by:
            rules.append(state_rule)
        for rule in rules:
            w = Window(rule, zone)
            if w not in found:
                found.append(w)
    return tuple(found)


@cache
def capped(clues: tuple[Clue, ...]) -> tuple[Rule, ...]:
    """The rules with a cap that cover a person with ``clues``."""
    found: list[Rule] = []
    for clue in clues:
        rule = BY_STATE.get(clue.state or "")
        if rule is not None and rule.cap and clue.by in rule.applies_by and rule not in found:
            found.append(rule)
    return tuple(found)


def inside(at: int, window: Window) -> bool:
    hour, weekday = hour_and_weekday(at, window.zone)
    start, end = window.rule.hours(weekday)
    return start <= hour < end


def next_open(at: int, wins: tuple[Window, ...]) -> int | None:
    """The first instant at or after ``at`` inside every window; None if the windows
    never meet (zones so far apart that no hour is lawful in all of them)."""
    t = at
    for _ in range(4 * len(wins) + 8):
        moved = False
        for w in wins:
            hour, weekday = hour_and_weekday(t, w.zone)
            start, end = w.rule.hours(weekday)
            if hour < start:
                t = hour_on_day(local_day(t, w.zone), start, w.zone)
                moved = True
            elif hour >= end:
                tomorrow = local_day(t, w.zone) + 1
                t = hour_on_day(tomorrow, w.rule.hours(weekday_of(tomorrow))[0], w.zone)
                moved = True
        if not moved:
            return t
    return None
