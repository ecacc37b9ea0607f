"""Quiet hours: no texts outside the recipient's window.

The federal rule for solicitations is 8 AM-9 PM recipient local time; strict
states (engine.geo.STRICT_HOURS_STATES, from the compliance table) allow only
until 8 PM. The window holds in every zone a person's clues name (their area
code's and their delivery address's), with 8 PM in all of them when either
clue is strict. Transactional texts are mostly exempt, but planners want to
see the effect of applying the rule, so it is a policy; ``compliance``
(engine/policies/law.py) applies the compliance table itself. A person who texted QUIET
also gets no texts 11 PM-7 AM Central (the service's own QUIET window, as USPS runs it,
whatever the person's zone). Outside the legal window a text is
held until the window opens (``mode="hold"``) or dropped (``mode="drop"``); a person's
own QUIET always holds; ``exceptions=True`` lets delivery problems through. Windows that
never meet (a person between zones hours apart, with narrow hours) drop the text as
``no_quiet_window``: a hold would never end.
"""

from __future__ import annotations

from functools import cache
from typing import Final
from zoneinfo import ZoneInfo

from engine.codes import CAT_EXCEPTION, CATEGORY_OF_MILESTONE
from engine.compliance import Clue
from engine.localclock import hour_on_day, local_day, utc_offset
from engine.policies.base import Drop, Hold, Policy, Verdict, register
from engine.state import Notice

CENTRAL: Final = ZoneInfo("America/Chicago")
QUIET_FROM: Final = 23
QUIET_UNTIL: Final = 7
_QUIET = Drop("quiet_hours")
_NEVER = Drop("no_quiet_window")


@cache
def zones_of(clues: tuple[Clue, ...], zone: ZoneInfo) -> tuple[ZoneInfo, ...]:
    """Every zone a person's clues name (``zone`` first, each once)."""
    found = [zone]
    for clue in clues:
        z = ZoneInfo(clue.zone)
        if z not in found:
            found.append(z)
    return tuple(found)


def _at_hour(t: int, zone: ZoneInfo, hour: int, days_ahead: int) -> int:
    """The local ``hour`` on the day of ``t`` in ``zone`` (or ``days_ahead`` later)."""
    return hour_on_day(local_day(t, zone) + days_ahead, hour, zone)


@register
class QuietHours(Policy):
    name = "quiet_hours"
    at_send = True

    def __init__(
        self, start: int = 8, end: int = 21, strict_end: int = 20, mode: str = "hold",
        exceptions: bool = False,
    ) -> None:
        if not 0 <= start < strict_end <= end <= 24:
            raise ValueError("need 0 <= start < strict_end <= end <= 24")
        if mode not in ("hold", "drop"):
            raise ValueError("mode must be 'hold' or 'drop'")
        self.start = start
        self.end = end
        self.strict_end = strict_end
        self.mode = mode
        self.exceptions = exceptions

    def check(self, notice: Notice, now: int) -> Verdict:
        sub = notice.sub
        # "exceptions through" lifts the legal window only: a person's own QUIET
        # request still holds for delivery problems.
        legal = not (self.exceptions
                     and CATEGORY_OF_MILESTONE[notice.milestone] == CAT_EXCEPTION)
        if not legal and not sub.phone.quiet:
            return None
        terms = sub.terms
        zones = zones_of(terms.clues, terms.zone)
        until = self.next_allowed(now, terms.zone, terms.strict, sub.phone.quiet, legal=legal,
                                  zones=zones)
        if until == now:
            return None
        if until is None:
            return _NEVER
        if self.mode == "drop" and (not sub.phone.quiet or self.next_allowed(
                now, terms.zone, terms.strict, False, legal=legal, zones=zones) != now):
            return _QUIET  # outside the legal window (QUIET alone holds)
        return Hold(until, "quiet_hours")

    def allowed(self, at: int, zone: ZoneInfo, strict: bool, quiet: bool) -> bool:
        return self.next_allowed(at, zone, strict, quiet) == at

    def next_allowed(self, at: int, zone: ZoneInfo, strict: bool, quiet: bool, *,
                     legal: bool = True, zones: tuple[ZoneInfo, ...] = ()) -> int | None:
        """The first instant at or after ``at`` inside every window that applies
        (the legal window, in ``zone`` and each of ``zones``, unless ``legal`` is
        False, and outside QUIET's night, 11 PM-7 AM Central, if ``quiet``); None if the
        windows never meet."""
        end = self.strict_end if strict else self.end
        where = zones or (zone,)
        t = at
        for _ in range(8 + 4 * len(where)):  # each step moves to a window edge
            moved = False
            if legal:
                for z in where:
                    hour = (t + utc_offset(t, z)) // 3600 % 24
                    if hour < self.start:
                        t = _at_hour(t, z, self.start, 0)
                        moved = True
                    elif hour >= end:
                        t = _at_hour(t, z, self.start, 1)
                        moved = True
            if moved:
                continue
            if quiet:
                central_hour = (t + utc_offset(t, CENTRAL)) // 3600 % 24
                if central_hour >= QUIET_FROM:
                    t = _at_hour(t, CENTRAL, QUIET_UNTIL, 1)
                    continue
                if central_hour < QUIET_UNTIL:
                    t = _at_hour(t, CENTRAL, QUIET_UNTIL, 0)
                    continue
            return t
        return None  # still moving after every edge: the windows never meet
