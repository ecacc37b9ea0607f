"""Followed parcels while they live, folded into counts when they leave.

A followed parcel (``Tracked``) is needed while its scans and notifications are
on their way: the handset side of the model looks it up by tracking number to
mark what its person was told (only notifications: an answer to the person's own
text, such as the reply to a late YES, needs no parcel). Once it has closed
(delivered or returned) and its grace has passed (``grace_days``), no
notification about it can still arrive in practice, so its contribution to the
summary is added to fixed counters and the object is let go. Memory then follows
the parcels in flight, not the horizon. A notification reaching a handset after
its parcel was folded is counted (``texts_after_fold``), so a run says whether
the grace was long enough (0 in the shipped scenarios and the 2% fortnight).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.inflight import ByArrival

if TYPE_CHECKING:
    from sim.loads import Tracked



def grace_days(validity_s: float) -> int:
    """Whole days a closed parcel is kept: the latest notification about it is one
    decided up to a few hours after it closed (the return scans trail a return),
    held overnight by quiet hours (under a day), then queued in the gateway for at
    most ``validity_s`` before it expires. A parcel is folded at the UTC midnight at
    least this many days after it closed: 2 days with the default 4 h validity."""
    return 2 + int(validity_s // 86400)


class FollowedParcels:
    """The live followed parcels by tracking number, and the folded counts."""

    def __init__(self, grace_days: int = 2) -> None:
        self.grace_days = grace_days
        self.live = ByArrival()  # by tracking number, in pages by arrival (sim.inflight)
        # The first "out for delivery" text's arrival, for parcels not yet delivered or
        # returned when it came (``of_texted``): few, as a delivery is planned with its
        # "out for delivery" scan.
        self._of_waiting: dict[Tracked, float] = {}
        self._closing: dict[int, list[Tracked]] = {}
        self._next_day: int | None = None
        self.count = 0
        self.delivered = 0
        self.of_text_first = 0
        self.exceptions = 0
        self.exceptions_texted = 0
        self.scans_delivered = 0
        self.texts_after_fold = 0

    def add(self, p: Tracked) -> None:
        self.live[p.tn] = p
        self.count += 1

    def get(self, tn: str) -> Tracked | None:
        p = self.live.get(tn)
        if p is None and tn:
            self.texts_after_fold += 1
        return p

    def exception(self, p: Tracked) -> None:
        """The last mile could not deliver ``p`` at the first try (attempted, held, refused)."""
        p.exception = True

    def of_texted(self, p: Tracked, at: float) -> None:
        """The first "out for delivery" text about ``p`` reached its person at ``at``.
        Whether that was no later than the delivery (``of_text_first``) is settled now
        if the delivery is known, else when it is (``closed``): a bit, where the time
        kept until the fold cost a slot and a float object per followed parcel."""
        p.of_texted = True
        if p.delivered_at is not None:
            p.of_first = at <= p.delivered_at
        elif not p.returned:
            self._of_waiting[p] = at

    def closed(self, p: Tracked, at: float) -> None:
        """``p`` was delivered or returned at ``at``: fold it once the grace has passed."""
        of_at = self._of_waiting.pop(p, None)
        if of_at is not None and p.delivered_at is not None:
            p.of_first = of_at <= p.delivered_at
        day = int(at // 86400) + self.grace_days + 1
        self._closing.setdefault(day, []).append(p)
        if self._next_day is None or day < self._next_day:
            self._next_day = day

    def retire(self, now: float) -> None:
        """Fold every parcel whose grace ended before ``now`` (called once an hour)."""
        today = int(now // 86400)
        if self._next_day is None or self._next_day > today:
            return
        for day in sorted(d for d in self._closing if d <= today):
            for p in self._closing.pop(day):
                self._fold(p)
                del self.live[p.tn]
        self._next_day = min(self._closing) if self._closing else None

    def finish(self) -> None:
        """End of run: fold what is left (in flight, lost, closing) in arrival order."""
        for p in sorted(self.live.values(), key=lambda p: p.tn):  # arrival order
            self._fold(p)
        self.live.clear()
        self._closing.clear()
        self._next_day = None

    def _fold(self, p: Tracked) -> None:
        self._of_waiting.pop(p, None)  # never delivered: its text was not first
        if p.delivered_at is not None:
            self.delivered += 1
            self.scans_delivered += p.scans
            if p.of_first:
                self.of_text_first += 1
        if p.exception:
            self.exceptions += 1
            self.exceptions_texted += p.exception_texted
