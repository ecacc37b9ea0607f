"""The report's figures: one function per figure, run data in, a matplotlib Figure out.

A drawing function returns a ``str`` instead of a Figure when its data is not in
the run; the string says what is missing and goes into the report as is.
The drawing primitives (canvas, fixed style, PNG bytes, axes, reading columns)
are in ``reports.plotting``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib.dates as mdates
import matplotlib.style
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from engine.tally import percentile
from reports.html import fmt_duration, fmt_share
from reports.plotting import (
    DPI,
    LATENCY_FLOOR_S,
    LATENCY_STAGES,
    STYLE,
    WIDTH_IN,
    column,
    duration_axis,
    ecdf,
    format_time_axis,
    histogram,
    legend_with_room,
    new_figure,
    numbers,
    overlay_label,
    plain,
    png_bytes,
    rolling_mean,
    shade_windows,
    time_axis,
)

# The counterfactual's lines, in every figure.
CF: dict[str, Any] = {"color": "0.35", "ls": "--", "lw": 1.6}

if TYPE_CHECKING:
    from reports.render import RunData

# --- the figures ---------------------------------------------------------------------------


def _cf(run: RunData, name: str) -> tuple[Any, np.ndarray] | None:
    """The counterfactual's series ``name`` on its own time axis, if the run has one."""
    cf = run.counterfactual
    if cf is None:
        return None
    y = column(cf, name)
    if y is None:
        return None
    x, _ = time_axis(cf)
    return x, y


def _cf_hourly(ax: Axes, run: RunData, name: str) -> None:
    found = _cf(run, name)
    if found is None:
        return
    x, y = found
    env = rolling_mean(y)
    if np.isfinite(env).any():
        ax.plot(x, env, label=f"{overlay_label(run)} (24 h mean)", **CF)
    else:
        ax.plot(x, y, label=f"{overlay_label(run)} per hour", **CF)


def _hourly_with_envelope(ax: Axes, x: Any, y: np.ndarray, label: str, color: str,
                          main: bool = True) -> None:
    """The 24 h mean bold (and, for the main series, hourly values faint behind it)."""
    env = rolling_mean(y)
    style = {"lw": 2.0} if main else {"lw": 1.5, "ls": "--"}
    if np.isfinite(env).any():
        if main:
            ax.plot(x, y, color=color, lw=0.7, alpha=0.35)
        ax.plot(x, env, color=color, label=f"{label} (24 h mean)", **style)
    else:  # under a day of data: the hourly values are all there is
        ax.plot(x, y, color=color, label=f"{label} per hour", **style)


def draw_volume(run: RunData) -> Figure | str:
    arrived, delivered = column(run, "parcels_arrived"), column(run, "parcels_delivered")
    texts, segments = column(run, "texts"), column(run, "segments")
    panels = [p for p in ((arrived, delivered), (texts, segments)) if p[0] is not None]
    if not panels:
        return "series.csv has neither parcels_arrived nor texts"
    x, xlabel = time_axis(run)
    fig, axes = new_figure(len(panels), 2.4 + 2.2 * len(panels), sharex=True)
    for ax, (main, extra) in zip(axes, panels, strict=True):
        assert main is not None
        is_parcels = main is arrived
        _hourly_with_envelope(ax, x, main, "parcels arrived" if is_parcels else "texts", "C0")
        _cf_hourly(ax, run, "parcels_arrived" if is_parcels else "texts")
        shade_windows(ax, run, label=is_parcels or len(panels) == 1)
        if extra is not None:
            _hourly_with_envelope(ax, x, extra, "parcels delivered" if is_parcels else "segments",
                                  "C1", main=False)
        if is_parcels and extra is not None:  # a closure shows in deliveries, not arrivals
            found = _cf(run, "parcels_delivered")
            if found is not None and np.isfinite(rolling_mean(found[1])).any():
                ax.plot(found[0], rolling_mean(found[1]), color="C1", lw=1.2, ls=":",
                        label="parcels delivered, counterfactual (24 h mean)")
        env = rolling_mean(main)
        if np.isfinite(env).any() and np.nanmedian(env) > 0:
            peak = int(np.nanargmax(env))
            ratio = env[peak] / np.nanmedian(env)
            ax.plot([x[peak]], [env[peak]], "o", color="C3")
            ax.annotate(f"peak {ratio:.2f}× the run's median", (x[peak], env[peak]),
                        xytext=(6, 6), textcoords="offset points", color="C3")
        ax.set_ylabel("parcels per hour" if is_parcels else "texts per hour")
        ax.set_ylim(bottom=0)
        legend_with_room(ax, run)
    format_time_axis(axes[-1], xlabel)
    return fig


