"""The run report's "Legal-risk audit" section, read from ``summary.json``.

``engine.audit.Audit`` counts, for each rule of the compliance table and each
way of resolving a person's zone (area code, address, both), the notifications
that would break the rule's calling window or its cap; ``sim.run.summarise``
writes them as ``audit_<resolution>_<rule>_<kind>``. This section lays them out
as ``eccc replay --audit`` prints them: one row per rule and kind, a column per
resolution, with the rule's citation, and says whether the run's policy chain
had the compliance policy (then its column must be 0) or shows what the
operator is exposed to.
"""

from __future__ import annotations

from html import escape
from typing import Any

from engine.audit import KINDS
from engine.compliance import RESOLUTIONS, RULES

HEADINGS = {"area_code": "area code", "address": "address", "both": "both"}


def compliance_in_chain(policies: str) -> dict[str, str] | None:
    """The compliance policy's parameters in a summary's ``policies`` label, or None.

    The label joins specs with commas and a spec's parameters also use commas
    (``compliance:by=address,caps=false,milestones``): an item with ``=`` and no
    ``:`` is a parameter of the spec before it.
    """
    found: dict[str, str] | None = None
    current: dict[str, str] | None = None
    for item in (p.strip() for p in policies.split(",")):
        name, colon, rest = item.partition(":")
        if colon or "=" not in item:
            current = {} if name.strip() == "compliance" else None
            if current is not None:
                found = current
            item = rest if colon else ""
        if current is not None and "=" in item:
            key, _, value = item.partition("=")
            current[key.strip()] = value.strip()
    return found


def _sentence(summary: dict[str, Any]) -> str:
    params = compliance_in_chain(str(summary.get("policies", "")))
    if params is None:
        return ("The policy chain in use has no compliance policy: the counts show what the "
                "operator is exposed to.")
    by = params.get("by", "both")
    caps = params.get("caps", "true").lower() not in ("false", "0", "no")
    cols = RESOLUTIONS if by == "both" else (by,)
    broken = sum(int(summary.get(f"audit_{b}_{r.jurisdiction.lower()}_{k}", 0) or 0)
                 for b in cols for r in RULES for k in KINDS if k == "window" or caps)
    what = "windows and caps" if caps else "windows (caps off)"
    verdict = ("and it is" if broken == 0
               else f"but it is not ({broken} texts broke a rule: a bug to report)")
    if by == "both":  # both clues' zones cover either clue's: every column
        return (f"The policy chain in use has the compliance policy, resolving by both clues: "
                f"every count for the {what} must be 0, {verdict}.")
    return (f"The policy chain in use has the compliance policy, resolving by "
            f"{HEADINGS.get(by, by)}: that column's count for the {what} must be 0, "
            f"{verdict}. The other columns show the exposure left if a person is "
            "elsewhere than that resolution says.")


def audit_section(summary: dict[str, Any]) -> str:
    """The section's HTML (heading excluded), or a note when the run has no audit."""
    if "audit_notifications" not in summary:
        return '<p class="na">No legal-risk audit in this run\'s summary.json.</p>'
    cols = "".join(f'<th class="num">{HEADINGS[b]}</th>' for b in RESOLUTIONS)
    rows = []
    for rule in RULES:
        for kind in KINDS:
            if kind == "cap" and not rule.cap:
                continue
            cells = "".join(
                f'<td class="num">'
                f'{int(summary.get(f"audit_{b}_{rule.jurisdiction.lower()}_{kind}", 0) or 0):,}'
                "</td>" for b in RESOLUTIONS)
            rows.append(f"<tr><td>{escape(rule.jurisdiction)}</td><td>{kind}</td>{cells}"
                        f"<td>{escape(rule.citation)}</td></tr>")
    totals = "".join(f'<td class="num">{int(summary.get(f"audit_{b}_total", 0) or 0):,}</td>'
                     for b in RESOLUTIONS)
    rows.append(f"<tr><td>all</td><td></td>{totals}<td></td></tr>")
    intro = (f"{int(summary['audit_notifications']):,} notifications checked; each cell counts "
             "the texts that would break the rule if the person is where the column says "
             "(docs/compliance.md).")
    return (f"<p>{escape(intro)}</p>\n<p>{escape(_sentence(summary))}</p>\n"
            f'<table class="audit"><tr><th>rule</th><th>kind</th>{cols}<th>citation</th></tr>\n'
            + "\n".join(rows) + "</table>")
