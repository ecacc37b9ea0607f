"""SWEEP.toml: a base scenario, the parameters to vary, replications, metrics.

A sweep file is plain data, read into a frozen ``SweepSpec`` (as the scenario
is); points are expanded here, before anything runs, so a typo fails in a
second rather than after an hour of simulation::

    name = "policy_frontier"
    base = "baseline"            # shipped scenario name, or a path relative to this file
    replications = 5             # per point; replication r has the same seed at every point
    seed = 1
    metrics = ["texts_total", "opt_outs"]
    plugins = ["my_policy.py"]   # researchers' policies, relative to this file

    [set]                        # dotted paths applied at every point
    days = 3
    "volume.daily_parcels" = 2000

    [grid]                       # cartesian product of these values ...
    "customers.fatigue.slope" = [0.2, 0.35]

    [[points]]                   # ... crossed with this list (either may be absent)
    label = "milestones, cap"
    policies = ["milestones", "cap_rolling:limit=3"]
    grid = {"policies.cap_rolling.limit" = [2, 3, 4]}   # this point's own grid

A dotted path reaches any scenario field: dict keys, list indices
(``network.facilities.2.capacity_per_hour``), and ``policies.NAME.PARAM``,
which edits the parameter of the policy called NAME in the point's chain
(so it belongs in the ``grid`` of points whose chain has that policy).
"""

from __future__ import annotations

import itertools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.policies import parse_spec
from research.filekeys import check_grid, check_keys

MAX_TASKS = 100_000  # runs in one sweep (points x replications x shards)
KINDS = {"name": "a string", "description": "a string", "base": "a string",
         "scenario": "a table", "replications": "an integer", "seed": "an integer",
         "crn": "true or false", "shards": "an integer", "metrics": "a list of strings",
         "plugins": "a list of strings", "runner": "a string", "set": "a table",
         "grid": "a table", "points": "an array of tables", "pareto": "a table"}
TOP_KEYS = set(KINDS)


