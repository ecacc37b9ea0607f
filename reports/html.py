"""The report pages: plain values in, one self-contained HTML string out.

Pure functions only (no file access): figures arrive as PNG bytes and are
embedded as base64 data URIs, styles are inline, there is no JavaScript, so the
file can be mailed or opened from anywhere. Every piece of text from the run
goes through ``html.escape``.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from reports.legal import audit_section

NOT_AVAILABLE = "not available in this run"
NA = "n/a"  # a metric with nothing to measure (null in summary.json): not available

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;
max-width:1000px;margin:0 auto;padding:24px 20px 60px;background:#fff}
h1{font-size:1.6em;margin:0 0 4px}h2{margin:36px 0 10px;border-bottom:1px solid #dde2ea;
padding-bottom:4px}h3{margin:0 0 6px;font-size:1.05em}
.meta{color:#5a6475;margin:0}nav{margin:14px 0;font-size:.92em}nav a{margin-right:12px}
a{color:#1f5fbf}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:12px}
.card{border:1px solid #dde2ea;border-radius:8px;padding:10px 12px;background:#f8fafc}
.card .label{color:#5a6475;font-size:.85em}.card .value{font-size:1.45em;font-weight:600}
.card .detail{color:#5a6475;font-size:.85em}
.na{color:#8a93a3;font-style:italic}.card .value.na{font-size:1em;font-weight:400}
figure{margin:0 0 28px}figure img{max-width:100%;height:auto;border:1px solid #eef1f5}
figcaption{color:#3b4455;margin-top:4px}
.note{background:#fff7e0;border:1px solid #f0d58a;border-radius:6px;padding:8px 12px}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{padding:3px 8px;border-bottom:1px solid #eef1f5;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
table.changes .def{color:#5a6475;font-size:.85em;max-width:420px}
td.better{color:#17803d;font-weight:600}td.worse{color:#b3261e;font-weight:600}
.card .detail.cf{color:#3b4455;border-top:1px dashed #ccd3de;margin-top:3px;padding-top:2px}
th.group{background:#e6ecf5;font-size:1.05em;padding-top:10px}
table.glossary td:first-child{white-space:nowrap}
th{background:#f3f5f9;position:sticky;top:0}
pre{background:#f6f8fa;border:1px solid #dde2ea;border-radius:6px;padding:10px;
overflow-x:auto;font-size:.85em}
"""


@dataclass(frozen=True)
class FigureSection:
    title: str
    caption: str
    content: bytes | str  # PNG bytes, or why the figure is not available


# --- formatting numbers the way a planner reads them ---------------------------------------


def number(value: Any) -> float | None:
    """A finite JSON number as float; None for strings, bools, NaN and absent values."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def fmt_int(v: float) -> str:
    return f"{round(v):,}"


def fmt_share(v: float) -> str:
    if 0 < abs(v) < 0.001:
        return "<0.1%"
    return f"{100 * v:.1f}%"


def fmt_usd(v: float) -> str:
    return f"-${-v:,.2f}" if v < 0 else f"${v:,.2f}"


def fmt_days(v: float) -> str:
    return f"{v:.2f} days"


def fmt_duration(seconds: float) -> str:
    s = abs(seconds)
    if s < 1:
        text = f"{s * 1000:.0f} ms"
    elif s < 60:
        text = f"{s:.1f} s"
    elif s < 3600:
        text = f"{s / 60:.1f} min"
    elif s < 86400:
        text = f"{s / 3600:.1f} h"
    else:
        text = f"{s / 86400:.1f} days"
    return "-" + text if seconds < 0 else text


def span_words(days: float) -> str:
    """A run's days as a label says them: "day", "week", "fortnight", "2 days", "1.5 days"."""
    return {1.0: "day", 7.0: "week", 14.0: "fortnight"}.get(float(days), f"{days:g} days")


_SAME_SPAN = re.compile(r"\bthe same (?:week|fortnight|month|day|\d+(?:\.\d+)? days?)\b",
                        re.IGNORECASE)


def run_label(label: str, days: Any) -> str:
    """A counterfactual's label fitted to the run: a scenario file's "the same week
    without the closure" says "the same 2 days without the closure" on a 2-day run
    (``--days``). Labels that name no span, or a run of unknown days, are left as they are."""
    d = number(days)
    if d is None or d <= 0:
        return label
    return _SAME_SPAN.sub(lambda m: m.group(0)[:len("the same ")] + span_words(d), label)


