"""The hand-written /metrics says what prometheus_client would say about the same data.

Both expositions are parsed with prometheus_client's parser and must carry the same
families, types and samples (prometheus_client's extra ``_created`` series aside).
The speed of the two is a benchmark (``python -m bench.metrics_exposition``), not
asserted here.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bench.metrics_exposition import (
    bench_metrics,
    fake_notifier,
    prometheus_registry,
    sample_traffic,
)
from loadtests.metrics import Requests, render

Key = tuple[str, tuple[tuple[str, str], ...]]


def _samples(text: str) -> tuple[dict[str, str], dict[Key, float]]:
    types, values = {}, {}
    for family in text_string_to_metric_families(text):
        if family.name.endswith("_created"):
            continue
        types[family.name] = family.type
        for s in family.samples:
            if not s.name.endswith("_created"):
                values[(s.name, tuple(sorted(s.labels.items())))] = round(s.value, 6)
    return types, values


def test_hand_written_and_prometheus_client_expositions_agree() -> None:
    notifier: Any = fake_notifier()
    requests = Requests()
    registry, observe = prometheus_registry(notifier)
    for route, status, seconds in sample_traffic(5_000, seed=7):
        requests.observe(route, status, seconds)
        observe(route, status, seconds)
    ours = _samples(render(notifier, requests))
    theirs = _samples(generate_latest(registry).decode())
    assert ours[0] == theirs[0]
    assert ours[1].keys() == theirs[1].keys()
    for key, value in theirs[1].items():
        assert abs(ours[1][key] - value) <= 1e-5 * max(1.0, abs(value)), key


def test_the_benchmark_reports_both() -> None:
    report = bench_metrics(observations=2_000, scrapes=3, rounds=1)
    assert report["observe_ns_hand_written"] > 0 and report["observe_ns_prometheus_client"] > 0
    assert report["scrape_speedup"] > 0
