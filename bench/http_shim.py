"""``eccc bench http``: the shim's throughput, against its own trivial endpoint.

One server (``eccc serve`` as a child process, SQLite journal in WAL mode on
disk, the bench policies), one load generator (``loadtests.blaster``, a
separate process), three measurements in one run:

1. ``GET /healthz``: the floor of server + framework per request;
2. ``POST /v1/events``: one realistic record per request (parse, engine,
   journal commit, outputs in the response); its ratio to (1) is the shim's
   cost per request relative to doing nothing;
3. ``POST /v1/events:batch``: JSON-lines batches, each journaled in one
   transaction; reported as inputs/s.

Besides requests/s, the server's own CPU time per request is reported: on a
shared two-core machine the load generator and other work take turns with the
server, and CPU per request is the figure that does not move with them.

Records come from ``bench.engine_inputs.build_mix`` (the engine benchmark's realistic
mix), each sent once, in time order per connection.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.engine_inputs import BENCH_POLICIES, build_mix
from engine.records import from_input
from loadtests.blaster import SEPARATOR
from loadtests.process import ShimProcess


def _records(n: int) -> list[bytes]:
    return [orjson.dumps(from_input(inp)) for inp in build_mix(n, seed=7)]


def _blast(url: str, method: str, path: str, bodies: Path | None, seconds: float,
           connections: int, api_key: str) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "loadtests.blaster", url, method, path,
           str(bodies) if bodies else "-", str(seconds), str(connections),
           f"X-API-Key: {api_key}"]
    done = subprocess.run(cmd, capture_output=True, check=True, timeout=seconds + 60)
    result: dict[str, Any] = orjson.loads(done.stdout)
    return result


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) the server has used so far (Linux /proc).

    On a shared machine requests/s move with other people's work; the server's
    CPU per request does not, so both are reported."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    ticks = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def _measured(pid: int, url: str, method: str, path: str, bodies: Path | None, seconds: float,
              connections: int, api_key: str) -> dict[str, Any]:
    before = _cpu_seconds(pid)
    result = _blast(url, method, path, bodies, seconds, connections, api_key)
    result["server_cpu_s"] = _cpu_seconds(pid) - before
    return result


def _cpu_us(runs: list[dict[str, Any]], per: int = 1) -> float:
    """Server CPU microseconds per request (or per input, with ``per``)."""
    done = sum(r["requests"] for r in runs) * per
    return round(sum(r["server_cpu_s"] for r in runs) / done * 1e6, 1) if done else 0.0


def _journal_counts(url: str, api_key: str) -> dict[str, float]:
    """The journal's counters from /metrics. Read after the single-event rounds
    (warm-up included), inputs / commits is their group commit size."""
    text = httpx.get(url + "/metrics", headers={"X-API-Key": api_key}, timeout=10).text
    found: dict[str, float] = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name in ("eccc_journal_seq", "eccc_journal_commits_total"):
            found[name] = float(value)
    return found


def _progress(message: str) -> None:
    print(f"eccc bench http: {message}", file=sys.stderr, flush=True)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def bench_http(seconds: float = 2.0, connections: int = 32, batch_size: int = 2000,
               rounds: int = 7) -> dict[str, Any]:
    """Run the measurements; return flat figures for ``--json`` or the table.

    After a warm-up of both paths, trivial and single-event runs alternate for
    ``rounds`` rounds and the medians are reported (the ratio is the median of
    the per-round ratios, each round's ratio listed too), so a burst of other
    work on a shared machine skews one round, not the result.
    """
    _progress("building request bodies")
    # Enough distinct records that no body is sent twice at the rates we can reach,
    # plus a warm-up share sent before any measurement.
    single = _records(int(20_000 * seconds * (rounds + 1)))
    batch_records = _records(int(100_000 * max(seconds, 3.0)))
    with tempfile.TemporaryDirectory(prefix="eccc-bench-http-") as tmp:
        work = Path(tmp)
        singles = work / "single.bodies"
        batches = work / "batch.bodies"
        batches.write_bytes(SEPARATOR.join(
            b"\n".join(batch_records[i : i + batch_size])
            for i in range(0, len(batch_records), batch_size)))
        db = str(work / "bench.sqlite3")
        trivial: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        with ShimProcess(db=db, policies=BENCH_POLICIES, log=work / "serve.log") as shim:
            key = shim.api_key
            assert shim.proc is not None
            pid = shim.proc.pid
            # Warm up both paths (engine tables, journal and WAL files grown, caches),
            # so the rounds measure the steady state a long-running shim is in.
            share = len(single) // (rounds + 1)
            singles.write_bytes(SEPARATOR.join(single[:share]))
            _progress("warming up both paths")
            _blast(shim.url, "GET", "/healthz", None, 1.0, connections, key)
            _blast(shim.url, "POST", "/v1/events", singles, seconds, connections, key)
            for r in range(1, rounds + 1):
                singles.write_bytes(SEPARATOR.join(single[r * share : (r + 1) * share]))
                trivial.append(_measured(pid, shim.url, "GET", "/healthz", None, seconds,
                                         connections, key))
                events.append(_measured(pid, shim.url, "POST", "/v1/events", singles, seconds,
                                        connections, key))
                t, e = trivial[-1]["requests_per_second"], events[-1]["requests_per_second"]
                _progress(f"round {r}/{rounds}: /healthz {t:,.0f} req/s, /v1/events "
                          f"{e:,.0f} req/s, ratio {e / t if t else 0:.3f}")
            journal = _journal_counts(shim.url, key)
            _progress("batch ingest")
            batch = _measured(pid, shim.url, "POST", "/v1/events:batch", batches,
                              max(seconds, 3.0), max(2, min(connections, 4)), key)
        db_bytes = sum(f.stat().st_size for f in work.glob("bench.sqlite3*"))
    inputs_per_s = batch["statuses"].get("200", 0) * batch_size / batch["seconds"]
    ratios = [e["requests_per_second"] / t["requests_per_second"]
              for t, e in zip(trivial, events, strict=True) if t["requests_per_second"]]
    return {
        "trivial_healthz_requests_per_s": _median([t["requests_per_second"] for t in trivial]),
        "trivial_p50_ms": _median([t["p50_ms"] for t in trivial]),
        "trivial_p99_ms": _median([t["p99_ms"] for t in trivial]),
        "events_requests_per_s": _median([e["requests_per_second"] for e in events]),
        "events_p50_ms": _median([e["p50_ms"] for e in events]),
        "events_p99_ms": _median([e["p99_ms"] for e in events]),
        "events_to_trivial_ratio": round(_median(ratios), 3),
        "events_to_trivial_ratio_by_round": [round(x, 3) for x in ratios],
        "trivial_server_cpu_us_per_request": _cpu_us(trivial),
        "events_server_cpu_us_per_request": _cpu_us(events),
        "events_to_trivial_cpu_ratio": round(_cpu_us(trivial) / _cpu_us(events), 3)
        if _cpu_us(events) else 0.0,
        "batch_inputs_per_s": round(inputs_per_s),
        "batch_server_cpu_us_per_input": _cpu_us([batch], batch_size),
        "batch_inputs_per_server_cpu_s": round(1e6 / _cpu_us([batch], batch_size))
        if _cpu_us([batch], batch_size) else 0,
        "batch_requests_per_s": batch["requests_per_second"],
        "batch_size": batch_size,
        "batch_p50_ms": batch["p50_ms"],
        "batch_p99_ms": batch["p99_ms"],
        "non_2xx": sum(n for r in (*trivial, *events, batch) for s, n in r["statuses"].items()
                       if not 200 <= int(s) < 300),
        "journal_bytes": db_bytes,
        "events_inputs_per_commit": round(journal["eccc_journal_seq"]
                                          / journal["eccc_journal_commits_total"], 1)
        if journal.get("eccc_journal_commits_total") else 0.0,
        "durability": "SQLite WAL, synchronous=NORMAL (survives kill -9)",
        "connections": connections,
        "seconds_per_measurement": seconds,
        "rounds": rounds,
        "load_generator": "loadtests.blaster (asyncio+uvloop, keep-alive, closed loop), "
                          "separate process on the same machine",
        "policies": ",".join(BENCH_POLICIES),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
    }
