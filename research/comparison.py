"""``eccc compare``: runs side by side, with each difference weighed against its noise.

Each argument is a run directory (it holds ``summary.json``), a directory of
replications (its subdirectories do), or a point of a sweep (``SWEEP_DIR@POINT``,
the point's index or label; its replications are the group). The first argument
is the reference; every other is compared with it metric by metric: the means,
the difference and the relative change, sorted by the size of the change.

Runs that differ in scale, days or structure (facilities, run span) are refused
unless ``force``: the difference would be the set-up's, not the what-if's.

The noise: when both sides have replications on the same seeds (common random
numbers, as ``eccc sweep`` and ``eccc run --replications`` arrange) the test is
on the paired differences (paired t, 95%); otherwise Welch's test between the
groups (cautious under common random numbers); for single runs the noise is
unknown and the table says so rather than pretending.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from research.noise import t_two_sided_p, welch

SUMMARY = "summary.json"


class CompareError(ValueError):
    pass


@dataclass
class Group:
    label: str
    runs: list[Path]
    summaries: list[dict[str, Any]]
    where: list[str] = field(default_factory=list)  # where each summary came from

    def values(self, metric: str) -> list[float]:
        return [float(s[metric]) for s in self.summaries if _numeric(s.get(metric))]

    def by_seed(self, metric: str) -> dict[Any, float]:
        return {s.get("seed"): float(s[metric]) for s in self.summaries
                if _numeric(s.get(metric)) and s.get("seed") is not None}


def _numeric(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CompareError(f"{path}: unreadable ({exc})") from None
    except RecursionError:  # json recurses on nested arrays: '[' * 100000 was a traceback
        raise CompareError(f"{path}: unreadable (arrays or objects nested too deeply)") from None
    return data if isinstance(data, dict) else {}


def _summary(path: Path) -> dict[str, Any]:
    """A run's summary.json: a table of metrics, at least one of them a number."""
    data = _read(path)
    if not any(_numeric(v) for v in data.values()):
        raise CompareError(f"{path}: not a run summary (no metrics in it)")
    return data


def load_group(path: Path | str) -> Group:
    """A run directory, a directory of replications, ``SWEEP_DIR@POINT`` or
    ``TUNE_DIR@TRIAL`` (a tune directory is written as a sweep's, one point per trial)."""
    text = str(path)
    if "@" in text and not Path(text).exists():
        sweep, _, point = text.rpartition("@")
        _refuse_incomplete(Path(sweep))
        return load_sweep_point(Path(sweep), point)
    path = Path(path)
    _refuse_incomplete(path)
    replicated = _what_if_replications(path)
    if replicated:
        if path.name == _COUNTERFACTUAL:  # its what-if is the parent's: finished or not
            _refuse_incomplete(path.parent)
        for run in replicated:
            _refuse_incomplete(run)
        summaries = [_summary(run / SUMMARY) for run in replicated]
        return Group(_label(path), replicated, summaries, [str(r) for r in replicated])
    runs = [path] if (path / SUMMARY).is_file() else sorted(
        d for d in path.glob("*") if (d / SUMMARY).is_file())
    if not runs:
        hint = (" (a sweep directory: pick a point with DIR@POINT)"
                if (path / "points").is_dir() else "")
        raise CompareError(f"{path}: no {SUMMARY} in it or in its subdirectories{hint}")
    for run in runs:
        _refuse_incomplete(run)
    summaries = [_summary(run / SUMMARY) for run in runs]
    return Group(_label(path), runs, summaries, [str(r) for r in runs])


INCOMPLETE = "INCOMPLETE"  # sim.run's and research.sweepdir's mark of an unfinished run


def _refuse_incomplete(path: Path) -> None:
    """A run, sweep or tune directory that did not finish (its ``INCOMPLETE`` mark is
    there) is not compared: its tables or replications are partial, and were compared
    as if complete."""
    if (path / INCOMPLETE).is_file():
        raise CompareError(f"{path}: did not finish (see {path / INCOMPLETE}); rerun the "
                           "command that wrote it to complete it, then compare")


