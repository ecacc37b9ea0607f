"""``eccc tune``: search the policy space with Optuna, every trial on common random numbers.

The loop is ask-and-tell in batches, so the simulation runs on the sweep's
executors (``research.executors``: in this process, a process pool, Dask)
while Optuna stays in this process:

1. a fresh sampler, seeded by the tune file's seed and the number of trials
   already in the study, asks for ``batch`` trials (NSGA-II's population);
2. each trial's chain runs ``replications`` times, replication r on the same
   seed in every trial (common random numbers), each run cached under
   ``points/<key>.json`` exactly as a sweep caches its points;
3. the trials are told in trial order: the mean of each objective over the
   replications, each constraint's violation (<= 0 is feasible), and the
   per-replication values as a user attribute for the paired front.

Because the sampler is re-seeded from what the study holds and results are
told in a fixed order, the same tune file and seed give the same study on any
executor, and a study interrupted at any point resumes to the same trials
(``study.db`` is Optuna's SQLite storage, beside the results; trials left
running are re-evaluated, mostly from the cache, and told).

Tune directory: ``study.db``, ``points/``, then what a sweep writes
(``replications.csv``, ``points.csv``, ``front.json``, ``report.html``) with
``tune.json`` (hypervolume by trial, importances, best chains) and
``best_chains.toml``.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from research.executors import Executor, InProcess
from research.noise import mean_interval
from research.sweep import POINTS_DIR, _write_atomic, evaluate, task_key
from research.sweepfile import apply
from research.tunefile import NONE, Range, TuneError, TuneSpec, spec_text

STUDY_DB = "study.db"
RUNNER = "research.sweep:run_point"
INSTALL_HINT = "eccc tune needs Optuna: pip install 'eccc-sim[tune]'"


def require_optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise TuneError(INSTALL_HINT) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def make_sampler(spec: TuneSpec, asked: int) -> Any:
    """The sampler for the batch that starts after ``asked`` trials (seeded from both)."""
    optuna = require_optuna()
    seed = (spec.seed * 1_000_003 + asked) % 2**32
    if spec.sampler == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.NSGAIISampler(population_size=spec.batch, seed=seed)


def suggest_chain(trial: Any, spec: TuneSpec) -> list[str]:
    """The trial's policy chain, slot by slot (works on a live or a ``FixedTrial``)."""
    chain = []
    for slot in spec.slots:
        name = slot.choose[0] if len(slot.choose) == 1 else trial.suggest_categorical(
            slot.choice_name, slot.choose)
        if name == NONE:
            continue
        params: dict[str, Any] = {}
        for pname, p in slot.params[name].items():
            key = f"{name}.{pname}"
            if isinstance(p, Range):
                if p.integer:
                    params[pname] = trial.suggest_int(key, int(p.low), int(p.high),
                                                      step=int(p.step or 1), log=p.log)
                else:
                    params[pname] = trial.suggest_float(key, float(p.low), float(p.high),
                                                        step=p.step, log=p.log)
            elif isinstance(p, list):
                params[pname] = trial.suggest_categorical(key, p)
            else:
                params[pname] = p
        chain.append(spec_text(name, params))
    return chain or ["every_scan"]  # an empty chain is the engine's default


def chain_label(chain: Sequence[str]) -> str:
    return " + ".join(chain)


def trial_tasks(spec: TuneSpec, number: int, chain: list[str]) -> list[dict[str, Any]]:
    from scenarios.schema import parse

    scenario = parse(apply(spec.base, {"policies": chain}), f"trial {number}").model_dump(
        mode="json")
    tasks = []
    for rep in range(spec.replications):
        seed = spec.seed_for(rep)
        tasks.append({"trial": number, "replication": rep, "seed": seed, "shard": 0,
                      "scenario": scenario, "runner": RUNNER, "plugins": spec.plugins,
                      "keep_distributions": False,
                      "key": task_key(scenario, seed, RUNNER, (0, 1))})
    return tasks


