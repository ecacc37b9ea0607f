"""Sweep reports: each metric's mean and 95% interval per point, and the Pareto front.

``render_sweep(sweep_dir)`` reads what ``eccc sweep`` wrote (``points.csv``,
``sweep.json``, ``failures.json``) the way ``reports.render`` reads a run
directory: forgivingly, so a partly failed sweep still gets its report.

Policy research asks which policies are not beaten on every count at once.
``pareto_front`` answers on means alone; the report answers with confidence
(``front.json``, from ``research.frontier``): a point is dominated only when
the paired differences over replications show it worse on every objective at
95%, and front points that cannot be told apart are grouped
(``reports.frontier`` draws and tabulates it). A tune directory's
``tune.json`` adds the search's sections (hypervolume, importances, best chains).

``differences_page`` is the table half of ``eccc compare`` (its figures are
``reports.compare``).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

import matplotlib.style
import numpy as np
from matplotlib.figure import Figure

from reports.frontier import (
    TABLE_CSS,
    draw_front,
    draw_hypervolume,
    finding,
    front_tables,
    tune_sections,
)
from reports.html import CSS, FigureSection, figures_html, fmt_value
from reports.plotting import STYLE, new_figure, plain, png_bytes

REPORT = "report.html"
MAX_METRIC_FIGURES = 12


def pareto_front(points: Sequence[dict[str, float]], minimize: Sequence[str],
                 maximize: Sequence[str]) -> list[int]:
    """Indices of the non-dominated points (NaN objectives make a point ineligible)."""
    signs = [(m, 1.0) for m in minimize] + [(m, -1.0) for m in maximize]
    costs = [[s * p.get(m, math.nan) for m, s in signs] for p in points]
    ok = [all(math.isfinite(c) for c in row) for row in costs]
    front = []
    for i, a in enumerate(costs):
        if not ok[i]:
            continue
        dominated = any(
            ok[j] and j != i and all(b_ <= a_ for a_, b_ in zip(a, b, strict=True))
            and any(b_ < a_ for a_, b_ in zip(a, b, strict=True))
            for j, b in enumerate(costs))
        if not dominated:
            front.append(i)
    return front


def _float(text: str | None) -> float:
    try:
        return float(text) if text else math.nan
    except ValueError:
        return math.nan


def _index(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def read_points(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """points.csv -> (metric names, rows with 'label' and '<m>' -> (mean, low, high))."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return [], []
    metrics = [c.removesuffix("_mean") for c in rows[0] if c.endswith("_mean")
               and f"{c.removesuffix('_mean')}_ci95_low" in rows[0]]
    out = []
    for r in rows:
        item: dict[str, Any] = {"label": r.get("label", "?"), "n": r.get("n", ""),
                                "point": _index(r.get("point"))}
        for m in metrics:
            item[m] = (_float(r.get(f"{m}_mean")), _float(r.get(f"{m}_ci95_low")),
                       _float(r.get(f"{m}_ci95_high")))
        out.append(item)
    return metrics, out


def draw_intervals(metric: str, rows: Sequence[dict[str, Any]]) -> Figure | str:
    """One metric: each point's mean and 95% interval, one row per point."""
    values = [(r["label"], *r[metric]) for r in rows if math.isfinite(r[metric][0])]
    if not values:
        return f"no point reported {metric}"
    fig, (ax,) = new_figure(height=max(2.2, 0.32 * len(values) + 1.2))
    y = np.arange(len(values))[::-1]
    means = np.array([v[1] for v in values])
    lo = np.array([v[2] for v in values])
    hi = np.array([v[3] for v in values])
    err = np.where(np.isfinite(lo), [means - lo, hi - means], 0.0)
    ax.errorbar(means, y, xerr=err, fmt="o", color="C0", ecolor="0.45", capsize=3)
    ax.set_yticks(y, [plain(v[0]) for v in values])
    ax.set_xlabel(plain(metric) + " (mean, 95% CI)")
    return fig


def _render(draw: Any, *args: Any) -> bytes | str:
    with matplotlib.style.context(["default", STYLE]):
        result = draw(*args)
        return result if isinstance(result, str) else png_bytes(result)