def draw_latency_cdf(run: RunData) -> Figure | str:
    lat = run.distributions.get("latency_s")
    if not isinstance(lat, dict):
        return "distributions.json has no latency_s"
    stages = [s for s in LATENCY_STAGES if s in lat] + sorted(set(lat) - set(LATENCY_STAGES))
    series = [(s, v) for s in stages if (v := numbers(lat[s])) is not None]
    if not series:
        return "distributions.json latency_s has no values"
    fig, (ax,) = new_figure()
    for i, (stage, v) in enumerate(series):
        x, y = ecdf(np.maximum(v, LATENCY_FLOOR_S))
        p95 = percentile(np.sort(v), 0.95)
        ax.step(x, y, where="post", color=f"C{i}", lw=2 if stage == "scan_to_handset" else 1.3,
                label=plain(f"{stage.replace('_', ' ')} (p95 {fmt_duration(p95)})"))
    cf = run.counterfactual.distributions.get("latency_s") if run.counterfactual else None
    if isinstance(cf, dict):
        for i, (stage, _) in enumerate(series):
            v = numbers(cf.get(stage))
            if v is None:
                continue
            x, y = ecdf(np.maximum(v, LATENCY_FLOOR_S))
            ax.step(x, y, where="post", color=f"C{i}", lw=1.0, ls="--", alpha=0.8,
                    label=f"{overlay_label(run)}" if i == 0 else None)
    ax.axhline(0.95, color="0.4", lw=0.8, ls=":")
    duration_axis(ax)
    ax.set_xlabel(f"latency (log scale; under {fmt_duration(LATENCY_FLOOR_S)} drawn at "
                  f"{fmt_duration(LATENCY_FLOOR_S)})")
    ax.set_ylabel("share of texts at or below")
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.legend(loc="lower right")
    return fig


def _count_bars(ax: Axes, v: np.ndarray, c: np.ndarray, over: Sequence[float]) -> None:
    share = c / c.sum()
    width = 0.8 * (float(np.min(np.diff(v))) if v.size > 1 else 1.0)
    colors = ["C3" if over and x > max(over) else "C1" if over and x > min(over) else "C0"
              for x in v]
    ax.bar(v, share, width=width, color=colors)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))


def _cf_histogram(ax: Axes, run: RunData, name: str, mean: bool = False) -> None:
    """The counterfactual's histogram as an outline over the scenario's bars."""
    if run.counterfactual is None:
        return
    h = histogram(run.counterfactual, name)
    if isinstance(h, str):
        return
    v, c = h
    ax.step(v, c / c.sum(), where="mid", label=overlay_label(run), **CF)
    if mean:
        m = float((v * c).sum() / c.sum())
        ax.axvline(m, color="0.35", ls=":", lw=1, label=f"counterfactual mean {m:.2f} days")


def draw_texts_per_recipient(run: RunData) -> Figure | str:
    h = histogram(run, "texts_per_recipient_24h")
    if isinstance(h, str):
        return h
    v, c = h
    fig, (ax,) = new_figure()
    _count_bars(ax, v, c, (3, 5))
    _cf_histogram(ax, run, "texts_per_recipient_24h")
    for limit, color in ((3, "C1"), (5, "C3")):
        share = float(c[v > limit].sum() / c.sum())
        ax.axvline(limit + 0.5, color=color, ls="--", lw=1,
                   label=f"over {limit}: {fmt_share(share)} of recipients")
    ax.set_xlabel("notifications to one recipient in their worst 24 h (answers not counted)")
    ax.set_ylabel("share of recipients")
    ax.legend(loc="upper right")
    return fig


