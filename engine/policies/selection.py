"""Which scans are worth a text: every scan, milestones only, ETA changes, or only
what the person can act on."""

from __future__ import annotations

from engine import codes
from engine.policies.base import Drop, Policy, Verdict, register
from engine.state import Notice

_SAME_MILESTONE = Drop("same_milestone")
_SMALL_ETA_CHANGE = Drop("eta_below_threshold")


@register
class EveryScan(Policy):
    """The service's "all activity": every new scan is a text."""

    name = "every_scan"

    def check(self, notice: Notice, now: int) -> Verdict:
        return None


@register
class Milestones(Policy):
    """One text per status change. A new expected delivery date counts as a
    change (use ``eta_change`` after this to require a minimum shift)."""

    name = "milestones"

    def check(self, notice: Notice, now: int) -> Verdict:
        if notice.milestone != notice.sub.last_milestone or notice.eta_changed:
            return None
        return _SAME_MILESTONE


@register
class EtaChange(Policy):
    """A text whose only news is a new expected delivery date goes out only if
    the date moved at least ``threshold_days`` from the one the person was last
    told (so small drifts add up instead of being lost).

    Dates are whole days, so ``threshold_days=1`` passes every move and the
    chain behaves exactly as ``milestones`` alone; the default is 2. Texts that
    also change the status are never its business (``milestones`` decides them).
    """

    name = "eta_change"

    def __init__(self, threshold_days: int = 2) -> None:
        if threshold_days < 1:
            raise ValueError("threshold_days must be at least 1")
        self.threshold_days = threshold_days

    def check(self, notice: Notice, now: int) -> Verdict:
        sub = notice.sub
        if notice.milestone != sub.last_milestone or not notice.eta_changed:
            return None
        if notice.eta is None or sub.last_eta is None:
            return None
        if abs(notice.eta - sub.last_eta) >= self.threshold_days:
            return None
        return _SMALL_ETA_CHANGE


_NOT_ACTIONABLE = Drop("not_actionable")


@register
class Actionable(Policy):
    """Only what changes what the person does: a text when the expected delivery
    date moves (by at least ``threshold_days`` from the date they were last told),
    when the parcel goes out for delivery, when a delivery problem needs them
    (an attempt, an alert, a return, a parcel to pick up) and when it is delivered
    (``delivered=False`` leaves that one out). Everything else, the journey
    through the network included, is dropped as ``not_actionable``.

    The first expected date a person hears of is not a move; ``first_eta=True``
    texts it too (the "your parcel is on its way, expected Tuesday" text).
    A repeated status (a second out-for-delivery scan on the same round) is
    not news unless the date moved.
    """

    name = "actionable"

    def __init__(self, threshold_days: int = 1, delivered: bool = True,
                 first_eta: bool = False) -> None:
        if threshold_days < 1:
            raise ValueError("threshold_days must be at least 1")
        self.threshold_days = threshold_days
        self.delivered = delivered
        self.first_eta = first_eta

    def check(self, notice: Notice, now: int) -> Verdict:
        sub = notice.sub
        if notice.eta_changed and notice.eta is not None:
            if sub.last_eta is None:
                if self.first_eta:
                    return None
            elif abs(notice.eta - sub.last_eta) >= self.threshold_days:
                return None
        milestone = notice.milestone
        if milestone == sub.last_milestone:
            return _NOT_ACTIONABLE
        if milestone == codes.DELIVERED:
            return None if self.delivered else _NOT_ACTIONABLE
        if milestone == codes.OUT_FOR_DELIVERY or codes.CATEGORY_OF_MILESTONE[milestone] & (
                codes.CAT_EXCEPTION | codes.CAT_PICKUP):
            return None
        return _NOT_ACTIONABLE
