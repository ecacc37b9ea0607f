"""``eccc sweep``, ``eccc tune`` and ``eccc compare``: the command-line shell around
research.sweep, research.tune and research.comparison (added to the parser by
``add_commands``, as the shim's commands are)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from eccc.extras import require

SWEEP_EPILOG = """\
examples:
  eccc sweep scenarios/sweeps/policy_frontier.toml              # all cores
  eccc sweep my.toml --workers 1                                 # in this process
  eccc sweep my.toml --dask local                                # a Dask LocalCluster
  eccc sweep my.toml --dask tcp://scheduler:8786                 # an existing cluster
  eccc sweep my.toml --plugin my_policy.py                       # a policy of your own
Rerunning the same command resumes: finished points in OUT/points/ are skipped.
"""


MAX_WORKERS = 1024


def _options_error(args: argparse.Namespace) -> str | None:
    """What is wrong with the options sweep and tune share, before anything is read or
    written (--workers -1 was a traceback after the directory was marked INCOMPLETE, and
    --workers 0 silently meant every core)."""
    if args.workers is not None and not 1 <= args.workers <= MAX_WORKERS:
        return (f"--workers must be from 1 to {MAX_WORKERS} (got {args.workers}; leave it out "
                "for all cores)")
    if getattr(args, "replications", None) is not None and not 1 <= args.replications <= 10_000:
        return f"--replications must be from 1 to 10000 (got {args.replications})"
    if getattr(args, "trials", None) is not None and not 1 <= args.trials <= 100_000:
        return f"--trials must be from 1 to 100000 (got {args.trials})"
    return None


def _cmd_sweep(args: argparse.Namespace) -> int:
    error = _options_error(args)
    if error is not None:
        print(f"eccc sweep: {error}", file=sys.stderr)
        return 2
    if args.dask and not require("dask", "eccc sweep --dask"):
        return 2
    from research.executors import make_executor
    from research.sweep import run_sweep, write_sweep
    from research.sweepfile import SweepError, load

    try:
        spec = load(args.sweep)
    except SweepError as exc:
        print(f"eccc sweep: {exc}", file=sys.stderr)
        return 2
    changes: dict[str, Any] = {}
    if args.plugin:
        extra = _plugin_files(args.plugin, "sweep")
        if extra is None:
            return 2
        changes["plugins"] = [*spec.plugins, *extra]
    if args.replications:
        changes["replications"] = args.replications
    spec = dataclasses.replace(spec, **changes)
    seed_problem = spec.seed_error()  # --replications may carry the seeds past the limit
    if seed_problem is not None:
        print(f"eccc sweep: {args.sweep}: {seed_problem}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path("runs") / f"sweep-{spec.name}"
    refused = _refused_points(spec, args.sweep)
    if refused:
        print(refused, file=sys.stderr)
        return 2
    from research import sweepdir

    problem = sweepdir.other_kind(out, "sweep")
    if problem is not None:
        print(f"eccc sweep: {problem}", file=sys.stderr)
        return 2
    sweepdir.begin(out, "sweep")
    executor = make_executor(args.workers, args.dask)
    try:
        with sweepdir.sigterm_interrupts():
            try:
                outcome = run_sweep(spec, out, executor, progress=not args.quiet)
            finally:
                executor.close()
            report = write_sweep(outcome, out, executor.name)
    except KeyboardInterrupt:
        _interrupted("sweep", out)
        return 130
    sweepdir.finish(out)
    n_runs = len(spec.points) * spec.replications
    print(f"sweep {spec.name}: {len(spec.points)} points x {spec.replications} replications "
          f"({n_runs} runs{f', {spec.shards} shards each' if spec.shards > 1 else ''}) on "
          f"{executor.name}: ran {outcome.ran} tasks, {outcome.skipped} already on disk, "
          f"{outcome.seconds:.1f} s")
    _print_front(out)
    for f in outcome.failures:
        print(f"FAILED {f.describe()}\n  params: {f.point.params}", file=sys.stderr)
    print(f"tables: {out}/replications.csv, {out}/points.csv\nreport: {report}")
    return 1 if outcome.failures else 0


def _interrupted(command: str, out: Path) -> None:
    from research.sweep import POINTS_DIR
    from research.sweepdir import INCOMPLETE

    kept = sum(1 for _ in (out / POINTS_DIR).glob("*.json"))
    print(f"\neccc {command}: interrupted; {out}/ is incomplete (see {out}/{INCOMPLETE}); "
          f"{kept} finished runs are kept in {out}/{POINTS_DIR}/ and rerunning the same "
          "command resumes", file=sys.stderr)


def _plugin_files(given: list[str], command: str) -> list[str] | None:
    """``--plugin`` files, resolved and imported here (so a missing or broken one is one
    line before anything runs); None when one cannot be used, said on stderr."""
    from research.executors import PluginError, load_plugins

    paths = []
    for name in given:
        path = Path(name).resolve()
        if not path.is_file():
            print(f"eccc {command}: --plugin {name}: no such file ({path})", file=sys.stderr)
            return None
        try:
            load_plugins([str(path)])
        except PluginError as exc:  # the researcher's code: whatever it raised, said
            print(f"eccc {command}: --plugin {name}: {exc}", file=sys.stderr)
            return None
        paths.append(str(path))
    return paths


def _refused_points(spec: Any, where: str) -> str | None:
    """Every point's scenario and the runner, checked before anything runs (a typo in the
    last point must not cost the runs of the others first); None when all is well."""
    from research.executors import PluginError, load_plugins
    from research.sweep import plan, resolve_runner

    for plugin in spec.plugins:  # the file's plugins = [...], said as --plugin says it
        try:
            load_plugins([plugin])
        except PluginError as exc:
            return f"eccc sweep: {where}: plugins: {plugin}: {exc}"
    try:
        resolve_runner(spec.runner)
    except (ImportError, AttributeError, OSError, ValueError) as exc:
        return f"eccc sweep: {where}: runner {spec.runner!r}: {type(exc).__name__}: {exc}"
    failures = plan(spec).failures
    if not failures:
        return None
    return "\n".join(f"eccc sweep: {where}: {f.describe()}" for f in failures)


def _print_front(out: Path) -> None:
    import json

    from reports.frontier import finding

    path = out / "front.json"
    if not path.is_file():
        return
    front = json.loads(path.read_text())
    print(finding(front))
    points = {p["index"]: p["label"] for p in front["points"]}
    for group in front["groups"]:
        for i in group["members"]:
            print(f"  {group['name']}  {points[i]}")


TUNE_EPILOG = """\
examples:
  eccc tune scenarios/tune/policy_search.toml                   # all cores
  eccc tune my.toml --trials 60                                  # grow the study to 60 trials
  eccc tune my.toml --dask local                                 # a Dask LocalCluster
  eccc tune my.toml --workers 1                                  # in this process
