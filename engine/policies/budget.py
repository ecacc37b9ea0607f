"""A per-person budget over a rolling week (Pinterest's weekly notification budget).

Pinterest caps how many notifications each person may get in a week and
spends that budget on the ones worth most (Zhao et al., "Notification Volume
Control and Optimization System at Pinterest", KDD 2018). Here the budget is
``limit`` notifications in any rolling ``days``-day window, per person
(phone), across all their parcels. What is worth most is fixed, not learnt:
with ``exceptions=True`` a delivery problem (an attempt, an alert, a return)
and the delivered text are sent even when the budget is spent; they still
count against it. Replies to a person's own texts are not notifications and
are never counted.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.codes import CAT_EXCEPTION, CATEGORY_OF_MILESTONE, DELIVERED
from engine.policies.base import LONGEST_WINDOW_H, Drop, Policy, Verdict, need_range, register
from engine.recent import RecentCounts
from engine.state import Notice, Phone, Sub

_SPENT = Drop("budget")


@register
class WeeklyBudget(Policy):
    """At most ``limit`` texts per person in any ``days``-day window (default a week).

    Parameters: ``limit`` (texts, >= 1), ``days`` (window length, >= 1),
    ``exceptions`` (let delivery problems and "delivered" through a spent budget).
    """

    name = "weekly_budget"
    at_send = True

    def __init__(self, limit: int = 7, days: int = 7, exceptions: bool = False) -> None:
        if limit < 1 or days < 1:
            raise ValueError("limit and days must be at least 1")
        need_range("days", days, 1, LONGEST_WINDOW_H // 24)
        self.limit = limit
        self.days = days
        self.exceptions = exceptions
        self._recent: RecentCounts[Phone] = RecentCounts(days * 86400)  # engine.recent

    def _spent(self, phone: Phone, now: int) -> bool:
        self._recent.slide(now)
        return self._recent.count(phone) >= self.limit

    def check(self, notice: Notice, now: int) -> Verdict:
        if not self._spent(notice.sub.phone, now):
            return None
        if self.exceptions and (notice.milestone == DELIVERED or
                                CATEGORY_OF_MILESTONE[notice.milestone] == CAT_EXCEPTION):
            return None
        return _SPENT

    def forget(self, subs: Sequence[Sub], phones: Sequence[Phone]) -> None:
        self._recent.drop(phones)

    def holds(self, phone: Phone, now: int) -> bool:
        return self._recent.count(phone) > 0  # as of the last text or check: may be stale

    def sent(self, notice: Notice, now: int) -> None:
        self._recent.add(now, notice.sub.phone)

    def __setstate__(self, state: dict[str, object]) -> None:
        """Unpickling; a snapshot written before the window (engine.recent) kept each
        phone's latest send times, at most ``limit``: the same verdicts."""
        sent = state.pop("_sent", None)
        self.__dict__.update(state)
        if isinstance(sent, dict):
            self._recent = RecentCounts.of(self.days * 86400, sent)
