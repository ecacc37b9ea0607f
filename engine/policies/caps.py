"""Daily caps per recipient: a rolling window, and the calendar day.

Florida and Oklahoma cap at 3 messages per 24 hours (docs/facts.md); a cap
here counts notifications per person across all their parcels. Replies to a
person's own texts are answers, not notifications, and are not counted.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from datetime import datetime

from engine.policies.base import Drop, Policy, Verdict, register
from engine.state import Notice, Phone, Sub

_CAP = Drop("cap")


# Log entries spent (and an eighth of the log) before the rolling cap lets go of them.
_COMPACT_AT = 4_096


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
        self._reset()

    def _reset(self) -> None:
        # The texts of the last ``hours``, oldest first (times and phones from ``_head``
        # on), and how many each phone has among them (phones with none are not kept).
        # A tuple of send times per phone cost about 60 bytes a phone, kept until the
        # engine forgot the phone; this is 16 bytes a text, for ``hours`` only.
        self._counts: dict[Phone, int] = {}
        self._log_at = array("q")
        self._log_to: list[Phone] = []
        self._head = 0

    def _slide(self, now: int) -> None:
        """Let go of the texts sent ``hours`` or more before ``now`` (the engine's clock
        never goes back, so the log is in time order)."""
        times = self._log_at
        head, n = self._head, len(times)
        horizon = now - self.hours * 3600
        if head < n and times[head] <= horizon:
            counts, tos = self._counts, self._log_to
            while head < n and times[head] <= horizon:
                phone = tos[head]
                left = counts[phone] - 1
                if left:
                    counts[phone] = left
                else:
                    del counts[phone]
                head += 1
            if head >= _COMPACT_AT and 8 * head >= n:
                del times[:head], tos[:head]
                head = 0
            self._head = head

    def times(self, phone: Phone) -> tuple[int, ...]:
        """The send times of ``phone`` still in the log, oldest first."""
        h = self._head
        return tuple(t for t, p in zip(self._log_at[h:], self._log_to[h:], strict=True)
                     if p is phone)

    def check(self, notice: Notice, now: int) -> Verdict:
        self._slide(now)
        return _CAP if self._counts.get(notice.sub.phone, 0) >= self.limit else None

    def forget(self, subs: Sequence[Sub], phones: Sequence[Phone]) -> None:
        counts = self._counts
        gone = {id(p) for p in phones if counts.pop(p, None) is not None}
        if gone or self._head:  # their texts leave the log, and its spent front goes:
            h = self._head      # it holds no forgotten phone
            kept = [(t, p) for t, p in zip(self._log_at[h:], self._log_to[h:], strict=True)
                    if id(p) not in gone]
            self._log_at = array("q", (t for t, _ in kept))
            self._log_to = [p for _, p in kept]
            self._head = 0

    def sent(self, notice: Notice, now: int) -> None:
        phone = notice.sub.phone
        self._log_at.append(now)
        self._log_to.append(phone)
        self._counts[phone] = self._counts.get(phone, 0) + 1

    def __setstate__(self, state: dict[str, object]) -> None:
        """Unpickling; a snapshot written before the log kept each phone's latest send
        times (at most ``limit``: a tuple, a list or one bare int): the same verdicts,
        as only the latest ``limit`` texts can reach the limit."""
        sent = state.pop("_sent", None)
        self.__dict__.update(state)
        if not isinstance(sent, dict):
            return
        self._reset()
        entries = sorted(
            ((t, k, phone) for k, (phone, kept) in enumerate(sent.items())
             for t in ((kept,) if type(kept) is int else kept)),
            key=lambda e: (e[0], e[1]))
        for t, _k, phone in entries:
            self._log_at.append(t)
            self._log_to.append(phone)
            self._counts[phone] = self._counts.get(phone, 0) + 1


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