class SweepError(ValueError):
    """A sweep file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class Point:
    """One variant: the parameters it sets (dotted path -> value) and a readable label."""

    index: int
    label: str
    params: dict[str, Any]


@dataclass(frozen=True)
class SweepSpec:
    name: str
    base: dict[str, Any]
    points: list[Point]
    replications: int = 3
    seed: int = 1
    crn: bool = True
    shards: int = 1
    metrics: list[str] = field(default_factory=list)
    plugins: list[str] = field(default_factory=list)
    runner: str = "research.sweep:run_point"
    pareto: dict[str, list[str]] = field(default_factory=dict)
    description: str = ""

    def seed_for(self, point: Point, replication: int) -> int:
        """Common random numbers: the seed depends on the replication only.

        With ``crn = false`` every point gets its own seeds (for measuring what
        CRN buys; never what you want for a comparison).
        """
        if self.crn:
            return self.seed + replication
        return self.seed + 1_000_003 * (point.index + 1) + replication

    def seed_error(self) -> str | None:
        """Why the last run's seed would pass 2**63-1 (which ``eccc run --seed`` and the
        scenario refuse), or None: seed + replications (and, without CRN, the points'
        offsets) ran seed 2**63 and beyond."""
        from scenarios.schema import MAX_SEED

        last = (self.seed_for(self.points[-1], self.replications - 1) if self.points
                else self.seed + self.replications - 1)
        if last <= MAX_SEED:
            return None
        return (f"seed {self.seed} with {self.replications} replications"
                + ("" if self.crn else f" and {len(self.points)} points (crn = false)")
                + f" runs seeds up to {last}, past 2**63-1: choose a smaller seed")


def _spec_text(name: str, params: Mapping[str, Any]) -> str:
    def text(v: Any) -> str:
        return ("true" if v else "false") if isinstance(v, bool) else str(v)

    return name + (":" + ",".join(f"{k}={text(v)}" for k, v in params.items()) if params else "")


def _set_policy_param(data: dict[str, Any], name: str, param: str, value: Any) -> None:
    chain = list(data.get("policies", ["every_scan"]))
    for i, spec in enumerate(chain):
        spec_name, params = parse_spec(spec)
        if spec_name == name:
            params[param] = value
            chain[i] = _spec_text(spec_name, params)
            data["policies"] = chain
            return
    raise KeyError(f"no policy {name!r} in the chain {chain}")


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a dotted ``path`` in a scenario dict, creating missing tables."""
    parts = path.split(".")
    if parts[0] == "policies" and len(parts) == 3 and not parts[1].isdigit():
        _set_policy_param(data, parts[1], parts[2], value)
        return
    node: Any = data
    for key, nxt in itertools.pairwise(parts):
        if isinstance(node, list):
            node = node[int(key)]
        else:
            if key not in node:
                node[key] = [] if nxt.isdigit() else {}
            node = node[key]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def apply(base: dict[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``base`` with ``params`` set, in order (policy lists before their
    parameters, since the file lists them so)."""
    import copy

    data = copy.deepcopy(base)
    for path, value in params.items():
        set_path(data, path, copy.deepcopy(value))
    return data


def _show(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "+".join(value)
    return str(value)


def label_for(params: Mapping[str, Any]) -> str:
    if list(params) == ["policies"]:
        return _show(params["policies"])
    return ", ".join(f"{k}={_show(v)}" for k, v in params.items()) or "base"


def _short(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k.rsplit('.', 1)[-1]}={_show(v)}" for k, v in params.items())


def expand(grid: Mapping[str, list[Any]], listed: list[dict[str, Any]]) -> list[Point]:
    """Listed points crossed with the grid's product (each may be empty)."""
    keys = list(grid)
    combos = [dict(zip(keys, values, strict=True))
              for values in itertools.product(*(grid[k] for k in keys))]
    rows = listed or [{}]
    made: list[tuple[str, dict[str, Any], int | None]] = []  # label, params, entry if given
    for i, row in enumerate(rows):
        row = dict(row)
        label = row.pop("label", None)
        local = row.pop("grid", {})  # a point's own grid: parameters only its chain has
        own = [dict(zip(local, values, strict=True))
               for values in itertools.product(*local.values())]
        for combo in ({**o, **c} for o in own for c in combos):
            params = {**row, **combo}
            text = label_for(params) if label is None else (
                f"{label}, {_short(combo)}" if combo else str(label))
            made.append((text, params, i if label is not None else None))
    return [Point(k, text, params) for k, (text, params) in enumerate(_unique(made))]


def _unique(made: list[tuple[str, dict[str, Any], int | None]]
            ) -> list[tuple[str, dict[str, Any]]]:
    """Every point's label, unique: a label names a point (``eccc compare SWEEP@LABEL``,
    the report's tables). Two points the file labels alike are refused, naming both; a
    generated label that repeats another is made unique by its point's index."""
    first: dict[str, int] = {}
    for k, (text, _params, entry) in enumerate(made):
        if entry is None:
            continue
        if text in first:
            j = first[text]
            raise SweepError(
                f"points {made[j][2]} and {entry}: two points are labelled {text!r} "
                f"(points {j} and {k} of the sweep), so {text!r} would not name one; "
                "give them different labels")
        first[text] = k
    taken = {text for text, _params, entry in made if entry is not None}
    out = []
    for k, (text, params, entry) in enumerate(made):
        if entry is None and text in taken:
            text = f"{text} (point {k})"
            while text in taken:
                text += "'"
        taken.add(text)
        out.append((text, params))
    return out


def _base(raw: dict[str, Any], where: Path) -> dict[str, Any]:
    from scenarios.schema import resolve

    if "scenario" in raw:
        if not isinstance(raw["scenario"], dict):
            raise SweepError(f"{where}: scenario: must be a table")
        return dict(raw["scenario"])
    name = raw.get("base")
    if not isinstance(name, str) or not name.strip():
        raise SweepError(f"{where}: base: name a scenario (or give a [scenario] table)")
    local = where.parent / name
    path = local if local.suffix == ".toml" and local.is_file() else resolve(name)
    if not path.is_file():
        raise SweepError(f"{where}: base: no such scenario {name!r} ({path})")
    try:
        return read_toml(path, "scenario", SweepError)
    except SweepError as exc:
        raise SweepError(f"{where}: base: {exc}") from None


def _check_metrics(names: Any, key: str, where: Path) -> None:
    """Every name must be a registered metric (``eccc metrics``), before anything runs."""
    from reports.registry import METRICS, unknown_message

    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise SweepError(f"{where}: {key}: must be a list of metric names")
    for name in names:
        if METRICS.find(name) is None:
            raise SweepError(f"{where}: {key}: {unknown_message(name, METRICS)}")


def parse(raw: dict[str, Any], where: Path) -> SweepSpec:
    """Validate a loaded sweep file; errors name the file and the key."""
    refuse_non_finite(raw, where, SweepError)
    unknown = sorted(set(raw) - TOP_KEYS)
    if unknown:
        raise SweepError(f"{where}: unknown keys {unknown}; allowed: {sorted(TOP_KEYS)}")
    check_keys(raw, KINDS, str(where), SweepError)
    grid = raw.get("grid", {})
    check_grid(grid, str(where), "grid", SweepError)
    listed = raw.get("points", [])
    for i, point in enumerate(listed):
        check_keys(point, {"label": "a string", "grid": "a table"}, str(where), SweepError,
                   f"points {i}: ")
        if "grid" in point:
            check_grid(point["grid"], str(where), f"points {i}: grid", SweepError)
    pareto = raw.get("pareto", {})
    if set(pareto) - {"minimize", "maximize"}:
        raise SweepError(f"{where}: pareto: only 'minimize' and 'maximize' lists")
    check_keys(pareto, {"minimize": "a list of strings", "maximize": "a list of strings"},
               str(where), SweepError, "pareto.")
    base = _base(raw, where)
    try:
        base = apply(base, raw.get("set", {}))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise SweepError(f"{where}: set: {exc}") from None
    reps = raw.get("replications", 3)
    shards = raw.get("shards", 1)
    if (not isinstance(reps, int) or isinstance(reps, bool) or reps < 1
            or not isinstance(shards, int) or isinstance(shards, bool) or shards < 1):
        raise SweepError(f"{where}: replications and shards must be integers >= 1")
    plugins = plugin_paths(raw.get("plugins", []), where, SweepError)
    runner = str(raw.get("runner", "research.sweep:run_point"))
    if runner == "research.sweep:run_point":  # a runner of one's own names its own metrics
        _check_metrics(raw.get("metrics", []), "metrics", where)
        for side in ("minimize", "maximize"):
            _check_metrics(pareto.get(side, []), f"pareto.{side}", where)
    from scenarios.schema import check_name

    name = str(raw.get("name", where.stem))
    try:
        check_name(name, where)
    except ValueError as exc:
        raise SweepError(str(exc)) from None
    from scenarios.schema import MAX_SEED

    seed, crn = raw.get("seed", 1), raw.get("crn", True)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        raise SweepError(f"{where}: seed must be an integer from 0 to 2**63-1, not {seed!r}")
    if not isinstance(crn, bool):
        raise SweepError(f"{where}: crn must be true or false, not {crn!r}")
    size = 0
    for row in listed or [{}]:
        own = 1
        for values in [*grid.values(), *row.get("grid", {}).values()]:
            own *= len(values)
        size += own
    if size * reps * shards > MAX_TASKS:
        raise SweepError(f"{where}: {size:,} points x {reps:,} replications x {shards} shards "
                         f"is more than {MAX_TASKS:,} runs")
    try:
        points = expand(grid, listed)
    except SweepError as exc:
        raise SweepError(f"{where}: {exc}") from None
    spec = SweepSpec(
        name=name, base=base, points=points,
        replications=reps, seed=seed, crn=crn,
        shards=shards, metrics=list(raw.get("metrics", [])), plugins=plugins,
        runner=runner,
        pareto={k: list(v) for k, v in pareto.items()},
        description=str(raw.get("description", "")))
    problem = spec.seed_error()
    if problem is not None:
        raise SweepError(f"{where}: {problem}")
    return spec


def plugin_paths(names: list[str], where: Path, error: type[ValueError]) -> list[str]:
    """The plug-in files, resolved against the study file's folder; each must exist."""
    paths = [(where.parent / p).resolve() for p in names]
    for name, path in zip(names, paths, strict=True):
        if not path.is_file():
            raise error(f"{where}: plugins: no such file {name!r} ({path})")
    return [str(p) for p in paths]


def non_finite(value: Any, at: str = "") -> tuple[str, float] | None:
    """The dotted name and value of the first NaN or infinite number in ``value`` (TOML
    writes them nan and inf), or None. No field of a study file means anything with one:
    a NaN bound passed every comparison and broke Optuna after the trials had run."""
    if isinstance(value, float) and not math.isfinite(value):
        return at or "(the value)", value
    items = (value.items() if isinstance(value, Mapping)
             else enumerate(value) if isinstance(value, list) else ())
    for key, item in items:
        found = non_finite(item, f"{at}[{key}]" if isinstance(key, int)
                           else f"{at}.{key}" if at else str(key))
        if found is not None:
            return found
    return None


def read_toml(where: Path, what: str, error: type[ValueError]) -> dict[str, Any]:
    """A study file's TOML, or ``error`` naming the file and what is wrong with it
    (NaN and infinite numbers included, by the field that holds one)."""
    data = _parse_toml(where, what, error)
    refuse_non_finite(data, where, error)
    return data


def refuse_non_finite(raw: Any, where: Path, error: type[ValueError]) -> None:
    bad = non_finite(raw)
    if bad is not None:
        raise error(f"{where}: {bad[0]}: must be a finite number, not {bad[1]}")


def _parse_toml(where: Path, what: str, error: type[ValueError]) -> dict[str, Any]:
    try:
        return tomllib.loads(where.read_bytes().decode("utf-8-sig"))  # a BOM is allowed
    except FileNotFoundError:
        raise error(f"{where}: no such {what}") from None
    except IsADirectoryError:
        raise error(f"{where}: is a directory, not a {what}") from None
    except UnicodeDecodeError as exc:
        raise error(f"{where}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{where}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses on nested arrays, as the scenario loader knows
        raise error(f"{where}: not a usable TOML file: arrays or tables nested too "
                    "deeply") from None
    except OSError as exc:
        raise error(f"{where}: cannot read the {what}: {exc.strerror or exc}") from None


def load(path: str | Path) -> SweepSpec:
    where = Path(path)
    return parse(read_toml(where, "sweep file", SweepError), where)
