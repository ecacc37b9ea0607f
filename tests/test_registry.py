"""The metric registry covers every name a real run writes, and resolves names honestly."""

from __future__ import annotations

import pytest

from reports.registry import GROUPS, METRICS, Metric, UnknownMetric, lookup, unregistered
from scenarios.schema import load
from sim.run import run_scenario


@pytest.fixture(scope="module")
def summaries() -> dict[str, dict[str, object]]:
    out = {}
    out["tiny"], _ = run_scenario(load("tiny"), seed=3)
    out["baseline"], _ = run_scenario(load("baseline"), seed=1, scale=0.02, days=1)
    out["validate_mmc"], _ = run_scenario(load("validate_mmc"), seed=1, days=0.5)
    return out


@pytest.mark.parametrize("name", ["tiny", "baseline", "validate_mmc"])
def test_every_summary_key_is_registered(summaries: dict[str, dict[str, object]],
                                         name: str) -> None:
    summary = summaries[name]
    assert len(summary) > 20
    assert unregistered(summary) == []


def test_every_metric_has_a_definition_unit_stage_and_known_group() -> None:
    for m in METRICS.values():
        assert m.definition and m.unit and m.stage, m.name
        assert m.group in GROUPS


def test_patterns_resolve_to_the_most_specific_family() -> None:
    util = lookup("facility_denver_rpdc_utilisation")
    assert util.group == "network" and util.unit == "share"
    assert "denver_rpdc" in util.definition and util.name == "facility_denver_rpdc_utilisation"
    # ``facility_{name}_wait_mean_h`` would also match with name = "x_station".
    station = lookup("facility_x_station_wait_mean_h")
    assert "station x" in station.definition
    assert lookup("facility_x_wait_mean_h").definition == "mean wait of a parcel at x (W)"
    # An exact name wins over a pattern that matches it.
    assert lookup("held_quiet_hours").definition.startswith("notifications held until")
    assert "'digest'" in lookup("held_digest").definition


def test_unknown_names_are_refused_with_a_suggestion() -> None:
    with pytest.raises(UnknownMetric, match=r"did you mean 'care_contacts'"):
        lookup("care_contcts")
    with pytest.raises(ValueError, match="unknown metric 'zzz'"):
        lookup("zzz")
    with pytest.raises(UnknownMetric):
        lookup("facility_")


def test_metric_is_frozen() -> None:
    m = lookup("cost_usd")
    assert isinstance(m, Metric)
    with pytest.raises(AttributeError):
        m.unit = "EUR"  # type: ignore[misc]


def test_every_name_the_reports_lead_with_is_registered() -> None:
    from eccc.run_command import HEADLINE
    from reports.html import KEY_NUMBERS
    from research.whatif import KEY_METRICS

    names = [*HEADLINE, *KEY_METRICS, *(k.key for k in KEY_NUMBERS),
             *(key for k in KEY_NUMBERS if k.detail for key in k.detail[1])]
    assert unregistered(names) == []
