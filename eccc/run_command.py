"""``eccc run``: the command-line shell around ``sim.run``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scenarios.schema import (
    MAX_DAYS,
    MAX_SCALE,
    MAX_SEED,
    Scenario,
    ScenarioError,
    load,
    shipped,
)
from scenarios.whatif_plan import WhatIfPlan, plan_what_if

# Metrics shown in the terminal table (everything is in summary.json).
HEADLINE = (
    "parcels_accepted", "parcels_delivered", "days_to_deliver_mean", "on_time_share",
    "scans_per_parcel_delivered", "texts_total", "segments_total",
    "cost_usd", "care_cost_usd", "cost_total_usd",
    "latency_scan_to_decision_p95_s", "latency_decision_to_submit_p95_s",
    "latency_submit_to_handset_p95_s", "latency_scan_to_handset_p95_s",
    "texts_per_recipient_24h_share_over_3",
    "texts_per_recipient_24h_share_over_5", "opt_outs", "opt_out_rate_per_text",
    "held_quiet_hours", "ofd_text_before_delivery_share",
    "exceptions_texted_before_promise_share", "misleading_texts_scan_errors",
    "care_contacts", "care_wait_mean_s", "care_abandon_share",
    "care_contacts_avoided_vs_no_sms",
)


# Bounds of the options: past these a run cannot finish (or a number cannot be used).
MAX_SHARDS = 1024
MAX_REPLICATIONS = 1000


def _refuse(message: str) -> int:
    print(f"eccc run: {message}", file=sys.stderr)
    return 2


def _check_args(args: argparse.Namespace) -> str | None:
    """What is wrong with the options, as the scenario file's own checks would say it."""
    if args.scale is not None and not args.scale > 0:
        return f"--scale must be greater than 0 (got {args.scale:g})"
    if args.scale is not None and not args.scale <= MAX_SCALE:
        return f"--scale must be at most {MAX_SCALE:g} (got {args.scale:g}): 1 is national volume"
    if args.days is not None and not args.days > 0:
        return f"--days must be greater than 0 (got {args.days:g})"
    if args.days is not None and not args.days <= MAX_DAYS:
        return f"--days must be at most {MAX_DAYS} (got {args.days:g})"
    if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
        return f"--seed must be from 0 to 2**63-1 (got {args.seed})"
    if not 0 <= args.progress_s <= 86_400:  # NaN fails too; 0 is a line each simulated minute
        return f"--progress-s must be from 0 to 86400 (got {args.progress_s:g})"
    if not 1 <= args.shards <= MAX_SHARDS:
        return f"--shards must be from 1 to {MAX_SHARDS} (got {args.shards})"
    if args.workers is not None and args.workers < 1:
        return "--workers must be at least 1"
    if args.dask and args.shards == 1:
        return ("--dask runs shards on a cluster (with --shards N); the exact two-process run "
                "(--workers 2) streams between two processes that run at once, which a Dask "
                "task does not (docs/parallel.md); use --workers 2 on one machine")
    if args.replications < 1:
        return "--replications must be at least 1"
    if args.replications > MAX_REPLICATIONS:
        return f"--replications must be at most {MAX_REPLICATIONS} (use eccc sweep for more)"
    return None


def load_plugins_or_say(paths: list[str] | None, command: str) -> bool:
    """Import ``--plugin`` files (policies of one's own); False after saying why not."""
    if not paths:
        return True
    from research.executors import PluginError, load_plugins

    for p in paths:
        if not Path(p).is_file():
            print(f"eccc {command}: --plugin {p}: no such file", file=sys.stderr)
            return False
    for p in paths:
        try:
            load_plugins([str(Path(p).resolve())])
        except PluginError as exc:  # a researcher's file: say what broke, not a traceback
            print(f"eccc {command}: --plugin {p}: {exc}", file=sys.stderr)
            return False
    return True


def _forget_counterfactual(out: Path) -> None:
    import shutil

    from research.whatif import COUNTERFACTUAL_DIR, REPLICATIONS_DIR, WHAT_CHANGED

    (out / WHAT_CHANGED).unlink(missing_ok=True)
    cf = out / COUNTERFACTUAL_DIR
    if (cf / "summary.json").is_file():
        shutil.rmtree(cf)
    # An earlier what-if's pairs (replications/seed-S/...): eccc compare reads them as the
    # run's replications, so they must not outlive the table they were made for.
    kept = out / REPLICATIONS_DIR
    if kept.is_dir() and any(kept.glob("seed-*/summary.json")):
        shutil.rmtree(kept)


