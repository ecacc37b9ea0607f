"""Daily caps per recipient: a rolling window, and the calendar day.

Florida and Oklahoma cap at 3 messages per 24 hours (docs/facts.md); a cap
here counts notifications per person across all their parcels. Replies to a
person's own texts are answers, not notifications, and are not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from engine.localclock import EPOCH_ORDINAL
from engine.policies.base import LONGEST_WINDOW_H, Drop, Policy, Verdict, need_range, register
from engine.recent import RecentCounts
from engine.state import Notice, Phone, Sub

_CAP = Drop("cap")


@register
class RollingCap(Policy):
    """At most ``limit`` texts in any ``hours``-hour window."""

    name = "cap_rolling"
    at_send = True

    def __init__(self, limit: int = 3, hours: int = 24) -> None:
        if limit < 1 or hours < 1:
            raise ValueError("limit and hours must be at least 1")
        need_range("hours", hours, 1, LONGEST_WINDOW_H, " (366 days)")
        self.limit = limit
        self.hours = hours
        # The texts of the last ``hours`` and how many each phone had among them
        # (engine.recent): a tuple of send times per phone cost about 60 bytes a phone,
        # kept until the engine forgot the phone.
        self._recent: RecentCounts[Phone] = RecentCounts(hours * 3600)

    def times(self, phone: Phone) -> tuple[float, ...]:
        """The send times of ``phone`` in the window, oldest first."""
        return self._recent.times(phone)

    def check(self, notice: Notice, now: int) -> Verdict:
        recent = self._recent
        recent.slide(now)
        return _CAP if recent.count(notice.sub.phone) >= self.limit else None

    def forget(self, subs: Sequence[Sub], phones: Sequence[Phone]) -> None:
        self._recent.drop(phones)

    def holds(self, phone: Phone, now: int) -> bool:
        return self._recent.count(phone) > 0  # as of the last text or check: may be stale

    def sent(self, notice: Notice, now: int) -> None:
        self._recent.add(now, notice.sub.phone)

    def __setstate__(self, state: dict[str, object]) -> None:
        """Unpickling; a snapshot written before kept each phone's latest send times (at
        most ``limit``: a tuple, a list or one bare int): the same verdicts, as only the
        latest ``limit`` texts can reach the limit."""
        sent = state.pop("_sent", None)
        self.__dict__.update(state)
        if not isinstance(sent, dict):
            return
        self._recent = RecentCounts.of(self.hours * 3600, sent)


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

    def holds(self, phone: Phone, now: int) -> bool:
        # A local day is within a day of the UTC one: kept up to two days too long.
        seen = self._day.get(phone)
        return seen is not None and seen[0] >= now // 86400 + EPOCH_ORDINAL - 1

    def sent(self, notice: Notice, now: int) -> None:
        day = datetime.fromtimestamp(now, notice.sub.terms.zone).toordinal()
        seen = self._day.get(notice.sub.phone)
        count = seen[1] + 1 if seen is not None and seen[0] == day else 1
        self._day[notice.sub.phone] = (day, count)
