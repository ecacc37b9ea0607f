"""``eccc compare``: runs side by side, with each difference weighed against its noise.

Each argument is a run directory (it holds ``summary.json``) or a directory of
replications (its subdirectories do). The first argument is the reference;
every other is compared with it metric by metric. When both sides have two or
more replications, Welch's test says whether the difference exceeds the noise
between replications (95%); for single runs the noise is unknown and the
table says so rather than pretending. Replications meant for comparison
should share seeds across the compared variants (common random numbers), as
``eccc sweep`` arranges; Welch's test then errs on the cautious side.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from research.noise import welch

SUMMARY = "summary.json"


class CompareError(ValueError):
    pass


@dataclass
class Group:
    label: str
    runs: list[Path]
    summaries: list[dict[str, Any]]

    def values(self, metric: str) -> list[float]:
        return [float(s[metric]) for s in self.summaries if _numeric(s.get(metric))]


def _numeric(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def load_group(path: Path) -> Group:
    """A run directory, or a directory whose subdirectories are replications of one run."""
    path = Path(path)
    runs = [path] if (path / SUMMARY).is_file() else sorted(
        d for d in path.glob("*") if (d / SUMMARY).is_file())
    if not runs:
        raise CompareError(f"{path}: no {SUMMARY} in it or in its subdirectories")
    summaries = []
    for run in runs:
        try:
            data = json.loads((run / SUMMARY).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CompareError(f"{run / SUMMARY}: unreadable ({exc})") from None
        summaries.append(data if isinstance(data, dict) else {})
    return Group(path.name or str(path), runs, summaries)


def differences(groups: list[Group], metrics: list[str] | None = None
                ) -> tuple[list[str], list[list[Any]]]:
    """Header and rows: metric, each group's mean, then per other group diff and verdict."""
    ref = groups[0]
    names = metrics or sorted({k for g in groups for s in g.summaries for k, v in s.items()
                               if _numeric(v)})
    header = ["metric", *[f"{g.label} (n={len(g.runs)})" for g in groups]]
    for g in groups[1:]:
        header += [f"{g.label} - {ref.label}", "exceeds noise?"]
    rows = []
    for name in names:
        vals = [g.values(name) for g in groups]
        means = [sum(v) / len(v) if v else "" for v in vals]
        row: list[Any] = [name, *means]
        for v in vals[1:]:
            if not v or not vals[0]:
                row += ["", "missing"]
                continue
            test = welch(vals[0], v)
            diff = sum(v) / len(v) - sum(vals[0]) / len(vals[0])
            if test is None:
                verdict = "noise unknown (single run)" if diff else "same"
            else:
                verdict = (f"yes (Welch p={test.p:.3g})" if test.exceeds_noise()
                           else f"no (Welch p={test.p:.3g})")
            row += [diff, verdict]
        rows.append(row)
    return header, rows


def compare(paths: list[Path], out_dir: Path, metrics: list[str] | None = None
            ) -> tuple[list[str], list[list[Any]], Path]:
    """Write differences.csv, differences.html and the figures page; return the table."""
    from reports.compare import render_comparison
    from reports.pareto import differences_page

    if len(paths) < 2:
        raise CompareError("compare needs at least two run directories")
    groups = [load_group(p) for p in paths]
    header, rows = differences(groups, metrics)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "differences.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    # The overlay figures show one run per group: the first replication.
    render_comparison([g.runs[0] for g in groups], out_dir)
    single = any(len(g.runs) < 2 for g in groups)
    note = ("Differences are against the first run. " + (
        "At least one side is a single run, so its noise is unknown: give a directory of "
        "replications to test differences." if single else
        "Welch's test over replications, 95%."))
    page = out_dir / "differences.html"
    page.write_text(differences_page([g.label for g in groups], header, rows, note),
                    encoding="utf-8")
    return header, rows, page