# A what-if run with --replications N keeps every pair: replications/seed-S/summary.json
# and replications/seed-S/counterfactual/summary.json (research.whatif).
_REPLICATIONS = "replications"
_COUNTERFACTUAL = "counterfactual"


def _what_if_replications(path: Path) -> list[Path]:
    """A what-if run directory with replications: every replication's run directory of
    its scenario side (``RUN``) or of its counterfactual (``RUN/counterfactual``), in
    seed order, so both sides are groups on the same seeds (a paired test)."""
    if (path / _REPLICATIONS).is_dir() and (path / SUMMARY).is_file():
        root, side = path / _REPLICATIONS, ""
    elif (path.name == _COUNTERFACTUAL and (path.parent / _REPLICATIONS).is_dir()
          and (path / SUMMARY).is_file()):
        root, side = path.parent / _REPLICATIONS, _COUNTERFACTUAL
    else:
        return []
    runs = [(d / side if side else d) for d in root.glob("seed-*")]
    found = [r for r in runs if (r / SUMMARY).is_file()]

    def seed(run: Path) -> int:
        name = (run.parent if side else run).name
        return int(name[5:]) if name[5:].isdigit() else -1

    return sorted(found, key=seed)


def _label(path: Path) -> str:
    """A group's name: its directory's, with its parent's when the name alone says
    nothing of which run it is (``counterfactual``, ``replications``)."""
    name = path.name or str(path)
    if name in (_REPLICATIONS, _COUNTERFACTUAL) and path.parent.name:
        return f"{path.parent.name}/{name}"
    return name


def _sweep_plan(sweep: Path) -> list[dict[str, Any]]:
    """The points of ``plan.json`` (research.sweep): index, label, keys per replication."""
    path = sweep / "plan.json"
    if not (sweep / "points").is_dir():
        raise CompareError(f"{sweep}: not a sweep directory (no points/)")
    if not path.is_file():
        command = "tune" if (sweep / "study.db").is_file() else "sweep"
        raise CompareError(f"{sweep}: no plan.json, so its points cannot be told apart (an "
                           f"older {command}: rerun its eccc {command} command with --out "
                           f"{sweep}; finished runs are reused, not rerun)")
    data = _read(path)
    points = data.get("points")
    if not isinstance(points, list) or not all(
            isinstance(p, dict) and isinstance(p.get("index"), int)
            and isinstance(p.get("label"), str) and isinstance(p.get("keys"), list)
            for p in points):
        raise CompareError(f"{path}: not a sweep plan")
    return points


def load_sweep_point(sweep: Path, point: str) -> Group:
    """A sweep's point (by index or label) as a group of its replications.

    Its runs are found through the keys ``plan.json`` lists for it: a stored run is
    keyed by its scenario, so it may be shared with another point or have been written
    when the points were listed in another order."""
    points = _sweep_plan(sweep)
    chosen = next((p for p in points if str(p["index"]) == point), None)
    if chosen is None:
        named = [p for p in points if p["label"] == point]
        if len(named) > 1:  # it silently took the first: another point's numbers
            which = ", ".join(str(p["index"]) for p in named)
            raise CompareError(f"{sweep}: {len(named)} points are labelled {point!r} "
                               f"(points {which}); name one by its index, {sweep}@INDEX")
        chosen = named[0] if named else None
    if chosen is None:
        known = "; ".join(f"{p['index']}: {p['label']}" for p in points)
        raise CompareError(f"{sweep}: no point {point!r} (points: {known or 'none'})")
    summaries, where = [], []
    for rep, keys in enumerate(chosen["keys"]):
        parts = []
        for key in keys if isinstance(keys, list) else []:
            path = sweep / "points" / f"{key}.json"
            rec = _read(path) if path.is_file() else {}
            # A sweep's record says "ok"; a tune's (research.tune) is only ever written
            # for a run that finished, so a summary is enough.
            if (rec.get("ok", "error" not in rec)
                    and isinstance(rec.get("summary"), dict)):
                parts.append(rec)
        if not parts or len(parts) != len(keys):
            continue  # not run yet, failed, or a shard missing: the sweep left it out too
        if len(parts) == 1:
            summaries.append(parts[0]["summary"])
        else:  # a sharded sweep: merge the shards (listed in order) as the sweep does
            from research.shards import merge

            summaries.append(merge([(p["summary"], p.get("distributions") or {})
                                    for p in parts]).summary)
        where.append(f"{sweep}@{chosen['index']} replication {rep}")
    if not summaries:
        raise CompareError(f"{sweep}@{point}: no finished replications")
    return Group(f"{sweep.name}@{chosen['label']}", [sweep] * len(summaries), summaries, where)