@dataclass
class TuneOutcome:
    spec: TuneSpec
    study: Any
    ran: int = 0          # simulation runs this invocation
    cached: int = 0       # runs found on disk
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def _run_batch(spec: TuneSpec, study: Any, batch: list[tuple[Any, list[str]]], store: Path,
               executor: Executor, outcome: TuneOutcome, bar: Any) -> None:
    """Run every replication of every trial in ``batch``, then tell them in trial order."""
    optuna = require_optuna()
    per_trial = {trial.number: trial_tasks(spec, trial.number, chain) for trial, chain in batch}
    results: dict[str, dict[str, Any]] = {}
    todo: list[dict[str, Any]] = []
    for tasks in per_trial.values():
        for task in tasks:
            path = store / f"{task['key']}.json"
            if task["key"] in results or any(t["key"] == task["key"] for t in todo):
                continue
            if path.is_file():
                results[task["key"]] = orjson.loads(path.read_bytes())
                outcome.cached += 1
            else:
                todo.append(task)
    for i, result in executor.run(evaluate, todo):
        task = todo[i]
        if result["ok"]:
            record = {"seed": task["seed"], "key": task["key"], "chain": task["scenario"].get(
                "policies"), "summary": result["summary"], "seconds": result["seconds"]}
            _write_atomic(store / f"{task['key']}.json", orjson.dumps(record))
            results[task["key"]] = record
        else:
            results[task["key"]] = {"error": result["error"]}
        outcome.ran += 1
        if bar is not None:
            bar.update(1)
    for trial, chain in sorted(batch, key=lambda tc: tc[0].number):
        runs = [results[t["key"]] for t in per_trial[trial.number]]
        errors = [r["error"] for r in runs if "error" in r]
        if errors:
            trial.set_user_attr("error", errors[0])
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            outcome.failures.append(f"trial {trial.number} [{chain_label(chain)}]: {errors[0]}")
            continue
        values = {m: [_number(r["summary"].get(m)) for r in runs] for m in spec.tracked_metrics}
        trial.set_user_attr("replications", values)
        means = {m: mean_interval(v).mean for m, v in values.items()}
        # Only what Optuna is told must be measured in every replication: a metric kept
        # for the tables alone may be null (an empty population) without failing the trial.
        judged = dict.fromkeys([o.metric for o in spec.objectives]
                               + [c.metric for c in spec.constraints])
        bad = [m for m in judged if not math.isfinite(means[m])
               or not all(math.isfinite(x) for x in values[m])]
        if bad:
            trial.set_user_attr("error", f"no value for {', '.join(bad)}")
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            outcome.failures.append(f"trial {trial.number}: the runs reported no {bad}")
            continue
        for c in spec.constraints:
            trial.set_constraint(c.metric, c.violation(means[c.metric]))
        study.tell(trial, [means[o.metric] for o in spec.objectives])


def _number(v: Any) -> float:
    # A count stays an int (as the run reported it), so the tables write "159", not
    # "159.0", as a sweep's do (research.sweep._cell decides by the value's type).
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    return float(v) if isinstance(v, float) else math.nan


def open_study(spec: TuneSpec, out_dir: Path) -> Any:
    """Create the study in ``out_dir/study.db``, or load it if the same tune file made it."""
    optuna = require_optuna()
    out_dir.mkdir(parents=True, exist_ok=True)
    storage = f"sqlite:///{(out_dir / STUDY_DB).resolve()}"
    study = optuna.create_study(study_name=spec.name, storage=storage, load_if_exists=True,
                                directions=[o.sense for o in spec.objectives])
    stored = study.user_attrs.get("fingerprint")
    finished = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.FAIL)
    if stored not in (None, spec.fingerprint()) and not study.get_trials(
            deepcopy=False, states=finished):
        # A study that never told a trial (its run stopped in the first batch) holds
        # nothing to keep: the mended file starts it again rather than being refused.
        optuna.delete_study(study_name=spec.name, storage=storage)
        study = optuna.create_study(study_name=spec.name, storage=storage,
                                    directions=[o.sense for o in spec.objectives])
        stored = None
    if stored is None:
        study.set_user_attr("fingerprint", spec.fingerprint())
    elif stored != spec.fingerprint():
        raise TuneError(f"{out_dir}: holds a study of a different tune file (its space, "
                        "objectives, seed or base changed); give another --out, or delete "
                        f"{out_dir / STUDY_DB} to start over")
    return study


