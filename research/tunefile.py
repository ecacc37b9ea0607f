"""TUNE.toml: the policy space to search, the objectives, the constraints.

Plain data read into a frozen ``TuneSpec`` and checked whole before anything
runs (metric names against the registry, policy names and parameters against
the policy registry, the base scenario against its schema)::

    name = "policy_search"
    base = "baseline"              # shipped scenario, or a path relative to this file
    seed = 1                       # the sampler's seed and the first replication's
    replications = 3               # per trial; replication r has the same seed in every trial
    trials = 30
    sampler = "nsga2"              # or "tpe"
    batch = 10                     # trials asked and run together (NSGA-II: its population)
    metrics = ["texts_total"]      # more metrics to tabulate (objectives are always)
    plugins = ["my_policy.py"]

    [set]                          # dotted paths applied to the base, as in a sweep
    "volume.daily_parcels" = 20_000

    [objectives]                   # at most three (``many_objectives = true`` lifts it)
    minimize = ["texts_per_recipient_24h_max_mean", "cost_usd"]
    maximize = ["care_contacts_avoided_vs_no_sms"]

    [constraints]                  # on the mean over replications
    opt_out_rate_per_text = { max = 0.002 }

    [[chain]]                      # the chain, slot by slot: one policy (or "none") each
    choose = ["milestones", "actionable"]
    "actionable.threshold_days" = { low = 1, high = 3 }   # a range (ints; floats if a bound is)

    [[chain]]
    choose = ["none", "cap_rolling", "weekly_budget"]
    "cap_rolling.limit" = { low = 1, high = 6 }
    "cap_rolling.hours" = 24                 # fixed
    "quiet_hours.mode" = ["hold", "drop"]    # a list: one of these (in its own slot)
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from research.filekeys import check_keys, shown
from research.frontier import MAXIMIZE, MINIMIZE, Objective
from research.sweepfile import (
    SweepError,
    _base,
    apply,
    plugin_paths,
    read_toml,
    refuse_non_finite,
)
from scenarios.schema import check_name

KINDS = {"name": "a string", "description": "a string", "base": "a string",
         "scenario": "a table", "seed": "an integer", "replications": "an integer",
         "trials": "an integer", "sampler": "a string", "batch": "an integer",
         "metrics": "a list of strings", "plugins": "a list of strings", "set": "a table",
         "objectives": "a table", "constraints": "a table", "chain": "an array of tables",
         "many_objectives": "true or false"}
TOP_KEYS = set(KINDS)
SAMPLERS = ("nsga2", "tpe")
MAX_OBJECTIVES = 3
NONE = "none"


class TuneError(ValueError):
    """A tune file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    step: float | None = None
    log: bool = False

    @property
    def integer(self) -> bool:
        return all(isinstance(v, int) for v in (self.low, self.high))


Param = Range | list[Any] | Any   # a range, a list of choices, or a fixed value


@dataclass(frozen=True)
class Slot:
    """One place in the chain: which policy goes there, and its parameters."""

    index: int
    choose: list[str]
    params: dict[str, dict[str, Param]]   # policy -> parameter -> Range | choices | value

    @property
    def choice_name(self) -> str:
        return f"chain.{self.index + 1}"


@dataclass(frozen=True)
class Constraint:
    metric: str
    max: float | None = None
    min: float | None = None

    def violation(self, mean: float) -> float:
        """Optuna's convention: <= 0 is feasible."""
        if self.max is not None:
            return mean - self.max
        assert self.min is not None
        return self.min - mean

    def describe(self) -> str:
        return f"{self.metric} <= {self.max}" if self.max is not None else (
            f"{self.metric} >= {self.min}")


@dataclass(frozen=True)
class TuneSpec:
    name: str
    base: dict[str, Any]
    slots: list[Slot]
    objectives: list[Objective]
    constraints: list[Constraint] = field(default_factory=list)
    seed: int = 1
    replications: int = 3
    trials: int = 30
    sampler: str = "nsga2"
    batch: int = 10
    metrics: list[str] = field(default_factory=list)
    plugins: list[str] = field(default_factory=list)
    description: str = ""

    def seed_for(self, replication: int) -> int:
        """Common random numbers: every trial's replication r runs on this seed."""
        return self.seed + replication

    def fingerprint(self) -> str:
        """What a stored study must match to be resumed (not ``trials``: a study may grow)."""
        blob = orjson.dumps({
            "base": self.base, "seed": self.seed, "replications": self.replications,
            "sampler": self.sampler, "batch": self.batch, "plugins": self.plugins,
            "objectives": [(o.metric, o.sense) for o in self.objectives],
            "constraints": [(c.metric, c.max, c.min) for c in self.constraints],
            "slots": [(s.choose, _plain(s.params)) for s in self.slots],
        }, option=orjson.OPT_SORT_KEYS, default=str)
        return hashlib.sha256(blob).hexdigest()[:16]

    @property
    def tracked_metrics(self) -> list[str]:
        """Objectives, constraints, then the extra metrics, each once."""
        names = [o.metric for o in self.objectives] + [c.metric for c in self.constraints]
        return list(dict.fromkeys([*names, *self.metrics]))