Rerunning the same command resumes: the study lives in OUT/study.db (Optuna's SQLite
storage) and finished runs in OUT/points/. The same file and seed give the same study
on any executor.
"""


def _cmd_tune(args: argparse.Namespace) -> int:
    error = _options_error(args)
    if error is not None:
        print(f"eccc tune: {error}", file=sys.stderr)
        return 2
    if not require("tune", "eccc tune") or (args.dask and not require("dask", "eccc tune --dask")):
        return 2
    from research.executors import make_executor
    from research.tunefile import TuneError, load

    try:
        from research.tune import require_optuna, run_tune
        from research.tunereport import BEST, policies_line, write_tune

        require_optuna()
        spec = load(args.tune)
    except TuneError as exc:
        print(f"eccc tune: {exc}", file=sys.stderr)
        return 2
    if args.plugin:
        extra = _plugin_files(args.plugin, "tune")
        if extra is None:
            return 2
        spec = dataclasses.replace(spec, plugins=[*spec.plugins, *extra])
    out = Path(args.out) if args.out else Path("runs") / f"tune-{spec.name}"
    from research import sweepdir
    from research.tune import open_study

    problem = sweepdir.other_kind(out, "tune")
    if problem is not None:
        print(f"eccc tune: {problem}", file=sys.stderr)
        return 2
    try:
        open_study(spec, out)  # a study of another file is refused before anything is removed
    except TuneError as exc:
        print(f"eccc tune: {exc}", file=sys.stderr)
        return 2
    sweepdir.begin(out, "tune")
    executor = make_executor(args.workers, args.dask)
    try:
        with sweepdir.sigterm_interrupts():
            outcome = run_tune(spec, out, executor, trials=args.trials,
                               progress=not args.quiet)
            report = write_tune(outcome, out, executor.name)
    except TuneError as exc:
        print(f"eccc tune: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _interrupted("tune", out)
        return 130
    finally:
        executor.close()
    sweepdir.finish(out)
    import json

    meta = json.loads((out / "tune.json").read_text())
    print(f"tune {spec.name}: {meta['completed']} trials completed of {meta['trials']} "
          f"({spec.sampler}, seed {spec.seed}, {spec.replications} replications each on "
          f"common random numbers) on {executor.name}: {outcome.ran} runs, "
          f"{outcome.cached} from cache, {outcome.seconds:.1f} s")
    if meta["best"]:
        print("Front at 95% (paired differences), by group; a group's chains cannot be told "
              "apart:")
    else:  # no front: say why (every chain broke a constraint, or none measured them all)
        from reports.frontier import finding

        print(finding(json.loads((out / "front.json").read_text())))
    for best in meta["best"]:
        for chain, n in zip(best["chains"], best["trials"], strict=True):
            print(f"  {best['group']}  {policies_line(chain)}   # trial {n}")
    for f in outcome.failures:
        print(f"FAILED {f}", file=sys.stderr)
    print(f"best chains: {out / BEST}\nreport: {report}")
    return 1 if outcome.failures else 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from research.comparison import CompareError, compare, forced_line, format_rows

    if args.top is not None and args.top < 0:
        print("eccc compare: --top must be 0 (all) or more", file=sys.stderr)
        return 2
    # --all alone prints every metric; with --top N, the N largest of them.
    top = (0 if args.all else 30) if args.top is None else args.top
    paths = [Path(p) for p in args.runs]
    out = Path(args.out) if args.out else Path("runs") / (
        "compare-" + "-vs-".join(p.name.replace("@", "-") for p in paths))
    try:
        differ: list[str] = []
        header, rows, page = compare(paths, out, args.metric, force=args.force, forced=differ)
    except CompareError as exc:
        print(f"eccc compare: {exc}", file=sys.stderr)
        return 2
    if differ:  # as the page says it: the table is not the what-if's alone
        print(forced_line(differ))
    n = len(paths)
    changed = [r for r in rows if any(isinstance(c, int | float) and c
                                      for c in r[n + 1::3])]
    missing = [r for r in rows if r not in changed and "missing" in r[n + 3::3]]
    shown = rows if args.all else changed
    print(format_rows(header, shown[:top] if top else shown))
    hidden = len(rows) - len(shown[:top] if top else shown)
    if hidden:
        same = len(rows) - len(changed) - len(missing)
        print(f"{hidden} more metrics not shown ({same} did not change"
              + (f", {len(missing)} missing from a run" if missing else "")
              + "; --all shows every metric, --top N the N largest changes)")
    figures = out / "comparison.html"
    print(f"report: {page}" + (f" (figures: {figures})" if figures.is_file() else ""))
    return 0


def add_commands(sub: Any) -> None:
    sp = sub.add_parser(
        "sweep", help="what-if sweeps: replications, confidence intervals, Pareto fronts",
        description="Run every point of SWEEP.toml with replications sharing seeds across "
        "points (common random numbers); write tidy tables, figures and report.html.",
        epilog=SWEEP_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sp.add_argument("sweep", metavar="SWEEP.toml")
    sp.add_argument("--workers", type=int, metavar="N",
                    help="local processes (default: all cores; 1 = in this process)")
    sp.add_argument("--dask", metavar="ADDRESS",
                    help="run on a Dask cluster at ADDRESS, or 'local' for a LocalCluster")
    sp.add_argument("--plugin", action="append", metavar="PATH",
                    help="a Python file registering policies (repeatable)")
    sp.add_argument("--replications", type=int, metavar="N", help="override the file's count")
    sp.add_argument("--out", metavar="DIR", help="sweep directory (default runs/sweep-NAME)")
    sp.add_argument("--quiet", action="store_true", help="no progress bar")
    sp.set_defaults(func=_cmd_sweep)

    tp = sub.add_parser(
        "tune", help="search the policy space (Optuna), a front with confidence",
        description="Search policy chains and their parameters with Optuna (NSGA-II or TPE); "
        "each trial is R replications on common random numbers; the report shows the front "
        "at 95% on paired differences and the best chains as policies = [...] lines.",
        epilog=TUNE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    tp.add_argument("tune", metavar="TUNE.toml")
    tp.add_argument("--trials", type=int, metavar="N",
                    help="finished trials to reach (default: the file's)")
    tp.add_argument("--workers", type=int, metavar="N",
                    help="local processes (default: all cores; 1 = in this process)")
    tp.add_argument("--dask", metavar="ADDRESS",
                    help="run on a Dask cluster at ADDRESS, or 'local' for a LocalCluster")
    tp.add_argument("--plugin", action="append", metavar="PATH",
                    help="a Python file registering policies (repeatable)")
    tp.add_argument("--out", metavar="DIR", help="tune directory (default runs/tune-NAME)")
    tp.add_argument("--quiet", action="store_true", help="no progress bar")
    tp.set_defaults(func=_cmd_tune)

    cp = sub.add_parser(
        "compare", help="runs side by side, differences against their noise",
        description="Compare run directories (or directories of replications, or a sweep's "
        "point as SWEEP_DIR@POINT, by index or label, or a tune's trial as TUNE_DIR@TRIAL, by "
        "number or chain) with the first: means, differences and "
        "relative change, largest first, and the test where replications allow it (paired "
        "t on shared seeds, else Welch). Runs that differ in scale, days or structure are "
        "refused unless --force.")
    cp.add_argument("runs", nargs="+", metavar="RUN_DIR")
    cp.add_argument("--out", metavar="DIR", help="where the pages go (default runs/compare-...)")
    cp.add_argument("--metric", action="append", help="only these metrics (repeatable)")
    cp.add_argument("--all", action="store_true", help="print metrics that did not change too")
    cp.add_argument("--top", type=int, default=None, metavar="N",
                    help="print the N largest changes (0: all that changed) (default: 30, "
                         "or every metric with --all)")
    cp.add_argument("--force", action="store_true",
                    help="compare runs that differ in scale, days or structure anyway")
    cp.set_defaults(func=_cmd_compare)
