"""Daily caps per recipient: a rolling window, and the calendar day.

Florida and Oklahoma cap at 3 messages per 24 hours (docs/facts.md); a cap
here counts notifications per person across all their parcels. Replies to a
person's own texts are answers, not notifications, and are not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from engine.policies.base import Drop, Policy, Verdict, register
from engine.state import Notice, Phone, Sub, after

_CAP = Drop("cap")


@register
class RollingCap(Policy):
    """At most ``limit`` texts in any ``hours``-hour window."""

    name = "cap_rolling"
    at_send = True

    def __init__(self, limit: int = 3, hours: int = 24) -> None:
        if limit < 1 or hours < 1:
            raise ValueError("limit and hours must be at least 1")
        self.limit = limit
        self.hours = hours
        # Send times per phone, oldest first, at most ``limit``: the one time itself when
        # there is one (most phones on a busy day: a tuple of one costs 48 bytes more),
        # else a tuple. A snapshot written when they were lists still loads: read the same.
        self._sent: dict[Phone, int | Sequence[int]] = {}

    def times(self, phone: Phone) -> Sequence[int]:
        """The send times kept for ``phone``, oldest first."""
        kept = self._sent.get(phone, ())
        return (kept,) if type(kept) is int else kept  # type: ignore[return-value]

    def check(self, notice: Notice, now: int) -> Verdict:
        phone = notice.sub.phone
        times = self._sent.get(phone)
        if times is None:
            return None
        if type(times) is int:
            if self.limit > 1:
                return None
            times = (times,)
        elif len(times) < self.limit:  # type: ignore[arg-type]
            return None
        fresh = after(now - self.hours * 3600, times)  # type: ignore[arg-type]
        if len(fresh) < len(times):  # type: ignore[arg-type]
            self._sent[phone] = fresh[0] if len(fresh) == 1 else tuple(fresh)
        return _CAP if len(fresh) >= self.limit else None

    def forget(self, subs: Sequence[Sub], phones: Sequence[Phone]) -> None:
        for phone in phones:
            self._sent.pop(phone, None)

    def sent(self, notice: Notice, now: int) -> None:
        phone = notice.sub.phone
        kept = self._sent.get(phone)
        if kept is None or self.limit == 1:
            self._sent[phone] = now
            return
        times = (kept, now) if type(kept) is int else (*kept, now)  # type: ignore[misc]
        self._sent[phone] = times[1:] if len(times) > self.limit else times


@register
class CalendarCap(Policy):
    """At most ``limit`` texts per calendar day in the recipient's zone."""

    name = "cap_calendar"
    at_send = True

    def __init__(self, limit: int = 3) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._day: dict[Phone, tuple[int, int]] = {}

    def check(self, notice: Notice, now: int) -> Verdict:
        seen = self._day.get(notice.sub.phone)
        if seen is None or seen[1] < self.limit:
            return None
        day = datetime.fromtimestamp(now, notice.sub.terms.zone).toordinal()
        return _CAP if seen[0] == day else None

    def forget(self, subs: Sequence[Sub], phones: Sequence[Phone]) -> None:
        for phone in phones:
            self._day.pop(phone, None)

    def sent(self, notice: Notice, now: int) -> None:
        day = datetime.fromtimestamp(now, notice.sub.terms.zone).toordinal()
        seen = self._day.get(notice.sub.phone)
        count = seen[1] + 1 if seen is not None and seen[0] == day else 1
        self._day[notice.sub.phone] = (day, count)