def _cmd_run(args: argparse.Namespace) -> int:
    from engine.errors import LocalMisuse
    from engine.policies import build

    problem = _check_args(args)
    if problem:
        return _refuse(problem)
    if not load_plugins_or_say(args.plugin, "run"):
        return 2
    try:
        sc = load(args.scenario)
    except ScenarioError as exc:
        return _refuse(str(exc))
    policies = tuple(args.policy) if args.policy else None
    if policies:
        try:
            build(policies)
        except LocalMisuse as exc:
            return _refuse(f"--policy: {exc}")
    seed = sc.seed if args.seed is None else args.seed
    if seed + args.replications - 1 > MAX_SEED:  # replication r runs seed + r
        return _refuse(f"seed {seed} with --replications {args.replications} runs seeds past "
                       "2**63-1 (which --seed refuses): choose a smaller seed")
    out = Path(args.out) if args.out else Path("runs") / f"{sc.name}-{seed}"
    from research.sweepdir import holds

    other = holds(out)
    if other is not None and other[0] != "run":  # a run would leave it a mix of both
        return _refuse(f"--out {out} holds a {other[0]} ({out / other[1]}); a run is not "
                       "written into another kind's directory: name another --out")
    if args.dask:
        from eccc.extras import require

        if not require("dask", "eccc run --dask"):
            return 2
    if args.shards > 1:
        if args.trace:
            return _refuse("--trace needs one model; it cannot be combined with --shards")
        if args.replications > 1:
            return _refuse("--replications cannot be combined with --shards")
        if sc.counterfactual is not None and not args.no_counterfactual:
            print("eccc run: --shards runs the scenario alone (no counterfactual; run "
                  "without --shards for what changed)", file=sys.stderr)
        elif sc.counterfactual is not None:
            _say_skipped(sc)
        _forget_counterfactual(out)
        from eccc.sharded_run import run_sharded_to_dir

        return run_sharded_to_dir(sc, seed, out, policies, args,
                            sc.scale if args.scale is None else args.scale)
    scale = sc.scale if args.scale is None else args.scale
    what_if = (sc.counterfactual is not None and sc.network is not None
               and not args.no_counterfactual)
    if args.replications > 1 and not what_if:
        return _refuse(f"--replications pairs the scenario with its counterfactual; "
                       f"{sc.name} has none" if sc.counterfactual is None else
                       "--replications needs the counterfactual (drop --no-counterfactual)")
    plan: WhatIfPlan | None = None
    if what_if:
        try:
            plan = plan_what_if(sc, days=args.days, policies=policies)
        except ScenarioError as exc:
            return _refuse(str(exc))
        for warning in plan.warnings:
            print(f"eccc run: warning: {warning}", file=sys.stderr)
    elif sc.counterfactual is not None and args.no_counterfactual:
        _say_skipped(sc)
    if not what_if:  # a what-if table from an earlier run must not outlive its data
        _forget_counterfactual(out)
    workers = args.workers or 1
    if workers > 1 and sc.network is None:
        print(f"eccc run: {sc.name} has no network (continuous stations only); it runs in one "
              "process", file=sys.stderr)
        workers = 1
    elif workers > 2:
        print(f"eccc run: --workers {workers} without --shards runs on 2 processes (the "
              "network and the messaging side; docs/parallel.md)", file=sys.stderr)
    if workers > 1 and not args.quiet:
        _say_if_busy()
    line = None
    progress: Any = False
    if not args.quiet:
        from sim.progress import ProgressLine, RunSize

        if sc.network is not None:
            size = RunSize.of(sc, scale, args.days)
            print("\n".join(size.lines(f"eccc run {sc.name}", twice=what_if)), file=sys.stderr)
        if plan is not None:
            print("\n".join(_policy_lines(sc, plan, policies)), file=sys.stderr)
        if sys.stderr.isatty():
            progress = True
        else:
            progress = line = ProgressLine(sys.stderr, every_s=args.progress_s)
    import signal

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # a job scheduler's stop ends the run as Ctrl-C does

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _run_then_what_if(args, sc, seed, scale, out, policies, workers, plan,
                                 progress, line)
    finally:
        signal.signal(signal.SIGTERM, previous)


WHAT_IF_INCOMPLETE = ("The scenario's run here is complete; its what-if is not (interrupted or "
                      "failed in the counterfactual): what_changed.json and counterfactual/ "
                      "are missing or partial.\n")


def _pipeline_failed(exc: RuntimeError, says: str) -> int:
    """A failure of the two-process pipeline (``--workers 2``) is said in one line, exit
    status 1; any other ``RuntimeError`` is a bug and goes on up."""
    from sim.pipeline import PipelineError

    if not isinstance(exc, PipelineError):
        raise exc
    print(f"eccc run: {says}", file=sys.stderr)
    return 1


