"""Drawing primitives shared by the run report, comparisons and the Pareto page.

Figures are built on ``matplotlib.figure.Figure`` with an explicit Agg canvas,
never through pyplot: no global backend switch, no display, nothing left open.
Drawing runs under matplotlib's default style plus the overrides in ``STYLE``,
so a user's matplotlibrc cannot change the bytes.
"""

from __future__ import annotations

import io
from datetime import UTC
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import matplotlib.dates as mdates
import matplotlib.style
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from reports.render import RunData

STYLE: dict[str, Any] = {
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "legend.frameon": False,
}
WIDTH_IN, DPI = 9.0, 100
LATENCY_STAGES = ("scan_to_decision", "decision_to_submit", "submit_to_handset", "scan_to_handset")
LATENCY_FLOOR_S = 0.01
DURATION_TICKS = ((0.01, "10 ms"), (0.1, "0.1 s"), (1, "1 s"), (10, "10 s"), (60, "1 min"),
                  (600, "10 min"), (3600, "1 h"), (6 * 3600, "6 h"), (86400, "1 day"),
                  (7 * 86400, "1 week"))


def plain(text: str) -> str:
    """Names from the run as literal text: a "$" would otherwise start mathtext.

    (Turning mathtext off instead would break the log axes' 10^n tick labels.)
    """
    return text.replace("$", r"\$")


def duration_axis(ax: Axes) -> None:
    """Log x axis of seconds, ticked in units a planner reads (10 s, 1 min, 1 h)."""
    ax.set_xscale("log")
    lo, hi = ax.get_xlim()
    ticks = [(t, s) for t, s in DURATION_TICKS if lo <= t <= hi]
    if len(ticks) >= 2:
        ax.set_xticks([t for t, _ in ticks], [s for _, s in ticks])
        ax.minorticks_off()


def new_figure(nrows: int = 1, height: float = 3.6, **kw: Any) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, 1, squeeze=False, **kw)
    return fig, list(axes[:, 0])


def png_bytes(fig: Figure) -> bytes:
    """PNG with fixed metadata (no matplotlib version stamp), so re-renders match."""
    buf = io.BytesIO()
    with matplotlib.style.context(["default", STYLE]):
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


# --- reading columns and distributions -----------------------------------------------------


def column(run: RunData, name: str) -> np.ndarray | None:
    """A series column with at least one real value, or None."""
    y = run.series.get(name)
    return y if y is not None and np.isfinite(y).any() else None


def time_axis(run: RunData) -> tuple[Any, str]:
    """x values for the series and the axis label: hour starts in the scenario's local
    time (UTC when the run does not say its zone), or hours since start."""
    if run.hours is not None and len(run.hours) == run.n_hours:
        if run.zone:
            tz = ZoneInfo(run.zone)
            return [h.astimezone(tz) for h in run.hours], f"local time ({run.zone})"
        return run.hours, "time (UTC)"
    return np.arange(run.n_hours), "hours since start"


def format_time_axis(ax: Axes, label: str) -> None:
    """Dates with their weekday ("Tue 10 Nov"), in the zone the label names."""
    if label.startswith(("time", "local time")):
        zone = label[label.find("(") + 1: label.rfind(")")]
        tz = ZoneInfo(zone) if zone and zone != "UTC" else UTC
        # matplotlib.dates has no annotations: hence the ignores.
        locator = mdates.AutoDateLocator(tz=tz)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        concise = mdates.ConciseDateFormatter(  # type: ignore[no-untyped-call]
            locator, tz=tz,
            formats=["%Y", "%b", "%a %d", "%H:%M", "%H:%M", "%S.%f"],
            zero_formats=["", "%Y", "%b", "%a %d", "%H:%M", "%H:%M"],
            offset_formats=["", "%Y", "%b %Y", "%a %d %b %Y", "%a %d %b %Y", "%d %b %Y %H:%M"])
        ax.xaxis.set_major_formatter(concise)
    ax.set_xlabel(label)


