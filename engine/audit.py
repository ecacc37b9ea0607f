"""A legal-risk audit: the notifications that would break each rule of the
compliance table, under each way of resolving a person's zone.

Pure and incremental: a driver shows it every output batch (with the engine
that made it, to read each subscription's clues). For every notification
(an ``Sms`` about a scan; welcomes and replies answer a person's own action
and are not counted, see docs/compliance.md) and every resolution
(``area_code``, ``address``, ``both``), each rule that the resolved clues bring
in is checked: the window in that clue's zone, and, for rules with a cap, the
notifications already sent to the phone in the rule's rolling hours. The
counts read as "texts that break the rule if the person is where this
resolution says".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from engine.compliance import (
    RESOLUTIONS,
    RULES,
    Clue,
    Rule,
    Window,
    capped,
    inside,
    resolve,
    windows,
)
from engine.geo import locate
from engine.outbox import EngineState
from engine.outputs import Output, Sms
from engine.recent import RecentCounts

KINDS = ("window", "cap")
# (resolution, windows, capped rules) for each resolution
_Plan = tuple[tuple[str, tuple[Window, ...], tuple[Rule, ...]], ...]


class Audit:
    """Counts rule breaks as outputs stream by."""

    def __init__(self) -> None:
        self.notifications = 0
        self.breaks: Counter[tuple[str, str, str]] = Counter()  # (resolution, rule, kind)
        self._plans: dict[tuple[Clue, ...], _Plan] = {}
        # For each cap length, the texts in it and how many each phone had
        # (engine.recent): a tuple of times per phone cost about 90 bytes a person texted
        # lately, with its int objects.
        self._recent: dict[int, RecentCounts[str]] = {
            rule.cap_hours: RecentCounts(rule.cap_hours * 3600) for rule in RULES if rule.cap}

    def observe(self, engine: EngineState, outputs: Iterable[Output]) -> None:
        for o in outputs:
            if type(o) is Sms:
                self.note(engine, o)

    def note(self, engine: EngineState, o: Sms) -> None:
        """One text, for a driver that already sorts outputs by type (``sim.model``)."""
        if o.event_at is not None:
            self._check(self._clues(engine, o), o)

    @staticmethod
    def _clues(engine: EngineState, o: Sms) -> tuple[Clue, ...]:
        parcel = engine.parcels.get(o.tracking_number or "")
        for sub in (parcel.subs or ()) if parcel is not None else ():
            if sub.phone.e164 == o.to:
                return sub.terms.clues
        return locate(o.to, None).clues

    def _plan(self, clues: tuple[Clue, ...]) -> _Plan:
        """Each resolution's windows and capped rules for ``clues`` (a person's clues
        repeat text after text, so this is worked out once per set of clues)."""
        plan = self._plans.get(clues)
        if plan is None:
            plan = tuple((by, windows(r), capped(r))
                         for by in RESOLUTIONS for r in (resolve(clues, by),))
            self._plans[clues] = plan
        return plan

    def _check(self, clues: tuple[Clue, ...], o: Sms) -> None:
        at = o.at
        for recent in self._recent.values():
            recent.slide(at)  # first: a text back in time is refused before anything counts
        self.notifications += 1
        # A window or cap shared by several resolutions is checked once per text.
        outside: dict[int, bool] = {}
        over: dict[int, bool] = {}
        for by, wins, caps in self._plan(clues):
            broken: set[str] = set()
            for w in wins:
                out = outside.get(id(w))
                if out is None:
                    out = outside[id(w)] = not inside(at, w)
                if out:
                    broken.add(w.rule.jurisdiction)
            for jurisdiction in sorted(broken):
                self.breaks[(by, jurisdiction, "window")] += 1
            for rule in caps:
                hit = over.get(id(rule))
                if hit is None:
                    texts = self._recent[rule.cap_hours].count(o.to)
                    hit = over[id(rule)] = texts >= rule.cap
                if hit:
                    self.breaks[(by, rule.jurisdiction, "cap")] += 1
        for recent in self._recent.values():
            recent.add(at, o.to)

    def total(self, by: str = "both") -> int:
        return sum(n for (b, _j, _k), n in self.breaks.items() if b == by)

    def rows(self) -> list[tuple[str, str, str, str, int]]:
        """(rule, citation, kind, resolution, texts) for every rule and kind it has."""
        out = []
        for rule in RULES:
            for kind in KINDS:
                if kind == "cap" and not rule.cap:
                    continue
                for by in RESOLUTIONS:
                    out.append((rule.jurisdiction, rule.citation, kind, by,
                                self.breaks[(by, rule.jurisdiction, kind)]))
        return out

    def metrics(self) -> dict[str, int]:
        """Flat names: ``audit_<resolution>_<rule>_<kind>`` and totals per resolution."""
        m = {"audit_notifications": self.notifications}
        for by in RESOLUTIONS:
            m[f"audit_{by}_total"] = self.total(by)
        for jurisdiction, _citation, kind, by, n in self.rows():
            m[f"audit_{by}_{jurisdiction.lower()}_{kind}"] = n
        return dict(sorted(m.items()))
