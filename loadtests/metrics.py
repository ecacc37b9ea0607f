"""``GET /metrics``: the shim's counters in the Prometheus text format (0.0.4).

Hand-written rather than prometheus_client: a handful of counters and one
latency histogram per route, kept as plain ints on the event-loop thread (no
locks needed, nothing on the hot path but an index and an add).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Final

from loadtests.notifier import Notifier

# Seconds; dense below 10 ms where a healthy shim lives.
BUCKETS: Final = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Latency:
    """One route's request latency histogram."""

    __slots__ = ("counts", "n", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)
        self.total = 0.0
        self.n = 0

    def observe(self, seconds: float) -> None:
        self.counts[bisect_left(BUCKETS, seconds)] += 1
        self.total += seconds
        self.n += 1


class Requests:
    """Latency per route and responses per (route, status)."""

    def __init__(self) -> None:
        self.latency: dict[str, Latency] = {}
        self.responses: dict[tuple[str, int], int] = {}

    def observe(self, route: str, status: int, seconds: float) -> None:
        hist = self.latency.get(route)
        if hist is None:
            hist = self.latency[route] = Latency()
        hist.observe(seconds)
        key = (route, status)
        self.responses[key] = self.responses.get(key, 0) + 1


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(notifier: Notifier, requests: Requests) -> str:
    """The exposition text, metric families in a fixed order."""
    lines = [
        "# HELP eccc_inputs_total Inputs accepted by the engine, by kind.",
        "# TYPE eccc_inputs_total counter",
    ]
    for kind, n in sorted(notifier.inputs_by_kind.items()):
        lines.append(f'eccc_inputs_total{{kind="{_label(kind)}"}} {n}')
    lines += ["# HELP eccc_inputs_rejected_total Records refused, by offending field.",
              "# TYPE eccc_inputs_rejected_total counter"]
    for fld, n in sorted(notifier.rejected_by_field.items()):
        lines.append(f'eccc_inputs_rejected_total{{field="{_label(fld)}"}} {n}')
    lines += ["# HELP eccc_outputs_total Engine outputs, by kind and reason.",
              "# TYPE eccc_outputs_total counter"]
    for (kind, reason), n in sorted(notifier.outputs_by_kind.items()):
        lines.append(f'eccc_outputs_total{{kind="{kind}",reason="{_label(reason)}"}} {n}')
    lines += ["# HELP eccc_journal_seq Last journaled input sequence number.",
              "# TYPE eccc_journal_seq gauge",
              f"eccc_journal_seq {notifier.journal.last_seq}",
              "# HELP eccc_journal_commits_total Journal transactions (group commits).",
              "# TYPE eccc_journal_commits_total counter",
              f"eccc_journal_commits_total {notifier.journal.commits}",
              "# HELP eccc_engine_parcels Parcels the engine holds.",
              "# TYPE eccc_engine_parcels gauge",
              f"eccc_engine_parcels {len(notifier.engine.parcels)}",
              "# HELP eccc_http_responses_total Responses by route and status.",
              "# TYPE eccc_http_responses_total counter"]
    for (route, status), n in sorted(requests.responses.items()):
        lines.append(f'eccc_http_responses_total{{route="{route}",status="{status}"}} {n}')
    lines += ["# HELP eccc_http_request_seconds Time from request to response sent, by route.",
              "# TYPE eccc_http_request_seconds histogram"]
    for route, hist in sorted(requests.latency.items()):
        running = 0
        for bound, count in zip(BUCKETS, hist.counts, strict=False):
            running += count
            lines.append(f'eccc_http_request_seconds_bucket{{route="{route}",le="{bound}"}} '
                         f"{running}")
        lines.append(f'eccc_http_request_seconds_bucket{{route="{route}",le="+Inf"}} {hist.n}')
        lines.append(f'eccc_http_request_seconds_sum{{route="{route}"}} {hist.total:.6f}')
        lines.append(f'eccc_http_request_seconds_count{{route="{route}"}} {hist.n}')
    return "\n".join(lines) + "\n"
