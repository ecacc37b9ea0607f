"""``eccc loadtest``: start the shim, run Locust headless against it, judge the result.

Everything lands in one run directory: Locust's CSV files and HTML report,
the shim's log and journal, and our ``summary.json`` (flat metric names, as
every run of this project writes). The exit status is 1 when a threshold is
breached, so CI can gate on it.

Locust runs as ``python -m locust`` in a child process: it monkey-patches the
standard library with gevent, which must not happen in this process.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from loadtests.guards import API_KEY_ENV, AUTH_TOKEN_ENV
from loadtests.process import ShimProcess

HERE = Path(__file__).resolve().parent
LOCUSTFILES = {"surge": HERE / "locustfile.py", "trace": HERE / "locustfile_trace.py"}


def run_dir(out: str | None, shape: str) -> Path:
    path = Path(out) if out else Path("runs") / f"loadtest-{shape}-{time.strftime('%Y%m%d-%H%M%S')}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def locust_command(args: argparse.Namespace, url: str, out: Path) -> list[str]:
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILES[args.shape]), "--headless",
           "--host", url, "--csv", str(out / "locust"), "--html", str(out / "locust.html"),
           "--run-time", f"{args.duration + 10:.0f}s", "--stop-timeout", "5",
           "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    if args.processes > 1:
        cmd += ["--processes", str(args.processes)]
    return cmd


def read_stats(path: Path) -> dict[str, dict[str, str]]:
    """Locust's ``*_stats.csv``, by "Type Name"."""
    with path.open(newline="") as fh:
        return {f"{row['Type']} {row['Name']}".strip(): row for row in csv.DictReader(fh)}


def shim_metrics(text: str) -> dict[str, float]:
    """Totals from the shim's /metrics: inputs, rejections, texts, suppressions."""
    totals: dict[str, float] = {}
    for line in text.splitlines():
        m = re.match(r'eccc_(inputs_total|inputs_rejected_total|outputs_total)\{([^}]*)\} (\S+)',
                     line)
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
        name = "shim_" + m.group(1) + "".join(f"_{v}" for v in labels.values() if v)
        totals[name] = totals.get(name, 0.0) + float(m.group(3))
    return totals


def summarise(stats: dict[str, dict[str, str]], args: argparse.Namespace) -> dict[str, Any]:
    total = stats.get("Aggregated", {})
    # Requests are the real ones; the trace shape's "TRACE" rows re-report them
    # timed from their intended send time, which is the honest latency there.
    real = [row for key, row in stats.items() if key != "Aggregated" and row["Type"] != "TRACE"]
    requests = sum(int(row.get("Request Count", 0) or 0) for row in real)
    failures = sum(int(row.get("Failure Count", 0) or 0) for row in real)
    rate = sum(float(row.get("Requests/s", 0) or 0) for row in real)
    latency = stats.get("TRACE intended-time latency", total) if args.shape == "trace" else total
    summary: dict[str, Any] = {
        "loadtest_shape": args.shape,
        "loadtest_duration_s": args.duration,
        "loadtest_processes": args.processes,
        "loadtest_requests": requests,
        "loadtest_failures": failures,
        "loadtest_fail_ratio": round(failures / requests, 6) if requests else 1.0,
        "loadtest_requests_per_s": round(rate, 2),
        "loadtest_p50_ms": float(latency.get("50%", 0) or 0),
        "loadtest_p99_ms": float(latency.get("99%", 0) or 0),
        "loadtest_max_ms": float(latency.get("Max Response Time", 0) or 0),
        "threshold_p99_ms": args.p99_ms,
        "threshold_max_fail_ratio": args.max_fail_ratio,
    }
    for key, row in sorted(stats.items()):
        if key != "Aggregated":
            slug = re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")
            summary[f"route_{slug}_requests"] = int(row.get("Request Count", 0) or 0)
            summary[f"route_{slug}_p99_ms"] = float(row.get("99%", 0) or 0)
    breaches = []
    if requests == 0:
        breaches.append("no requests were made")
    if summary["loadtest_p99_ms"] > args.p99_ms:
        breaches.append(f"p99 {summary['loadtest_p99_ms']} ms > {args.p99_ms} ms")
    if summary["loadtest_fail_ratio"] > args.max_fail_ratio:
        breaches.append(f"fail ratio {summary['loadtest_fail_ratio']} > {args.max_fail_ratio}")
    summary["breaches"] = breaches
    summary["passed"] = not breaches
    return summary


def run_loadtest(args: argparse.Namespace) -> int:
    if args.shape == "trace" and not args.trace:
        print("eccc loadtest: --shape trace needs a trace.jsonl: --shape trace FILE",
              file=sys.stderr)
        return 2
    if args.shape == "trace" and not Path(args.trace).is_file():
        print(f"eccc loadtest: no trace file {args.trace}", file=sys.stderr)
        return 2
    out = run_dir(args.out, args.shape)
    api_key, token = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    db = args.db or str(out / "shim.sqlite3")
    policies = tuple(args.policy or ("every_scan",))
    env = {**os.environ, API_KEY_ENV: api_key, AUTH_TOKEN_ENV: token,
           "ECCC_DURATION": str(args.duration), "ECCC_USERS": str(args.users),
           "ECCC_CLOCK_START": str(time.time()),
           "ECCC_TRACE_SHARDS": str(max(1, args.processes))}
    if args.shape == "trace":
        env["ECCC_TRACE"] = str(Path(args.trace).resolve())
        env["ECCC_SPEEDUP"] = str(args.speedup)
        env["ECCC_TRACE_BATCH_MS"] = str(args.batch_ms)
    with ShimProcess(db=db, policies=policies, api_key=api_key, auth_token=token,
                     port=args.port, log=out / "shim.log") as shim:
        cmd = locust_command(args, shim.url, out)
        print(f"eccc loadtest: shim at {shim.url}, Locust: {' '.join(cmd[2:])}", file=sys.stderr)
        with (out / "locust.log").open("wb") as log:
            done = subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  timeout=args.duration + 120, check=False)
        try:
            metrics = shim_metrics(httpx.get(shim.url + "/metrics", headers=shim.headers,
                                             timeout=10).text)
        except httpx.HTTPError:
            metrics = {}
    stats_file = out / "locust_stats.csv"
    if done.returncode != 0 or not stats_file.is_file():
        print(f"eccc loadtest: Locust failed (exit {done.returncode}); see {out / 'locust.log'}",
              file=sys.stderr)
        return 2
    summary = summarise(read_stats(stats_file), args) | metrics
    (out / "summary.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    for key in ("loadtest_requests", "loadtest_requests_per_s", "loadtest_fail_ratio",
                "loadtest_p50_ms", "loadtest_p99_ms"):
        print(f"  {key:<34} {summary[key]}")
    print(f"  run directory                      {out}")
    if summary["breaches"]:
        print("eccc loadtest: threshold breached: " + "; ".join(summary["breaches"]),
              file=sys.stderr)
        return 1
    return 0
