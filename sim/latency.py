"""Latency distributions in fixed-size histograms that merge exactly.

A run may send tens of millions of texts; keeping every latency would make
memory grow with the horizon. Each latency instead falls into one of a fixed
set of bins, the same in every run, so two histograms (two shards, two days)
add bin by bin and lose nothing that one of them had:

- below 1 s, 1 ms bins (waits at the gateway are sub-second to seconds);
- from 1 s on, bins 0.1% wide (``1.001 ** k`` seconds), up to about 115 days.

A bin is reported by its lower edge, so a percentile read off the histogram
(``engine.tally.percentile_of_counts``, the project's one definition) is
within 0.1% (or 1 ms) below the percentile of the raw values. The mean is
exact: the histogram carries the plain sum beside the counts.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from engine.tally import percentile_of_counts

LINEAR = 1000                 # 1 ms bins below 1 s
STEP = math.log(1.001)        # then 0.1% wide
TOP_S = 1e7
BINS = LINEAR + math.ceil(math.log(TOP_S) / STEP) + 1


def bin_of(v: float) -> int:
    if v < 1.0:
        return max(0, int(v * LINEAR))
    return min(BINS - 1, LINEAR + int(math.log(v) / STEP))


def lower_edge(i: int) -> float:
    return i / LINEAR if i < LINEAR else math.exp((i - LINEAR) * STEP)


class LatencyHistogram:
    """Counts per fixed bin, the exact sum and the count."""

    __slots__ = ("counts", "n", "total")

    def __init__(self) -> None:
        self.counts = [0] * BINS  # a list: one increment per text is cheaper than NumPy's
        self.total = 0.0
        self.n = 0

    def add(self, v: float) -> None:
        self.counts[bin_of(v)] += 1
        self.total += v
        self.n += 1

    def merge(self, other: LatencyHistogram) -> None:
        self.counts = [a + b for a, b in zip(self.counts, other.counts, strict=True)]
        self.total += other.total
        self.n += other.n

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else 0.0

    def sparse(self) -> tuple[list[float], list[int]]:
        """Non-empty bins: (lower edges ascending, counts)."""
        idx = [i for i, c in enumerate(self.counts) if c]
        return [round(lower_edge(i), 6) for i in idx], [self.counts[i] for i in idx]

    def percentile(self, q: float) -> float:
        values, counts = self.sparse()
        return percentile_of_counts(values, counts, q)

    def quantiles(self, k: int) -> list[float]:
        """``k`` evenly spaced order statistics (for figures), read off the bins."""
        if not self.n:
            return []
        values, counts = self.sparse()
        ranks = np.linspace(0, self.n - 1, min(k, self.n)).astype(np.int64)
        pos = np.searchsorted(np.cumsum(counts), ranks, side="right")
        return [values[int(i)] for i in pos]

    def to_json(self) -> dict[str, Any]:
        values, counts = self.sparse()
        return {"values": values, "counts": counts, "sum": round(self.total, 6)}