def _plain(params: Mapping[str, Mapping[str, Param]]) -> Any:
    return {p: {k: (vars(v) if isinstance(v, Range) else v) for k, v in ps.items()}
            for p, ps in params.items()}


def spec_text(name: str, params: Mapping[str, Any]) -> str:
    """``("cap_rolling", {"limit": 3})`` -> ``"cap_rolling:limit=3"`` (as ``build`` reads it)."""
    def text(v: Any) -> str:
        return ("true" if v else "false") if isinstance(v, bool) else str(v)

    return name + (":" + ",".join(f"{k}={text(v)}" for k, v in params.items()) if params else "")


def _param(value: Any, where: str) -> Param:
    if isinstance(value, dict):
        extra = set(value) - {"low", "high", "step", "log"}
        if extra or "low" not in value or "high" not in value:
            raise TuneError(f"{where}: a range is {{ low = .., high = .. }} (optional step, log);"
                            f" got keys {sorted(value)}")
        low, high = value["low"], value["high"]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high)):
            raise TuneError(f"{where}: low and high must be numbers")
        if low > high:
            raise TuneError(f"{where}: low {low} is above high {high}")
        step, log = value.get("step"), value.get("log", False)
        integer = isinstance(low, int) and isinstance(high, int)
        if step is not None and (not isinstance(step, int | float) or isinstance(step, bool)
                                 or not step > 0):
            raise TuneError(f"{where}: step must be a number above 0, not {shown(step)}")
        if integer and step is not None and not isinstance(step, int):
            raise TuneError(f"{where}: step {step} on a range of integers (low and high are "
                            "integers); give an integer step, or write low and high as "
                            "floats (1.0) for a range of floats")
        if not isinstance(log, bool):
            raise TuneError(f"{where}: log must be true or false, not {shown(log)}")
        if log and step is not None:
            raise TuneError(f"{where}: a range has a step or log = true, not both")
        if log and low <= 0:
            raise TuneError(f"{where}: log = true needs low above 0, not {low}")
        return Range(low, high, step, log)
    if isinstance(value, list):
        if not value:
            raise TuneError(f"{where}: an empty list of choices")
        return list(value)
    return value


def _slot(index: int, raw: Any, where: str) -> Slot:
    if not isinstance(raw, dict):
        raise TuneError(f"{where}: chain entries are tables ([[chain]])")
    choose = raw.get("choose")
    if isinstance(choose, str):
        choose = [choose]
    if not (isinstance(choose, list) and choose and all(isinstance(c, str) for c in choose)):
        raise TuneError(f"{where}: choose = [policy names, or \"none\"]")
    if len(set(choose)) != len(choose):
        raise TuneError(f"{where}: choose lists a policy twice")
    params: dict[str, dict[str, Param]] = {c: {} for c in choose if c != NONE}
    for key, value in raw.items():
        if key == "choose":
            continue
        policy, dot, param = key.partition(".")
        if not dot or not param:
            raise TuneError(f"{where}: {key!r}: parameters are written \"policy.parameter\"")
        if policy not in params:
            raise TuneError(f"{where}: {key!r}: {policy!r} is not among this slot's choices "
                            f"{choose}")
        params[policy][param] = _param(value, f"{where}: {key!r}")
    return Slot(index, list(choose), params)


def _check_policies(spec_slots: list[Slot], where: Path) -> None:
    """Every policy exists and accepts its parameters at both ends of every range."""
    from engine.errors import LocalMisuse
    from engine.policies import build

    seen: dict[str, int] = {}
    for slot in spec_slots:
        for policy, params in slot.params.items():
            if policy in seen:
                raise TuneError(f"{where}: chain {slot.index}: {policy!r} is already in chain "
                                f"{seen[policy]}; a policy may fill one slot only")
            seen[policy] = slot.index
            variants: list[dict[str, Any]] = [{}]
            for name, p in params.items():
                values = [p.low, p.high] if isinstance(p, Range) else (
                    p if isinstance(p, list) else [p])
                variants = [{**v, name: x} for v in variants for x in values][:64]
            for v in variants:
                try:
                    build([spec_text(policy, v)])
                except LocalMisuse as exc:
                    raise TuneError(f"{where}: chain {slot.index}: {exc}") from None


def check_metric(name: str, where: str, sense: str | None = None) -> None:
    """The metric exists in the registry (with did-you-mean) and, for an objective,
    is not optimised against the direction the registry calls better."""
    from reports.registry import UnknownMetric, lookup

    try:
        metric = lookup(name)
    except UnknownMetric as exc:
        raise TuneError(f"{where}: {exc}") from None
    if sense is not None and metric.better:
        wrong = (metric.better == "lower") == (sense == MAXIMIZE)
        if wrong:
            raise TuneError(f"{where}: {name!r} is better {metric.better}; it belongs under "
                            f"{MINIMIZE if metric.better == 'lower' else MAXIMIZE}")