def draw_days_to_deliver(run: RunData) -> Figure | str:
    h = histogram(run, "days_to_deliver")
    if isinstance(h, str):
        return h
    v, c = h
    fig, (ax,) = new_figure()
    _count_bars(ax, v, c, ())
    # The same histogram the card's mean comes from (days_to_deliver_mean): one definition.
    mean = float((v * c).sum() / c.sum())
    ax.axvline(mean, color="C3", ls="--", lw=1, label=f"mean {mean:.2f} days")
    _cf_histogram(ax, run, "days_to_deliver", mean=True)
    ax.set_xlabel("calendar days from acceptance to delivery (local dates)")
    ax.set_ylabel("share of parcels")
    ax.legend(loc="upper right")
    return fig


def draw_opt_outs(run: RunData) -> Figure | str:
    opt_outs = column(run, "opt_outs")
    if opt_outs is None:
        return "series.csv has no opt_outs"
    x, xlabel = time_axis(run)
    fig, (ax,) = new_figure()
    cumulative = np.nancumsum(opt_outs)
    ax.plot(x, cumulative, color="C3", lw=2, label="opt-outs (cumulative)")
    found = _cf(run, "opt_outs")
    if found is not None:
        ax.plot(found[0], np.nancumsum(found[1]), label=overlay_label(run), **CF)
    shade_windows(ax, run)
    ax.set_ylabel("opt-outs since start")
    ax.set_ylim(bottom=0)
    handles, labels = ax.get_legend_handles_labels()
    texts = column(run, "texts")
    if texts is not None:
        sent = np.nancumsum(texts)
        # The rate swings wildly over the first few texts; start it once 5% are sent.
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(sent >= 0.05 * sent[-1], 1000 * cumulative / np.maximum(sent, 1),
                            np.nan)
        twin = ax.twinx()
        twin.plot(x, rate, color="C4", lw=1.0, ls=":", label="per 1,000 texts sent so far")
        twin.set_ylabel("opt-outs per 1,000 texts")
        twin.set_ylim(bottom=0)
        twin.grid(False)
        h2, l2 = twin.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    ax.legend(handles, labels, loc="lower right")
    format_time_axis(ax, xlabel)
    return fig


def draw_care_queue(run: RunData) -> Figure | str:
    queue, abandoned = column(run, "care_queue_len"), column(run, "care_abandoned")
    contacts = column(run, "care_contacts")
    if queue is None and abandoned is None and contacts is None:
        return "series.csv has no care_queue_len, care_abandoned or care_contacts"
    x, xlabel = time_axis(run)
    rows = int(queue is not None) + int(abandoned is not None or contacts is not None)
    fig, axes = new_figure(rows, 2.4 + 2.2 * rows, sharex=True)
    it = iter(axes)
    if queue is not None:
        ax = next(it)
        ax.fill_between(x, queue, step="post", color="C0", alpha=0.5, label="callers waiting")
        found = _cf(run, "care_queue_len")
        if found is not None:
            ax.step(found[0], found[1], where="post", label=overlay_label(run), **CF)
        shade_windows(ax, run)
        ax.set_ylabel("queue length")
        ax.set_ylim(bottom=0)
        legend_with_room(ax, run)
    if abandoned is not None or contacts is not None:
        ax = next(it)
        if contacts is not None:
            ax.step(x, contacts, where="post", color="C0", lw=1.2, label="contacts per hour")
            found = _cf(run, "care_contacts")
            if found is not None:
                ax.step(found[0], found[1], where="post", color="C0", lw=1.0, ls=":",
                        label="contacts per hour, counterfactual")
        if abandoned is not None:
            ax.fill_between(x, abandoned, step="post", color="C3", alpha=0.6,
                            label="abandoned per hour")
            found = _cf(run, "care_abandoned")
            if found is not None:
                ax.step(found[0], found[1], where="post",
                        label="abandoned per hour, counterfactual", **CF)
        shade_windows(ax, run, label=queue is None)
        ax.set_ylabel("per hour")
        ax.set_ylim(bottom=0)
        legend_with_room(ax, run)
    format_time_axis(axes[-1], xlabel)
    return fig