def run_tune(spec: TuneSpec, out_dir: Path, executor: Executor | None = None,
             trials: int | None = None, progress: bool = False) -> TuneOutcome:
    """Grow the study in ``out_dir`` to ``trials`` finished trials (the file's by default)."""
    optuna = require_optuna()
    from research.executors import load_plugins

    load_plugins(spec.plugins)
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    study = open_study(spec, out_dir)
    store = out_dir / POINTS_DIR
    store.mkdir(exist_ok=True)
    executor = executor or InProcess()
    target = trials or spec.trials
    outcome = TuneOutcome(spec, study)
    states = optuna.trial.TrialState
    finished = (states.COMPLETE, states.FAIL)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(desc=f"tune {spec.name}", unit="run", file=sys.stderr,
                   total=max(0, target - len(study.get_trials(states=finished)))
                   * spec.replications)
    try:
        # Trials an interrupted tune left running: same parameters, runs mostly cached.
        left = [t for t in study.get_trials(deepcopy=False, states=(states.RUNNING,))]
        if left:
            batch = [(optuna.trial.Trial(study, t._trial_id),
                      suggest_chain(optuna.trial.FixedTrial(t.params, t.number), spec))
                     for t in left]
            _run_batch(spec, study, batch, store, executor, outcome, bar)
        while (done := len(study.get_trials(deepcopy=False, states=finished))) < target:
            study.sampler = make_sampler(spec, len(study.get_trials(deepcopy=False)))
            batch = []
            for _ in range(min(spec.batch, target - done)):
                trial = study.ask()
                chain = suggest_chain(trial, spec)
                trial.set_user_attr("chain", chain)
                batch.append((trial, chain))
            _run_batch(spec, study, batch, store, executor, outcome, bar)
    finally:
        if bar is not None:
            bar.close()  # before any message of an interruption
    outcome.seconds = time.perf_counter() - t0
    return outcome


# ----------------------------------------------------------------------- reporting


def completed(study: Any) -> list[Any]:
    optuna = require_optuna()
    trials: list[Any] = study.get_trials(deepcopy=False,
                                         states=(optuna.trial.TrialState.COMPLETE,))
    return trials


def feasible(trial: Any) -> bool:
    return all(v <= 0.0 for v in trial.constraints.values())


def hypervolume(costs: Sequence[Sequence[float]], reference: Sequence[float]) -> float:
    """Exact hypervolume dominated by ``costs`` (minimised) up to ``reference``, by slicing
    along the last objective (fine for the <= 3 objectives and hundreds of trials here)."""
    pts = [tuple(c) for c in costs if all(x < r for x, r in zip(c, reference, strict=True))]
    if not pts:
        return 0.0
    if len(reference) == 1:
        return reference[0] - min(p[0] for p in pts)
    pts.sort(key=lambda p: p[-1])
    volume = 0.0
    for i, p in enumerate(pts):
        upper = pts[i + 1][-1] if i + 1 < len(pts) else reference[-1]
        if upper > p[-1]:
            volume += (upper - p[-1]) * hypervolume([q[:-1] for q in pts[: i + 1]],
                                                    reference[:-1])
    return volume


def hypervolume_history(spec: TuneSpec, trials: Sequence[Any]) -> list[tuple[int, float]]:
    """(trial number, hypervolume of the feasible trials so far), objectives scaled to
    [0, 1] over all feasible completed trials, reference point 1.1 on each."""
    ok = [t for t in trials if feasible(t)]
    if not ok:
        return []
    signs = [1.0 if o.sense == "minimize" else -1.0 for o in spec.objectives]
    raw = {t.number: [s * v for s, v in zip(signs, t.values, strict=True)] for t in ok}
    lows = [min(c[k] for c in raw.values()) for k in range(len(signs))]
    highs = [max(c[k] for c in raw.values()) for k in range(len(signs))]
    scaled = {n: [(x - lo) / (hi - lo) if hi > lo else 0.0
                  for x, lo, hi in zip(c, lows, highs, strict=True)] for n, c in raw.items()}
    ref = [1.1] * len(signs)
    history, seen = [], []
    for t in sorted(trials, key=lambda t: t.number):
        if t.number in scaled:
            seen.append(scaled[t.number])
        history.append((t.number, hypervolume(seen, ref)))
    return history


def importances(spec: TuneSpec, study: Any) -> dict[str, dict[str, float]]:
    """Parameter importances per objective (Optuna's default evaluator, PED-ANOVA, which
    handles the conditional parameters of optional policies); {} when too few trials."""
    import warnings

    optuna = require_optuna()
    out: dict[str, dict[str, float]] = {}
    for k, o in enumerate(spec.objectives):
        sign = 1.0 if o.sense == "minimize" else -1.0  # the evaluator looks for low targets
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "few trials per regime": said in the report
                imp = optuna.importance.get_param_importances(
                    study, target=lambda t, k=k, sign=sign: sign * t.values[k])
        except (ValueError, RuntimeError, ZeroDivisionError):
            continue
        out[o.metric] = {name: round(float(v), 4) for name, v in imp.items()}
    return out
