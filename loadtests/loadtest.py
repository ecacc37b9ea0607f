"""``eccc loadtest``: a thin wrapper that starts the shim and runs a plain Locust against it.

Locust does the judging itself (``loadtests.options``): its arguments carry
the settings, a ``quitting`` listener checks the thresholds, sets the exit
code and writes ``summary.json`` from Locust's own stats. This wrapper only
starts the shim (unless ``--host`` names another service), passes the
secrets, runs ``python -m locust`` (a child process: Locust monkey-patches the
standard library with gevent, which must not happen in this process) and adds
what only it knows to the summary: the shim's own counters, and for
``--from-run`` the plan, the differential check and the model comparison.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson

from loadtests import fromrun
from loadtests.guards import API_KEY_ENV, AUTH_TOKEN_ENV
from loadtests.process import ShimProcess
from loadtests.tracefeed import fitted_speedup

HERE = Path(__file__).resolve().parent
LOCUSTFILES = {"surge": HERE / "locustfile.py", "trace": HERE / "locustfile_trace.py"}
PRIME_BATCH = 5_000
PERCENTILES = (0.5, 0.9, 0.99)
# Beyond the load's own length: start-up, the drain, writing the reports.
LOCUST_GRACE_S = 180.0
# After Ctrl-C (or a stop), Locust gets this long to write its reports before SIGKILL.
LOCUST_STOP_S = 10.0
INCOMPLETE = "INCOMPLETE"


# What a load test writes in its directory: removed when another starts there, so no
# earlier test's report, figures or shim journal (which the new shim would resume) stays
# beside the new one's.
LOADTEST_FILES = ("summary.json", "window.jsonl", "differential.json", "fidelity.json",
                  "fidelity.png", "model_vs_measured.json", "model_vs_measured.png",
                  "report.md", "locust.html", "locust.log", "shim.log", "shim.sqlite3",
                  "shim.sqlite3-wal", "shim.sqlite3-shm", "shim.sqlite3-journal")
LOADTEST_PATTERNS = ("locust_*.csv",)  # Locust's --csv out/locust: locust_stats.csv, ...
LOADTEST_DIRS = ("answers",)  # the shim's outputs (--outputs-dir)
# Files that say a directory is another command's (a run, a sweep, a tune).
OTHER_KINDS = ("series.csv", "distributions.json", "points", "study.db", "plan.json")


def run_dir(out: str | None, shape: str) -> Path:
    """The run directory, marked ``INCOMPLETE`` until the verdict is written
    (``finish_run_dir``), with no earlier load test's files left in it."""
    path = Path(out) if out else Path("runs") / f"loadtest-{shape}-{time.strftime('%Y%m%d-%H%M%S')}"
    other = next((s for s in OTHER_KINDS if (path / s).exists()), None)
    if other is not None:  # clearing it would take a run's summary.json with it
        raise ValueError(f"--out {path} holds a simulation run, sweep or tune "
                         f"({path / other}); a load test is not written into it: name "
                         "another --out")
    path.mkdir(parents=True, exist_ok=True)
    (path / INCOMPLETE).write_text("This load test did not finish (interrupted, or Locust or "
                                   "the shim failed); its files are partial and its "
                                   "verdict, if any, is not one.\n")
    for name in LOADTEST_FILES:
        (path / name).unlink(missing_ok=True)
    for pattern in LOADTEST_PATTERNS:
        for old in path.glob(pattern):
            old.unlink(missing_ok=True)
    for name in LOADTEST_DIRS:
        if (path / name).is_dir() and not (path / name).is_symlink():
            shutil.rmtree(path / name)
    return path


def finish_run_dir(out: Path) -> None:
    (out / INCOMPLETE).unlink(missing_ok=True)


class Interrupted(Exception):
    """Ctrl-C or SIGTERM during the load test."""


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGTERM (a CI job's timeout, ``kill``) ends the load test as Ctrl-C does: the
    shim and Locust are stopped and the run directory stays marked incomplete, where
    Python's default would exit at once and leave both children running."""
    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, on_term)
    except ValueError:  # not the main thread: leave the signal alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def locust_command(args: argparse.Namespace, url: str, out: Path) -> list[str]:
    """Locust's own command line: every setting is one of its arguments."""
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILES[args.shape]), "--headless",
           "--host", url, "--csv", str(out / "locust"), "--html", str(out / "locust.html"),
           "--only-summary", "--loglevel", "WARNING",
           "--summary-json", str(out / "summary.json"),
           "--p99-ms", str(args.p99_ms), "--max-fail-ratio", str(args.max_fail_ratio)]
    if args.shape == "surge":
        cmd += ["--season-seconds", str(args.duration), "--peak-users", str(args.users),
                "--stop-timeout", "2"]
    else:
        cmd += ["--trace", str(Path(args.trace).resolve()), "--speedup", str(args.speedup),
                "--replay-seconds", str(args.duration), "--batch-ms", str(args.batch_ms or 0),
                "--max-lag-ms", str(args.max_lag_ms),
                "--lag-tolerance-ms", str(args.lag_tolerance_ms)]
        if args.outputs_dir:
            cmd += ["--outputs-dir", str(args.outputs_dir)]
    if args.processes > 1:
        cmd += ["--processes", str(args.processes)]
    return cmd


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


