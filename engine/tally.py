"""Counting what the engine did: one metric naming scheme for every driver.

``OutputTally`` folds engine outputs into flat, named counters that go into
``summary.json`` and the printed table, the same names for replay, the
simulation and the HTTP shim. Pure: it only counts what it is given.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from engine.outputs import TEXTS, Held, Output, Redacted, Sms, Suppressed


class Sorted(Protocol):
    """Ascending values with a length and integer indexing (a list, a NumPy array)."""

    def __len__(self) -> int: ...
    def __getitem__(self, i: int, /) -> Any: ...


def percentile(sorted_values: Sorted, q: float) -> float:
    """The project's one percentile: the inverted empirical CDF (nearest rank).

    The smallest value ``v`` such that at least a share ``q`` of the values are
    ``<= v``: element ``ceil(q * n) - 1`` of the sorted values (the first for
    ``q = 0``), NumPy's ``method="inverted_cdf"``. Always one of the values,
    never an interpolation, so it reads the same off the samples and off a
    histogram of them (``percentile_of_counts``). 0.0 when there are none.
    """
    n = len(sorted_values)
    if not n:
        return 0.0
    return float(sorted_values[_rank(n, q)])


def percentile_of_counts(values: Sequence[float], counts: Sequence[int], q: float) -> float:
    """``percentile`` of the values a histogram holds (``values`` ascending,
    ``counts[i]`` times ``values[i]``), without expanding it."""
    n = sum(counts)
    if not n:
        return 0.0
    i = _rank(n, q)
    seen = 0
    for value, count in zip(values, counts, strict=True):
        seen += count
        if seen > i:
            return float(value)
    raise AssertionError("rank below the total")


def _rank(n: int, q: float) -> int:
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"a percentile's share must be in [0, 1], got {q}")
    # q * n within a rounding error of an integer is that integer (0.95 * 20 == 19).
    k = q * n
    r = round(k)
    rank = r if abs(k - r) < 1e-9 * max(1.0, k) else math.ceil(k)
    return min(n - 1, max(0, rank - 1))


class Recipients(Protocol):
    """Where a tally keeps each recipient's number of texts."""

    def count(self, to: str) -> None:
        """One more text to ``to`` (E.164)."""

    def totals(self) -> Iterable[int]:
        """Each recipient's total, one per recipient texted, in any order."""


class ByNumber:
    """Texts per recipient by phone number: a dict entry per person texted."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def count(self, to: str) -> None:
        self.counts[to] += 1

    def totals(self) -> Iterable[int]:
        return self.counts.values()


class OutputTally:
    """Counts texts, segments, suppressions and holds as outputs stream by."""

    def __init__(self, recipients: Recipients | None = None) -> None:
        self.sms = 0
        self.replies = 0
        self.segments = 0
        self.by_encoding: Counter[str] = Counter()
        self.suppressed: Counter[str] = Counter()
        self.held: Counter[str] = Counter()
        self.redacted: Counter[str] = Counter()
        # Texts per recipient over the run: the texts_per_recipient_* metrics need each
        # person's total, so this grows with the people texted (the population), not with
        # the horizon. By number unless the driver knows its people better (the
        # simulation counts by person in a flat array: 4 bytes a person, not ~100).
        self.recipients: Recipients = recipients if recipients is not None else ByNumber()

    def add(self, outputs: Iterable[Output]) -> None:
        count = self.recipients.count
        for o in outputs:
            if isinstance(o, TEXTS):
                if isinstance(o, Sms):
                    self.sms += 1
                else:
                    self.replies += 1
                self.segments += o.segments
                self.by_encoding[o.encoding] += 1
                count(o.to)
            elif isinstance(o, Suppressed):
                self.suppressed[o.reason] += 1
            elif isinstance(o, Held):
                self.held[o.reason] += 1
            elif isinstance(o, Redacted):
                self.redacted[o.reason] += 1

    def metrics(self) -> dict[str, Any]:
        """Flat metric names -> values, sorted by name (stable JSON)."""
        per = sorted(self.recipients.totals())
        m: dict[str, Any] = {
            "texts_total": self.sms + self.replies,
            "texts_notifications": self.sms,
            "texts_replies": self.replies,
            "segments_total": self.segments,
            "recipients_texted": len(per),
            # None (null) when nobody was texted: no recipients to take a mean over
            "texts_per_recipient_mean": round(sum(per) / len(per), 4) if per else None,
            "texts_per_recipient_p50": percentile(per, 0.5) if per else None,
            "texts_per_recipient_p95": percentile(per, 0.95) if per else None,
            "texts_per_recipient_max": per[-1] if per else None,
            "suppressed_total": sum(self.suppressed.values()),
            "held_total": sum(self.held.values()),
        }
        for enc, n in self.by_encoding.items():
            m[f"texts_encoding_{enc.replace('-', '').lower()}"] = n
        for reason, n in self.suppressed.items():
            m[f"suppressed_{reason}"] = n
        for reason, n in self.held.items():
            m[f"held_{reason}"] = n
        for reason, n in self.redacted.items():
            m[f"redacted_{reason}"] = n
        return dict(sorted(m.items()))
