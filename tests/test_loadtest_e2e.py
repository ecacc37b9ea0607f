"""``eccc loadtest`` end to end: the real server, a few seconds of headless Locust."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parent.parent


def loadtest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eccc.cli", "loadtest", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=90, check=False)


def rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as fh:
        return {f"{r['Type']} {r['Name']}".strip(): r for r in csv.DictReader(fh)}


@pytest.mark.slow
def test_surge_run_hits_every_actor_and_passes_its_thresholds(tmp_path: Path) -> None:
    done = loadtest("--duration", "4", "--users", "8", "--out", str(tmp_path),
                    "--p99-ms", "2000", "--max-fail-ratio", "0.0")
    assert done.returncode == 0, done.stderr + (tmp_path / "locust.log").read_text()
    stats = rows(tmp_path / "locust_stats.csv")
    for name in ("POST /v1/events:batch (scan feed)", "POST /v1/events (opt-in)",
                 "POST /v1/sms/inbound", "GET /v1/parcels/[trackingNumber]"):
        assert int(stats[name]["Request Count"]) > 0, name
        assert int(stats[name]["Failure Count"]) == 0, name
    assert (tmp_path / "locust.html").stat().st_size > 1000
    summary = orjson.loads((tmp_path / "summary.json").read_bytes())
    assert summary["passed"] and summary["loadtest_requests"] > 10
    assert summary["shim_inputs_total_scan"] > 0


@pytest.mark.slow
def test_trace_replay_sends_every_record_and_a_breach_exits_1(tmp_path: Path) -> None:
    trace = ROOT / "scenarios" / "example_trace.jsonl"
    done = loadtest("--shape", "trace", "--trace", str(trace), "--duration", "3",
                    "--out", str(tmp_path), "--p99-ms", "0.001")
    assert done.returncode == 1, done.stderr
    assert "threshold breached" in done.stderr
    stats = rows(tmp_path / "locust_stats.csv")
    records = sum(1 for line in trace.read_bytes().splitlines() if line.strip())
    assert int(stats["POST /v1/events (trace)"]["Request Count"]) == records
    assert int(stats["TRACE intended-time latency"]["Request Count"]) == records
    summary = orjson.loads((tmp_path / "summary.json").read_bytes())
    assert not summary["passed"] and summary["loadtest_fail_ratio"] == 0.0


@pytest.mark.slow
def test_trace_replay_in_feed_batches_sends_every_record_once(tmp_path: Path) -> None:
    trace = ROOT / "scenarios" / "example_trace.jsonl"
    done = loadtest("--shape", "trace", str(trace), "--duration", "3",
                    "--batch-ms", "200", "--out", str(tmp_path), "--max-fail-ratio", "0.0",
                    "--p99-ms", "5000")
    assert done.returncode == 0, done.stderr
    stats = rows(tmp_path / "locust_stats.csv")
    records = sum(1 for line in trace.read_bytes().splitlines() if line.strip())
    batches = int(stats["POST /v1/events:batch (trace)"]["Request Count"])
    assert 1 < batches < records
    assert int(stats["TRACE intended-time latency"]["Request Count"]) == batches
    summary = orjson.loads((tmp_path / "summary.json").read_bytes())
    accepted = sum(v for k, v in summary.items()
                   if k.startswith("shim_inputs_total_") and k != "shim_inputs_total_wake")
    assert accepted == records