def _facility_means(run: RunData) -> list[tuple[str, float]]:
    """Mean utilisation per facility from series util_<name> columns, else from summary."""
    cols = [c for c in run.series if c.startswith("util_") and column(run, c) is not None]
    if cols:
        return [(c[5:], float(np.nanmean(run.series[c]))) for c in cols]
    found = []
    for key, value in sorted(run.summary.items()):
        name = key.removeprefix("facility_").removesuffix("_utilisation")
        if key.startswith("facility_") and key.endswith("_utilisation") and name and \
                isinstance(value, int | float) and not isinstance(value, bool):
            found.append((name, float(value)))
    return found


def draw_facility_utilisation(run: RunData) -> Figure | str:
    means = _facility_means(run)
    if not means:
        return "no util_<facility> columns in series.csv and no facility utilisation in summary"
    names = [n for n, _ in means]
    cols = [f"util_{n}" for n in names]
    over_time = all(c in run.series for c in cols)
    height = 1.6 + 0.32 * len(names)
    fig = Figure(figsize=(WIDTH_IN, max(height, 2.8)), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    if over_time:
        heat, bars = fig.subplots(1, 2, sharey=True, width_ratios=(4, 1))
        x, xlabel = time_axis(run)
        xs = (mdates.date2num(x) if xlabel.startswith(("time", "local time"))  # type: ignore[no-untyped-call]
              else np.asarray(x, dtype=float))
        step = float(xs[1] - xs[0]) if len(xs) > 1 else 1.0
        grid = np.vstack([run.series[c] for c in cols])
        image = heat.imshow(grid, aspect="auto", interpolation="nearest", cmap="viridis",
                            vmin=0, vmax=1, origin="upper",
                            extent=(xs[0], xs[-1] + step, len(names) - 0.5, -0.5))
        heat.grid(False)
        if xlabel.startswith(("time", "local time")):
            heat.xaxis_date(tz=x[0].tzinfo)
        format_time_axis(heat, xlabel)
        fig.colorbar(image, ax=bars, location="right", label="utilisation (hourly)")
        heat.set_yticks(range(len(names)), [plain(n) for n in names])
    else:
        bars = fig.subplots(1, 1)
        bars.set_yticks(range(len(names)), [plain(n) for n in names])
        bars.invert_yaxis()
    vals = np.array([m for _, m in means])
    bars.barh(range(len(names)), vals,
              color=["C3" if m >= 0.85 else "C1" if m >= 0.7 else "C0" for m in vals])
    bars.axvline(1.0, color="0.4", lw=0.8, ls=":")
    bars.set_xlim(0, max(1.05, float(np.nanmax(vals)) * 1.05))
    bars.xaxis.set_major_formatter(PercentFormatter(1.0))
    bars.set_xlabel("mean utilisation")
    return fig


# --- the lists the report walks, in page order ---------------------------------------------


def _labels(windows: Sequence[tuple[Any, Any, str]]) -> str:
    return ", ".join(dict.fromkeys(w[2] for w in windows))


def volume_caption(run: RunData) -> str:
    """What to look for in the volume figure, from the run's own windows: a surge only
    when the run has one, a closure or outage by its label, otherwise the plain level."""
    mean = "24-hour mean" if run.n_hours >= 24 else "hourly count (under a day: no 24-hour mean)"
    surges = [w for w in run.windows if "surge" in w[2]]
    faults = [w for w in run.windows if "surge" not in w[2]]
    cf = run.counterfactual is not None
    said = []
    if surges:
        said.append(f"Look for the surge ({_labels(surges)}, shaded): where the {mean} of "
                    "parcels and texts rises above the run's usual level"
                    + (" and the counterfactual's" if cf else ""))
    if faults:
        said.append(f"Look at the shaded {_labels(faults)}: whether deliveries or texts "
                    "fall" + (" below the counterfactual's" if cf else "")
                    + " during it and catch up after")
    if run.counterfactual_windows:
        said.append(f"The counterfactual's {_labels(run.counterfactual_windows)} (hatched) is "
                    "not in this scenario: a gap there is the counterfactual falling, not the "
                    "scenario rising")
    if not said:
        said.append(f"Parcels and texts per hour with their {mean}: where volume runs above "
                    "or below the run's usual level"
                    + (", and where the scenario leaves the counterfactual's line" if cf else ""))
    return ". ".join(said) + ". And whether texts follow parcels or lag them."


@dataclass(frozen=True)
class FigureSpec:
    slug: str  # file name stem of the PNG
    title: str
    caption: str  # one sentence: what to look for (when ``tailor`` does not say it)
    draw: Callable[[RunData], Figure | str]
    # How the figure draws the counterfactual; None: it does not (the scenario only).
    counterfactual: str | None = "Dashed grey"
    shades: bool = False  # shades the what-if's windows (shade_windows)
    tailor: Callable[[RunData], str] | None = None  # the caption, from the run

    def caption_for(self, run: RunData) -> str:
        """The caption for this run: what to look for, then how the counterfactual and
        the windows are drawn, if the run has them (nothing it lacks is mentioned)."""
        text = self.tailor(run) if self.tailor else self.caption
        if run.counterfactual is not None:
            label = f" ({run.counterfactual_label})" if run.counterfactual_label else ""
            text += (f" {self.counterfactual}: the counterfactual{label}, same seeds."
                     if self.counterfactual else
                     f" The scenario only: the counterfactual{label} is not drawn.")
        if self.shades and run.windows:
            text += " Shaded: " + _labels(run.windows) + "."
        if self.shades and run.counterfactual_windows:
            text += (" Hatched: the counterfactual's " + _labels(run.counterfactual_windows)
                     + " (in the counterfactual only, not in this scenario).")
        return text

    def render(self, run: RunData) -> bytes | str:
        """PNG bytes, or the reason the figure is not available."""
        with matplotlib.style.context(["default", STYLE]):
            result = self.draw(run)
            return result if isinstance(result, str) else png_bytes(result)


FIGURES = (
    FigureSpec("volume", "Volume over time",
               "Parcels and texts per hour with their 24-hour mean, and whether texts follow "
               "parcels or lag them.",
               draw_volume, shades=True, tailor=volume_caption),
    FigureSpec("latency_cdf", "Latency from scan to handset",
               "Read across at the dotted 95% line: the stage whose curve reaches it furthest "
               "right is the one that makes texts late.",
               draw_latency_cdf, counterfactual="Dashed, in each stage's colour"),
    FigureSpec("texts_per_recipient", "Texts per recipient in 24 hours",
               "Orange and red bars are recipients who got more than 3 or 5 texts in a day: "
               "the ones most likely to opt out.",
               draw_texts_per_recipient),
    FigureSpec("opt_outs", "Opt-outs over time",
               "A steepening curve, or a rising rate per 1,000 texts, means the texting "
               "is wearing people out.",
               draw_opt_outs, shades=True),
    FigureSpec("care_queue", "Customer-care queue",
               "Look for hours where callers pile up and abandon: those are the hours "
               "that need more agents.",
               draw_care_queue, shades=True),
    FigureSpec("facility_utilisation", "Facility utilisation",
               "Facilities near 100% (yellow, or red bars) are the bottlenecks that "
               "push deliveries late.",
               draw_facility_utilisation, counterfactual=None),
    FigureSpec("days_to_deliver", "Days to deliver",
               "A long right tail is the parcels that arrived late and drove care contacts.",
               draw_days_to_deliver),
)