def page(title: str, body: Sequence[str]) -> str:
    """A self-contained page in the run report's style."""
    return "\n".join(["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
                      f"<title>{escape(title)}</title><style>{CSS}{TABLE_CSS}</style></head>"
                      "<body>",
                      *body, "</body></html>", ""])


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(
        f'<td class="num">{escape(fmt_value(c))}</td>' if isinstance(c, int | float)
        else f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f'<div class="scroll"><table><tr>{head}</tr>\n{body}</table></div>'


def _load_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: nested too deeply
        return default


def render_sweep(sweep_dir: Path) -> Path:
    """Write ``report.html`` and its PNGs into ``sweep_dir``; return the report path."""
    sweep_dir = Path(sweep_dir)
    meta = _load_json(sweep_dir / "sweep.json", {})
    failures = _load_json(sweep_dir / "failures.json", [])
    front = _load_json(sweep_dir / "front.json", None)
    tune = _load_json(sweep_dir / "tune.json", None)
    try:
        metrics, rows = read_points(sweep_dir / "points.csv")
    except OSError:
        metrics, rows = [], []
    kind = "tune" if tune else "sweep"
    name = str(meta.get("name", sweep_dir.name))
    what = (f"{tune.get('trials')} trials ({tune.get('sampler')}, seed {tune.get('seed')}), "
            f"{len(rows)} distinct chains" if tune else f"{len(rows)} points")
    body = [f"<header><h1>eccc {kind}: {escape(name)}</h1>"]
    if front and front.get("points"):
        body.append(f'<p class="finding">{escape(finding(front))}</p>')
    body += [f'<p class="meta">{escape(str(meta.get("description", "")))}</p>',
             f'<p class="meta">{what} × {meta.get("replications", "?")} '
             f'replications, common random numbers: '
             f'{ {True: "yes", False: "no"}.get(meta.get("crn"), "?")}, '
             f'shards: {meta.get("shards", 1)}</p></header>']
    if failures:
        items = "".join(f"<li>point {f['point']} [{escape(f['label'])}] replication "
                        f"{f['replication']}: {escape(f['error'])}</li>" for f in failures)
        body.append(f'<div class="note">Failed (the other points are kept):<ul>{items}</ul></div>')
    for gap in meta.get("merge_gaps", []):
        body.append(f'<p class="na">shard merge: {escape(gap)}</p>')
    # By the point's index: two points may share a label (two [[points]] named alike),
    # and a label key showed one point's numbers under the other's name.
    by_index = {r["point"]: r for r in rows if r["point"] is not None}
    sections = []
    if front:
        objectives = [o["metric"] for o in front["objectives"]]
        body += ["<h2>Pareto front at 95%</h2>",
                 f"<p>A chain is dominated only when the paired differences over "
                 f"{front.get('replications', '?')} replications on common random numbers show "
                 "it worse on every objective at 95% than one other chain; chains on the "
                 "front that no objective tells apart share a group letter. Intervals: the "
                 "mean over replications with its 95% t interval.</p>",
                 *front_tables(front, by_index, table)]
        shown = [m for m in objectives if m in metrics]
        if len(shown) >= 2:
            content = _render(draw_front, front, by_index, shown[0], shown[1])
            sections.append(FigureSection(
                f"{shown[0]} against {shown[1]}", "Red: the front at 95% (on every objective, "
                "not only these two), one label per group; grey: dominated chains, listed in "
                "the table above. Bars: 95% intervals over replications.", content))
            if isinstance(content, bytes):
                (sweep_dir / "pareto.png").write_bytes(content)
    if tune:
        body += tune_sections(tune, table)
        content = _render(draw_hypervolume, tune.get("hypervolume", []))
        sections.append(FigureSection(
            "Hypervolume against trials", "The volume of objective space the feasible trials "
            "so far dominate (each objective scaled to [0, 1] over all trials, reference 1.1): "
            "a flat tail means more trials stopped finding better chains.", content))
        if isinstance(content, bytes):
            (sweep_dir / "hypervolume.png").write_bytes(content)
    for m in metrics[:MAX_METRIC_FIGURES]:
        content = _render(draw_intervals, m, rows)
        if isinstance(content, bytes):
            (sweep_dir / f"metric_{m}.png").write_bytes(content)
        sections.append(FigureSection(m, "Mean over replications with its 95% t interval; "
                                      "replications share seeds across points.", content))
    body += ["<h2>Figures</h2>", figures_html(sections, "figure-", "not available"),
             "<h2>Points</h2>",
             table(["point", "n", *metrics],
                   [[r["label"], r["n"], *[r[m][0] for m in metrics]] for r in rows])]
    out = sweep_dir / REPORT
    out.write_text(page(f"eccc {kind}: {name}", body), encoding="utf-8")
    return out


def differences_page(labels: Sequence[str], header: Sequence[str],
                     rows: Sequence[Sequence[str]], note: str) -> str:
    """``eccc compare``'s table: each metric, each group, the difference and its noise.
    ``rows`` are formatted as the terminal shows them (``research.comparison.format_cells``:
    units, signed differences, "+1.2%")."""
    from reports.html import looks_numeric

    title = "eccc compare: " + " vs ".join(labels)
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(
        f'<td class="num">{escape(c)}</td>' if i and looks_numeric(c)
        else f"<td>{escape(c)}</td>" for i, c in enumerate(map(str, row))) + "</tr>"
        for row in rows)
    return page(title, [f"<header><h1>{escape(title)}</h1></header>",
                        f'<p class="meta">{escape(note)}</p>',
                        '<p><a href="comparison.html">figures and every metric side by side'
                        "</a></p>",
                        f'<div class="scroll"><table><tr>{head}</tr>\n{body}</table></div>'])
