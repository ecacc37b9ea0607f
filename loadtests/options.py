"""The locustfiles' settings as Locust arguments, and the verdict in Locust itself.

Importing this module (both locustfiles do) adds the project's arguments to
Locust's own command line (``locust -f loadtests/locustfile.py --help`` lists
them; the web UI shows them; each also reads an ``ECCC_...`` environment
variable, secrets masked) and registers the listeners that make a plain
``locust`` run, headless or distributed, judge itself:

- the master (or the single local process) checks the thresholds when Locust
  quits and sets ``environment.process_exit_code`` to 1 on a breach;
- it writes ``--summary-json`` from Locust's own stats objects, the same ones
  Locust's CSV and HTML report print, so the two always agree;
- an open-model replay's schedule fidelity (``loadtests.fidelity``) travels
  from each worker to the master in Locust's stats reports.

Imports Locust: load only in a Locust process.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any

import gevent
import orjson
from locust import events
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner
from locust.stats import CSV_STATS_INTERVAL_SEC

from loadtests.argtypes import at_least_zero, positive, whole
from loadtests.fidelity import WIRE_KEY, ScheduleLog, p99_note, verdict
from loadtests.guards import API_KEY_ENV, AUTH_TOKEN_ENV
from loadtests.tracefeed import fitted_speedup, span

log = logging.getLogger("eccc.loadtest")

# This process's replay figures (a worker's since its last report; the master's merged).
SCHEDULE = ScheduleLog()
# Answers the replay got, raw, for the differential check (``--outputs-dir``).
ANSWERS: list[bytes] = []


def add_arguments(parser: Any) -> None:
    parser.add_argument("--api-key", env_var=API_KEY_ENV, default="", is_secret=True,
                   help="X-API-Key for the ingest routes")
    parser.add_argument("--sms-auth-token", env_var=AUTH_TOKEN_ENV, default="", is_secret=True,
                   help="auth token the SMS webhooks are signed with")
    parser.add_argument("--season-seconds", type=positive, default=30.0,
                   env_var="ECCC_SEASON_SECONDS",
                   help="seconds the 24 days of the compressed season take; the run then ends")
    parser.add_argument("--peak-users", type=whole(4), default=40, env_var="ECCC_PEAK_USERS",
                   help="users on the busiest day, split evenly across the four actors")
    parser.add_argument("--rate-per-weight", type=positive, default=1.0,
                   env_var="ECCC_RATE_PER_WEIGHT",
                   help="requests/s of a user per unit of its actor's weight in the mix")
    parser.add_argument("--clock-speed", type=positive, default=600.0, env_var="ECCC_CLOCK_SPEED",
                   help="trace seconds per real second for the records' 'at'")
    parser.add_argument("--scenario", default="baseline", env_var="ECCC_SCENARIO",
                   help="scenario whose customer mix sets the actors' relative rates")
    parser.add_argument("--lookups-per-parcel", type=at_least_zero, default=0.2,
                   env_var="ECCC_LOOKUPS_PER_PARCEL",
                   help="tracking-page lookups per parcel (not in the scenarios)")
    parser.add_argument("--start-epoch", type=float, default=0.0, include_in_web_ui=False,
                   help="(set by the master for its workers) wall-clock time the run's "
                        "clocks start from")
    parser.add_argument("--trace", default="", env_var="ECCC_TRACE",
                   help="trace.jsonl to replay at its recorded times, open-model")
    parser.add_argument("--speedup", type=at_least_zero, default=0.0, env_var="ECCC_SPEEDUP",
                   help="trace seconds per real second (0: fit the trace into --replay-seconds)")
    parser.add_argument("--replay-seconds", type=positive, default=30.0,
                   env_var="ECCC_REPLAY_SECONDS",
                   help="with --speedup 0, the replay takes 90%% of this")
    parser.add_argument("--drain-seconds", type=at_least_zero, default=3.0,
                   env_var="ECCC_DRAIN_SECONDS",
                   help="after the last record is due, answers are awaited this long")
    parser.add_argument("--batch-ms", type=at_least_zero, default=0.0,
                   env_var="ECCC_TRACE_BATCH_MS",
                   help="send the records due within MS ms as one /v1/events:batch request")
    parser.add_argument("--trace-shards", type=whole(0), default=0, env_var="ECCC_TRACE_SHARDS",
                   help="replaying processes (0: one per worker, or 1 without workers)")
    parser.add_argument("--max-in-flight", type=whole(1), default=2000,
                   env_var="ECCC_MAX_IN_FLIGHT",
                   help="requests in flight per process; a record due when all are busy is "
                        "dropped (counted, as k6 counts dropped_iterations)")
    parser.add_argument("--outputs-dir", default="", env_var="ECCC_OUTPUTS_DIR",
                   help="write each process's answers there (for the differential check)")
    parser.add_argument("--p99-ms", type=positive, default=500.0, env_var="ECCC_P99_MS",
                   help="p99 of Locust's Aggregated row (for a replay: from intended times)")
    parser.add_argument("--max-fail-ratio", type=at_least_zero, default=0.01,
                   env_var="ECCC_MAX_FAIL_RATIO",
                   help="failed requests / requests")
    parser.add_argument("--max-lag-ms", type=positive, default=100.0, env_var="ECCC_MAX_LAG_MS",
                   help="replay: send lag p99 (actual minus intended send time)")
    parser.add_argument("--lag-tolerance-ms", type=at_least_zero, default=50.0,
                   env_var="ECCC_LAG_TOLERANCE_MS",
                   help="replay: a request sent later than this counts as late")
    parser.add_argument("--summary-json", default="", env_var="ECCC_SUMMARY_JSON",
                   help="write the figures and the verdict there (flat names, JSON)")


def options_of(environment: Environment) -> Any:
    """Locust's parsed options, ours among them (an ``argparse.Namespace``)."""
    return environment.parsed_options


