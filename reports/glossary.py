"""The registry of metrics shown three ways: terminal, Markdown (docs/metrics.md), HTML.

All three group the metrics by the question they answer (``reports.registry.GROUPS``).
``make docs`` (``python -m eccc.docs``) regenerates docs/metrics.md; a test checks the
committed file is up to date.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping
from typing import Any

from reports.registry import GROUPS, METRICS, Metric


def _what(m: Metric) -> str:
    text = m.definition
    if m.counts:
        text += f". Counts: {m.counts}"
    if m.excludes:
        text += f". Not counted: {m.excludes}"
    if m.empty:
        text += f". Not available (null) when there is nothing to measure: {m.empty}"
    return text + "."


def as_json() -> list[dict[str, str]]:
    return [{"name": m.name, "unit": m.unit, "definition": m.definition, "counts": m.counts,
             "excludes": m.excludes, "stage": m.stage, "group": m.group, "better": m.better,
             "empty": m.empty}
            for ms in METRICS.by_group().values() for m in ms]


def terminal(width: int = 100, group: str | None = None) -> str:
    lines = []
    for g, ms in METRICS.by_group().items():
        if group and g != group:
            continue
        lines.append(f"{g.upper()}: {GROUPS[g]}")
        for m in ms:
            lines.append(f"  {m.name}  [{m.unit}]  ({m.stage})")
            lines.extend(textwrap.wrap(_what(m), width, initial_indent="      ",
                                       subsequent_indent="      "))
        lines.append("")
    return "\n".join(lines)


def markdown() -> str:
    out = [
        "# Metrics",
        "",
        "Every name in a run's `summary.json`, defined once in `reports/metric_defs.py` "
        "and grouped by the question it answers. This page is generated "
        "(`make docs`); `eccc metrics` prints the same "
        "in the terminal (`--json` for a machine). A name in braces stands for a family: "
        "`{name}` is a facility of the scenario, `{reason}` the reason a policy or the "
        "engine gave, `{encoding}` a text encoding (gsm7, ucs2), `{i}` a station's index.",
        "",
        "Better: which direction is an improvement when a what-if changes the metric "
        "(blank for volumes and labels).",
        "",
        "A mean, percentile or share with nothing to measure (no texts reached a handset, "
        "no deliveries, ...) is not available: null in `summary.json`, \"n/a\" in the "
        "terminal and the reports, never 0; a what-if or comparison with n/a on either side "
        "gives no verdict (\"not comparable\"). The definitions below say when.",
        "",
    ]
    for g, ms in METRICS.by_group().items():
        out += [f"## {g.capitalize()}: {GROUPS[g]}", "",
                "| Metric | Unit | Definition | Better | Computed by |",
                "|---|---|---|---|---|"]
        for m in ms:
            out.append(f"| `{m.name}` | {m.unit} | {_what(m).replace('|', '/')} | "
                       f"{m.better} | `{m.stage}` |")
        out.append("")
    return "\n".join(out)


def html_table(summary: Mapping[str, Any], fmt: Any) -> str:
    """The run's metrics with their definitions and units, grouped by question.

    ``fmt`` formats a value. Names no metric covers (older runs) are listed last.
    """
    groups: dict[str, list[tuple[Metric, Any]]] = {g: [] for g in GROUPS}
    unknown = []
    for key in sorted(summary):
        m = METRICS.find(key)
        if m is None:
            unknown.append(key)
        else:
            groups[m.group].append((m, summary[key]))
    parts = ['<table class="glossary">']
    for g, rows in groups.items():
        if not rows:
            continue
        parts.append(f'<tr><th colspan="4" class="group">{html.escape(g.capitalize())}: '
                     f'{html.escape(GROUPS[g])}</th></tr>')
        for m, value in rows:
            parts.append(f"<tr><td><code>{html.escape(m.name)}</code></td>"
                         f'<td class="num">{html.escape(fmt(value))}</td>'
                         f"<td>{html.escape(m.unit)}</td>"
                         f"<td>{html.escape(_what(m))}</td></tr>")
    for key in unknown:
        parts.append(f"<tr><td><code>{html.escape(key)}</code></td>"
                     f'<td class="num">{html.escape(fmt(summary[key]))}</td><td></td>'
                     "<td>not in the registry (an older run?)</td></tr>")
    parts.append("</table>")
    return "\n".join(parts)


if __name__ == "__main__":
    print(markdown())
