"""The legal-risk audit in the simulation: summary.json, shard merges and the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.compliance import RESOLUTIONS, RULES
from reports.legal import audit_section, compliance_in_chain
from reports.registry import lookup, unregistered
from reports.render import render_run
from research.shards import merge
from scenarios.schema import load
from sim.run import run_scenario, run_to_dir


def _run(policies: list[str], out: Path | None = None) -> dict[str, Any]:
    sc = load("tiny").model_copy(update={"policies": policies})
    if out is not None:
        return run_to_dir(sc, out=out, days=1).summary
    return run_scenario(sc, 3, days=1)[0]


@pytest.fixture(scope="module")
def every_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("every_scan")
    return _run(["every_scan"], out), out


def test_every_scan_summary_has_registered_audit_keys(
        every_scan: tuple[dict[str, Any], Path]) -> None:
    s, _ = every_scan
    keys = [k for k in s if k.startswith("audit_")]
    for by in RESOLUTIONS:
        assert f"audit_{by}_total" in s
        for rule in RULES:
            assert f"audit_{by}_{rule.jurisdiction.lower()}_window" in s
            assert (f"audit_{by}_{rule.jurisdiction.lower()}_cap" in s) == bool(rule.cap)
    assert not unregistered(keys)
    assert lookup("audit_area_code_fl_cap").group == "legal"
    assert "area code" in lookup("audit_area_code_fl_cap").definition
    # Texting every scan at any hour breaks the federal window; the audit sees it.
    assert s["audit_notifications"] > 0
    assert s["audit_both_us_window"] > 0
    assert s["audit_both_total"] == sum(
        s[k] for k in keys if k.startswith("audit_both_") and k != "audit_both_total")


def test_compliance_policy_gives_all_zero_counts() -> None:
    s = _run(["every_scan", "compliance"])
    assert s["audit_notifications"] > 0
    counts = {k: v for k, v in s.items()
              if k.startswith("audit_") and k != "audit_notifications"}
    assert counts and all(v == 0 for v in counts.values()), counts


def test_shard_merge_adds_audit_counts(every_scan: tuple[dict[str, Any], Path]) -> None:
    s, _ = every_scan
    merged = merge([(s, {}), (s, {})]).summary
    for k in (k for k in s if k.startswith("audit_")):
        assert merged[k] == 2 * s[k], k


def test_report_has_the_audit_section(every_scan: tuple[dict[str, Any], Path]) -> None:
    s, out = every_scan
    page = render_run(out).read_text(encoding="utf-8")
    assert '<h2 id="legal-risk-audit">Legal-risk audit</h2>' in page
    assert "no compliance policy" in page
    for rule in RULES:
        assert rule.citation.split()[0] in page
    assert f"<td>US</td><td>window</td><td class=\"num\">{s['audit_area_code_us_window']:,}" \
        in page


def test_section_sentence_follows_the_chain() -> None:
    zero = {"audit_notifications": 5, "policies": "every_scan,compliance:by=address,caps=false"}
    assert "resolving by address" in audit_section(zero)
    assert "and it is" in audit_section(zero)
    broken = {**zero, "audit_address_us_window": 2}
    assert "2 texts broke a rule" in audit_section(broken)
    # Caps off: a cap count is exposure, not a failure of the policy.
    assert "and it is" in audit_section({**zero, "audit_address_fl_cap": 4})
    chain = {"audit_notifications": 5, "policies": "every_scan,compliance"}
    assert "resolving by both clues: every count" in audit_section(chain)
    assert "1 texts broke" in audit_section({**chain, "audit_area_code_tx_window": 1})
    assert "No legal-risk audit" in audit_section({"policies": "compliance"})


@pytest.mark.parametrize(("label", "params"), [
    ("milestones,quiet_hours,cap_rolling:limit=3", None),
    ("compliance", {}),
    ("every_scan,compliance:by=address,caps=false,cap_rolling:limit=3",
     {"by": "address", "caps": "false"}),
    ("compliance:mode=drop,milestones", {"mode": "drop"}),
])
def test_compliance_in_chain(label: str, params: dict[str, str] | None) -> None:
    assert compliance_in_chain(label) == params


def test_audit_forgets_people_not_texted_within_the_longest_cap() -> None:
    """Its memory follows the people texted lately, not the run's horizon, and forgetting
    changes no count: a Florida number texted 4 times in an hour breaks its 3-a-day cap once
    whether or not others were forgotten in between."""
    from engine.audit import Audit
    from engine.core import Engine, EngineConfig
    from engine.outputs import Sms

    def sms(at: int, to: str) -> Sms:
        return Sms(at=at, to=to, body="x", message_id=f"{to}{at}", tracking_number=None,
                   encoding="GSM-7", segments=1, cause="scan:10", event_at=at)

    engine = Engine(EngineConfig(policies=()))
    audit = Audit()
    noon = 1_797_422_400  # 2026-12-16 17:00 UTC, noon in Florida
    for i in range(50):
        audit.note(engine, sms(noon + i, f"+1305555{i:04d}"))
    later = noon + 3 * 86400
    for k in range(4):
        audit.note(engine, sms(later + 60 * k, "+13055559999"))
    for recent in audit._recent.values():  # the others' texts left the window
        assert set(recent.counts) == {"+13055559999"}  # type: ignore[call-overload]
        assert recent.times("+13055559999") == tuple(later + 60 * k for k in range(4))
    assert audit.breaks[("area_code", "FL", "cap")] == 1
    assert audit.notifications == 54