def fmt_value(value: Any) -> str:
    """Any summary value for the full metrics table."""
    if isinstance(value, bool) or value is None:
        # None: a metric with nothing to measure (null in summary.json)
        return str(value).lower() if isinstance(value, bool) else NA
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return NA  # a sweep's mean of a metric no replication could measure
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:,.0f}"
        return f"{value:,.2f}" if abs(value) >= 1000 else f"{value:.6g}"
    return str(value)


# --- key numbers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyNumber:
    label: str
    key: str
    fmt: Callable[[float], str]
    # Secondary line: (template, keys, formatters); shown when all its keys are present.
    detail: tuple[str, tuple[str, ...], tuple[Callable[[float], str], ...]] | None = None


def _per_thousand(v: float) -> str:
    return f"{1000 * v:.2f}"


KEY_NUMBERS = (
    KeyNumber("Texts sent", "texts_total", fmt_int,
              ("{} notifications · {} answers", ("texts_notifications", "texts_replies"),
               (fmt_int, fmt_int))),
    KeyNumber("SMS segments", "segments_total", fmt_int),
    KeyNumber("Cost, total", "cost_total_usd", fmt_usd,
              ("SMS {} + care {}", ("cost_usd", "care_cost_usd"), (fmt_usd, fmt_usd))),
    KeyNumber("Decision delay p95 (scan → decision)", "latency_scan_to_decision_p95_s",
              fmt_duration, ("p50 {} · quiet-hours holds, digests", (
                  "latency_scan_to_decision_p50_s",), (fmt_duration,))),
    KeyNumber("Delivery p95 (submit → handset)", "latency_submit_to_handset_p95_s",
              fmt_duration, ("gateway queue p95 {} · end to end p95 {}", (
                  "latency_decision_to_submit_p95_s", "latency_scan_to_handset_p95_s"),
                  (fmt_duration, fmt_duration))),
    KeyNumber("Recipients over 3 notifications / 24 h", "texts_per_recipient_24h_share_over_3",
              fmt_share, ("over 5: {}", ("texts_per_recipient_24h_share_over_5",), (fmt_share,))),
    KeyNumber("Opt-outs", "opt_outs", fmt_int,
              ("{} per 1,000 notifications", ("opt_out_rate_per_text",), (_per_thousand,))),
    KeyNumber("Customer-care contacts", "care_contacts", fmt_int,
              ("mean wait {} · {} abandoned", ("care_wait_mean_s", "care_abandon_share"),
               (fmt_duration, fmt_share))),
    KeyNumber("Care contacts avoided vs. no SMS", "care_contacts_avoided_vs_no_sms", fmt_int),
    KeyNumber("Days to deliver (mean, calendar days)", "days_to_deliver_mean", fmt_days),
    KeyNumber("Delivered on time", "on_time_share", fmt_share),
)


def key_value(summary: dict[str, Any], k: KeyNumber) -> str | None:
    v = number(summary.get(k.key))
    return None if v is None else k.fmt(v)


def key_detail(summary: dict[str, Any], k: KeyNumber) -> str | None:
    if k.detail is None:
        return None
    template, keys, fmts = k.detail
    values = [number(summary.get(key)) for key in keys]
    if any(v is None for v in values):
        return None
    return template.format(*(f(v) for f, v in zip(fmts, values, strict=True) if v is not None))


def _cards(summary: dict[str, Any], counterfactual: dict[str, Any] | None = None) -> str:
    out = ['<div class="cards">']
    for k in KEY_NUMBERS:
        value, detail = key_value(summary, k), key_detail(summary, k)
        shown = (f'<div class="value">{escape(value)}</div>' if value is not None
                 else f'<div class="value na">{NOT_AVAILABLE}</div>')
        extra = f'<div class="detail">{escape(detail)}</div>' if detail else ""
        cf = key_value(counterfactual, k) if counterfactual is not None else None
        if cf is None and counterfactual is not None and k.key in counterfactual:
            cf = NA  # null there: nothing to measure in the counterfactual
        if cf is not None:
            extra += f'<div class="detail cf">counterfactual: {escape(cf)}</div>'
        out.append(f'<div class="card" title="{escape(k.key)}">'
                   f'<div class="label">{escape(k.label)}</div>{shown}{extra}</div>')
    out.append("</div>")
    return "\n".join(out)


