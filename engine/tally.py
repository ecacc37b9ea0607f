"""Counting what the engine did: one metric naming scheme for every driver.

``OutputTally`` folds engine outputs into flat, named counters that go into
``summary.json`` and the printed table, the same names for replay, the
simulation and the HTTP shim. Pure: it only counts what it is given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from engine.outputs import Held, Output, Reply, Sms, Suppressed


def _quantile(sorted_values: list[int], q: float) -> float:
    if not sorted_values:
        return 0.0
    i = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return float(sorted_values[i])


class OutputTally:
    """Counts texts, segments, suppressions and holds as outputs stream by."""

    def __init__(self) -> None:
        self.sms = 0
        self.replies = 0
        self.segments = 0
        self.by_encoding: Counter[str] = Counter()
        self.suppressed: Counter[str] = Counter()
        self.held: Counter[str] = Counter()
        self.per_recipient: Counter[str] = Counter()
        self.per_parcel: Counter[str] = Counter()

    def add(self, outputs: Iterable[Output]) -> None:
        for o in outputs:
            if isinstance(o, Sms | Reply):
                if isinstance(o, Sms):
                    self.sms += 1
                    if o.tracking_number:
                        self.per_parcel[o.tracking_number] += 1
                else:
                    self.replies += 1
                self.segments += o.segments
                self.by_encoding[o.encoding] += 1
                self.per_recipient[o.to] += 1
            elif isinstance(o, Suppressed):
                self.suppressed[o.reason] += 1
            elif isinstance(o, Held):
                self.held[o.reason] += 1

    def metrics(self) -> dict[str, Any]:
        """Flat metric names -> values, sorted by name (stable JSON)."""
        per = sorted(self.per_recipient.values())
        m: dict[str, Any] = {
            "texts_total": self.sms + self.replies,
            "texts_notifications": self.sms,
            "texts_replies": self.replies,
            "segments_total": self.segments,
            "recipients_texted": len(per),
            "texts_per_recipient_mean": round(sum(per) / len(per), 4) if per else 0.0,
            "texts_per_recipient_p50": _quantile(per, 0.5),
            "texts_per_recipient_p95": _quantile(per, 0.95),
            "texts_per_recipient_max": per[-1] if per else 0,
            "suppressed_total": sum(self.suppressed.values()),
            "held_total": sum(self.held.values()),
        }
        for enc, n in self.by_encoding.items():
            m[f"texts_encoding_{enc.replace('-', '').lower()}"] = n
        for reason, n in self.suppressed.items():
            m[f"suppressed_{reason}"] = n
        for reason, n in self.held.items():
            m[f"held_{reason}"] = n
        return dict(sorted(m.items()))
