"""``eccc sweep``: run every point of a SWEEP.toml, replicated, resumable, in parallel.

The shell is thin on purpose: ``plan`` turns a ``SweepSpec`` into tasks (pure),
an executor runs them (``research.executors``), each finished task is written to
``points/<key>.json`` at once, and ``tabulate`` folds the stored results into
tables (pure). The key is a hash of the resolved scenario, the seed, the
shard and the runner, so a rerun of an interrupted sweep skips what is on
disk and a changed base scenario never reuses a stale result.

Sweep directory::

    points/<key>.json     one per point x replication (x shard), written as it finishes
    plan.json             each point's label and the keys of its runs, per replication
                          and shard (written first; ``eccc compare DIR@POINT`` reads it,
                          since two points resolving to one scenario share one key)
    replications.csv      one row per point x replication: parameters, seed, metrics
    points.csv            one row per point: for each metric mean, ci95_low, ci95_high
    failures.json         points that failed, with their parameters and the error
    front.json            the Pareto front at 95% on paired differences (research.frontier)
    report.html + PNGs    figures and the Pareto front (reports.pareto)
"""

from __future__ import annotations

import csv
import hashlib
import importlib
import math
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from research.executors import Executor, InProcess, load_plugins
from research.frontier import MAXIMIZE, MINIMIZE, Frontier, Objective, frontier
from research.noise import mean_interval
from research.sweepfile import Point, SweepSpec, apply, label_for

POINTS_DIR = "points"
PLAN = "plan.json"
FRONT = "front.json"
Runner = Callable[[dict[str, Any], int], dict[str, Any]]


def run_point(scenario: dict[str, Any], seed: int) -> dict[str, Any]:
    """The adapter to the simulation: one scenario (as a dict) and seed -> results.

    Returns ``{"summary": flat metrics, "distributions": histograms}``; the
    distributions are what shards need to merge percentiles exactly.
    """
    from sim.run import run_scenario

    summary, distributions = run_scenario(scenario, seed)
    return {"summary": summary, "distributions": distributions}


def resolve_runner(ref: str) -> Runner:
    """``"package.module:function"`` -> the function (a string crosses process borders)."""
    module, _, name = ref.partition(":")
    fn: Runner = getattr(importlib.import_module(module), name)
    return fn


def evaluate(task: Mapping[str, Any]) -> dict[str, Any]:
    """Run one task in whatever process it landed in; never raises for a bad point."""
    t0 = time.perf_counter()
    try:
        load_plugins(task["plugins"])
        out = resolve_runner(task["runner"])(task["scenario"], task["seed"])
    except Exception as exc:
        tb = traceback.format_exception(exc)
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}",
                "traceback": "".join(tb[-6:])}
    return {"ok": True, "summary": out.get("summary", {}),
            "distributions": out.get("distributions", {}) if task["keep_distributions"] else {},
            "seconds": round(time.perf_counter() - t0, 3)}


