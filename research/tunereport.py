"""What ``eccc tune`` writes when the study is done: the sweep report, and more.

A finished study is put in the shape of a sweep (one point per completed
trial, its replications as the sweep's, the objectives as its Pareto
objectives) and written by ``research.sweep.write_sweep``: the same tables,
the same front at 95% on paired differences (infeasible trials are never on
it) and the same report. ``tune.json`` adds what only a search has: the
hypervolume against trials, the parameter importances and the best chains,
which ``reports.pareto`` shows in the same page; ``best_chains.toml`` holds
those chains as ready-to-use ``policies = [...]`` lines.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import orjson

from research.frontier import Frontier, group_name
from research.sweep import PLAN, POINTS_DIR, SweepOutcome, _write_atomic, write_front, write_sweep
from research.sweepfile import Point, SweepSpec
from research.tune import (
    TuneOutcome,
    chain_label,
    completed,
    feasible,
    hypervolume_history,
    importances,
    trial_tasks,
)

TUNE_JSON = "tune.json"
BEST = "best_chains.toml"


def _stored(store: Path | None, key: str) -> dict[str, Any] | None:
    """A run's summary as ``points/KEY.json`` holds it, or None."""
    if store is None or not (store / f"{key}.json").is_file():
        return None
    try:
        summary = orjson.loads((store / f"{key}.json").read_bytes()).get("summary")
    except (orjson.JSONDecodeError, OSError, AttributeError):
        return None
    return summary if isinstance(summary, dict) else None


def as_sweep(outcome: TuneOutcome, store: Path | None = None
             ) -> tuple[SweepOutcome, dict[int, bool]]:
    """The completed trials as sweep points (index = trial number) and their feasibility.

    A chain the sampler proposed again is one point (its first trial): same chain, same
    seeds, same results, so a repeat would only be counted twice. A replication's values
    are its stored run's (``store``, the tune's ``points/``) where it is there, so a
    count is written as an int as in a sweep's tables (a study made before counts were
    kept as ints holds them as floats); else the study's.
    """
    spec = outcome.spec
    seen: set[tuple[str, ...]] = set()
    trials = []
    for t in completed(outcome.study):
        chain = tuple(t.user_attrs["chain"])
        if chain not in seen:
            seen.add(chain)
            trials.append(t)
    points = [Point(t.number, chain_label(t.user_attrs["chain"]),
                    {"policies": t.user_attrs["chain"]}) for t in trials]
    results: dict[tuple[int, int], dict[str, Any]] = {}
    for t in trials:
        values = t.user_attrs["replications"]
        tasks = trial_tasks(spec, t.number, t.user_attrs["chain"]) if store else []
        for rep in range(spec.replications):
            # NaN (a tabulated metric with nothing to measure) is null, as in a sweep.
            row = {m: v[rep] if math.isfinite(v[rep]) else None for m, v in values.items()}
            summary = _stored(store, tasks[rep]["key"]) if rep < len(tasks) else None
            for m, v in row.items():
                s = summary.get(m) if summary is not None else None
                if (v is not None and isinstance(s, int) and not isinstance(s, bool)
                        and s == v):
                    row[m] = s  # the same number, as the run reported it: a count
            results[(t.number, rep)] = row
    sweep = SweepSpec(
        name=spec.name, base=spec.base, points=points, replications=spec.replications,
        seed=spec.seed, crn=True, metrics=spec.tracked_metrics, plugins=spec.plugins,
        pareto={sense: [o.metric for o in spec.objectives if o.sense == sense]
                for sense in ("minimize", "maximize")},
        description=spec.description)
    return (SweepOutcome(sweep, results, [], outcome.ran, outcome.cached, outcome.seconds),
            {t.number: feasible(t) for t in trials})


def best_chains(front: Frontier | None, chains: dict[int, list[str]]) -> list[dict[str, Any]]:
    """One entry per front group (A, B, ...): its members' trial numbers and chains."""
    if front is None:
        return []
    return [{"group": group_name(k), "trials": members,
             "chains": [chains[i] for i in members]} for k, members in enumerate(front.groups)]


def policies_line(chain: list[str]) -> str:
    return "policies = [" + ", ".join(json.dumps(s) for s in chain) + "]"


def plan_record(outcome: TuneOutcome, sweep: SweepOutcome) -> dict[str, Any]:
    """``plan.json`` as a sweep writes it (``research.sweep.plan_record``): each point
    (a trial, by its number and its chain) with the keys of its runs in ``points/``, so
    ``eccc compare TUNE_DIR@TRIAL`` finds a trial's replications as it finds a sweep
    point's."""
    spec = outcome.spec
    return {"shards": 1, "points": [
        {"index": p.index, "label": p.label,
         "keys": [[t["key"]] for t in trial_tasks(spec, p.index, p.params["policies"])]}
        for p in sweep.spec.points]}


def write_tune(outcome: TuneOutcome, out_dir: Path, executor: str = "") -> Path:
    """Tables, front, ``tune.json``, ``best_chains.toml`` and ``report.html``; the report."""
    out_dir = Path(out_dir)
    spec = outcome.spec
    sweep, feasibility = as_sweep(outcome, out_dir / POINTS_DIR)
    chains = {t.number: list(t.user_attrs["chain"]) for t in completed(outcome.study)}
    rules = [c.describe() for c in spec.constraints]
    front = write_front(sweep, out_dir, feasibility, rules)
    all_trials = outcome.study.get_trials(deepcopy=False)
    meta: dict[str, Any] = {
        "name": spec.name, "sampler": spec.sampler, "seed": spec.seed, "batch": spec.batch,
        "trials": len(all_trials), "completed": len(chains),
        "distinct_chains": len(sweep.spec.points),
        "failed": [{"trial": t.number, "error": t.user_attrs.get("error", "")}
                   for t in all_trials if t.state.name == "FAIL"],
        "objectives": [{"metric": o.metric, "sense": o.sense} for o in spec.objectives],
        "constraints": rules,
        "infeasible": sorted(n for n, ok in feasibility.items() if not ok),
        "hypervolume": hypervolume_history(spec, completed(outcome.study)),
        "importances": importances(spec, outcome.study) if len(chains) >= 2 else {},
        "executor": executor, "ran": outcome.ran, "cached": outcome.cached,
        "seconds": round(outcome.seconds, 3), "best": best_chains(front, chains),
    }
    (out_dir / TUNE_JSON).write_bytes(orjson.dumps(meta, option=orjson.OPT_INDENT_2))
    lines = [f"# eccc tune {spec.name}: the chains on the front at 95% (paired, common random",
             "# numbers). Chains in one group cannot be told apart on any objective.", ""]
    for best in meta["best"]:
        lines.append(f"# group {best['group']}")
        lines += [f"{policies_line(c)}   # trial {n}"
                  for c, n in zip(best["chains"], best["trials"], strict=True)]
        lines.append("")
    (out_dir / BEST).write_text("\n".join(lines), encoding="utf-8")
    _write_atomic(out_dir / PLAN, orjson.dumps(plan_record(outcome, sweep),
                                               option=orjson.OPT_INDENT_2))
    return write_sweep(sweep, out_dir, executor, feasibility, rules)  # reads tune.json too
