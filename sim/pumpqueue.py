"""The input pump's queue: entries in (time, insertion counter) order, cheaply.

Late checks and scans are pushed hours or days ahead, so one heap of everything
would be deep and cold. The queue keeps a bucket per ``BUCKET_S`` of time beyond
its horizon, by column (25 bytes an entry where a tuple, its counter and its time
took about 140), and makes the next bucket the current *run* when the pump reaches it:
one stable sort on time (a bucket is already in insertion order), merged by
``sim.model.Model._drain`` with a small heap of what is pushed into the current
bucket meanwhile.
"""

from __future__ import annotations

import gc
import heapq
import math
from array import array
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Generator

BUCKET_S = 900  # the width of a bucket

# What an entry is (its kind, one byte in a far bucket), read by ``sim.model.Model._drain``.
# An input ready to hand to the engine; a text reaching the gateway or a handset; a
# parcel's late check; or something queued as what it is and built when due: a followed
# parcel's label or acceptance scan, a customer's opt-in (``Customers.built``), and from
# ``DUE`` on any other scan of it (``ScanFeed.built``: the kind holds code and place).
INPUT, GATEWAY, HANDSET, LATE, LABELLED, ACCEPTED, ASKED = range(7)
DUE = 8

Entry = tuple[float, int, int, Any]  # (time, insertion counter, kind, payload)
# A far bucket, by column: times as doubles (exact for epoch seconds), insertion
# counters shifted left one bit with 1 where the time was an int (so ints come back
# ints), kinds and payloads; made tuples only when the pump reaches it. A time pushed
# for a queued parcel (its label, acceptance or later scans) is not kept anywhere
# else, so an int object each was 32 bytes more.
_Bucket = tuple["array[float]", "array[int]", bytearray, list[Any]]


@contextmanager
def few_collections() -> Generator[None, None, None]:
    """Run with the cyclic garbage collector triggered 140 times less often.

    A run holds millions of live objects (parcels in flight, subscriptions, queued
    inputs) and makes few reference cycles, so Python's default thresholds spend a
    quarter of a national day's CPU re-scanning live objects (measured on a 2% warm
    peak day: 20.3 -> 15.5 CPU s, peak memory unchanged). The old thresholds come back
    afterwards, so a caller's process is left as it was.
    """
    old = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _at(entry: Entry) -> float:
    return entry[0]


class PumpQueue:
    """The queue's state and its two writers; ``Model._drain`` reads it."""

    def _init_queue(self, start: float) -> None:
        self._heap: list[Entry] = []
        self._far: dict[int, _Bucket] = {}
        self._run: list[Entry] = []  # the current bucket, sorted
        self._ri = 0  # the next entry of ``_run``
        self._horizon = float(start // BUCKET_S * BUCKET_S)
        self._seq = 0
        self._clock = -math.inf  # the time of the entry drained last
        self.late_pushes = 0

    def _push(self, at: float, kind: int, payload: Any) -> None:
        if at < self._clock:  # should not happen; keep the order monotone and say so
            self.late_pushes += 1
            at = self._clock
        seq = self._seq = self._seq + 1
        if at < self._horizon:
            heapq.heappush(self._heap, (at, seq, kind, payload))
        else:  # beyond the heap's horizon: into its bucket, untouched until the pump gets there
            k = int(at // BUCKET_S)
            bucket = self._far.get(k)
            if bucket is None:
                bucket = self._far[k] = (array("d"), array("q"), bytearray(), [])
            ats, seqs, kinds, payloads = bucket
            ats.append(at)
            seqs.append(seq << 1 | (type(at) is int))
            kinds.append(kind)
            payloads.append(payload)

    def _load_bucket(self) -> bool:
        """Make the next non-empty bucket the sorted run; False when none is left.

        Called only when the run is spent and the heap empty, so every entry of the
        bucket comes after everything already drained, and every later push before the
        new horizon (into the heap) has a higher counter than the bucket's entries. A
        bucket is in insertion order, so a stable sort on time alone gives (time,
        insertion) order: one sort of mostly ordered keys instead of a heap pop per
        entry, each comparing tuples scattered over the whole process's memory."""
        far = self._far
        if not far:
            return False
        k = int(self._horizon // BUCKET_S)
        bucket = far.pop(k, None)
        if bucket is None:
            k = min(far)
            bucket = far.pop(k)
        self._horizon = (k + 1) * BUCKET_S
        ats, seqs, kinds, payloads = bucket
        run = [(int(at) if seq & 1 else at, seq >> 1, kind, payload)
               for at, seq, kind, payload in zip(ats, seqs, kinds, payloads, strict=True)]
        run.sort(key=_at)
        self._run = run
        self._ri = 0
        return True
