"""The front with confidence on the page: figure, tables, the finding, and a search's extras.

Reads what ``research.sweep.write_front`` and ``research.tunereport`` wrote
(``front.json``, ``tune.json``) as plain dicts; ``reports.pareto`` puts the
pieces in the sweep report. Only the front is labelled in the figure, one
label per group of chains that cannot be told apart, in a column beside the
axes, spaced so that no two labels overlap however the points cluster; every
other point is listed in a table with the front chain that beats it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from reports.plotting import DPI, WIDTH_IN, plain

LABEL_CHARS = 44
FONT_PT = 8.0
# Scrolling and wrapping for every table of the sweep and tune pages.
TABLE_CSS = """
.scroll{overflow-x:auto;max-width:100%;margin:0 0 12px}
.scroll table{width:auto;min-width:100%}
.scroll td,.scroll th{max-width:28em;overflow-wrap:anywhere;vertical-align:top}
.finding{font-size:1.1em;background:#eef5ff;border:1px solid #c7dbf5;border-radius:6px;
padding:8px 12px}
pre.chains{white-space:pre-wrap;overflow-wrap:anywhere}
"""


def spread(targets: Sequence[float], gap: float, low: float = 0.0,
           high: float = 1.0) -> tuple[list[float], float]:
    """Positions as near ``targets`` as possible, at least ``gap`` apart, within
    [low, high]; the gap shrinks if they cannot all fit. Returns (positions, gap)."""
    n = len(targets)
    if n == 0:
        return [], gap
    gap = min(gap, (high - low) / n)
    order = sorted(range(n), key=lambda i: (targets[i], i))
    pos = [min(max(targets[i], low + gap / 2), high - gap / 2) for i in order]
    for k in range(1, n):
        pos[k] = max(pos[k], pos[k - 1] + gap)
    if pos[-1] > high - gap / 2:
        pos[-1] = high - gap / 2
        for k in range(n - 2, -1, -1):
            pos[k] = min(pos[k], pos[k + 1] - gap)
    out = [0.0] * n
    for k, i in enumerate(order):
        out[i] = pos[k]
    return out, gap


def short(label: str, chars: int = LABEL_CHARS) -> str:
    return label if len(label) <= chars else label[: chars - 1] + "…"


def group_label(front: Mapping[str, Any], group: Mapping[str, Any]) -> str:
    points = {p["index"]: p for p in front["points"]}
    first = points[group["members"][0]]["label"]
    more = len(group["members"]) - 1
    return f"{group['name']}  {short(first)}" + (f"  (+{more} alike)" if more else "")


def draw_front(front: Mapping[str, Any], rows: Mapping[int, Mapping[str, Any]], x: str,
               y: str) -> Figure | str:
    """The first two objectives, every point with its 95% intervals; the front in red,
    labelled by group in a column at the right; dominated points grey and unlabelled.
    ``rows`` maps a point's index to {metric: (mean, low, high)} (points.csv): by index,
    not label, as two points may share a label."""
    senses = {o["metric"]: o["sense"] for o in front["objectives"]}
    points = [p for p in front["points"] if p["index"] in rows
              and all(math.isfinite(rows[p["index"]].get(m, (math.nan,))[0]) for m in (x, y))]
    if not points:
        return f"no point reported both {x} and {y}"
    fig = Figure(figsize=(WIDTH_IN, 5.6), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.09, 0.1, 0.5, 0.84))
    on_front = {i for g in front["groups"] for i in g["members"]}
    for p in points:
        (mx, lx, hx), (my, ly, hy) = rows[p["index"]][x], rows[p["index"]][y]
        on = p["index"] in on_front
        color = "C3" if on else "0.6"
        xe = [[mx - lx], [hx - mx]] if math.isfinite(lx) else None
        ye = [[my - ly], [hy - my]] if math.isfinite(ly) else None
        ax.errorbar([mx], [my], xerr=xe, yerr=ye, fmt="o", color=color, ecolor=color,
                    alpha=0.9 if on else 0.45, capsize=2, ms=6 if on else 4, zorder=3 if on else 2)
    ax.set_xlabel(plain(x) + ("  (lower is better)" if senses.get(x) == "minimize"
                              else "  (higher is better)"))
    ax.set_ylabel(plain(y) + ("  (lower is better)" if senses.get(y) == "minimize"
                              else "  (higher is better)"))
    ax.margins(0.08)
    fig.canvas.draw()  # fixes the limits, so data map to axes fractions
    by_index = {p["index"]: p for p in points}
    anchors = []
    for g in front["groups"]:
        members = [by_index[i] for i in g["members"] if i in by_index]
        if not members:
            continue
        p = members[0]
        mx, my = rows[p["index"]][x][0], rows[p["index"]][y][0]
        _, fy = ax.transAxes.inverted().transform(ax.transData.transform((mx, my)))
        anchors.append((g, mx, my, float(fy)))
    height_in = 5.6 * 0.84
    pos, gap = spread([a[3] for a in anchors], 1.5 * FONT_PT / 72 / height_in)
    size = min(FONT_PT, gap * height_in * 72 / 1.25)
    for (g, mx, my, _), fy in zip(anchors, pos, strict=True):
        ax.annotate(plain(group_label(front, g)), (mx, my), xycoords="data",
                    xytext=(1.04, fy), textcoords="axes fraction", va="center", ha="left",
                    fontsize=size, color="C3", annotation_clip=False,
                    arrowprops={"arrowstyle": "-", "color": "C3", "lw": 0.6, "alpha": 0.5})
    return fig


def fmt_interval(mean: float, low: float, high: float) -> str:
    if not math.isfinite(mean):
        return ""
    if not math.isfinite(low):
        return f"{mean:.4g}"
    return f"{mean:.4g} [{low:.4g}, {high:.4g}]"


def finding(front: Mapping[str, Any]) -> str:
    """The result in one sentence, from the verdicts (never written by hand)."""
    groups = front["groups"]
    eligible = [p for p in front["points"] if p["eligible"]]
    dominated = [p for p in eligible if p["dominated_by"]]
    names = {p["index"]: p["label"] for p in front["points"]}
    on = sum(len(g["members"]) for g in groups)
    if not groups and front.get("infeasible"):
        n = len(front["infeasible"])
        broke = "the one chain measured broke" if n == 1 else f"all {n} chains measured broke"
        rules = front.get("constraints") or []
        return (f"No front: {broke} the constraints"
                + (f" ({'; '.join(rules)})" if rules else "")
                + ", so no chain is feasible; loosen a constraint or search other chains.")
    if not groups:
        return "No point measured every objective, so there is no front."
    lead = "; ".join(f"{g['name']}: {names[g['members'][0]]}" + (
        f" (+{len(g['members']) - 1} alike)" if len(g["members"]) > 1 else "") for g in groups)
    pct = round(100 * front["confidence"])
    verb = "is" if len(dominated) == 1 else "are each"
    tail = (f"the other {len(dominated)} of {len(eligible)} {verb} worse on every objective "
            f"than a chain on the front at {pct}% (paired, common random numbers)"
            if dominated else f"no point is worse than another on every objective at {pct}%, "
            "so nothing is ruled out (more replications may tell them apart)")
    return (f"{on} of {len(eligible)} chains make the front in {len(groups)} "
            f"group{'s' if len(groups) != 1 else ''} that the data tell apart ({lead}); {tail}.")


def front_tables(front: Mapping[str, Any], rows: Mapping[int, Mapping[str, Any]],
                 table: Any) -> list[str]:
    """HTML: the front by group with each objective's mean [95% interval], then the rest."""
    objectives = [o["metric"] for o in front["objectives"]]
    points = {p["index"]: p for p in front["points"]}

    def cells(i: int) -> list[str]:
        r = rows.get(i, {})
        return [fmt_interval(*r.get(m, (math.nan, math.nan, math.nan))) for m in objectives]

    head = [f"{m} ({'min' if o['sense'] == 'minimize' else 'max'})"
            for m, o in zip(objectives, front["objectives"], strict=True)]
    front_rows = [[g["name"], points[i]["label"], *cells(i)]
                  for g in front["groups"] for i in g["members"]]
    rest = [[points[i]["label"], ", ".join(points[j]["label"] for j in p["dominated_by"][:3])
             + (f" (+{len(p['dominated_by']) - 3})" if len(p["dominated_by"]) > 3 else ""),
             *cells(i)] for i, p in sorted(points.items()) if p["dominated_by"]]
    out = ["<h3>On the front</h3>", table(["group", "chain", *head], front_rows)]
    if rest:
        out += ["<h3>Dominated at 95%</h3>", table(["chain", "worse on every objective than",
                                                    *head], rest)]
    skipped = [p["label"] for p in points.values() if not p["eligible"]]
    if skipped:
        out.append('<p class="na">not judged (an objective missing, or a constraint broken): '
                   + escape(", ".join(skipped)) + "</p>")
    return out