def _say_skipped(sc: Scenario) -> None:
    assert sc.counterfactual is not None
    print(f"eccc run: --no-counterfactual: the counterfactual ({sc.counterfactual.label}) is "
          "skipped; the scenario runs alone", file=sys.stderr)


def _policy_lines(sc: Scenario, plan: WhatIfPlan, policies: tuple[str, ...] | None) -> list[str]:
    """Both sides' policy chains, and where a --policy went."""
    assert sc.counterfactual is not None
    off = "policies" in sc.counterfactual.off
    if not policies:
        why, cf_why = "the scenario's", ("its own, off = [\"policies\"]" if off
                                         else "the counterfactual's")
    else:
        why = "--policy"
        cf_why = ("its own: off = [\"policies\"] keeps it from --policy" if off
                  else "--policy, on both sides")
    return [f"  policies: scenario {' + '.join(plan.policies)} ({why})",
            f"            counterfactual {' + '.join(plan.counterfactual_policies)} ({cf_why})"]


def _add_policies(path: Path, plan: WhatIfPlan | None, sc: Scenario,
                  policies: tuple[str, ...] | None) -> None:
    """Both sides' chains in ``context.json`` (the counterfactual's null without one)."""
    import orjson

    doc = orjson.loads(path.read_bytes())
    doc["policies"] = {
        "scenario": list(plan.policies if plan else policies or sc.policies),
        "counterfactual": list(plan.counterfactual_policies) if plan else None}
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")


def _run_then_what_if(args: argparse.Namespace, sc: Scenario, seed: int, scale: float,
                      out: Path, policies: tuple[str, ...] | None, workers: int,
                      plan: WhatIfPlan | None, progress: Any, line: Any) -> int:
    """The run, its table, and for a what-if its counterfactual: the directory holds
    ``INCOMPLETE`` until the what-if is written too, and an interruption in either part
    ends with one line."""
    from reports.summary import format_table
    from sim.run import INCOMPLETE, run_to_dir

    what_if = plan is not None

    try:
        result = run_to_dir(sc, seed=seed, scale=scale, days=args.days, out=out,
                            trace=args.trace, progress=progress, policies=policies,
                            workers=workers)
    except KeyboardInterrupt:
        where = f" at simulated {line.simulated()} ({100 * line.share:.0f}%)" if line else ""
        print(f"\neccc run: interrupted{where}; {out}/ is incomplete (see {out}/INCOMPLETE)",
              file=sys.stderr)
        return 130
    except RuntimeError as exc:
        return _pipeline_failed(exc, f"{exc}; {out}/ is incomplete")
    if result.processes and not args.quiet:
        print(_processes_line(result.processes), file=sys.stderr)
    s = result.summary
    if sc.network is not None:
        rows: dict[str, Any] = {k: s[k] for k in HEADLINE if k in s}
    else:
        rows = {k: v for k, v in s.items() if k not in ("scenario",)}
    reps = getattr(args, "replications", 1) or 1
    first = f", the first of {reps} replications" if what_if and reps > 1 else ""
    print(format_table(rows, f"eccc run {sc.name} (seed {seed}, scale {scale:g}{first})"))
    print("\n".join(result.diagnostics))
    wall = result.wall_s
    if what_if:
        from research.whatif import WHAT_CHANGED

        # The scenario's files are written; the what-if is not yet: say so, and let no
        # earlier run's what_changed.json stand beside this run's files meanwhile (from
        # before the context is written: a failure there must not leave them looking done).
        (out / INCOMPLETE).write_text(WHAT_IF_INCOMPLETE)
        (out / WHAT_CHANGED).unlink(missing_ok=True)
    if sc.network is not None:
        from research.whatif import write_context

        _add_policies(write_context(out, sc, plan.counterfactual if plan else None,
                                    args.days), plan, sc, policies)
    if what_if:
        from research.whatif import format_changes, run_counterfactual

        assert sc.counterfactual is not None
        from reports.html import run_label

        cf_label = run_label(sc.counterfactual.label, sc.days if args.days is None else args.days)
        print(f"counterfactual: {cf_label} (same seeds"
              + (f", {args.replications} replications" if args.replications > 1 else "")
              + ")", file=sys.stderr)
        lines: list[Any] = []  # the counterfactual's and the replications' lines

        def shown(label: str) -> Any:
            if line is None:
                return progress is True
            from sim.progress import ProgressLine

            lines.append(ProgressLine(sys.stderr, every_s=args.progress_s, label=label))
            return lines[-1]

        try:
            wi = run_counterfactual(sc, s, seed=seed, scale=scale, days=args.days, out=out,
                                    policies=policies, replications=args.replications,
                                    progress=shown, workers=workers,
                                    counterfactual=plan.counterfactual if plan else None)
        except KeyboardInterrupt:
            where = ""
            if lines:
                last = lines[-1]
                where = (f" ({last.label} at simulated {last.simulated()}, "
                         f"{100 * last.share:.0f}%)")
            print(f"\neccc run: interrupted in the what-if{where}; {out}/ holds the "
                  f"scenario's run, its what-if is incomplete (see {out}/INCOMPLETE)",
                  file=sys.stderr)
            return 130
        except RuntimeError as exc:
            return _pipeline_failed(exc, f"counterfactual: {exc}; its what-if is incomplete")
        wall += wi.wall_s
        print(format_changes(wi.rows, cf_label))
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
    (out / INCOMPLETE).unlink(missing_ok=True)
    print(f"run written to {out}/ in {wall:.1f} s")
    return 0


