"""Schedule fidelity of an open-model replay: did each record leave when it should have?

An open-model replay is only honest if records go out at their intended
times. ``ScheduleLog`` counts, for every request of a replay, its send lag
(actual minus intended send time, in whole milliseconds, rounded up), its
service time (from sending to the answer: the server's own share of the
latency), the records it carried per second of the replay, intended and
sent, and the records that were never sent: dropped, as k6 counts
``dropped_iterations``, because every in-flight slot was busy at their
intended time or the run ended first.

Plain data, no Locust import: a Locust worker ships ``wire()`` to its master
in its stats report and the master ``merge``s it, so a distributed run's
figures cover every worker. Percentiles are the project's one definition,
``engine.tally.percentile_of_counts`` over the millisecond histograms.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from engine.tally import percentile_of_counts

WIRE_KEY = "eccc_schedule"


@dataclass
class ScheduleLog:
    """Histograms of one replay (or the merge of several workers' replays)."""

    lag_ms: Counter[int] = field(default_factory=Counter)  # requests by send lag
    service_ms: Counter[int] = field(default_factory=Counter)  # requests by service time
    intended_per_s: Counter[int] = field(default_factory=Counter)  # records due, by second
    sent_per_s: Counter[int] = field(default_factory=Counter)  # records sent, by second
    dropped: int = 0  # records never sent
    max_lag: float = 0.0  # exact, in ms
    # first and last intended and actual send (seconds into the replay), for the rates
    first_due: float = math.inf
    last_due: float = -math.inf
    last_sent: float = -math.inf

    def due(self, offset_s: float, records: int) -> None:
        """``records`` were due ``offset_s`` seconds after the replay began."""
        self.intended_per_s[max(0, int(offset_s))] += records
        self.first_due = min(self.first_due, offset_s)
        self.last_due = max(self.last_due, offset_s)

    def sent(self, offset_s: float, lag_s: float, records: int) -> None:
        """A request carrying ``records`` left ``lag_s`` after its intended time."""
        lag = max(0.0, lag_s * 1000.0)
        self.lag_ms[math.ceil(lag)] += 1
        self.max_lag = max(self.max_lag, lag)
        self.sent_per_s[max(0, int(offset_s + lag_s))] += records
        self.last_sent = max(self.last_sent, offset_s + lag_s)

    def answered(self, service_s: float) -> None:
        self.service_ms[math.ceil(max(0.0, service_s) * 1000.0)] += 1

    def drop(self, records: int) -> None:
        self.dropped += records

    # -------------------------------------------------------- distribution
    def wire(self) -> dict[str, Any]:
        """What a worker sends its master (JSON-safe: string keys); then ``clear``."""
        return {"lag_ms": _keyed(self.lag_ms), "service_ms": _keyed(self.service_ms),
                "intended_per_s": _keyed(self.intended_per_s),
                "sent_per_s": _keyed(self.sent_per_s), "dropped": self.dropped,
                "max_lag": self.max_lag, "first_due": _finite(self.first_due),
                "last_due": _finite(self.last_due), "last_sent": _finite(self.last_sent)}

    def clear(self) -> None:
        for c in (self.lag_ms, self.service_ms, self.intended_per_s, self.sent_per_s):
            c.clear()
        self.dropped, self.max_lag = 0, 0.0
        self.first_due, self.last_due, self.last_sent = math.inf, -math.inf, -math.inf

    def merge(self, data: dict[str, Any]) -> None:
        for name in ("lag_ms", "service_ms", "intended_per_s", "sent_per_s"):
            counter: Counter[int] = getattr(self, name)
            for key, count in data.get(name, {}).items():
                counter[int(key)] += int(count)
        self.dropped += int(data.get("dropped", 0))
        self.max_lag = max(self.max_lag, float(data.get("max_lag", 0.0)))
        for name, pick in (("first_due", min), ("last_due", max), ("last_sent", max)):
            if data.get(name) is not None:
                setattr(self, name, pick(getattr(self, name), float(data[name])))

    # ------------------------------------------------------------- figures
    @property
    def requests(self) -> int:
        return sum(self.lag_ms.values())

    def summary(self, tolerance_ms: float) -> dict[str, Any]:
        """Flat figures for ``summary.json`` (``fidelity_*``) and the verdict."""
        lags, counts = _sorted(self.lag_ms)
        service, service_counts = _sorted(self.service_ms)
        requests = sum(counts)
        late = sum(c for v, c in zip(lags, counts, strict=True) if v > tolerance_ms)
        records = sum(self.intended_per_s.values())
        sent = sum(self.sent_per_s.values())
        # rates over the intervals from the first record due to the last due, and to
        # the last sent: a replay that falls behind takes longer to send the same records
        span = self.last_due - self.first_due
        sent_span = max(span, self.last_sent - self.first_due)
        return {
            "fidelity_requests": requests,
            "fidelity_records_intended": records,
            "fidelity_records_dropped": self.dropped,
            "fidelity_dropped_share": round(self.dropped / records, 6) if records else 0.0,
            "fidelity_send_lag_p50_ms": percentile_of_counts(lags, counts, 0.5),
            "fidelity_send_lag_p99_ms": percentile_of_counts(lags, counts, 0.99),
            "fidelity_send_lag_max_ms": round(self.max_lag, 3),
            "fidelity_lag_tolerance_ms": tolerance_ms,
            "fidelity_late_requests": late,
            "fidelity_late_share": round(late / requests, 6) if requests else 0.0,
            "fidelity_intended_records_per_s": _rate(records, span),
            "fidelity_achieved_records_per_s": _rate(sent, sent_span),
            "service_time_p50_ms": percentile_of_counts(service, service_counts, 0.5),
            "service_time_p99_ms": percentile_of_counts(service, service_counts, 0.99),
        }

    def per_second(self) -> dict[str, list[int]]:
        """Records intended and sent in each second of the replay (for the figure)."""
        seconds = max([*self.intended_per_s, *self.sent_per_s], default=-1) + 1
        return {"second": list(range(seconds)),
                "intended": [self.intended_per_s.get(s, 0) for s in range(seconds)],
                "sent": [self.sent_per_s.get(s, 0) for s in range(seconds)]}


def verdict(figures: dict[str, Any], max_lag_ms: float) -> list[str]:
    """Why the replay was not the load it meant to be (empty when it was)."""
    breaches = []
    lag = figures["fidelity_send_lag_p99_ms"]
    if lag > max_lag_ms:
        breaches.append(
            f"schedule fidelity: send lag p99 {lag:g} ms > --max-lag-ms {max_lag_ms:g} "
            f"(intended {figures['fidelity_intended_records_per_s']:,.0f} records/s, achieved "
            f"{figures['fidelity_achieved_records_per_s']:,.0f}): the replay is too fast for "
            f"this load generator; add processes, send feed batches (--batch-ms) or lower "
            f"the speed-up")
    if figures["fidelity_records_dropped"]:
        breaches.append(
            f"schedule fidelity: {figures['fidelity_records_dropped']:,} records dropped "
            f"(every in-flight slot busy at their time, or the run ended first)")
    return breaches


def _rate(records: int, seconds: float) -> float:
    """Records per second over ``seconds``, counting intervals between records
    (N records evenly due at R a second span (N - 1) / R seconds)."""
    if records < 2 or not math.isfinite(seconds) or seconds <= 0:
        return 0.0
    return round((records - 1) / seconds, 2)


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _keyed(counter: Counter[int]) -> dict[str, int]:
    return {str(k): v for k, v in sorted(counter.items())}


def _sorted(counter: Counter[int]) -> tuple[list[int], list[int]]:
    keys = sorted(counter)
    return keys, [counter[k] for k in keys]


def p99_note(requests: int) -> str | None:
    """What a p99 of this few requests is: with fewer than 100, the nearest-rank p99 is
    the slowest request, so a figure shown beside p50 and p90 is the maximum, not a
    tail estimate (and one slow request decides the p99 threshold)."""
    if requests >= 100 or requests == 0:
        return None
    return (f"p99 of {requests} requests is their slowest request (a p99 below the maximum "
            f"needs at least 100): run longer or with more users for a tail figure")
