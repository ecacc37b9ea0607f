"""``eccc bench``: its options, what is refused, and the report it prints."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import orjson

from eccc.extras import require

# Which benchmark each option of ``eccc bench`` is for (a mode: a target, or its --soak,
# --national or --horizon); --json is for all. `bench engine --scales 5` was ignored.
BENCH_OPTIONS = {
    "inputs": ("engine", "soak"), "days": ("soak", "horizon"), "scale": ("horizon",),
    "scales": ("national",), "workers": ("national",),
    "seed": ("engine", "soak", "sim", "national", "horizon"),
    "seconds": ("http", "loadgen"), "rounds": ("http",), "connections": ("http",),
    "batch_size": ("http",), "max_lag_ms": ("loadgen",), "shim_p99_ms": ("loadgen",),
}
BENCH_MODE_NAMES = {"engine": "bench engine", "soak": "bench engine --soak",
                    "sim": "bench sim", "national": "bench sim --national",
                    "horizon": "bench sim --horizon", "http": "bench http",
                    "loadgen": "bench loadgen"}


def _bench_defaults(target: str) -> dict[str, Any]:
    from eccc.cli import build_parser

    return vars(build_parser().parse_args(["bench", target]))


def _bench_error(args: argparse.Namespace,
                 defaults: dict[str, Any] | None = None) -> str | None:
    """What is wrong with ``eccc bench``'s options, in one line (None: nothing); an option
    given (not at its default) for another benchmark than the one chosen is refused."""
    from scenarios.schema import MAX_DAYS, MAX_SCALE

    modes = [m for m in ("soak", "national", "horizon") if getattr(args, m)]
    if len(modes) > 1:
        return f"--{modes[0]} and --{modes[1]} are different benchmarks: choose one"
    wants = {"soak": "engine", "national": "sim", "horizon": "sim"}
    if modes and args.target != wants[modes[0]]:
        return f"--{modes[0]} is a mode of `eccc bench {wants[modes[0]]}`, not of {args.target}"
    mode = modes[0] if modes else args.target
    defaults = _bench_defaults(args.target) if defaults is None else defaults
    for dest, used_by in BENCH_OPTIONS.items():
        if mode in used_by or not hasattr(args, dest) or getattr(args, dest) == defaults[dest]:
            continue
        option = "--" + dest.replace("_", "-")
        return (f"{option} is an option of "
                + " or ".join(f"`eccc {BENCH_MODE_NAMES[m]}`" for m in used_by)
                + f", not of `eccc {BENCH_MODE_NAMES[mode]}`")
    if args.inputs is not None and not args.inputs > 0:
        return f"--inputs must be greater than 0 (got {args.inputs})"
    if args.days is not None and not 0 < args.days <= MAX_DAYS:
        return f"--days must be between 1 and {MAX_DAYS} (got {args.days})"
    for name, values in (("--scales", args.scales), ("--scale", [args.scale])):
        for f in values:
            if not 0 < f <= MAX_SCALE:  # also refuses nan
                return (f"{name} must be greater than 0 and at most {MAX_SCALE:g} (got {f:g}): "
                        "1 is national volume")
    return None


def _cmd_bench(args: argparse.Namespace) -> int:
    from bench.engine_inputs import bench_engine

    error = _bench_error(args)
    if error is not None:
        print(f"eccc bench: {error}", file=sys.stderr)
        return 2
    args.inputs_given = args.inputs is not None
    if args.inputs is None:
        args.inputs = 1_000_000
    if args.target == "engine" and args.soak:  # a simulated month: bench/soak.py
        from bench.soak import bench_soak

        report = bench_soak(args.inputs if args.inputs_given else 10_000_000,
                            days=args.days or 30, seed=args.seed)
    elif args.target == "engine":
        report = bench_engine(args.inputs, seed=args.seed)
    elif args.target == "sim" and args.national:  # the warm national day: bench/national.py
        from bench.national import bench_national

        report = bench_national(seed=args.seed, scales=tuple(args.scales),
                                workers=args.workers)
    elif args.target == "sim" and args.horizon:  # memory against the horizon: bench/horizon.py
        from bench.horizon import bench_horizon

        report = bench_horizon(args.scale, days=args.days, seed=args.seed)
    elif args.target == "sim":  # simulation benchmark: bench/peak_day.py
        from bench.peak_day import bench_sim

        report = bench_sim(seed=args.seed)
    elif args.target == "http":  # HTTP shim benchmark: bench/http_shim.py
        if not require("http", "eccc bench http"):
            return 2
        from eccc.http_commands import bench_http_report

        report = bench_http_report(args)
    elif args.target == "loadgen":  # load-generator capacity: bench/loadgen.py
        if not require("http", "eccc bench loadgen"):
            return 2
        from eccc.http_commands import bench_loadgen_report

        report = bench_loadgen_report(args)
    else:
        print(f"eccc bench {args.target}: not built yet (see the open issues)", file=sys.stderr)
        return 2
    if args.json:
        print(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
    else:
        for key, value in report.items():
            if key == "by_utc_day":  # the horizon's samples: a table
                print(f"  {key:<34} " + "  ".join(("RSS MB", "followed held", "engine parcels",
                                                   "engine phones")))
                for row in value:
                    print(f"  {row['utc_day']:>34} {row['rss_mb']:>7,.0f} "
                          f"{row['followed_held']:>14,} {row['engine_parcels']:>15,} "
                          f"{row['engine_phones']:>14,}")
                continue
            print(f"  {key:<34} {value}")
    return 0


def add_bench_command(sub: Any) -> argparse.ArgumentParser:
    """The ``bench`` parser, returned for the HTTP options (eccc/http_commands.py)."""
    bp = sub.add_parser("bench", help="benchmarks: inputs/s, memory, ratio to a reference",
                        description="Measure throughput against a reference loop in the same "
                        "process. Numbers, not pass/fail.")
    bp.add_argument("target", choices=["engine", "sim", "http", "loadgen"])
    bp.add_argument("--json", action="store_true", help="print the report as JSON")
    bp.add_argument("--inputs", type=int, default=None,
                    help="engine inputs (default 1M; 10M with --soak)")
    bp.add_argument("--seed", type=int, default=1, help="random seed")
    bp.add_argument("--soak", action="store_true",
                    help="engine: a simulated month of inputs through one engine, resident "
                    "memory sampled each day, its slope after the retention window")
    bp.add_argument("--days", type=int, default=None,
                    help="--soak: simulated days (30); --horizon: days of acceptances of the "
                    "long run (the scenario's 15)")
    bp.add_argument("--national", action="store_true",
                    help="sim: the busiest national day (Dec 16) on a warm network at "
                    "growing shares of national volume (--scales)")
    bp.add_argument("--horizon", action="store_true",
                    help="sim: memory against the horizon: holiday_peak for one day and for "
                    "its fortnight at --scale, each in a fresh process, memory and what is "
                    "held sampled each UTC midnight, and the national fortnight it implies "
                    "(about 5 CPU minutes at the default 1%%)")
    bp.add_argument("--scale", type=float, default=0.01, metavar="F",
                    help="--horizon: share of national volume (default 0.01)")
    bp.add_argument("--scales", type=float, nargs="+", default=[0.01, 0.1, 1.0],
                    metavar="F", help="--national: shares of national volume (default "
                    "0.01 0.1 1: 1%%, 10%% and the full day of 28M parcels, which alone takes "
                    "about 20-35 CPU minutes with its three warm days and about 3.8 GB; "
                    "--scales 0.01 0.05 0.1 is a 5-minute check)")
    bp.add_argument("--workers", type=int, default=1, choices=[1, 2],
                    help="--national: 2 also runs each day as `eccc run --workers 2` does "
                    "(network and messaging in two processes) after the one-process day, "
                    "and reports the speedup (default 1)")
    bp.set_defaults(func=_cmd_bench)
    return bp  # type: ignore[no-any-return]
