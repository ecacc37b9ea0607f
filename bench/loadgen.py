"""``eccc bench loadgen``: the open-model rate one Locust process sustains, and the shim's.

A replay is only honest while records leave on time, so the capacity of one
load-generator process is the highest rate at which its send lag p99 stays
under ``--max-lag-ms`` (50 ms) with nothing dropped. Measured for records
sent one per request and in feed batches (``--batch-ms``), on a ladder of
rates, each a short Locust run (``loadtests/locustfile_trace.py``, one
process, headless) against the shim (``eccc serve`` on loopback, SQLite
journal on disk) on the same machine. The same runs give the shim's side: the
highest rate at which its service time p99 (send to answer) stays under
``--shim-p99-ms``.

The trace is synthetic: scans of parcels walking their path, one per trace
second, replayed at ``--speedup RATE`` so records are due evenly at RATE a
second. As a reference measured in the same run, the closed-loop request rate
of ``loadtests.blaster`` against ``GET /healthz`` on the same server (what
this machine's sockets and event loop allow at all).
"""

from __future__ import annotations

import os
import platform
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Final

import orjson

from engine.records import format_time
from loadtests.process import ShimProcess
from loadtests.traffic import T0, ScanFeed

ROOT = Path(__file__).resolve().parent.parent
SINGLE_RATES: Final = (250, 500, 1000, 1500, 2000, 3000)
BATCHED_RATES: Final = (1000, 2500, 5000, 10_000, 20_000, 40_000)


def _progress(message: str) -> None:
    print(f"eccc bench loadgen: {message}", file=sys.stderr, flush=True)


def synthetic_trace(path: Path, records: int, seed: int = 7) -> None:
    """``records`` scans, one per trace second, of parcels walking their path."""
    feed = ScanFeed(0, random.Random(seed), in_flight=max(200, records // 10))
    with path.open("wb") as fh:
        for i in range(records):
            rec = feed.batch(T0 + i, 1)[0]
            rec["at"] = format_time(T0 + i)
            fh.write(orjson.dumps(rec) + b"\n")


def replay_step(url: str, api_key: str, work: Path, rate: int, seconds: float,
                batch_ms: float, max_lag_ms: float) -> dict[str, Any]:
    """One Locust process replaying ``rate`` records/s for ``seconds``; its summary."""
    trace = work / f"trace-{rate}.jsonl"
    synthetic_trace(trace, max(2, int(rate * seconds)))
    summary = work / f"summary-{rate}-{batch_ms:g}.json"
    cmd = [sys.executable, "-m", "locust", "-f", str(ROOT / "loadtests/locustfile_trace.py"),
           "--headless", "--host", url, "--only-summary", "--loglevel", "ERROR",
           "--trace", str(trace), "--speedup", str(rate), "--batch-ms", str(batch_ms),
           "--drain-seconds", "1", "--max-lag-ms", str(max_lag_ms),
           "--lag-tolerance-ms", str(max_lag_ms), "--p99-ms", "1e9", "--max-fail-ratio", "1",
           "--summary-json", str(summary)]
    subprocess.run(cmd, env={**os.environ, "ECCC_API_KEY": api_key}, cwd=ROOT,
                   capture_output=True, timeout=seconds + 120, check=False)
    found: dict[str, Any] = orjson.loads(summary.read_bytes()) if summary.is_file() else {}
    return found


def ladder(url: str, api_key: str, work: Path, rates: tuple[int, ...], seconds: float,
           batch_ms: float, max_lag_ms: float, shim_p99_ms: float) -> dict[str, Any]:
    """Climb the rates until the load generator falls behind; the highest on-time rate,
    and the highest at which the shim answered within ``shim_p99_ms`` (p99)."""
    steps = []
    for rate in rates:
        s = replay_step(url, api_key, work, rate, seconds, batch_ms, max_lag_ms)
        step = {"rate": rate,
                "achieved": s.get("fidelity_achieved_records_per_s", 0.0),
                "lag_p99_ms": s.get("fidelity_send_lag_p99_ms", float("inf")),
                "dropped": s.get("fidelity_records_dropped", -1),
                "service_p99_ms": s.get("service_time_p99_ms", float("inf")),
                "failures": s.get("loadtest_failures", -1)}
        steps.append(step)
        on_time = step["lag_p99_ms"] < max_lag_ms and step["dropped"] == 0
        _progress(f"batch {batch_ms:g} ms, {rate:,} records/s: achieved {step['achieved']:,} "
                  f"lag p99 {step['lag_p99_ms']} ms, dropped {step['dropped']}, shim p99 "
                  f"{step['service_p99_ms']} ms")
        if not on_time:
            break
    generator = max((s["rate"] for s in steps
                     if s["lag_p99_ms"] < max_lag_ms and s["dropped"] == 0), default=0)
    shim = max((s["rate"] for s in steps
                if s["service_p99_ms"] < shim_p99_ms and s["failures"] == 0
                and s["dropped"] == 0), default=0)
    return {"records_per_s": generator, "shim_records_per_s": shim, "steps": steps}


def bench_loadgen(seconds: float = 5.0, batch_ms: float = 100.0, max_lag_ms: float = 50.0,
                  shim_p99_ms: float = 100.0) -> dict[str, Any]:
    from bench.http_shim import _blast  # the closed-loop reference

    with tempfile.TemporaryDirectory(prefix="eccc-bench-loadgen-") as tmp:
        work = Path(tmp)
        with ShimProcess(db=str(work / "shim.sqlite3"), log=work / "serve.log") as shim:
            _progress("reference: closed-loop GET /healthz")
            reference = _blast(shim.url, "GET", "/healthz", None, 2.0, 32, shim.api_key)
            single = ladder(shim.url, shim.api_key, work, SINGLE_RATES, seconds, 0.0,
                            max_lag_ms, shim_p99_ms)
            batched = ladder(shim.url, shim.api_key, work, BATCHED_RATES, seconds, batch_ms,
                             max_lag_ms, shim_p99_ms)
    return {
        "loadgen_single_records_per_s": single["records_per_s"],
        "loadgen_batched_records_per_s": batched["records_per_s"],
        "shim_single_records_per_s_at_p99": single["shim_records_per_s"],
        "shim_batched_records_per_s_at_p99": batched["shim_records_per_s"],
        "reference_healthz_requests_per_s": reference["requests_per_second"],
        "max_lag_ms": max_lag_ms,
        "shim_p99_ms": shim_p99_ms,
        "batch_ms": batch_ms,
        "seconds_per_step": seconds,
        "single_steps": single["steps"],
        "batched_steps": batched["steps"],
        "method": "one Locust process (open-model trace replay, FastHttpUser) per step, "
                  "shim (eccc serve, SQLite WAL on disk, every_scan) on the same machine; "
                  "highest ladder rate with send lag p99 < max_lag_ms and none dropped",
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
    }
