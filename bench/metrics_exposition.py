"""The shim's hand-written ``/metrics`` against prometheus_client, on the same data.

``python -m bench.metrics_exposition`` (needs prometheus-client, in the ``[dev]``
extra). Two costs matter: the per-request one (``observe``: a latency histogram and
a response counter, on the hot path of every request) and the per-scrape one
(rendering the text). Both are timed on identical data, alternating the two
implementations round by round in one process and reporting medians, so a busy
machine slows both alike. ``prometheus_registry`` is also what the test uses to
check that the two expositions carry the same samples.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from loadtests.metrics import BUCKETS, Requests, render

ROUTES = ("events", "events_batch", "sms_inbound", "sms_status", "parcel", "timeline",
          "outbox", "healthz", "metrics", "openapi")


def sample_traffic(n: int, seed: int = 1) -> list[tuple[str, int, float]]:
    """``n`` (route, status, seconds) observations, mostly fast event posts."""
    rng = random.Random(seed)
    return [(rng.choice(ROUTES[:4]) if rng.random() < 0.9 else rng.choice(ROUTES),
             rng.choice((200, 200, 200, 200, 204, 401, 422)), rng.lognormvariate(-7, 1))
            for _ in range(n)]


def fake_notifier() -> Any:
    """The counters ``render`` reads, as a busy shim would hold them."""
    return SimpleNamespace(
        inputs_by_kind={"scan": 900_000, "subscribe": 40_000, "sms_in": 5_000,
                        "receipt": 300_000, "wake": 1_000},
        rejected_by_field={"at": 12, "phone": 40, "record": 3},
        outputs_by_kind={("sms", ""): 250_000, ("reply", ""): 4_000,
                         ("suppressed", "quiet_hours"): 9_000, ("suppressed", "cap"): 2_000,
                         ("held", "quiet_hours"): 9_000, ("wake_at", ""): 8_000},
        journal=SimpleNamespace(last_seq=1_246_000, commits=41_000),
        engine=SimpleNamespace(parcels=range(600_000)))


def prometheus_registry(notifier: Any) -> tuple[Any, Callable[[str, int, float], None]]:
    """The same families in a prometheus_client registry, and its ``observe``."""
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

    reg = CollectorRegistry()
    inputs = Counter("eccc_inputs", "Inputs accepted by the engine, by kind.", ["kind"],
                     registry=reg)
    for kind, n in notifier.inputs_by_kind.items():
        inputs.labels(kind).inc(n)
    rejected = Counter("eccc_inputs_rejected", "Records refused, by offending field.",
                       ["field"], registry=reg)
    for field, n in notifier.rejected_by_field.items():
        rejected.labels(field).inc(n)
    outputs = Counter("eccc_outputs", "Engine outputs, by kind and reason.",
                      ["kind", "reason"], registry=reg)
    for (kind, reason), n in notifier.outputs_by_kind.items():
        outputs.labels(kind, reason).inc(n)
    Gauge("eccc_journal_seq", "Last journaled input sequence number.",
          registry=reg).set(notifier.journal.last_seq)
    Counter("eccc_journal_commits", "Journal transactions (group commits).",
            registry=reg).inc(notifier.journal.commits)
    Gauge("eccc_engine_parcels", "Parcels the engine holds.",
          registry=reg).set(len(notifier.engine.parcels))
    responses = Counter("eccc_http_responses", "Responses by route and status.",
                        ["route", "status"], registry=reg)
    latency = Histogram("eccc_http_request_seconds",
                        "Time from request to response sent, by route.", ["route"],
                        buckets=BUCKETS, registry=reg)

    def observe(route: str, status: int, seconds: float) -> None:
        latency.labels(route).observe(seconds)
        responses.labels(route, str(status)).inc()

    return reg, observe


def _median_ns(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t0)
    return statistics.median(times)


def bench_metrics(observations: int = 200_000, scrapes: int = 200,
                  rounds: int = 5) -> dict[str, Any]:
    from prometheus_client import generate_latest

    traffic = sample_traffic(observations)
    notifier = fake_notifier()
    ours_obs, theirs_obs, ours_render, theirs_render = [], [], [], []
    for _ in range(rounds):  # alternate, so both see the same machine
        requests = Requests()
        reg, observe = prometheus_registry(notifier)

        def feed_ours(requests: Requests = requests) -> None:
            for route, status, s in traffic:
                requests.observe(route, status, s)

        def feed_theirs(observe: Callable[[str, int, float], None] = observe) -> None:
            for route, status, s in traffic:
                observe(route, status, s)

        ours_obs.append(_median_ns(feed_ours, 1) / observations)
        theirs_obs.append(_median_ns(feed_theirs, 1) / observations)
        def scrape_ours(requests: Requests = requests) -> str:
            return render(notifier, requests)

        def scrape_theirs(reg: Any = reg) -> bytes:
            data: bytes = generate_latest(reg)
            return data

        ours_render.append(_median_ns(scrape_ours, scrapes))
        theirs_render.append(_median_ns(scrape_theirs, scrapes))
    o_obs, t_obs = statistics.median(ours_obs), statistics.median(theirs_obs)
    o_ren, t_ren = statistics.median(ours_render), statistics.median(theirs_render)
    return {
        "observations_per_round": observations,
        "rounds": rounds,
        "observe_ns_hand_written": round(o_obs, 1),
        "observe_ns_prometheus_client": round(t_obs, 1),
        "observe_speedup": round(t_obs / o_obs, 2),
        "scrape_us_hand_written": round(o_ren / 1000, 1),
        "scrape_us_prometheus_client": round(t_ren / 1000, 1),
        "scrape_speedup": round(t_ren / o_ren, 2),
    }


if __name__ == "__main__":
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        sys.exit("needs prometheus-client: pip install prometheus-client (in the [dev] extra)")
    for key, value in bench_metrics().items():
        print(f"  {key:<32} {value}")