# --- page pieces ---------------------------------------------------------------------------


def _na(reason: str, unavailable: str = NOT_AVAILABLE) -> str:
    return f'<p class="na">{unavailable} ({escape(reason)})</p>'


def figures_html(sections: Sequence[FigureSection], prefix: str,
                 unavailable: str = NOT_AVAILABLE) -> str:
    """Each section as a <figure> (id ``prefix``N): the PNG inline, or why it is missing."""
    out = []
    for i, f in enumerate(sections):
        out.append(f'<figure id="{prefix}{i + 1}"><h3>{escape(f.title)}</h3>')
        if isinstance(f.content, bytes):
            data = base64.b64encode(f.content).decode("ascii")
            out.append(f'<img src="data:image/png;base64,{data}" alt="{escape(f.title)}">')
            out.append(f"<figcaption>{escape(f.caption)}</figcaption>")
        else:
            out.append(_na(f.content, unavailable))
        out.append("</figure>")
    return "\n".join(out)


def _problems(problems: Sequence[str]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li>{escape(p)}</li>" for p in problems)
    return f'<div class="note">Parts of this run are missing:<ul>{items}</ul></div>'


def _document(title: str, body: Sequence[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ])


def fmt_pct(pct: float | None) -> str:
    """A % change as the terminal and the reports show it: one decimal, more for a small
    change (-0.02%, not -0.0%), "<0.01%" below that; "from 0" when undefined."""
    if pct is None:
        return "from 0"
    a = abs(pct)
    if a == 0 or a >= 0.1:
        return f"{pct:+.1f}%"
    sign = "-" if pct < 0 else "+"
    return f"{pct:+.2f}%" if a >= 0.01 else f"{sign}<0.01%"


def looks_numeric(text: str) -> bool:
    """A formatted value ("$1,180.55", "+$9.00", "<0.1%", "-2.9 h"): right-aligned."""
    body = text.lstrip("+-<$")
    return bool(body) and body[0].isdigit()


def fmt_unit(value: float | None, unit: str, signed: bool = False) -> str:
    """A value in its registered unit (a difference when ``signed``); "n/a" for None (a
    metric with nothing to measure)."""
    if value is None:
        return NA
    sign = "+" if signed and value > 0 else ""
    if unit == "share":
        return f"{sign}{100 * value:.1f} pp" if signed else fmt_share(value)
    if unit == "s":
        return sign + fmt_duration(value)
    if unit == "USD":
        return sign + fmt_usd(value)
    if unit == "days":
        return f"{sign}{value:.2f} days"
    if float(value).is_integer():
        return sign + fmt_int(value)
    return sign + (f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}")


def identical_in_pairs(row: dict[str, Any]) -> bool:
    """A what_changed.json row (``research.whatif.Change``) with the same non-zero
    difference in every pair: its ``identical`` field, or, in a file from before it, a
    zero-width interval at a non-zero difference (which the t interval gave then)."""
    if row.get("identical"):
        return True
    lo, hi, n, diff = row.get("low"), row.get("high"), row.get("n") or 1, row.get("difference")
    return (isinstance(lo, int | float) and isinstance(hi, int | float) and lo == hi
            and isinstance(n, int) and n >= 2 and bool(diff))


def identical_text(n: int) -> str:
    """How a row the same in every pair shows instead of a (zero-width) interval."""
    return f"identical in every pair (n={n})"


def _not_comparable(row: dict[str, Any]) -> str | None:
    """Why a what_changed.json row has no difference (a side with nothing to measure),
    or None for a row to weigh."""
    if row.get("not_comparable"):
        return str(row["not_comparable"])
    if row.get("metric") and any(row.get(k, 0) is None for k in ("scenario", "counterfactual")):
        return "not comparable: nothing to measure on one side"
    return None


def _na_or(value: Any, unit: str) -> str:
    return fmt_unit(float(value), unit) if isinstance(value, int | float) else NA


def what_changed_html(doc: dict[str, Any]) -> str:
    """The "what changed" table: the scenario against its counterfactual, largest first."""
    from reports.registry import METRICS

    rows = [r for r in doc.get("rows") or [] if isinstance(r, dict)]
    seeds = doc.get("seeds") or []
    n = max((int(r.get("n") or 1) for r in rows), default=1)
    label = str(doc.get("counterfactual") or "the counterfactual")
    intro = (f"The scenario against its counterfactual, <b>{escape(label)}</b>, run on the "
             f"same seeds (common random numbers: the same parcels, customers and draws "
             f"wherever the what-if does not reach), so the difference is the what-if's. "
             f"Sorted by the size of the change; green is better, red worse.")
    if n >= 2:
        intro += (f" {n} replications (seeds {escape(', '.join(map(str, seeds)))}): values "
                  f"are means, the interval is 95% for the mean paired difference (t, cut to "
                  f"&plusmn;100 pp for shares; a bootstrap for shares from 20 pairs). An "
                  f"interval that spans 0 is within the noise: such a change is neither "
                  f"better nor worse.")
        if any(identical_in_pairs(r) for r in rows):
            intro += (" &ldquo;Identical in every pair&rdquo;: the same difference on every "
                      "seed, so there is no spread to measure the noise from and no "
                      "interval; under common random numbers that is a real effect, but "
                      "the noise is unknown, not zero (more replications would test it).")
    else:
        intro += (" One replication: the noise is unknown (run with --replications N for "
                  "intervals).")
    head = ("<tr><th>metric</th><th>scenario</th><th>counterfactual</th><th>difference</th>"
            "<th>change</th>" + ("<th>95% interval</th>" if n >= 2 else "") + "</tr>")
    body = []
    unchanged = []
    for r in rows:
        na = _not_comparable(r)
        if na is not None:  # a side with nothing to measure: n/a, and no verdict
            name, unit = str(r.get("metric") or ""), str(r.get("unit") or "")
            m = METRICS.find(name)
            cells = [f'<td><code>{escape(name)}</code><div class="def">'
                     f'{escape(m.definition if m else "")}</div></td>',
                     *(f'<td class="num">{escape(_na_or(r.get(k), unit))}</td>'
                       for k in ("scenario", "counterfactual")),
                     '<td class="num na">—</td>', f'<td class="na">{escape(na)}</td>']
            if n >= 2:
                cells.append('<td class="num na">—</td>')
            body.append("<tr>" + "".join(cells) + "</tr>")
            continue
        try:
            name, unit = str(r["metric"]), str(r.get("unit") or "")
            scen, cf, diff = float(r["scenario"]), float(r["counterfactual"]), \
                float(r["difference"])
        except (KeyError, TypeError, ValueError):
            continue
        lo, hi = r.get("low"), r.get("high")
        if diff == 0 and not lo and not hi:  # the same in every pair (research.whatif)
            unchanged.append(name)
            continue
        m = METRICS.find(name)
        title = m.definition if m else ""
        better = str(r.get("better") or "")
        if identical_in_pairs(r):  # no spread: not a zero-width, certain interval
            lo = hi = None
        noise = n >= 2 and lo is not None and hi is not None and float(lo) <= 0.0 <= float(hi)
        verdict = "" if not better or noise or diff == 0 else (
            "better" if (diff > 0) == (better == "higher") else "worse")
        pct = r.get("pct")
        change = fmt_pct(None if pct is None else float(pct))
        cells = [f'<td><code>{escape(name)}</code><div class="def">{escape(title)}</div></td>',
                 f'<td class="num">{escape(fmt_unit(scen, unit))}</td>',
                 f'<td class="num">{escape(fmt_unit(cf, unit))}</td>',
                 f'<td class="num">{escape(fmt_unit(diff, unit, signed=True))}</td>',
                 f'<td class="num {verdict}">{escape(change)}'
                 + (f" {verdict}" if verdict else "") + "</td>"]
        if n >= 2:
            if identical_in_pairs(r):
                cells.append(f'<td class="num">{escape(identical_text(int(r.get("n") or n)))}'
                             "</td>")
            elif lo is None or hi is None:
                cells.append('<td class="num na">—</td>')
            else:
                cells.append(f'<td class="num">[{escape(fmt_unit(float(lo), unit, True))}, '
                             f'{escape(fmt_unit(float(hi), unit, True))}]'
                             + (" noise" if noise else "") + "</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    table = (f'<table class="changes">{head}\n' + "\n".join(body) + "</table>" if body
             else "<p>No key metric changed.</p>")
    tail = (f'<p class="meta">Unchanged: {escape(", ".join(unchanged))}.</p>'
            if unchanged else "")
    return f"<p>{intro}</p>\n{table}\n{tail}"


def _first_replication_note(summary: dict[str, Any], what_changed: dict[str, Any] | None
                            ) -> str:
    """With replications, what the cards and figures show: the first one, not the means."""
    seeds = (what_changed or {}).get("seeds") or []
    if len(seeds) < 2:
        return ""
    seed = escape(str(summary.get("seed", seeds[0])))
    return (f'<p class="meta">These show one replication, seed {seed}, '
            f"and its counterfactual; What changed gives the means of all {len(seeds)} "
            f"(seeds {escape(', '.join(map(str, seeds)))}), whose summaries are in "
            f"<code>replications/</code>.</p>")


def run_page(summary: dict[str, Any], sections: Sequence[FigureSection],
             diagnostics: str | None, problems: Sequence[str], *,
             what_changed: dict[str, Any] | None = None,
             counterfactual: dict[str, Any] | None = None) -> str:
    """The single-run report; a what-if's opens on what changed."""
    scenario = str(summary.get("scenario", "unknown scenario"))
    meta = " · ".join(f"{name} {summary[name] if name == 'seed' else fmt_value(summary[name])}"
                      for name in ("seed", "scale", "days") if name in summary)
    nav = " ".join(f'<a href="#{a}">{escape(t)}</a>' for a, t in (
        *((("what-changed", "What changed"),) if what_changed is not None else ()),
        ("key-numbers", "Key numbers"), ("figures", "Figures"),
        ("legal-risk-audit", "Legal-risk audit"), ("metrics", "All metrics, defined"),
        ("diagnostics", "Diagnostics")))
    from reports.glossary import html_table

    metrics = (html_table(summary, fmt_value) if summary
               else _na("summary.json is missing or empty"))
    diag = (f"<pre>{escape(diagnostics)}</pre>" if diagnostics is not None
            else _na("no diagnostics.txt"))
    return _document(f"eccc run: {scenario}", [
        f"<header><h1>eccc run: {escape(scenario)}</h1>",
        f'<p class="meta">{escape(meta) if meta else NOT_AVAILABLE}</p></header>',
        f"<nav>{nav}</nav>",
        _problems(problems),
        *(['<h2 id="what-changed">What changed</h2>', what_changed_html(what_changed)]
          if what_changed is not None else []),
        '<h2 id="key-numbers">Key numbers</h2>',
        _first_replication_note(summary, what_changed),
        _cards(summary, counterfactual),
        '<h2 id="figures">Figures</h2>',
        _first_replication_note(summary, what_changed),
        figures_html(sections, "figure-"),
        '<h2 id="legal-risk-audit">Legal-risk audit</h2>',
        audit_section(summary),
        '<h2 id="metrics">All metrics</h2>',
        metrics,
        '<h2 id="diagnostics">Diagnostics</h2>',
        diag,
    ])


def comparison_page(labels: Sequence[str], summaries: Sequence[dict[str, Any]],
                    sections: Sequence[FigureSection],
                    problems: Sequence[Sequence[str]]) -> str:
    """Several runs side by side: key numbers, overlaid figures, every metric."""
    head = "<tr><th>metric</th>" + "".join(f"<th>{escape(lab)}</th>" for lab in labels) + "</tr>"

    def row(name: str, cells: Sequence[str | None]) -> str:
        tds = "".join(f'<td class="num">{escape(c)}</td>' if c is not None
                      else '<td class="num na">—</td>' for c in cells)
        return f"<tr><td>{escape(name)}</td>{tds}</tr>"

    key_rows = [row(k.label, [key_value(s, k) for s in summaries]) for k in KEY_NUMBERS]
    names = sorted({k for s in summaries for k in s})
    all_rows = [row(n, [fmt_value(s[n]) if n in s else None for s in summaries]) for n in names]
    notes = [f"{lab}: {p}" for lab, ps in zip(labels, problems, strict=True) for p in ps]
    title = "eccc comparison: " + " vs ".join(labels)
    return _document(title, [
        f"<header><h1>{escape(title)}</h1></header>",
        _problems(notes),
        '<h2 id="key-numbers">Key numbers</h2>',
        f"<table>{head}\n" + "\n".join(key_rows) + "</table>",
        '<h2 id="figures">Figures</h2>',
        figures_html(sections, "figure-"),
        '<h2 id="metrics">All metrics</h2>',
        f"<table>{head}\n" + "\n".join(all_rows) + "</table>",
    ])