def prime(url: str, api_key: str, lines: list[bytes]) -> float:
    """Send the run's history before the window, in big batches; seconds taken."""
    t0 = time.perf_counter()
    headers = {"X-API-Key": api_key, "Content-Type": "application/x-ndjson"}
    with httpx.Client(timeout=120) as client:
        for i in range(0, len(lines), PRIME_BATCH):
            answer = client.post(url + "/v1/events:batch", headers=headers,
                                 content=b"\n".join(lines[i:i + PRIME_BATCH]))
            if answer.status_code != 200:
                raise RuntimeError(f"priming the shim failed: HTTP {answer.status_code} "
                                   f"{answer.text[:300]}")
    return time.perf_counter() - t0


def prepare_from_run(args: argparse.Namespace) -> dict[str, Any]:
    """Cut the window out of the run's trace and plan the replay; nothing is written yet
    (``write_window``). The run's summary is read first: the shim needs its policies."""
    run = Path(args.from_run)
    fromrun.check_run_dir(run)  # finished, and one run's (not a sweep's)
    fromrun.trace_path(run)  # an empty directory: say how to write a trace first
    policies = fromrun.run_policies(run)
    records = fromrun.read_trace(run)
    if not records:
        raise ValueError(f"{run / 'trace.jsonl'}: the trace is empty")
    window = fromrun.parse_window(args.window, [at for at, _ in records])
    before, inside = fromrun.split(records, window)
    if not inside:
        raise ValueError(f"--window {window}: no record of the trace falls in it")
    args.speedup = args.speedup or 1.0
    rate = len(inside) / (window.seconds / args.speedup)
    chosen = fromrun.plan(rate, args.processes, args.batch_ms)
    args.processes, args.batch_ms = chosen.processes, chosen.batch_ms
    args.shape = "trace"
    times = [at for at, _ in records if window.start <= at < window.end]
    span_s = max(times) - min(times)
    return {"window": window, "before": before, "inside": inside, "run": run,
            "policies": policies, "plan": chosen, "span_s": span_s}


def write_window(args: argparse.Namespace, out: Path, replay: dict[str, Any]) -> None:
    """The window's records become the trace Locust replays; the plan is stated."""
    (out / "window.jsonl").write_bytes(b"\n".join(replay["inside"]) + b"\n")
    args.trace = str(out / "window.jsonl")
    args.outputs_dir = None if args.host else out / "answers"
    print("eccc loadtest: plan: " + replay["plan"].describe(
        replay["window"], len(replay["inside"]), args.speedup), file=sys.stderr, flush=True)


def replay_length(args: argparse.Namespace, span_s: float | None) -> float:
    """Seconds the load takes: the surge's --duration; a replay's trace span over its
    speed-up (given, or the one that fits the trace into 90% of --duration). Fixes
    ``args.speedup`` so that Locust replays at the speed-up this length is from."""
    if span_s is None:
        return float(args.duration)
    args.speedup = args.speedup or fitted_speedup(span_s, args.duration)
    return span_s / float(args.speedup)


def check_inputs(args: argparse.Namespace) -> tuple[dict[str, Any] | None, float | None]:
    """The from-run replay, or the trace's span: every file read and checked before
    anything is written or started (FILE:LINE for a bad record)."""
    if args.from_run:
        replay = prepare_from_run(args)
        return replay, float(replay["span_s"])
    if args.shape == "trace":
        times = [at for at, _ in fromrun.read_trace_file(Path(args.trace))]
        return None, float(max(times) - min(times))
    return None, None


