"""Sweep reports: each metric's mean and 95% interval per point, and the Pareto front.

``render_sweep(sweep_dir)`` reads what ``eccc sweep`` wrote (``points.csv``,
``sweep.json``, ``failures.json``) the way ``reports.render`` reads a run
directory: forgivingly, so a partly failed sweep still gets its report.

Policy research asks which policies are not beaten on every count at once:
a point is on the front when no other point is at least as good on every
objective (fatigue metrics minimised, informativeness maximised) and strictly
better on one. The front is computed on the means over replications; the
figure keeps the 95% intervals so a reader sees which rankings are noise.

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
        item: dict[str, Any] = {"label": r.get("label", "?"), "n": r.get("n", "")}
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


def draw_front(rows: Sequence[dict[str, Any]], x: str, y: str,
               front: Sequence[int]) -> Figure | str:
    """Fatigue (x, lower is better) against informativeness (y, higher is better)."""
    pts = [(i, r) for i, r in enumerate(rows) if x in r and y in r
           and math.isfinite(r[x][0]) and math.isfinite(r[y][0])]
    if not pts:
        return f"no point reported both {x} and {y}"
    fig, (ax,) = new_figure(height=5.0)
    on = set(front)
    # Front points often sit almost on top of each other: stagger their labels.
    nudge = {i: j % 4 for j, i in enumerate(sorted(on, key=lambda k: rows[k][x][0]))}
    for i, r in pts:
        (mx, lx, hx), (my, ly, hy) = r[x], r[y]
        color = "C3" if i in on else "0.55"
        xe = [[mx - lx], [hx - mx]] if math.isfinite(lx) else None
        ye = [[my - ly], [hy - my]] if math.isfinite(ly) else None
        ax.errorbar([mx], [my], xerr=xe, yerr=ye, fmt="o", color=color, ecolor=color,
                    alpha=0.9 if i in on else 0.5, capsize=2, ms=6 if i in on else 4)
        if i in on:
            ax.annotate(plain(r["label"]), (mx, my), textcoords="offset points",
                        xytext=(6, 4 - 11 * nudge[i]),
                        fontsize=8, color="C3")
    line = sorted((rows[i][x][0], rows[i][y][0]) for i in front if (i, rows[i]) in pts)
    if len(line) > 1:
        ax.plot(*zip(*line, strict=True), color="C3", lw=1, ls="--", alpha=0.6)
    ax.set_xlabel(plain(x) + "  (fatigue: lower is better)")
    ax.set_ylabel(plain(y) + "  (informed: higher is better)")
    return fig


def _render(draw: Any, *args: Any) -> bytes | str:
    with matplotlib.style.context(["default", STYLE]):
        result = draw(*args)
        return result if isinstance(result, str) else png_bytes(result)


def page(title: str, body: Sequence[str]) -> str:
    """A self-contained page in the run report's style."""
    return "\n".join(["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
                      f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
                      *body, "</body></html>", ""])


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(
        f'<td class="num">{escape(fmt_value(c))}</td>' if isinstance(c, int | float)
        else f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>\n{body}</table>"


def _load_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def render_sweep(sweep_dir: Path) -> Path:
    """Write ``report.html`` and its PNGs into ``sweep_dir``; return the report path."""
    sweep_dir = Path(sweep_dir)
    meta = _load_json(sweep_dir / "sweep.json", {})
    failures = _load_json(sweep_dir / "failures.json", [])
    try:
        metrics, rows = read_points(sweep_dir / "points.csv")
    except OSError:
        metrics, rows = [], []
    body = [f"<header><h1>eccc sweep: {escape(str(meta.get('name', sweep_dir.name)))}</h1>",
            f'<p class="meta">{escape(str(meta.get("description", "")))}</p>',
            f'<p class="meta">{len(rows)} points × {meta.get("replications", "?")} '
            f'replications, common random numbers: {meta.get("crn", "?")}, '
            f'shards: {meta.get("shards", 1)}</p></header>']
    if failures:
        items = "".join(f"<li>point {f['point']} [{escape(f['label'])}] replication "
                        f"{f['replication']}: {escape(f['error'])}</li>" for f in failures)
        body.append(f'<div class="note">Failed (the other points are kept):<ul>{items}</ul></div>')
    for gap in meta.get("merge_gaps", []):
        body.append(f'<p class="na">shard merge: {escape(gap)}</p>')
    pareto = meta.get("pareto") or {}
    minimize = [m for m in pareto.get("minimize", []) if m in metrics]
    maximize = [m for m in pareto.get("maximize", []) if m in metrics]
    sections = []
    if pareto:
        missing = sorted(set(pareto.get("minimize", []) + pareto.get("maximize", []))
                         - set(metrics))
        means = [{m: r[m][0] for m in metrics} for r in rows]
        front = pareto_front(means, minimize, maximize) if minimize or maximize else []
        body.append("<h2>Pareto front</h2>")
        if missing:
            body.append(f'<p class="na">objectives not in the results: '
                        f'{escape(", ".join(missing))}</p>')
        body.append(table(["on the front", *minimize, *maximize],
                          [[rows[i]["label"], *[means[i][m] for m in minimize + maximize]]
                           for i in front]))
        if minimize and maximize:
            content = _render(draw_front, rows, minimize[0], maximize[0], front)
            sections.append(FigureSection(
                "Fatigue against informativeness", "Red: policies no other policy beats on "
                "every objective at once (all objectives, not only these two axes). Bars: 95% "
                "intervals over replications.", content))
            if isinstance(content, bytes):
                (sweep_dir / "pareto.png").write_bytes(content)
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
    out.write_text(page(f"eccc sweep: {meta.get('name', sweep_dir.name)}", body),
                   encoding="utf-8")
    return out


def differences_page(labels: Sequence[str], header: Sequence[str],
                     rows: Sequence[Sequence[Any]], note: str) -> str:
    """``eccc compare``'s table: each metric, each group, the difference and its noise."""
    title = "eccc compare: " + " vs ".join(labels)
    return page(title, [f"<header><h1>{escape(title)}</h1></header>",
                        f'<p class="meta">{escape(note)}</p>',
                        '<p><a href="comparison.html">figures and every metric side by side'
                        "</a></p>",
                        table(header, rows)])