def draw_hypervolume(history: Sequence[Sequence[float]]) -> Figure | str:
    if not history:
        return "no feasible trial yet"
    fig = Figure(figsize=(WIDTH_IN, 3.2), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.step([h[0] for h in history], [h[1] for h in history], where="post", color="C0")
    ax.set_xlabel("trial")
    ax.set_ylabel("hypervolume (objectives scaled to [0, 1])")
    return fig


def tune_sections(tune: Mapping[str, Any], table: Any) -> list[str]:
    """HTML for the search: best chains as ready lines, importances, what failed."""
    out = ["<h2>Best chains</h2>",
           "<p>Ready to paste into a scenario; chains in one group cannot be told apart on "
           "any objective at 95%, so pick among them on other grounds.</p>"]
    lines = []
    for best in tune.get("best", []):
        for chain, n in zip(best["chains"], best["trials"], strict=True):
            quoted = ", ".join(f'"{s}"' for s in chain)
            lines.append(f"policies = [{quoted}]   # group {best['group']}, trial {n}")
    out.append(f'<pre class="chains">{escape(chr(10).join(lines) or "none yet")}</pre>')
    imp = tune.get("importances") or {}
    if imp:
        params = sorted({p for v in imp.values() for p in v})
        out += ["<h2>Parameter importances</h2>",
                "<p>Share of each objective's variation across trials explained by each "
                "parameter (Optuna's PED-ANOVA; few trials per value make it rough). "
                "<code>chain.N</code> is which policy fills slot N.</p>",
                table(["parameter", *imp], [[p, *[imp[m].get(p, "") for m in imp]]
                                            for p in params])]
    if tune.get("infeasible"):
        out.append(f'<p class="meta">{len(tune["infeasible"])} trials broke a constraint '
                   f'({escape("; ".join(tune.get("constraints", [])))}) and are not judged.</p>')
    if tune.get("failed"):
        out.append('<div class="note">Failed trials: ' + escape("; ".join(
            f"{f['trial']}: {f['error']}" for f in tune["failed"])) + "</div>")
    return out