def run_loadtest(args: argparse.Namespace) -> int:
    if args.shape == "trace" and not args.trace:
        print("eccc loadtest: --shape trace needs a trace.jsonl: --shape trace FILE",
              file=sys.stderr)
        return 2
    if args.shape == "trace" and not Path(args.trace).is_file():
        print(f"eccc loadtest: no trace file {args.trace}", file=sys.stderr)
        return 2
    try:
        replay, span_s = check_inputs(args)
    except (OSError, ValueError) as exc:
        print(f"eccc loadtest: {exc}", file=sys.stderr)
        return 2
    length = replay_length(args, span_s)
    if args.host:
        problem = unreachable(args.host)
        if problem is not None:
            print(f"eccc loadtest: --host {args.host}: {problem}; nothing was run",
                  file=sys.stderr)
            return 2
    try:
        out = args.out_dir = run_dir(args.out, "from-run" if args.from_run else args.shape)
    except ValueError as exc:
        print(f"eccc loadtest: {exc}", file=sys.stderr)
        return 2
    args.outputs_dir = None
    if replay is not None:
        write_window(args, out, replay)
    if args.processes < 1:
        args.processes = 1
    try:
        with interruptible():
            code, metrics = _load(args, out, replay, length)
    except ShimDidNotStart as exc:
        print(f"eccc loadtest: {exc}; see {out / 'shim.log'}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _mark_interrupted(out)
        print(f"\neccc loadtest: interrupted; the shim and Locust were stopped; {out}/ is "
              f"incomplete (see {out / INCOMPLETE})", file=sys.stderr)
        return 130
    if code not in (0, 1) or not (out / "summary.json").is_file():
        print(f"eccc loadtest: Locust failed (exit {code}); see {out / 'locust.log'}",
              file=sys.stderr)
        return 2
    summary = orjson.loads((out / "summary.json").read_bytes())
    summary |= {"loadtest_duration_s": round(length, 3), "loadtest_processes": args.processes}
    summary |= metrics
    if replay is not None:
        summary |= _judge_replay(args, out, replay, summary)
    if "shim_exit_code" in summary:  # its failures may stay under --max-fail-ratio
        summary["breaches"] = [*summary["breaches"],
                               f"the shim exited (code {summary['shim_exit_code']:g}) "
                               f"before the load test ended; see {out / 'shim.log'}"]
    if code == 1 and not summary["breaches"]:  # Locust's own verdict: errors in user code
        summary["breaches"] = [f"Locust exited 1 (errors in the locustfile's users; see "
                               f"{out / 'locust.log'})"]
    summary["passed"] = not summary["breaches"]
    (out / "summary.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    for key in ("loadtest_requests", "loadtest_requests_per_s", "loadtest_fail_ratio",
                "loadtest_p50_ms", "loadtest_p99_ms", "fidelity_send_lag_p99_ms",
                "fidelity_late_share", "fidelity_records_dropped", "service_time_p99_ms",
                "differential_matched", "differential_expected"):
        if key in summary:
            print(f"  {key:<34} {summary[key]}")
    if "loadtest_p99_note" in summary:
        print(f"  note: {summary['loadtest_p99_note']}")
    print(f"  run directory                      {out}")
    if summary["breaches"]:
        print("eccc loadtest: threshold breached: " + "; ".join(summary["breaches"]),
              file=sys.stderr)
        return 1
    return 0


def _load(args: argparse.Namespace, out: Path, replay: dict[str, Any] | None,
          length: float) -> tuple[int, dict[str, float]]:
    """Locust against ``--host``, or against a shim started for it."""
    if args.host:
        api_key = os.environ.get(API_KEY_ENV, "")
        token = os.environ.get(AUTH_TOKEN_ENV, "")
        return _run(args, out, args.host.rstrip("/"), api_key, token, replay, None, length)
    api_key, token = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    policies = tuple(args.policy or (replay["policies"] if replay else ("every_scan",)))
    db = args.db or str(out / "shim.sqlite3")
    shim = ShimProcess(db=db, policies=policies, api_key=api_key, auth_token=token,
                       port=args.port, log=out / "shim.log")
    try:
        shim.start()
    except RuntimeError as exc:
        raise ShimDidNotStart(str(exc)) from None
    with shim:
        return _run(args, out, shim.url, api_key, token, replay, shim, length)


def unreachable(url: str) -> str | None:
    """Why nothing listens at ``url`` (a TCP connection, refused or timed out), or None.
    Without this, Locust would run the whole load against nothing and report a fail
    ratio of 1."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        socket.create_connection((parts.hostname or "", port), timeout=5).close()
    except (OSError, ValueError) as exc:
        return f"cannot connect ({exc})"
    return None


def _mark_interrupted(out: Path) -> None:
    """A summary Locust wrote on its way out of an interrupted run is no verdict."""
    path = out / "summary.json"
    with contextlib.suppress(OSError, orjson.JSONDecodeError, TypeError):
        summary = orjson.loads(path.read_bytes())
        summary["breaches"] = [*summary.get("breaches", []), "interrupted before the end"]
        summary["passed"] = False
        summary["interrupted"] = True
        path.write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))


def run_locust(cmd: list[str], env: dict[str, str], log: Any, limit: float,
               length: float) -> int:
    """Locust in a process group of its own (its ``--processes`` workers too), so that
    however the run ends, the group is stopped: SIGINT first (Locust then writes its
    reports), SIGKILL after ``LOCUST_STOP_S``. A Ctrl-C in the terminal reaches it
    through KeyboardInterrupt here."""
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        return proc.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        print(f"eccc loadtest: Locust was still running {limit:.0f} s after the start "
              f"(the load takes {length:.1f} s) and was stopped", file=sys.stderr)
        return 2
    finally:
        _stop_group(proc)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        # a second Ctrl-C skips the wait, not the SIGKILL
        with contextlib.suppress(subprocess.TimeoutExpired, KeyboardInterrupt):
            proc.wait(timeout=LOCUST_STOP_S)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # the master, and any worker it left behind
    proc.wait()


class ShimDidNotStart(RuntimeError):
    """``eccc serve`` exited or never answered (its log says why)."""


def _run(args: argparse.Namespace, out: Path, url: str, api_key: str, token: str,
         replay: dict[str, Any] | None, shim: ShimProcess | None,
         length: float) -> tuple[int, dict[str, float]]:
    if replay is not None and replay["before"] and not args.no_prime:
        seconds = prime(url, api_key, replay["before"])
        print(f"eccc loadtest: primed with the {len(replay['before']):,} records before the "
              f"window in {seconds:.1f} s", file=sys.stderr, flush=True)
    cmd = locust_command(args, url, out)
    print(f"eccc loadtest: target {url}, Locust: {' '.join(cmd[2:])}", file=sys.stderr,
          flush=True)
    env = {**os.environ, API_KEY_ENV: api_key, AUTH_TOKEN_ENV: token}
    # Locust ends the run itself (the shape); this is only a guard against a hung child.
    limit = length + LOCUST_GRACE_S
    with (out / "locust.log").open("wb") as log:
        code = run_locust(cmd, env, log, limit, length)
    metrics: dict[str, float] = {}
    if shim is not None and shim.proc is not None and shim.proc.poll() is not None:
        metrics["shim_exit_code"] = float(shim.proc.returncode)
    elif shim is not None:
        with contextlib.suppress(httpx.HTTPError):
            metrics = shim_metrics(httpx.get(url + "/metrics", headers=shim.headers,
                                             timeout=10).text)
    return code, metrics


def _judge_replay(args: argparse.Namespace, out: Path, replay: dict[str, Any],
                  summary: dict[str, Any]) -> dict[str, Any]:
    """The from-run sections: the window and plan, the differential check (against
    our own shim only), and the model against the measurement."""
    window, chosen = replay["window"], replay["plan"]
    found: dict[str, Any] = {
        "replay_window": str(window), "replay_window_records": len(replay["inside"]),
        "replay_primed_records": 0 if args.no_prime else len(replay["before"]),
        "replay_intended_rate_per_s": round(chosen.rate, 2),
        "replay_plan": chosen.describe(window, len(replay["inside"]), args.speedup)}
    breaches = list(summary["breaches"])
    if args.outputs_dir is not None and not args.no_prime:
        expected = fromrun.expected_outputs(replay["policies"], replay["before"],
                                            replay["inside"])
        returned = fromrun.returned_outputs(Path(args.outputs_dir))
        diff = fromrun.differential(expected, returned)
        examples = diff.pop("differential_examples")
        (out / "differential.json").write_bytes(
            orjson.dumps(diff | {"examples": examples}, option=orjson.OPT_INDENT_2))
        found |= diff
        if not diff["differential_identical"]:
            breaches.append(
                f"differential: the shim's outputs differ from the simulation's engine "
                f"({diff['differential_missing']} missing, {diff['differential_unexpected']} "
                f"unexpected of {diff['differential_expected']}; see differential.json)")
    else:
        found["differential_checked"] = False  # another service, or no history primed
    measured = {q: float(summary.get(f"loadtest_p{q * 100:g}_ms", 0.0)) for q in PERCENTILES}
    rows = fromrun.model_vs_measured(replay["run"], measured)
    (out / "model_vs_measured.json").write_bytes(orjson.dumps(rows, option=orjson.OPT_INDENT_2))
    found["breaches"] = breaches
    return found
