"""Which scans are worth a text: every scan, milestones only, ETA changes."""

from __future__ import annotations

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
    told (so small drifts add up instead of being lost)."""

    name = "eta_change"

    def __init__(self, threshold_days: int = 1) -> None:
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
