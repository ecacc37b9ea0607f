"""``eccc bench loadgen``'s parts: the synthetic trace, and one rung of the ladder."""

from __future__ import annotations

import itertools
from pathlib import Path

import orjson
import pytest

from bench.loadgen import replay_step, synthetic_trace
from engine.records import parse_time
from loadtests.process import ShimProcess


def test_synthetic_trace_is_one_scan_per_second(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    synthetic_trace(path, 50)
    recs = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    times = [parse_time(r["at"])[0] for r in recs]
    assert len(recs) == 50 and all(r["kind"] == "scan" for r in recs)
    assert [b - a for a, b in itertools.pairwise(times)] == [1] * 49


@pytest.mark.slow
def test_one_rung_reports_the_rate_it_sent_and_its_lag(tmp_path: Path) -> None:
    with ShimProcess(db=":memory:") as shim:
        step = replay_step(shim.url, shim.api_key, tmp_path, rate=100, seconds=2.0,
                           batch_ms=0.0, max_lag_ms=50.0)
    assert step["fidelity_records_intended"] == 200
    assert step["fidelity_requests"] + step["fidelity_records_dropped"] == 200
    assert step["fidelity_intended_records_per_s"] == pytest.approx(100, rel=0.01)
    assert 0 < step["fidelity_achieved_records_per_s"] <= 101
    assert step["fidelity_send_lag_p99_ms"] >= 0 and step["loadtest_failures"] == 0