def is_replay(environment: Environment) -> bool:
    return bool(getattr(environment.parsed_options, "trace", ""))


def replay_shards(environment: Environment) -> int:
    """Replaying processes: ``--trace-shards``, else one per worker (or 1 alone)."""
    opts = options_of(environment)
    if opts.trace_shards:
        return int(opts.trace_shards)
    runner = environment.runner
    return max(1, runner.worker_count) if isinstance(runner, MasterRunner) else 1


def replay_speedup(environment: Environment) -> float:
    """``--speedup``, else the speed-up that fits the trace into 90% of --replay-seconds."""
    opts = options_of(environment)
    if opts.speedup:
        return float(opts.speedup)
    first, last = span(Path(opts.trace))
    return fitted_speedup(last - first, float(opts.replay_seconds))


def plan(environment: Environment, **_: Any) -> None:
    """On the master (or alone): fix what every worker must share, before the spawn
    message carries the options to them: the start time, and for a replay the
    shard count and the speed-up."""
    opts = options_of(environment)
    if opts is None or isinstance(environment.runner, WorkerRunner):
        return
    opts.start_epoch = time.time() + 1.0  # time for the workers to get the message
    if is_replay(environment):
        opts.trace_shards = replay_shards(environment)
        opts.speedup = replay_speedup(environment)


def send_schedule(client_id: str, data: dict[str, Any]) -> None:
    if SCHEDULE.requests or SCHEDULE.dropped or SCHEDULE.intended_per_s:
        data[WIRE_KEY] = SCHEDULE.wire()
        SCHEDULE.clear()


def merge_schedule(client_id: str, data: dict[str, Any]) -> None:
    if WIRE_KEY in data:
        SCHEDULE.merge(data[WIRE_KEY])


