"""The scenario schema: every shipped file loads; bad files say which file and field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from scenarios.schema import ScenarioError, load, shipped

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"


@pytest.mark.parametrize("name", shipped())
def test_shipped_scenarios_load(name: str) -> None:
    assert load(name).name == name


def test_all_required_scenarios_ship() -> None:
    need = {"baseline", "holiday_peak", "facility_outage", "carrier_outage", "scan_quality",
            "policy_all_vs_milestones", "validate_mmc", "tiny"}
    assert need <= set(shipped())


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = BASELINE.read_text()
    assert old in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(("old", "new", "field", "words"), [
    ("daily_parcels = 400_000", "daily_parcels = 400_000\ndaily_parcel = 3", "volume.daily_parcel",
     "unknown key"),
    ("daily_parcels = 400_000", "daily_parcels = -5", "volume.daily_parcels", "greater than 0"),
    ("capacity_per_hour = 28_500", "capacity_per_hour = 0",
     "network.facilities.1.capacity_per_hour", "greater than 0"),
    ("failure = 0.02", "failure = 1.5", "gateway.failure", "less than or equal to 1"),
    ('policies = ["every_scan"]', 'policies = ["every_other_scan"]', "policies",
     "unknown policy"),
    ('region = "denver"\nwindows', 'region = "boulder"\nwindows', "network",
     "unknown region 'boulder'"),
    ('transit_h = { kind = "lognormal", median = 1.0, sigma = 0.3 }',
     'transit_h = { kind = "lognormal", median = 1.0 }',
     "network.legs.acceptance_to_rpdc.transit_h", "needs 'sigma'"),
    ('area_codes = ["505"]', 'area_codes = ["505", "720"]', "network",
     "area code 720 is listed for regions"),
    ('area_codes = ["505"]', 'area_codes = ["50"]', "network.regions.2.area_codes.0",
     "should match pattern"),
    ('area_codes = ["505"]', 'area_codes = ["105"]', "network.regions.2.area_codes.0",
     "should match pattern"),
    # A value of the wrong type is refused, not converted: "2" is not 2, true is not 1.
    ("days = 7", 'days = "7"', "days", "valid number"),
    ("seed = 1", "seed = true", "seed", "valid integer"),
    ("seed = 1", "seed = 1.0", "seed", "valid integer"),
    ("failure = 0.02", 'failure = "0.02"', "gateway.failure", "valid number"),
    ('policies = ["every_scan"]', 'policies = "every_scan"', "policies", "valid list"),
])
def test_errors_name_file_and_field(tmp_path: Path, old: str, new: str, field: str,
                                    words: str) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(ScenarioError) as err:
        load(str(path))
    message = str(err.value)
    assert f"{path}: {field}" in message
    assert words in message


def test_missing_file_lists_shipped() -> None:
    with pytest.raises(ScenarioError, match=r"no such scenario file.*baseline"):
        load("no_such_scenario")


def test_bad_toml_names_file(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text("name = \n")
    with pytest.raises(ScenarioError, match=f"{path}: not valid TOML"):
        load(str(path))


@pytest.mark.parametrize(("where", "value"), [
    (("days",), float("inf")), (("retention", "after_close_days"), float("nan")),
    (("gateway", "validity_s"), float("inf")), (("scale",), float("nan"))])
def test_a_number_that_is_not_finite_is_refused_by_name(where: tuple[str, ...],
                                                        value: float) -> None:
    """TOML has inf and nan; a run given one crashed (days = inf: OverflowError)."""
    from scenarios.schema import parse

    data = load("tiny").model_dump(mode="json")
    table = data
    for key in where[:-1]:
        table = table.setdefault(key, {})
    table[where[-1]] = value
    field = re.escape(".".join(where))
    with pytest.raises(ScenarioError, match=rf"{field}: Input should be a finite"):
        parse(data)


@pytest.mark.parametrize(("where", "value", "words"), [
    (("network", "facilities", 1, "capacity_per_hour"), 1e308, "less than or equal"),
    (("volume", "daily_parcels"), 1e300, "less than or equal"),
    (("volume", "label_lead_h", "sigma"), 1000, "less than or equal"),
    (("volume", "hourly_curve"), [0] * 24, "not all zero"),
    (("volume", "weekday_factor"), [1, 1, 1, -1, 1, 1, 1], "non-negative"),
    (("volume", "surges"), [{"start": "2026-12-20", "end": "2026-12-10", "factor": 2}],
     "before it starts"),
    (("volume", "surges"), [{"start": "2026-12-10", "end": "2026-12-20", "factor": 1e12}],
     "less than or equal"),
    (("customers", "fatigue", "slope"), 1e6, "less than or equal"),
    (("network", "delivery"), {"attempted": 0.9, "refused": 0.9, "undeliverable": 0.9},
     "add up to"),
    (("network", "regions", 0, "zone"), "Mars/Olympus", "not an IANA time zone"),
    (("care", "zone"), "", "not an IANA time zone"),
    (("care", "shifts"), [{"start_h": 20, "end_h": 8, "agents": 3}], "night shift is two"),
    (("care", "shifts"), [{"start_h": 8, "end_h": 20, "agents": 100_000_000}],
     "less than or equal"),
    (("network", "facilities", 1, "windows"), [], "at least one window"),
    (("network", "tick_min"), 1e-9, "greater than or equal to 1"),
    (("start",), "0001-01-01", "greater than or equal"),
    (("start",), "9999-12-31", "less than or equal"),
    (("seed",), 99999999999999999999, "less than or equal"),
    (("days",), 1e9, "less than or equal"),
    (("faults",), [{"kind": "carrier_outage", "start": "2026-12-15T10:00:00-07:00",
                    "hours": 1e15}], "less than or equal"),
    # Each of these validated, then the run crashed (OverflowError, IndexError, simpy's
    # "lam value too large"), hung, or wrote inf into summary.json.
    (("retention", "silent_days"), 1e308, "less than or equal"),
    (("gateway", "cost_per_segment_usd"), 1e308, "less than or equal"),
    (("gateway", "short_code_usd_per_month"), 1e308, "less than or equal"),
    (("volume", "weekday_factor"), [1e6] * 7, "less than or equal to 10"),
    (("volume", "hourly_curve"), [1e308] * 24, "less than or equal"),
    (("volume", "surges"), [{"start": "2026-11-01", "end": "2026-11-30", "factor": 100}] * 2,
     "overlapping surges multiply to 1e[+]04 on 2026-11-01; at most 100"),
    (("volume", "surges"), [{"start": "2026-11-09", "end": "2026-11-09", "factor": 1.01}]
     * 10_000, "multiply to"),
    (("network", "regions", 0, "origin_share"), 1e308, "less than or equal"),
    (("network", "legs", "rpdc_to_lpc", "transit_cross_region_h"),
     {"kind": "empirical", "values": [1, 2], "weights": [1e308, 1e308]}, "less than or equal"),
    (("network", "legs", "rpdc_to_lpc", "transit_cross_region_h"),
     {"kind": "empirical", "values": [1e308]}, "less than or equal"),
    (("network", "facilities", 2, "warmup_h"), 1e308, "less than or equal"),
    (("faults",), [{"kind": "carrier_outage", "start": "0001-01-01T00:00:00+00:00",
                    "hours": 1}], "in the years 1971 to 2999"),
    (("faults",), [{"kind": "carrier_outage", "start": "9999-12-31T23:00:00-12:00",
                    "hours": 1}], "in the years 1971 to 2999"),
    (("network", "facilities", 0, "name"), "", "1 to 80 characters"),
    (("network", "regions", 0, "name"), "den\x00ver", "none of them a control character"),
    # Continuous stations: inf in summary.json (rho >= 1), ZeroDivisionError or a hang.
    (("stations",), [{"arrival_rate_per_h": 100, "servers": 1,
                      "service_h": {"kind": "exponential", "mean": 0.1}}],
     "servers is 10: it must be below 1"),
    (("stations",), [{"arrival_rate_per_h": 10, "servers": 1,
                      "service_h": {"kind": "fixed", "value": 0}}],
     "mean service time must be above 0"),
    (("stations",), [{"arrival_rate_per_h": 1e9, "servers": 10**9,
                      "service_h": {"kind": "exponential", "mean": 1e-6}}],
     "less than or equal"),
])
def test_values_a_run_cannot_use_are_refused_by_name(where: tuple[Any, ...], value: Any,
                                                     words: str) -> None:
    """Each of these passed the schema and then crashed the run with a traceback (or ran
    forever, or ran without sorting or staffing anything)."""
    from scenarios.schema import parse

    data = load("tiny").model_dump(mode="json")
    table: Any = data
    for key in where[:-1]:
        table = table[key]
    table[where[-1]] = value
    with pytest.raises(ScenarioError, match=words):
        parse(data)


def test_duplicate_facility_names_are_refused() -> None:
    from scenarios.schema import parse

    data = load("tiny").model_dump(mode="json")
    data["network"]["facilities"][1]["name"] = data["network"]["facilities"][0]["name"]
    with pytest.raises(ScenarioError, match="facility names must be unique"):
        parse(data)


def test_a_scenario_file_not_utf8_or_with_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(BASELINE.read_bytes().replace(b'name = "baseline"', b'name = "baseline"\n'
                                                   b'description = "caf\xe9"', 1))
    with pytest.raises(ScenarioError, match=f"{path}: not UTF-8 text"):
        load(str(path))
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + BASELINE.read_bytes())
    assert load(str(bom)).name == "baseline"


def test_dates_may_be_quoted_and_a_fault_start_written_bare(tmp_path: Path) -> None:
    quoted = _broken(tmp_path, "start = 2026-11-09", 'start = "2026-11-09"')
    assert str(load(str(quoted)).start) == "2026-11-09"
    tiny = (BASELINE.parent / "tiny.toml").read_text()
    bare = tmp_path / "bare.toml"
    bare.write_text(tiny.replace('start = "2026-11-10T10:00:00-07:00"',
                                 "start = 2026-11-10T10:00:00-07:00"))
    assert load(str(bare)).faults[0].start == "2026-11-10T10:00:00-07:00"


def test_surges_may_overlap_up_to_a_factor_of_100() -> None:
    from scenarios.schema import parse

    data = load("tiny").model_dump(mode="json")
    data["volume"]["surges"] = [{"start": "2026-11-01", "end": "2026-11-30", "factor": 10},
                                {"start": "2026-11-30", "end": "2026-12-05", "factor": 10},
                                {"start": "2026-12-01", "end": "2026-12-01", "factor": 10}]
    assert len(parse(data).volume.surges) == 3  # type: ignore[union-attr]


@pytest.mark.parametrize(("where", "value", "field", "words"), [
    (("faults", 0, "facility"), "nope", "faults.0.facility", "unknown facility 'nope'"),
    (("faults", 0, "region"), "mars", "faults.0.region", "unknown region 'mars'"),
    (("network", "facilities", 3, "region"), "mars", "network.facilities.3.region",
     "unknown region 'mars' (the regions: denver, miami)"),
])
def test_a_cross_reference_is_refused_naming_its_field(where: tuple[Any, ...], value: str,
                                                       field: str, words: str) -> None:
    """These were named '(top level): faults.0' and 'network', not the field."""
    from scenarios.schema import parse

    data = load("tiny").model_dump(mode="json")
    if where[0] == "faults":
        data["faults"] = [{"kind": "storm" if where[2] == "region" else "facility_closure",
                           "start": "2026-11-10T10:00:00-07:00", "hours": 1, where[2]: value}]
    else:
        data["network"]["facilities"][where[2]][where[3]] = value
    with pytest.raises(ScenarioError) as err:
        parse(data, "x.toml")
    assert f"x.toml: {field}: " in str(err.value) and words in str(err.value)


def test_a_file_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 5000 + "]" * 5000)
    with pytest.raises(ScenarioError, match=f"{path}: .*nested too deeply"):
        load(str(path))
