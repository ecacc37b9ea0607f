"""Digest windows: coalesce a parcel's updates into one text.

The first notice for a person and parcel opens a window of ``minutes``;
every notice until it closes is held to the window's end. When held texts
for the same person and parcel come due together the engine sends only the
newest (by event time) and drops the rest as ``superseded``, so the digest
tells the latest status whatever order the scans arrived in.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.policies.base import (
    LONGEST_HOLD_MIN,
    LONGEST_WINDOW_H,
    Hold,
    Policy,
    Verdict,
    need_range,
    register,
)
from engine.state import Notice, Phone, Sub


@register
class Digest(Policy):
    name = "digest"

    def __init__(self, minutes: int = 60) -> None:
        need_range("minutes", minutes, 1, LONGEST_HOLD_MIN, " (30 days)")
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


@register
class BackoffDigest(Policy):
    """A digest whose window grows with the texts the person already had.

    After Novu's backoff digest: a notice for someone who had no text in the
    last ``reset_hours`` goes out at once; otherwise it opens a window of
    ``minutes * factor ** (n - 1)`` minutes, ``n`` being that person's texts
    in the last ``reset_hours`` (all parcels), at most ``max_minutes``, and
    every notice for the same person and parcel until it closes is coalesced
    into the newest, as ``digest`` does. A quiet person hears at once; a busy
    one hears less and less often.

    Parameters: ``minutes`` (first window, >= 1), ``factor`` (growth per text,
    >= 1), ``max_minutes`` (longest window, >= ``minutes``), ``reset_hours``
    (how far back texts count, >= 1).
    """

    name = "backoff_digest"

    def __init__(self, minutes: int = 30, factor: int = 2, max_minutes: int = 720,
                 reset_hours: int = 24) -> None:
        if minutes < 1 or factor < 1 or reset_hours < 1:
            raise ValueError("minutes, factor and reset_hours must be at least 1")
        if max_minutes < minutes:
            raise ValueError("max_minutes must be at least minutes")
        need_range("max_minutes", max_minutes, 1, LONGEST_HOLD_MIN, " (30 days)")
        need_range("reset_hours", reset_hours, 1, LONGEST_WINDOW_H, " (366 days)")
        need_range("factor", factor, 1, 1_000)
        self.minutes = minutes
        self.factor = factor
        self.max_minutes = max_minutes
        self.reset_hours = reset_hours
        self._closes: dict[Sub, int] = {}
        self._sent: dict[Phone, list[int]] = {}

    def window_minutes(self, texts: int) -> int:
        """The window after ``texts`` recent texts (0: send at once)."""
        if texts <= 0:
            return 0
        window = self.minutes
        for _ in range(texts - 1):
            window *= self.factor
            if window >= self.max_minutes:
                return self.max_minutes
        return min(window, self.max_minutes)

    def recent(self, phone: Phone, now: int) -> int:
        """Texts this person had in the last ``reset_hours`` before ``now``."""
        times = self._sent.get(phone)
        if not times:
            return 0
        horizon = now - self.reset_hours * 3600
        while times and times[0] <= horizon:
            del times[0]
        return len(times)

    def check(self, notice: Notice, now: int) -> Verdict:
        closes = self._closes.get(notice.sub)
        if closes is not None and closes > now:
            return Hold(closes, "digest")
        window = self.window_minutes(self.recent(notice.sub.phone, now))
        if window == 0:
            return None
        closes = now + window * 60
        self._closes[notice.sub] = closes
        return Hold(closes, "digest")

    def forget(self, subs: Sequence[Sub], phones: Sequence[Phone]) -> None:
        for sub in subs:
            self._closes.pop(sub, None)
        for phone in phones:
            self._sent.pop(phone, None)

    def holds(self, phone: Phone, now: int) -> bool:
        times = self._sent.get(phone)
        if not times:
            return False
        return times[-1] > now - self.reset_hours * 3600

    def sent(self, notice: Notice, now: int) -> None:
        times = self._sent.setdefault(notice.sub.phone, [])
        times.append(now)
        if len(times) > _MAX_COUNTED:
            del times[0]
        closes = self._closes.get(notice.sub)
        if closes is not None and closes <= now:
            del self._closes[notice.sub]


# More recent texts than this never lengthen the window (factor >= 2 reaches any
# max_minutes long before; factor 1 never grows): memory per person stays bounded.
_MAX_COUNTED = 64