# What must match for a difference to be the what-if's, not the set-up's.
def _facilities(s: dict[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(k[len("facility_"):-len("_processed")] for k in s
                        if k.startswith("facility_") and k.endswith("_processed")))


def _shards(s: dict[str, Any]) -> int:
    n = s.get("shards")
    return n if isinstance(n, int) and not isinstance(n, bool) and n > 1 else 1


def _shards_text(n: int) -> str:
    return "one model (exact)" if n == 1 else f"{n} shards merged"


def mismatches(groups: list[Group]) -> list[str]:
    """How the runs differ in set-up (scale, days, run span, facilities); empty if alike."""
    ref = groups[0]
    if not ref.summaries:
        return []
    r0 = ref.summaries[0]
    out = []
    for g in groups:
        for where, s in zip(g.where, g.summaries, strict=True):
            for key, what in (("scale", "scale"), ("days", "days"), ("run_span_h", "run span")):
                a, b = r0.get(key), s.get(key)
                if a is not None and b is not None and a != b:
                    out.append(f"{what}: {a} in {ref.where[0]} but {b} in {where}")
            # A sharded run (--shards N) is N smaller models merged: the split's artefacts
            # (shard boundaries, per-shard carriers and care queues) would read as effects.
            sa, sb = _shards(r0), _shards(s)
            if sa != sb:
                out.append(f"shards: {_shards_text(sa)} in {ref.where[0]} but "
                           f"{_shards_text(sb)} in {where}")
            fa, fb = _facilities(r0), _facilities(s)
            if fa != fb:
                only_a = sorted(set(fa) - set(fb))
                only_b = sorted(set(fb) - set(fa))
                out.append(f"structure: facilities only in {ref.where[0]}: "
                           f"{', '.join(only_a) or 'none'}; only in {where}: "
                           f"{', '.join(only_b) or 'none'}")
    return list(dict.fromkeys(out))


def _paired(ref: Group, other: Group, name: str) -> list[float] | None:
    """The differences ``other - ref`` seed by seed when every replication on both sides
    has a partner on the same seed (common random numbers), else None."""
    a, b = ref.by_seed(name), other.by_seed(name)
    seeds = sorted(set(a) & set(b), key=str)
    if len(seeds) >= 2 and len(seeds) == len(ref.values(name)) == len(other.values(name)):
        return [b[k] - a[k] for k in seeds]
    return None


def _mean(values: list[float]) -> float:
    """The mean, exact where it can be: identical values give that value (fsum / n of
    three 0.8s is 0.8000000000000002), else fsum / n (not a running sum's rounding)."""
    if all(v == values[0] for v in values):
        return values[0]
    return math.fsum(values) / len(values)


def _difference(ref: Group, other: Group, name: str) -> float:
    """``other``'s mean less ``ref``'s; for paired runs the mean of the paired
    differences (the same number in exact arithmetic), so that a difference of -354 in
    every pair is -354, not the two means' -353.9999999999999."""
    d = _paired(ref, other, name)
    if d is not None:
        return _mean(d)
    return _mean(other.values(name)) - _mean(ref.values(name))


def _verdict(ref: Group, other: Group, name: str, diff: float) -> str:
    d = _paired(ref, other, name)
    if d is not None:
        n = len(d)
        mean = _mean(d)
        var = math.fsum((x - mean) ** 2 for x in d) / (n - 1)
        # The same to rounding, as eccc run's table judges it (research.whatif): share
        # differences 0.8 - 0.7 and 0.6 - 0.5 differ in the last bit, and an exact test
        # called that spread-free difference "yes (paired t p=1e-31)".
        if var == 0.0 or max(d) - min(d) <= 1e-12 * max(1.0, max(abs(x) for x in d)):
            # The same difference on every seed: real under common random numbers, but
            # no spread to measure the noise from (as eccc run's "what changed" says it).
            return "same" if mean == 0 else f"identical in every pair (n={n})"
        t = mean / math.sqrt(var / n)
        p = t_two_sided_p(t, n - 1)
        return f"{'yes' if p < 0.05 else 'no'} (paired t p={p:.3g}, n={n})"
    test = welch(ref.values(name), other.values(name))
    if test is None:
        return "noise unknown (single run)" if diff else "same"
    return (f"yes (Welch p={test.p:.3g})" if test.exceeds_noise()
            else f"no (Welch p={test.p:.3g})")


def differences(groups: list[Group], metrics: list[str] | None = None
                ) -> tuple[list[str], list[list[Any]]]:
    """Header and rows: metric, each group's mean, then per other group the difference,
    the relative change (%) and whether it exceeds the noise; largest change first."""
    ref = groups[0]
    names = metrics or sorted({k for g in groups for s in g.summaries for k, v in s.items()
                               if _numeric(v) and k != "seed"})
    header = ["metric", *[f"{g.label} (n={len(g.summaries)})" for g in groups]]
    for g in groups[1:]:
        header += [f"{g.label} - {ref.label}", "change %", "exceeds noise?"]
    rows = []
    for name in names:
        vals = [g.values(name) for g in groups]
        # null in a summary: nothing to measure there (no deliveries, ...): n/a, no verdict
        na = [any(name in s and s[name] is None for s in g.summaries) for g in groups]
        means = ["n/a" if not v and gna else _mean(v) if v else ""
                 for v, gna in zip(vals, na, strict=True)]
        row: list[Any] = [name, *means]
        for g, v, gna in zip(groups[1:], vals[1:], na[1:], strict=True):
            if na[0] or gna:
                where = ", ".join(x.label for x, y in ((ref, na[0]), (g, gna)) if y)
                row += ["", "", f"not comparable (n/a in {where})"]
                continue
            if not v or not vals[0]:
                row += ["", "", "missing"]
                continue
            base = _mean(vals[0])
            diff = _difference(ref, g, name)
            pct: Any = 100.0 * diff / abs(base) if base else ("" if diff else 0.0)
            row += [diff, pct, _verdict(ref, g, name, diff)]
        rows.append(row)

    def size(row: list[Any]) -> tuple[int, float, str]:
        pcts = [c for c in row[len(groups) + 2::3]]
        diffs = [c for c in row[len(groups) + 1::3]]
        if any(isinstance(d, float) and d and p == "" for d, p in zip(diffs, pcts, strict=True)):
            return (0, 0.0, row[0])  # from zero to something
        biggest = max((abs(p) for p in pcts if isinstance(p, float)), default=0.0)
        return (1 if biggest else 2, -biggest, row[0])

    return header, sorted(rows, key=size)


def format_cells(header: list[str], rows: list[list[Any]]) -> list[list[str]]:
    """Each value in its metric's registered unit as ``eccc run`` and the report show it
    ("2.9 h", "93.5%", "+1.2 pp", "$1,180.55"; ``reports.html.fmt_unit``), differences
    signed, changes as "+1.2%" (``reports.html.fmt_pct``); a metric not in the registry as
    a plain number. The terminal and differences.html both show these."""
    from reports.html import fmt_pct, fmt_unit
    from reports.registry import METRICS

    diffs = {i for i in range(1, len(header) - 1) if header[i + 1] == "change %"}

    def cell(c: Any, col: int, unit: str | None) -> str:
        if isinstance(c, bool) or not isinstance(c, int | float):
            return str(c)
        if header[col] == "change %":
            return fmt_pct(float(c))
        if unit is not None and math.isfinite(c):
            return fmt_unit(float(c), unit, signed=col in diffs)
        sign = "+" if col in diffs and c > 0 else ""
        return sign + (f"{c:,.4g}" if abs(c) < 1e6 else f"{c:,.0f}")

    def unit_of(name: Any) -> str | None:
        m = METRICS.find(str(name))
        return m.unit if m else None

    return [[cell(c, i, unit_of(r[0]) if i else None) for i, c in enumerate(r)]
            for r in rows]


def format_rows(header: list[str], rows: list[list[Any]]) -> str:
    """Aligned columns for the terminal (numbers right-aligned), formatted as
    ``format_cells``. differences.csv keeps the raw values."""
    from reports.html import looks_numeric

    table = [header, *format_cells(header, rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    return "\n".join("  ".join(c.rjust(w) if i and looks_numeric(c) else c.ljust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                     for r in table)


FORCED = "FORCED despite set-up differences: "


def forced_line(differ: list[str]) -> str:
    """The one line that says a comparison was forced, and how the runs differ."""
    return FORCED + "; ".join(differ)


def _check_metrics(metrics: list[str], groups: list[Group]) -> None:
    """Each ``--metric`` must be measured by at least one of the runs: a name in neither
    (a typo, or a metric these runs do not have) was a row of blanks counted as 'did not
    change'. Unknown names get suggestions from the registry and the runs' own metrics."""
    from reports.registry import METRICS, unknown_message

    measured = {k for g in groups for s in g.summaries for k, v in s.items() if _numeric(v)}
    for m in metrics:
        if m in measured:
            continue
        if METRICS.find(m) is None:
            names = measured | set(METRICS._by_name)
            raise CompareError(f"--metric: {unknown_message(m, names)}")
        raise CompareError(f"--metric {m}: none of the runs measured it")


def compare(paths: list[Path], out_dir: Path, metrics: list[str] | None = None,
            force: bool = False, forced: list[str] | None = None
            ) -> tuple[list[str], list[list[Any]], Path]:
    """Write differences.csv, differences.html and the figures page; return the table.
    ``forced``, when given, receives the set-up differences ``force`` compared despite
    (for the terminal: the page says so too)."""
    from reports.compare import render_comparison
    from reports.pareto import differences_page

    if len(paths) < 2:
        raise CompareError("compare needs at least two run directories")
    for i, a in enumerate(paths):
        for b in paths[i + 1:]:
            if "@" not in str(a) and Path(a).exists() and Path(b).exists() \
                    and Path(a).resolve() == Path(b).resolve():
                raise CompareError(f"{a} and {b} are the same run: nothing to compare")
    groups = [load_group(p) for p in paths]
    labels = [g.label for g in groups]
    for g, p in zip(groups, paths, strict=True):
        if labels.count(g.label) > 1:  # two runs of one name, in different places
            g.label = str(p)
    if metrics:
        metrics = list(dict.fromkeys(metrics))  # --metric x --metric x is one metric
        _check_metrics(metrics, groups)
    differ = mismatches(groups)
    if differ and not force:
        raise CompareError("the runs differ in set-up, so their differences would not be the "
                           "what-if's:\n  " + "\n  ".join(differ)
                           + "\n(rerun them alike, or pass --force to compare anyway)")
    header, rows = differences(groups, metrics)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "differences.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    # The overlay figures show one run per group: the first replication. A what-if run
    # directory holds its first replication whole (series, distributions), where
    # replications/seed-S holds only its summary: the directory given is drawn then.
    dirs = [Path(p) if "@" not in str(p) and (Path(p) / SUMMARY).is_file() else g.runs[0]
            for g, p in zip(groups, paths, strict=True)]
    if all((d / SUMMARY).is_file() for d in dirs):  # a sweep point has summaries only
        render_comparison(dirs, out_dir, [g.label for g in groups])
    single = any(len(g.summaries) < 2 for g in groups)
    note = ("Differences are against the first run. " + (
        "At least one side is a single run, so its noise is unknown: give a directory of "
        "replications to test differences." if single else
        "Paired t test where both sides share seeds, else Welch's test, 95%.")) + (
        " " + forced_line(differ) if differ else "")
    if forced is not None:
        forced.extend(differ)
    page = out_dir / "differences.html"
    page.write_text(differences_page([g.label for g in groups], header,
                                     format_cells(header, rows), note),
                    encoding="utf-8")
    return header, rows, page