def _num(t: Any) -> float:
    return float(mdates.date2num(t))  # type: ignore[no-untyped-call]


def shade_windows(ax: Axes, run: RunData, label: bool = True) -> None:
    """The what-if's windows (outages, storms, surge days) shaded and labelled; the
    counterfactual's own (ones the scenario lacks) hatched grey and labelled as its."""
    windows = [(s, e, t, False) for s, e, t in run.windows] + [
        (s, e, f"counterfactual: {t}", True) for s, e, t in run.counterfactual_windows]
    if not windows or not (run.hours and len(run.hours) == run.n_hours):
        return
    for i, (start, end, text, theirs) in enumerate(windows):
        x0, x1 = _num(start), _num(end)
        if theirs:
            ax.axvspan(x0, x1, facecolor="0.5", alpha=0.15, hatch="//", edgecolor="0.35",
                       lw=0)
        else:
            ax.axvspan(x0, x1, color="C3" if "surge" not in text else "C1", alpha=0.12, lw=0)
        if label:
            # Above the axes, where neither data nor the legend is.
            ax.annotate(plain(text), (x0, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(2, 2 + 10 * i), textcoords="offset points",
                        va="bottom", ha="left", fontsize=8, color="0.2",
                        annotation_clip=False)


def overlay_label(run: RunData) -> str:
    """The counterfactual's legend entry (its full label is in the figure's caption)."""
    return "counterfactual"


def legend_with_room(ax: Axes, run: RunData) -> None:
    """A legend in two columns over headroom above the data, clear of window labels."""
    if run.counterfactual is None and not run.windows and not run.counterfactual_windows:
        ax.legend(loc="upper left")
        return
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, lo + (hi - lo) * 1.45)
    ax.legend(loc="upper right", ncol=2, fontsize=9)


def rolling_mean(y: np.ndarray, window: int = 24) -> np.ndarray:
    """Centred mean over ``window`` hours ignoring NaNs (the envelope that shows a surge).

    NaN where the window runs off either end: a half window at the edges would
    catch only part of the daily cycle and draw a surge that is not there.
    """
    if len(y) < window:
        return np.full(len(y), np.nan)
    ok = np.isfinite(y)
    kernel = np.ones(window)
    total = np.convolve(np.where(ok, y, 0.0), kernel, mode="same")
    count = np.convolve(ok.astype(float), kernel, mode="same")
    inside = np.convolve(np.ones(len(y)), kernel, mode="same") == window
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(inside & (count > 0), total / np.maximum(count, 1), np.nan)


def numbers(values: Any) -> np.ndarray | None:
    """A JSON list of numbers as a float array (non-numbers dropped), or None if empty."""
    if not isinstance(values, list):
        return None
    nums = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    arr = np.array(nums, dtype=float)
    arr = arr[np.isfinite(arr)]
    return arr if arr.size else None


def histogram(run: RunData, name: str) -> tuple[np.ndarray, np.ndarray] | str:
    """distributions[name] as (values, counts) sorted by value, or why it is unusable."""
    d = run.distributions.get(name)
    if not isinstance(d, dict):
        return f"distributions.json has no {name}"
    values, counts = d.get("values"), d.get("counts")
    if not (isinstance(values, list) and isinstance(counts, list)) or len(values) != len(counts):
        return f"distributions.json {name} needs equal-length values and counts"
    v, c = numbers(values), numbers(counts)
    if v is None or c is None or v.size != len(values) or c.size != len(counts) or c.sum() <= 0:
        return f"distributions.json {name} has no usable counts"
    order = np.argsort(v, kind="stable")
    return v[order], c[order]


def ecdf(values: np.ndarray, points: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Empirical CDF thinned to at most ``points`` steps (runs can hold millions of texts)."""
    x = np.sort(values)
    idx = np.unique(np.linspace(0, x.size - 1, min(points, x.size)).round().astype(int))
    return x[idx], (idx + 1) / x.size
