"""``eccc run``: the command-line shell around ``sim.run.run_scenario``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scenarios.schema import ScenarioError, load, shipped

# Metrics shown in the terminal table (everything is in summary.json).
HEADLINE = (
    "parcels_accepted", "parcels_delivered", "days_to_deliver_mean", "on_time_share",
    "scans_per_parcel_delivered", "texts_total", "segments_total", "cost_usd",
    "latency_scan_to_handset_p50_s", "latency_scan_to_handset_p95_s",
    "latency_scan_to_handset_p99_s", "texts_per_recipient_24h_share_over_3",
    "texts_per_recipient_24h_share_over_5", "opt_outs", "opt_out_rate_per_text",
    "held_quiet_hours", "ofd_text_before_delivery_share",
    "exceptions_texted_before_promise_share", "misleading_texts_scan_errors",
    "care_contacts", "care_wait_mean_s", "care_abandon_share",
    "care_contacts_avoided_vs_no_sms",
)


def _cmd_run(args: argparse.Namespace) -> int:
    from reports.summary import format_table
    from sim.run import run_scenario

    try:
        sc = load(args.scenario)
    except ScenarioError as exc:
        print(f"eccc run: {exc}", file=sys.stderr)
        return 2
    seed = sc.seed if args.seed is None else args.seed
    out = Path(args.out) if args.out else Path("runs") / f"{sc.name}-{seed}"
    policies = tuple(args.policy) if args.policy else None
    progress = not args.quiet and sys.stderr.isatty()
    result = run_scenario(sc, seed=seed, scale=args.scale, days=args.days, out=out,
                          trace=args.trace, progress=progress, policies=policies)
    s = result.summary
    if sc.network is not None:
        rows: dict[str, Any] = {k: s[k] for k in HEADLINE if k in s}
    else:
        rows = {k: v for k, v in s.items() if k not in ("scenario",)}
    print(format_table(rows, f"eccc run {sc.name} (seed {seed}, scale {args.scale})"))
    print("\n".join(result.diagnostics))
    render_run: Callable[[Path], Path] | None
    try:
        from reports.render import render_run
    except ImportError:  # the report module is optional; the run's files stand alone
        render_run = None
    if render_run is not None and sc.network is not None:
        try:
            report = render_run(out)
            print(f"report: {report}")
        except Exception as exc:  # the report is a convenience; the run's files stand
            print(f"eccc run: report not rendered: {exc}", file=sys.stderr)
    print(f"run written to {out}/ in {result.wall_s:.1f} s")
    return 0


def add_run_command(sub: Any) -> None:
    rp = sub.add_parser(
        "run", help="run a scenario through the SimPy model and write a run directory",
        description="Simulate a scenario: the network moves parcels, followed parcels' scans "
        "go through the engine, texts through the SMS gateway to customers, late parcels to "
        f"customer care. Shipped scenarios: {', '.join(shipped())}.",
    )
    rp.add_argument("scenario", nargs="?", default="baseline", metavar="SCENARIO|PATH",
                    help="a shipped scenario's name or a TOML file (default baseline)")
    rp.add_argument("--seed", type=int, default=None, help="random seed (default: scenario's)")
    rp.add_argument("--scale", type=float, default=1.0, help="volume multiplier (default 1)")
    rp.add_argument("--days", type=float, default=None, help="days of acceptances")
    rp.add_argument("--out", metavar="DIR", help="run directory (default runs/NAME-SEED)")
    rp.add_argument("--trace", action="store_true", help="also write trace.jsonl")
    rp.add_argument("--policy", action="append", metavar="NAME[:k=v,...]",
                    help="override the scenario's policies (repeat to chain)")
    rp.add_argument("--quiet", action="store_true", help="no progress bar")
    rp.set_defaults(func=_cmd_run)
