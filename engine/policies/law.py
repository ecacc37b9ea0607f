"""The compliance policy: the compliance table (engine/data/compliance.toml) applied.

A notice goes out only at an instant inside every window that a person's
clues bring in (the federal window in each clue's zone, a state's window in
the zone of the clue that points at that state), else it is held until the
first such instant (``mode="hold"``) or dropped (``mode="drop"``). When
``caps`` is on, a person a capped state's rule covers (by the clue the rule
applies by) gets at most that state's cap of notifications in its rolling
hours; the count is every notification sent to the phone. ``by`` chooses how
a person's zone is resolved: ``both`` clues (the default, and the only
resolution that is safe whatever the truth is), the ``area_code`` or the
``address`` alone.

Welcome texts and replies answer the person's own action at once and are
not notifications: they do not pass through policies (docs/compliance.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.compliance import RESOLUTIONS, RULES, capped, next_open, resolve, windows
from engine.policies.base import Drop, Hold, Policy, Verdict, register
from engine.recent import RecentCounts
from engine.state import Notice, Phone, Sub

_WINDOW = Drop("compliance_window")
_NEVER = Drop("no_lawful_window")
_CAP = Drop("state_cap")


@register
class Compliance(Policy):
    name = "compliance"
    at_send = True

    def __init__(self, mode: str = "hold", caps: bool = True, by: str = "both") -> None:
        if mode not in ("hold", "drop"):
            raise ValueError("mode must be 'hold' or 'drop'")
        if by not in RESOLUTIONS:
            raise ValueError(f"by must be one of {', '.join(RESOLUTIONS)}")
        self.mode = mode
        self.caps = bool(caps)
        self.by = by
        self._recent = _windows()

    def check(self, notice: Notice, now: int) -> Verdict:
        clues = resolve(notice.sub.terms.clues, self.by)
        until = next_open(now, windows(clues))
        if until is None:
            return _NEVER
        if until != now:
            return Hold(until, "compliance_window") if self.mode == "hold" else _WINDOW
        if self.caps:
            for rule in capped(clues):
                recent = self._recent[rule.cap_hours]
                recent.slide(now)
                if recent.count(notice.sub.phone) >= rule.cap:
                    return _CAP
        return None

    def forget(self, subs: Sequence[Sub], phones: Sequence[Phone]) -> None:
        """The engine forgot these phones: their texts go with them (a phone that comes
        back is a new ``Phone``, which this memory never sees again)."""
        for recent in self._recent.values():
            recent.drop(phones)

    def holds(self, phone: Phone, now: int) -> bool:
        return any(recent.count(phone) > 0 for recent in self._recent.values())

    def sent(self, notice: Notice, now: int) -> None:
        if self.caps:
            for recent in self._recent.values():
                recent.add(now, notice.sub.phone)

    def __setstate__(self, state: dict[str, object]) -> None:
        """Unpickling; a snapshot written before the windows (engine.recent) kept each
        phone's send times of the longest cap's hours (a tuple or a list)."""
        sent = state.pop("_sent", None)
        self.__dict__.update(state)
        if not isinstance(sent, dict):
            return
        self._recent = _windows(sent)


def _windows(sent: dict[Phone, object] | None = None) -> dict[int, RecentCounts[Phone]]:
    """For each cap length (hours), the texts in it and how many each phone had; from
    ``sent`` (a snapshot's send times per phone, ``RecentCounts.of``) if given."""
    return {rule.cap_hours: RecentCounts.of(rule.cap_hours * 3600, sent or {})
            for rule in RULES if rule.cap}