def parse(raw: dict[str, Any], where: Path) -> TuneSpec:
    """Validate a loaded tune file; errors name the file and the key."""
    from research.executors import PluginError, load_plugins

    refuse_non_finite(raw, where, TuneError)
    unknown = sorted(set(raw) - TOP_KEYS)
    if unknown:
        raise TuneError(f"{where}: unknown keys {unknown}; allowed: {sorted(TOP_KEYS)}")
    check_keys(raw, KINDS, str(where), TuneError)
    ints = {k: raw.get(k, d) for k, d in (("seed", 1), ("replications", 3), ("trials", 30))}
    from scenarios.schema import MAX_SEED

    bounds = {"seed": (0, MAX_SEED), "replications": (1, 1000), "trials": (1, 100_000)}
    for k, v in ints.items():
        lo, hi = bounds[k]
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            raise TuneError(f"{where}: {k} must be an integer from {lo} to {hi:,}")
    if ints["seed"] + ints["replications"] - 1 > MAX_SEED:  # replication r runs seed + r
        raise TuneError(f"{where}: seed {ints['seed']} with {ints['replications']} "
                        "replications runs seeds past 2**63-1: choose a smaller seed")
    sampler = raw.get("sampler", "nsga2")
    if sampler not in SAMPLERS:
        raise TuneError(f"{where}: sampler must be one of {list(SAMPLERS)}, not {sampler!r}")
    batch = raw.get("batch", 10)
    if not isinstance(batch, int) or batch < 2:
        raise TuneError(f"{where}: batch must be an integer >= 2 (NSGA-II's population)")
    objectives_raw = raw.get("objectives")
    if not isinstance(objectives_raw, dict) or set(objectives_raw) - {MINIMIZE, MAXIMIZE}:
        raise TuneError(f"{where}: [objectives] needs minimize = [...] and/or maximize = [...]")
    check_keys(objectives_raw, {MINIMIZE: "a list of strings", MAXIMIZE: "a list of strings"},
               str(where), TuneError, "objectives.")
    objectives = [Objective(str(m), sense) for sense in (MINIMIZE, MAXIMIZE)
                  for m in objectives_raw.get(sense, [])]
    if not objectives:
        raise TuneError(f"{where}: objectives: name at least one metric")
    limit = MAX_OBJECTIVES if not raw.get("many_objectives") else len(objectives)
    if len(objectives) > limit:
        raise TuneError(f"{where}: objectives: {len(objectives)} objectives; with more than "
                        f"{MAX_OBJECTIVES} almost nothing is dominated and the front says little "
                        "(turn the rest into [constraints], or set many_objectives = true)")
    if len({o.metric for o in objectives}) != len(objectives):
        raise TuneError(f"{where}: objectives: a metric is listed twice")
    for o in objectives:
        check_metric(o.metric, f"{where}: objectives.{o.sense}", o.sense)
    constraints = []
    for metric, bound in (raw.get("constraints") or {}).items():
        ok = isinstance(bound, dict) and len(bound) == 1 and set(bound) <= {"max", "min"} and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in bound.values())
        if not ok:
            raise TuneError(f"{where}: constraints.{metric}: write {{ max = x }} or {{ min = x }}")
        check_metric(metric, f"{where}: constraints")
        constraints.append(Constraint(metric, bound.get("max"), bound.get("min")))
    for m in raw.get("metrics", []):
        check_metric(str(m), f"{where}: metrics")
    chain = raw.get("chain")
    if not isinstance(chain, list) or not chain:
        raise TuneError(f"{where}: chain: at least one [[chain]] slot")
    slots = [_slot(i, s, f"{where}: chain {i}") for i, s in enumerate(chain)]
    plugins = plugin_paths(raw.get("plugins", []), where, TuneError)
    for plugin in plugins:  # whatever a plug-in raises, one line as --plugin says it
        try:
            load_plugins([plugin])
        except PluginError as exc:
            raise TuneError(f"{where}: plugins: {plugin}: {exc}") from None
    _check_policies(slots, where)
    try:
        base = apply(_base(raw, where), raw.get("set", {}))
    except SweepError as exc:
        raise TuneError(str(exc)) from None
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise TuneError(f"{where}: set: {exc}") from None
    from scenarios.schema import parse as parse_scenario

    try:
        parse_scenario(apply(base, {"policies": ["every_scan"]}), f"{where} (base)")
    except Exception as exc:
        raise TuneError(f"{where}: the base scenario: {exc}") from None
    name = str(raw.get("name", where.stem))
    try:
        check_name(name, where)
    except ValueError as exc:
        raise TuneError(str(exc)) from None
    return TuneSpec(
        name=name, base=base, slots=slots, objectives=objectives,
        constraints=constraints, seed=ints["seed"], replications=ints["replications"],
        trials=ints["trials"], sampler=sampler, batch=batch,
        metrics=[str(m) for m in raw.get("metrics", [])], plugins=plugins,
        description=str(raw.get("description", "")))


def load(path: str | Path) -> TuneSpec:
    where = Path(path)
    return parse(read_toml(where, "tune file", TuneError), where)
