"""Several runs side by side: ``render_comparison`` and its overlay figures.

Runs are labelled by their directory names in the order given and read with
the same forgiving loader as a single report, so a run missing a file shows
as a gap, not an error. Series are aligned by hours since each run's start,
since runs compared this way (two policies, one scenario) share a calendar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib.style
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from engine.tally import percentile
from reports import html
from reports.html import fmt_duration
from reports.plotting import (
    LATENCY_FLOOR_S,
    STYLE,
    column,
    duration_axis,
    ecdf,
    new_figure,
    numbers,
    plain,
    png_bytes,
    rolling_mean,
)
from reports.render import RunData, load_run

COMPARISON = "comparison.html"

def draw_compare_texts(labels: list[str], runs: list[RunData]) -> Figure | str:
    found = [(lab, t) for lab, r in zip(labels, runs, strict=True)
             if (t := column(r, "texts")) is not None]
    if not found:
        return "no run has a texts column in series.csv"
    fig, (ax,) = new_figure()
    smooth = all(t.size >= 24 for _, t in found)  # else a 24 h mean has nothing to draw
    for i, (lab, t) in enumerate(found):
        ax.plot(np.arange(t.size), rolling_mean(t) if smooth else t, color=f"C{i}", lw=1.8,
                label=plain(lab))
    ax.set_xlabel("hours since start")
    ax.set_ylabel("texts per hour" + (" (24 h mean)" if smooth else ""))
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left")
    return fig


def draw_compare_latency(labels: list[str], runs: list[RunData]) -> Figure | str:
    found = []
    for lab, r in zip(labels, runs, strict=True):
        lat = r.distributions.get("latency_s")
        v = numbers(lat.get("scan_to_handset")) if isinstance(lat, dict) else None
        if v is not None:
            found.append((lab, v))
    if not found:
        return "no run has latency_s.scan_to_handset in distributions.json"
    fig, (ax,) = new_figure()
    for i, (lab, v) in enumerate(found):
        x, y = ecdf(np.maximum(v, LATENCY_FLOOR_S))
        ax.step(x, y, where="post", color=f"C{i}", lw=1.6,
                label=plain(f"{lab} (p95 {fmt_duration(percentile(np.sort(v), 0.95))})"))
    ax.axhline(0.95, color="0.4", lw=0.8, ls=":")
    duration_axis(ax)
    ax.set_xlabel("scan to handset latency (log scale)")
    ax.set_ylabel("share of texts at or below")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.legend(loc="lower right")
    return fig


@dataclass(frozen=True)
class ComparisonSpec:
    slug: str
    title: str
    caption: str
    draw: Callable[[list[str], list[RunData]], Figure | str]

    def render(self, labels: list[str], runs: list[RunData]) -> bytes | str:
        with matplotlib.style.context(["default", STYLE]):
            result = self.draw(labels, runs)
            return result if isinstance(result, str) else png_bytes(result)


COMPARISON_FIGURES = (
    ComparisonSpec("texts", "Texts per hour",
                   "Where the lines part is where the runs' policies or volumes differ.",
                   draw_compare_texts),
    ComparisonSpec("latency", "Scan to handset latency",
                   "The curve furthest left at the dotted 95% line delivers texts fastest.",
                   draw_compare_latency),
)



def run_labels(run_dirs: list[Path]) -> list[str]:
    """Directory names, as parent/name where two runs share a name (X/counterfactual and
    Y/counterfactual), the whole path where even that collides."""
    names = [d.name or str(d) for d in run_dirs]
    out = [f"{d.parent.name}/{n}" if names.count(n) > 1 and d.parent.name else n
           for d, n in zip(run_dirs, names, strict=True)]
    return [str(d) if out.count(o) > 1 else o for d, o in zip(run_dirs, out, strict=True)]


def render_comparison(run_dirs: list[Path], out_dir: Path,
                      labels: list[str] | None = None) -> Path:
    """Write ``comparison.html`` (+ ``compare_*.png``) for several runs into ``out_dir``.
    ``labels``: each run's name in titles and legends (``eccc compare`` gives its groups'
    labels); by default the directory's name, with its parent's when names collide."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if labels is None:
        labels = run_labels([Path(d) for d in run_dirs])
    runs = [load_run(Path(d)) for d in run_dirs]
    drawn: list[html.FigureSection] = []
    for spec in COMPARISON_FIGURES:
        result = spec.render(labels, runs)
        if isinstance(result, bytes):
            (out_dir / f"compare_{spec.slug}.png").write_bytes(result)
        drawn.append(html.FigureSection(spec.title, spec.caption, result))
    out = out_dir / COMPARISON
    out.write_text(
        html.comparison_page(labels, [r.summary for r in runs], drawn,
                             [r.problems for r in runs]),
        encoding="utf-8",
    )
    return out
