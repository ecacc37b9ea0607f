"""Held texts coming due (at a wake or any later input), and delivery receipts."""

from __future__ import annotations

import heapq

from engine import codes
from engine.inputs import Receipt, Wake
from engine.outputs import Output
from engine.scanning import Scanning
from engine.state import RECORD, Notice, Parcel, Sub


class Release(Scanning):
    """Releases held notices back into the policies; counts receipts per phone."""

    def _release(self, out: list[Output]) -> None:
        """Everything due by now: coalesce per person and parcel, then resume."""
        due: list[Notice] = []
        held = self._held
        while held and held[0][0] <= self.now:
            due.append(heapq.heappop(held)[2])
        self._wake_asked = None
        newest: dict[tuple[Sub, int], Notice] = {}
        for notice in due:
            key = (notice.sub, notice.stage)
            best = newest.get(key)
            if best is None or (notice.event_at, notice.seq) > (best.event_at, best.seq):
                newest[key] = notice
        for notice in due:
            if newest[(notice.sub, notice.stage)] is not notice:
                out.append(self._suppressed(notice, "superseded"))
                continue
            parcel = self.parcels[notice.sub.tracking_number]
            if self._stale(notice, parcel):
                out.append(self._suppressed(notice, "stale"))
                continue
            self._pass(notice, notice.stage, out)

    @staticmethod
    def _stale(notice: Notice, parcel: Parcel) -> bool:
        """Held news that later scans made untrue: the parcel was delivered or
        returned to sender after the event told of, or has moved past it."""
        milestone = notice.milestone
        if milestone == codes.DELIVERED:
            return False
        h = parcel.history
        for i in range(len(h) - RECORD, -1, -RECORD):  # newest first
            if int.from_bytes(h[i : i + 5], "big") <= notice.event_at:
                break
            c = h[i + 6]
            later = codes.MILESTONE_OF_INDEX[c] if c != codes.UNKNOWN_CODE_INDEX else -1
            if later in (codes.DELIVERED, codes.RETURN_TO_SENDER) and later != milestone:
                return True
        rank = codes.PROGRESS[milestone]
        return (rank is not None and milestone != codes.RETURN_TO_SENDER
                and rank < parcel.max_rank)

    # ------------------------------------------------------ receipts, wakes
    def _on_receipt(self, r: Receipt, out: list[Output]) -> None:
        phone = self._in_flight.pop(r.message_id, None)
        if phone is None:
            self.unknown_receipts += 1
            return
        if r.status == "delivered":
            phone.fails = 0
        elif r.status != "expired":  # expiry in the driver's queue says nothing of the phone
            phone.fails += 1

    def _on_wake(self, w: Wake, out: list[Output]) -> None:
        """Releasing is done in ``handle`` for every input; a wake adds nothing."""