def task_key(scenario: Mapping[str, Any], seed: int, runner: str, shard: tuple[int, int]) -> str:
    blob = orjson.dumps({"scenario": scenario, "seed": seed, "runner": runner,
                         "shard": list(shard)}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(blob).hexdigest()[:20]


@dataclass
class Failure:
    point: Point
    replication: int | None
    error: str
    detail: str = ""

    def describe(self) -> str:
        rep = "" if self.replication is None else f" replication {self.replication}"
        return f"point {self.point.index} [{self.point.label}]{rep}: {self.error}"


@dataclass
class Plan:
    """Tasks to run (each with its key) and points that failed before running."""

    tasks: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def plan(spec: SweepSpec) -> Plan:
    """Resolve and validate every point's scenario; one task per point x replication x shard."""
    from research.shards import shard_scenarios
    from scenarios.schema import parse

    load_plugins(spec.plugins)  # the schema builds each chain, so plug-ins must exist here
    out = Plan()
    for point in spec.points:
        try:
            scenario = parse(apply(spec.base, point.params), f"point {point.index}")
        except Exception as exc:
            out.failures.append(Failure(point, None, f"{type(exc).__name__}: {exc}"))
            continue
        data = scenario.model_dump(mode="json")
        for rep in range(spec.replications):
            seed = spec.seed_for(point, rep)
            for shard, (part, part_seed) in enumerate(shard_scenarios(data, seed, spec.shards)):
                out.tasks.append({
                    "point": point.index, "replication": rep, "seed": part_seed,
                    "shard": shard, "scenario": part, "runner": spec.runner,
                    "plugins": spec.plugins, "keep_distributions": spec.shards > 1,
                    "key": task_key(part, part_seed, spec.runner, (shard, spec.shards)),
                })
    return out


def plan_record(spec: SweepSpec, planned: Plan) -> dict[str, Any]:
    """``plan.json``: every point's index and label, and per replication the keys of its
    shards in order. A stored result is keyed by its scenario, not its point (points that
    resolve alike share it, a reordered file reuses it), so this is how a point finds its
    results again."""
    keys: dict[int, list[list[str]]] = {}
    for task in planned.tasks:
        reps = keys.setdefault(task["point"], [[] for _ in range(spec.replications)])
        reps[task["replication"]].append(task["key"])
    return {"shards": spec.shards,
            "points": [{"index": p.index, "label": p.label, "keys": keys.get(p.index, [])}
                       for p in spec.points]}


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # a killed sweep leaves no half-written point behind


@dataclass
class SweepOutcome:
    spec: SweepSpec
    results: dict[tuple[int, int], dict[str, Any]]  # (point, replication) -> summary
    failures: list[Failure]
    ran: int
    skipped: int
    seconds: float
    merge_gaps: list[str] = field(default_factory=list)


def run_sweep(spec: SweepSpec, out_dir: Path, executor: Executor | None = None,
              progress: bool = False) -> SweepOutcome:
    """Run what is not on disk yet, keep every finished task, merge shards, return it all."""
    from research.shards import merge

    t0 = time.perf_counter()
    store = Path(out_dir) / POINTS_DIR
    store.mkdir(parents=True, exist_ok=True)
    planned = plan(spec)
    _write_atomic(Path(out_dir) / PLAN,
                  orjson.dumps(plan_record(spec, planned), option=orjson.OPT_INDENT_2))
    done: dict[str, dict[str, Any]] = {}
    todo = []
    for task in planned.tasks:
        path = store / f"{task['key']}.json"
        if path.is_file():
            done[task["key"]] = orjson.loads(path.read_bytes())
        else:
            todo.append(task)
    failures = list(planned.failures)
    points = {p.index: p for p in spec.points}
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(planned.tasks), initial=len(done), desc=f"sweep {spec.name}",
                   unit="run", file=sys.stderr)
    try:
        executor = executor or InProcess()
        for i, result in executor.run(evaluate, todo):
            task = todo[i]
            if result["ok"]:
                # Keyed by the scenario, so no point's index or label: points that resolve
                # alike share the record (plan.json says which points use which keys).
                record = {k: task[k] for k in ("seed", "shard", "key")}
                record.update(result)
                _write_atomic(store / f"{task['key']}.json", orjson.dumps(record))
                done[task["key"]] = record
            else:
                failures.append(Failure(points[task["point"]], task["replication"],
                                        result["error"], result.get("traceback", "")))
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()  # before any message of an interruption
    by_run: dict[tuple[int, int], list[dict[str, Any]]] = {}
    price: dict[tuple[int, int], float | None] = {}
    for task in planned.tasks:
        price[(task["point"], task["replication"])] = (
            task["scenario"].get("gateway") or {}).get("cost_per_segment_usd")
        if task["key"] in done:
            by_run.setdefault((task["point"], task["replication"]), []).append(done[task["key"]])
    results: dict[tuple[int, int], dict[str, Any]] = {}
    gaps: set[str] = set()
    for run, parts in sorted(by_run.items()):
        if len(parts) != spec.shards:
            continue  # a shard failed: the run is incomplete, and its failure is listed
        if spec.shards == 1:
            results[run] = parts[0]["summary"]
        else:
            merged = merge([(p["summary"], p["distributions"]) for p in
                            sorted(parts, key=lambda p: p["shard"])], price[run])
            results[run] = merged.summary
            gaps.update(merged.gaps)
    return SweepOutcome(spec, results, failures, len(todo), len(planned.tasks) - len(todo),
                        time.perf_counter() - t0, sorted(gaps))


# ---------------------------------------------------------------------------- tables


def _numeric(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def metric_names(outcome: SweepOutcome) -> list[str]:
    """The sweep's metrics of interest, else every numeric metric any run reported."""
    if outcome.spec.metrics:
        return list(outcome.spec.metrics)
    return sorted({k for s in outcome.results.values() for k, v in s.items() if _numeric(v)})


def param_names(points: Iterable[Point]) -> list[str]:
    seen: dict[str, None] = {}
    for p in points:
        seen.update(dict.fromkeys(p.params))
    return list(seen)


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, list):
        return label_for({"x": v}).removeprefix("x=")
    return repr(v) if isinstance(v, float) else str(v)


def applied_params(spec: SweepSpec, point: Point) -> dict[str, Any]:
    """The point's parameters as they ran: ``policies`` is the chain after the point's
    ``policies.NAME.PARAM`` settings (a grid over ``cap_rolling.limit`` edits it)."""
    if "policies" not in point.params:
        return point.params
    try:
        chain = apply(spec.base, point.params).get("policies")
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return point.params  # a point that did not resolve: it failed, and says why
    return {**point.params, "policies": chain}


