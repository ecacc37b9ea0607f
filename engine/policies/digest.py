"""Digest window: coalesce a parcel's updates into one text.

The first notice for a person and parcel opens a window of ``minutes``;
every notice until it closes is held to the window's end. When held texts
for the same person and parcel come due together the engine sends only the
newest (by event time) and drops the rest as ``superseded``, so the digest
tells the latest status whatever order the scans arrived in.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.policies.base import Hold, Policy, Verdict, register
from engine.state import Notice, Phone, Sub


@register
class Digest(Policy):
    name = "digest"

    def __init__(self, minutes: int = 60) -> None:
        if minutes < 1:
            raise ValueError("minutes must be at least 1")
        self.minutes = minutes
        self._closes: dict[Sub, int] = {}

    def check(self, notice: Notice, now: int) -> Verdict:
        closes = self._closes.get(notice.sub)
        if closes is None or closes <= now:
            closes = now + self.minutes * 60
            self._closes[notice.sub] = closes
        return Hold(closes, "digest")

    def forget(self, subs: Sequence[Sub], phones: Sequence[Phone]) -> None:
        for sub in subs:
            self._closes.pop(sub, None)

    def sent(self, notice: Notice, now: int) -> None:
        closes = self._closes.get(notice.sub)
        if closes is not None and closes <= now:
            del self._closes[notice.sub]
