"""The shim's ``eccc`` subcommands: ``serve``, ``loadtest`` and ``bench http``.

Kept here, not in ``eccc/cli.py``, so the shared command file only gains a
call to ``add_commands`` and one branch in ``bench``.

``eccc serve`` runs one process, one engine: the engine is single-threaded
state, so more throughput comes from batching (``/v1/events:batch``) and
group commit, not from workers. Uvicorn's access log is off because paths
carry phone numbers (``/v1/recipients/{phone}/timeline``); proxy headers are
ignored (the provider's signed URL is ``--public-url``, not a header).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
import textwrap
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from eccc.extras import require
from eccc.http_checks import check_bench, check_loadtest, check_serve
from engine.errors import LocalMisuse
from engine.policies import REGISTRY
from loadtests.argtypes import seconds

if TYPE_CHECKING:  # the app (Starlette, SQLite) loads only for the commands that need it
    from loadtests.app import ShimSettings

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(settings: ShimSettings, host: str = "127.0.0.1", port: int = 8080,
          log_level: str = "warning") -> None:
    """Build the app (replaying the journal) and serve until interrupted."""
    import uvicorn

    from loadtests.app import create_app
    from loadtests.guards import API_KEY_ENV

    logging.basicConfig(level=log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app(settings)
    notifier = app.state.notifier
    # The engine's state is millions of long-lived objects that are never
    # cyclic garbage; full collections over them were the shim's p99 spikes.
    # Keep what exists out of the collector and collect the old generations rarely.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)
    if settings.api_key is None and not os.environ.get(API_KEY_ENV):
        # A random key was made because none was given: print it, or nobody can ingest.
        print(f"eccc serve: API key (set {API_KEY_ENV} to choose one): "
              f"{app.state.secrets.api_key}", file=sys.stderr)
    print(f"eccc serve: http://{host}:{port} db={settings.db} "
          f"journal_seq={notifier.journal.last_seq} replayed={notifier.replayed} "
          f"policies={','.join(settings.policies)} clock={settings.clock}",
          file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, loop="uvloop", http="httptools",
                access_log=False, log_level=log_level, lifespan="on", proxy_headers=False,
                server_header=False, date_header=False)


def _cmd_serve(args: argparse.Namespace) -> int:
    if not require("http", "eccc serve"):
        return 2
    from eccc.run_command import load_plugins_or_say
    from loadtests.app import ShimSettings

    if not load_plugins_or_say(args.plugin, "serve"):
        return 2
    problem = check_serve(args)  # before the database is opened: nothing written yet
    if problem is not None:
        print(f"eccc serve: {problem}", file=sys.stderr)
        return 2
    if args.host not in LOOPBACK and not args.public:
        print(f"eccc serve: refusing to listen on {args.host} without --public "
              "(the shim is meant for loopback load tests)", file=sys.stderr)
        return 2
    settings = ShimSettings(
        db=args.db, policies=tuple(args.policy or ("every_scan",)), api_key=args.api_key,
        auth_token=args.auth_token, public_url=args.public_url, clock=args.clock,
        snapshot_every=args.snapshot_every, background_snapshots=True,
        synchronous=args.synchronous.upper(),
        max_batch=args.max_batch, open_metrics=args.open_metrics)
    try:
        serve(settings, args.host, args.port, args.log_level)
    except (ValueError, LocalMisuse) as exc:  # e.g. a database built with other policies
        print(f"eccc serve: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_loadtest(args: argparse.Namespace) -> int:
    if not require("http", "eccc loadtest"):
        return 2
    from loadtests.loadtest import run_loadtest

    shape, *rest = args.shape
    if shape not in ("surge", "trace") or len(rest) > 1 or (rest and shape != "trace"):
        print(f"eccc loadtest: --shape takes 'surge' or 'trace FILE', not "
              f"{' '.join(args.shape)!r}", file=sys.stderr)
        return 2
    if rest and args.trace and rest[0] != args.trace:
        print("eccc loadtest: two traces given (after --shape trace and with --trace)",
              file=sys.stderr)
        return 2
    if args.from_run and (rest or args.trace or args.shape != ["surge"]):
        print("eccc loadtest: --from-run replays the run's own trace; give no --shape/--trace",
              file=sys.stderr)
        return 2
    args.shape, args.trace = shape, (rest[0] if rest else args.trace)
    problem = check_loadtest(args)
    if problem is not None:
        print(f"eccc loadtest: {problem}", file=sys.stderr)
        return 2
    code: int = run_loadtest(args)
    if code in (0, 1):
        from eccc.loadtest_report import write_report
        from loadtests.loadtest import finish_run_dir

        write_report(args.out_dir)
        finish_run_dir(args.out_dir)  # the verdict is written: no longer INCOMPLETE
    return code


def _refuse_bad_bench_options(args: argparse.Namespace) -> None:
    """One line and exit 2 (eccc/cli.py's bench command takes a report, not a code)."""
    problem = check_bench(args)
    if problem is not None:
        print(f"eccc bench {args.target}: {problem}", file=sys.stderr)
        raise SystemExit(2)


@contextlib.contextmanager
def _stops_cleanly(target: str) -> Iterator[None]:
    """Ctrl-C or SIGTERM: the benchmark's shim and load generator are stopped (their
    context managers run) and one line says so, exit 130, instead of a traceback, or,
    for SIGTERM, an exit that left the shim running."""
    from loadtests.loadtest import interruptible

    try:
        with interruptible():
            yield
    except KeyboardInterrupt:
        print(f"\neccc bench {target}: interrupted; nothing was measured", file=sys.stderr)
        raise SystemExit(130) from None


def bench_http_report(args: argparse.Namespace) -> dict[str, Any]:
    """``eccc bench http``: called from the ``bench`` command in eccc/cli.py."""
    from bench.http_shim import bench_http

    _refuse_bad_bench_options(args)
    with _stops_cleanly("http"):
        report: dict[str, Any] = bench_http(seconds=args.seconds, connections=args.connections,
                                            batch_size=args.batch_size, rounds=args.rounds)
    return report


def bench_loadgen_report(args: argparse.Namespace) -> dict[str, Any]:
    """``eccc bench loadgen``: called from the ``bench`` command in eccc/cli.py."""
    from bench.loadgen import bench_loadgen
    from loadtests.fromrun import PLAN_BATCH_MS

    _refuse_bad_bench_options(args)
    with _stops_cleanly("loadgen"):
        report: dict[str, Any] = bench_loadgen(seconds=max(args.seconds, 3.0),
                                               batch_ms=PLAN_BATCH_MS,
                                               max_lag_ms=args.max_lag_ms,
                                               shim_p99_ms=args.shim_p99_ms)
    return report


def add_commands(sub: Any, bench: argparse.ArgumentParser) -> None:
    """Add ``serve`` and ``loadtest`` to ``sub``, and the http options to ``bench``."""
    sp = sub.add_parser(
        "serve", help="serve the HTTP shim around the engine (durable, SQLite journal)",
        description="Serve the engine over HTTP (uvicorn, uvloop, httptools). Every accepted "
        "input is journaled in SQLite before it is acknowledged; restart replays the journal "
        "(from the newest snapshot).")
    sp.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    sp.add_argument("--port", type=int, default=8080, help="listen port, 1 to 65535")
    sp.add_argument("--public", action="store_true",
                    help="allow a non-loopback --host (put TLS and a firewall in front)")
    sp.add_argument("--db", default="runs/shim.sqlite3",
                    help="SQLite journal path, or :memory: (default runs/shim.sqlite3)")
    sp.add_argument("--plugin", action="append", metavar="PATH",
                    help="a Python file registering policies of one's own (repeatable)")
    sp.add_argument("--policy", action="append", metavar="NAME[:k=v,...]",
                    help=f"frequency policy (default every_scan); one of: {', '.join(REGISTRY)}")
    sp.add_argument("--api-key", help="key for ingest/admin routes (or env ECCC_API_KEY)")
    sp.add_argument("--auth-token",
                    help="SMS provider auth token for webhook signatures "
                    "(or env ECCC_SMS_AUTH_TOKEN)")
    sp.add_argument("--public-url", help="base URL the SMS provider signs, if behind a proxy")
    sp.add_argument("--clock", choices=["record", "wall"], default="record",
                    help="record: time is each record's 'at'; wall: a timer fires held texts")
    sp.add_argument("--snapshot-every", type=int, default=200_000, metavar="N",
                    help="pickle the engine every N journaled inputs (0: never)")
    sp.add_argument("--synchronous", choices=["normal", "full"], default="normal",
                    help="SQLite synchronous: normal survives kill -9, full also power loss")
    sp.add_argument("--max-batch", type=int, default=20_000, help="records per batch request")
    sp.add_argument("--open-metrics", action="store_true",
                    help="serve /metrics without the API key (else scrape with "
                         "'Authorization: Bearer KEY')")
    sp.add_argument("--log-level", default="warning",
                    choices=["debug", "info", "warning", "error"])
    sp.set_defaults(func=_cmd_serve)

    lp = sub.add_parser(
        "loadtest", help="start the shim and run Locust against it headless, with thresholds",
        description="Start the shim on 127.0.0.1 (or use --host), run Locust headless with a "
        "surge, a trace replay or a window of a simulated run, keep Locust's CSV and HTML "
        "report, summary.json (Locust's figures, schedule fidelity, the differential check) "
        "and report.md in a run directory, and exit 1 when a threshold is breached. Locust "
        "itself checks the thresholds, so a plain 'locust -f loadtests/locustfile*.py' run "
        "(headless or distributed) keeps them.",
        epilog=textwrap.fill(
        "Outputs, in --out (default runs/loadtest-SHAPE-TIME): summary.json (figures "
        "and verdict), report.md, locust_stats.csv, locust_failures.csv, locust.html, "
        "locust.log, shim.log, shim.sqlite3 (the journal), and for a replay fidelity.json/png; "
        "INCOMPLETE is there until the verdict is written. Rates are records or requests per "
        "second; latencies in ms. Exit status: 0 passed, 1 a threshold breached (or the shim "
        "died), 2 bad input or Locust/the shim failed, 130 interrupted. docs/loadtesting.md "
        "has the rest.", 78))
    lp.add_argument("--shape", nargs="+", metavar=("surge|trace", "FILE"), default=["surge"],
                    help="surge (default): a compressed holiday surge of every actor; "
                         "trace FILE: replay a trace.jsonl (plain or gzip-compressed) at its "
                         "recorded times")
    lp.add_argument("--trace", metavar="FILE", help="the trace for --shape trace (or give it "
                                                     "after 'trace')")
    lp.add_argument("--from-run", metavar="RUN_DIR",
                    help="replay a window of a simulated run's trace.jsonl ('eccc run SCENARIO "
                         "--trace'), after priming the shim with the run's history before it")
    lp.add_argument("--window", default="busiest", metavar="START..END",
                    help="--from-run: START..END (ISO 8601), 'busiest' (the busiest hour, "
                         "default) or 'busiest:SECONDS'")
    lp.add_argument("--host", metavar="URL",
                    help="load this service instead of starting the shim (key in "
                         "ECCC_API_KEY); checks that need the engine's outputs are off")
    lp.add_argument("--no-prime", action="store_true",
                    help="--from-run: do not send the history before the window (the "
                         "differential check is then off)")
    lp.add_argument("--duration", type=seconds, default=30.0,
                    help="surge: seconds of the compressed season (30, or 10s, 2m, 1h30m); "
                         "trace: the replay is fitted into 90%% of this unless --speedup is "
                         "given (default 30)")
    lp.add_argument("--users", type=int, default=40,
                    help="surge: concurrent Locust users on the busiest day (fewer on the "
                         "others), split evenly over the four actors, 4 to 100000")
    lp.add_argument("--batch-ms", type=float, default=None, metavar="MS",
                    help="replay: send the records due within MS milliseconds as one "
                         "/v1/events:batch request, as a tracking feed does (default: one "
                         "record per request; --from-run: chosen by the plan)")
    lp.add_argument("--speedup", type=float, default=0.0,
                    help="replay: trace seconds per real second (trace: 0 fits --duration; "
                         "--from-run: default 1, the real rate)")
    lp.add_argument("--processes", type=int, default=0,
                    help="Locust worker processes on this machine (default 1; --from-run: "
                         "chosen by the plan)")
    lp.add_argument("--p99-ms", type=float, default=500.0,
                    help="threshold: the run fails when the p99 latency in ms of all "
                         "requests together (Locust's Aggregated row) is above this (a "
                         "replay's is from intended send times)")
    lp.add_argument("--max-fail-ratio", type=float, default=0.01,
                    help="threshold: the run fails when failed requests / requests is above "
                         "this, 0 to 1 (0.01 is 1%%)")
    lp.add_argument("--max-lag-ms", type=float, default=100.0,
                    help="replay: threshold on the send lag's p99 (schedule fidelity)")
    lp.add_argument("--lag-tolerance-ms", type=float, default=50.0,
                    help="replay: requests sent later than this count as late")
    lp.add_argument("--policy", action="append", metavar="NAME[:k=v,...]")
    lp.add_argument("--db", default=None, help="shim journal (default: in the run directory)")
    lp.add_argument("--out", metavar="DIR", help="run directory (default runs/loadtest-...)")
    lp.add_argument("--port", type=int, default=0, help="shim port (default: a free one)")
    lp.set_defaults(func=_cmd_loadtest)

    bench.add_argument("--seconds", type=float, default=2.0,
                       help="http: seconds per measurement (default 2); loadgen: per rate "
                            "step (at least 3)")
    bench.add_argument("--max-lag-ms", type=float, default=50.0,
                       help="loadgen: a process keeps up while its send lag p99 is under this")
    bench.add_argument("--shim-p99-ms", type=float, default=100.0,
                       help="loadgen: the shim holds a rate while its p99 is under this")
    bench.add_argument("--rounds", type=int, default=7,
                       help="http: alternating trivial/events rounds, medians reported")
    bench.add_argument("--connections", type=int, default=32,
                       help="http: concurrent connections of the load generator")
    bench.add_argument("--batch-size", type=int, default=2000,
                       help="http: records per /v1/events:batch request")