def _say_if_busy() -> None:
    """The two-process run gains only with a core to spare: say so when there is none."""
    import os

    try:
        load = os.getloadavg()[0]
    except OSError:
        return
    cores = os.cpu_count() or 1
    if load > cores - 1:
        print(f"eccc run: load average {load:.1f} on {cores} cores: with no core to spare, "
              "--workers 2 may be no faster than one process (docs/parallel.md)", file=sys.stderr)


def _processes_line(p: dict[str, Any]) -> str:
    """Where a two-process run spent its time (stderr only: the files do not depend on it)."""
    net, msg = p["network"], p["messaging"]
    return (f"eccc run: two processes: network {net['cpu_s']:.1f} s CPU (waited "
            f"{net['put_wait_s']:.1f} s for the messaging side, peak "
            f"{net['peak_rss_mb']:,.0f} MB), messaging {msg['cpu_s']:.1f} s CPU (waited "
            f"{msg['wait_s']:.1f} s for the network, peak {msg['peak_rss_mb']:,.0f} MB)")


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
    rp.add_argument("--scale", type=float, default=None,
                    help="volume multiplier, > 0 (default: the scenario's scale, 1 unless it "
                    "says)")
    rp.add_argument("--days", type=float, default=None,
                    help="days of acceptances, > 0 (default: the scenario's)")
    rp.add_argument("--out", metavar="DIR", help="run directory (default runs/NAME-SEED)")
    rp.add_argument("--trace", action="store_true", help="also write trace.jsonl")
    rp.add_argument("--policy", action="append", metavar="NAME[:k=v,...]",
                    help="override the scenario's policies (repeat to chain)")
    rp.add_argument("--quiet", action="store_true",
                    help="no size estimate and no progress (a bar on a terminal, else a line "
                    "on stderr every few seconds)")
    rp.add_argument("--progress-s", type=float, default=5.0, metavar="S",
                    help="seconds between progress lines when stderr is not a terminal "
                    "(default 5)")
    rp.add_argument("--plugin", action="append", metavar="PATH",
                    help="a Python file registering policies of one's own (repeatable)")
    rp.add_argument("--no-counterfactual", action="store_true",
                    help="skip the what-if's counterfactual (run the scenario alone)")
    rp.add_argument("--replications", type=int, default=1, metavar="N",
                    help="run the scenario and its counterfactual on N seeds (seed, seed+1, "
                    "...) and give 95%% intervals of the paired differences")
    rp.add_argument(
        "--shards", type=int, default=1, metavar="N",
        help="split one big run into N shards, each with 1/N of the volume and of every "
        "shared capacity (sort machines, care agents, the gateway's send rate) and its own "
        "seed, run them and merge their metrics exactly (counts, sums, histograms; "
        "percentiles from pooled samples). AN APPROXIMATION of the unsharded run: N small "
        "queues wait longer than one pooled queue, so queue waits and latencies run a little "
        "high (tests/test_sweep_shards.py states the tolerance). Writes summary.json, "
        "distributions.json and diagnostics.txt only; not with --trace")
    rp.add_argument(
        "--workers", type=int, default=None, metavar="N",
        help="without --shards: 1 (the default) runs in this process; 2 runs the network "
        "(arrivals, facilities, trips, last mile) in a second process ahead of the messaging "
        "side (pump, engine, gateway, customers, care), byte-identical files, sooner on 2 "
        "cores (more than 2 still uses 2; the counterfactual runs the same way, replications "
        "in one process). With --shards: processes to run the shards on (default all cores; "
        "1 = in this process)")
    rp.add_argument("--dask", metavar="ADDRESS",
                    help="with --shards: run the shards on a Dask cluster (an address, or "
                    "'local'); needs the [dask] extra. Not for the exact two-process run")
    rp.set_defaults(func=_cmd_run)