def tabulate(outcome: SweepOutcome) -> tuple[list[list[str]], list[list[str]]]:
    """(replication rows, point rows), headers first; deterministic for a given outcome."""
    spec = outcome.spec
    metrics, params = metric_names(outcome), param_names(spec.points)
    reps = [["point", "label", "replication", "seed", *params, *metrics]]
    per_point = [["point", "label", *params, "n",
                  *[f"{m}_{s}" for m in metrics for s in ("mean", "ci95_low", "ci95_high")]]]
    for point in spec.points:
        shown = applied_params(spec, point)
        pvals = [_cell(shown.get(k)) for k in params]
        values: dict[str, list[float]] = {m: [] for m in metrics}
        n = 0
        for rep in range(spec.replications):
            summary = outcome.results.get((point.index, rep))
            if summary is None:
                continue
            n += 1
            row = [str(point.index), point.label, str(rep), str(spec.seed_for(point, rep)), *pvals]
            for m in metrics:
                v = summary.get(m)
                # null or NaN: nothing measured there, left out (never counted as 0)
                if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
                    row.append(_cell(v))
                    values[m].append(float(v))
                else:
                    row.append("")
            reps.append(row)
        if n == 0:
            continue
        stats: list[str] = []
        for m in metrics:
            ci = mean_interval(values[m])
            stats += [_cell(ci.mean), _cell(ci.low), _cell(ci.high)]
        per_point.append([str(point.index), point.label, *pvals, str(n), *stats])
    return reps, per_point


def write_tables(outcome: SweepOutcome, out_dir: Path) -> dict[str, Path]:
    out_dir = Path(out_dir)
    reps, per_point = tabulate(outcome)
    paths = {"replications": out_dir / "replications.csv", "points": out_dir / "points.csv",
             "failures": out_dir / "failures.json"}
    for name, rows in (("replications", reps), ("points", per_point)):
        with paths[name].open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
    paths["failures"].write_bytes(orjson.dumps(
        [{"point": f.point.index, "label": f.point.label, "params": f.point.params,
          "replication": f.replication, "error": f.error, "detail": f.detail}
         for f in outcome.failures], option=orjson.OPT_INDENT_2))
    return paths


def confident_front(outcome: SweepOutcome, feasible: Mapping[int, bool] | None = None
                    ) -> Frontier | None:
    """The front at 95% on paired differences (``research.frontier``), from the sweep's
    ``pareto`` objectives; None when the sweep names none."""
    spec = outcome.spec
    objectives = [Objective(m, MINIMIZE) for m in spec.pareto.get("minimize", [])] + [
        Objective(m, MAXIMIZE) for m in spec.pareto.get("maximize", [])]
    if not objectives:
        return None
    samples: dict[int, dict[int, dict[str, float]]] = {}
    for (point, rep), summary in outcome.results.items():
        samples.setdefault(point, {})[rep] = {
            o.metric: float(summary[o.metric]) for o in objectives
            if _numeric(summary.get(o.metric))}
    labels = {p.index: p.label for p in spec.points if p.index in samples}
    return frontier(samples, labels, objectives, feasible=feasible)


def write_front(outcome: SweepOutcome, out_dir: Path,
                feasible: Mapping[int, bool] | None = None,
                constraints: Iterable[str] = ()) -> Frontier | None:
    """``front.json``: every point's verdict, the front in groups (read by the report);
    ``constraints`` are what ``feasible`` was judged by, as the finding names them."""
    front = confident_front(outcome, feasible)
    if front is None:
        return None
    values: dict[int, dict[str, list[float]]] = {}
    for (point, _rep), summary in sorted(outcome.results.items()):
        for o in front.objectives:
            if _numeric(summary.get(o.metric)):
                values.setdefault(point, {}).setdefault(o.metric, []).append(
                    float(summary[o.metric]))
    means = {p: {m: mean_interval(v).mean for m, v in ms.items()} for p, ms in values.items()}
    data = front.to_json(means)
    data["replications"] = outcome.spec.replications
    data["constraints"] = list(constraints)
    (Path(out_dir) / FRONT).write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    return front


def write_sweep(outcome: SweepOutcome, out_dir: Path, executor: str = "",
                feasible: Mapping[int, bool] | None = None,
                constraints: Iterable[str] = ()) -> Path:
    """Tables, ``sweep.json`` (what ran, how, how long), ``front.json`` and the HTML report."""
    from reports.pareto import render_sweep

    out_dir = Path(out_dir)
    write_tables(outcome, out_dir)
    write_front(outcome, out_dir, feasible, constraints)
    spec = outcome.spec
    meta = {"name": spec.name, "description": spec.description,
            "replications": spec.replications, "seed": spec.seed, "crn": spec.crn,
            "shards": spec.shards, "metrics": metric_names(outcome), "pareto": spec.pareto,
            "points": [{"index": p.index, "label": p.label, "params": p.params}
                       for p in spec.points],
            "plugins": spec.plugins, "runner": spec.runner, "executor": executor,
            "ran": outcome.ran, "skipped": outcome.skipped,
            "seconds": round(outcome.seconds, 3), "merge_gaps": outcome.merge_gaps}
    (out_dir / "sweep.json").write_bytes(orjson.dumps(meta, option=orjson.OPT_INDENT_2))
    return render_sweep(out_dir)