def judge(environment: Environment, **_: Any) -> None:
    opts = options_of(environment)
    if opts is None:
        return
    if opts.outputs_dir and ANSWERS:
        index = environment.runner.worker_index if isinstance(environment.runner,
                                                               WorkerRunner) else 0
        out = Path(opts.outputs_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / f"answers-{index}.jsonl").write_bytes(b"\n".join(ANSWERS) + b"\n")
    if isinstance(environment.runner, WorkerRunner):
        return
    if getattr(opts, "csv_prefix", None):
        # Locust rewrites its *_stats.csv once a second from a greenlet and not again
        # at exit; the run has stopped, so one more turn of it writes the final stats.
        gevent.sleep(CSV_STATS_INTERVAL_SEC + 0.2)
    summary = summarise(environment)
    if summary["breaches"]:
        for breach in summary["breaches"]:
            log.error("threshold breached: %s", breach)
        environment.process_exit_code = 1
    elif environment.process_exit_code is None and not getattr(environment.runner,
                                                                "exceptions", None):
        environment.process_exit_code = 0  # failed requests are judged by --max-fail-ratio
    if opts.summary_json:
        path = Path(opts.summary_json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
        if is_replay(environment):
            path.with_name("fidelity.json").write_bytes(
                orjson.dumps(SCHEDULE.per_second(), option=orjson.OPT_INDENT_2))


def summarise(environment: Environment) -> dict[str, Any]:
    """The run's figures from Locust's own stats (the Aggregated row and each route),
    plus, for a replay, its schedule fidelity; and the thresholds' verdict."""
    opts = options_of(environment)
    stats = environment.runner.stats if environment.runner else environment.stats
    total = stats.total
    requests, failures = total.num_requests, total.num_failures
    summary: dict[str, Any] = {
        "loadtest_shape": "trace" if is_replay(environment) else "surge",
        "loadtest_requests": requests,
        "loadtest_failures": failures,
        "loadtest_fail_ratio": round(failures / requests, 6) if requests else 1.0,
        "loadtest_requests_per_s": round(total.total_rps, 2),
        "loadtest_p50_ms": total.get_response_time_percentile(0.5),
        "loadtest_p90_ms": total.get_response_time_percentile(0.9),
        "loadtest_p99_ms": total.get_response_time_percentile(0.99),
        "loadtest_max_ms": round(total.max_response_time or 0.0, 3),
        "loadtest_latency_from": "intended send time" if is_replay(environment)
        else "actual send time",
        "threshold_p99_ms": opts.p99_ms,
        "threshold_max_fail_ratio": opts.max_fail_ratio,
    }
    for (name, method), entry in sorted(stats.entries.items()):
        slug = re.sub(r"[^a-z0-9]+", "_", f"{method} {name}".lower()).strip("_")
        summary[f"route_{slug}_requests"] = entry.num_requests
        summary[f"route_{slug}_p99_ms"] = entry.get_response_time_percentile(0.99)
    note = p99_note(requests)
    if note is not None:
        summary["loadtest_p99_note"] = note
    breaches = []
    if requests == 0:
        breaches.append("no requests were made")
    if summary["loadtest_p99_ms"] > opts.p99_ms:
        breaches.append(f"p99 {summary['loadtest_p99_ms']} ms > {opts.p99_ms:g} ms"
                        + (f" (the slowest of only {requests} requests)" if note else ""))
    if summary["loadtest_fail_ratio"] > opts.max_fail_ratio:
        breaches.append(f"fail ratio {summary['loadtest_fail_ratio']} > {opts.max_fail_ratio}")
    if is_replay(environment):
        fidelity = SCHEDULE.summary(opts.lag_tolerance_ms)
        summary |= fidelity | {"threshold_max_lag_ms": opts.max_lag_ms,
                               "replay_speedup": opts.speedup,
                               "replay_processes": opts.trace_shards,
                               "replay_batch_ms": opts.batch_ms}
        breaches += verdict(fidelity, opts.max_lag_ms)
    summary["breaches"] = breaches
    summary["passed"] = not breaches
    return summary


for hook, listener in ((events.init_command_line_parser, add_arguments),
                       (events.test_start, plan), (events.report_to_master, send_schedule),
                       (events.worker_report, merge_schedule), (events.quitting, judge)):
    hook.add_listener(listener)  # type: ignore[no-untyped-call]
