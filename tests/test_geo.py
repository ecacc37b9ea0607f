"""Table tests for engine.geo (ZIP / area code -> state, zone, strict hours)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import geo
from engine.geo import (
    DEFAULT_ZONE,
    STATE_ZONES,
    STRICT_HOURS_STATES,
    Place,
    locate,
    state_for_phone,
    state_for_zip,
    zone_for_phone,
    zone_for_state,
    zone_for_zip,
)

MILITARY = {"AA", "AE", "AP"}


@pytest.mark.parametrize(
    ("zip_code", "state"),
    [
        ("00501", "NY"),  # Holtsville IRS, edge prefix 005
        ("00901", "PR"),
        ("00802", "VI"),
        ("02108", "MA"),
        ("02903", "RI"),
        ("05501", "MA"),  # Andover IRS inside the VT block
        ("05401", "VT"),
        ("10001", "NY"),
        ("19901", "DE"),
        ("20001", "DC"),
        ("20166", "VA"),  # Dulles: 201 is Virginia
        ("20500", "DC"),
        ("21201", "MD"),
        ("33101", "FL"),
        ("34002", "AA"),
        ("39817", "GA"),
        ("56901", "DC"),  # edge prefix 569
        ("73301", "TX"),  # Austin IRS inside the OK block
        ("73102", "OK"),
        ("80202", "CO"),
        ("80202-1234", "CO"),
        ("88510", "TX"),  # edge prefix 885 (El Paso)
        ("89501", "NV"),
        ("90210", "CA"),
        ("09012", "AE"),
        ("96201", "AP"),
        ("96813", "HI"),  # edge prefix 967/968
        ("96910", "GU"),
        ("97201", "OR"),
        ("98101", "WA"),
        ("99501", "AK"),  # edge prefix 995
        ("99999", "AK"),
        (" 80202 ", "CO"),
    ],
)
def test_state_for_zip(zip_code: str, state: str) -> None:
    assert state_for_zip(zip_code) == state


@pytest.mark.parametrize(
    "zip_code",
    ["", "abc", "1234", "123456", "80202-12", "80202 1234", "8020a", "٨٠٢٠٢", "00001", "71501",
     "81701", "89901", "42801"],
)
def test_state_for_zip_malformed_or_unassigned(zip_code: str) -> None:
    assert state_for_zip(zip_code) is None
    assert zone_for_zip(zip_code) is None


def test_zip_table_is_sorted_and_codes_are_known() -> None:
    starts = [start for start, _ in geo._ZIP_RUNS]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert starts[0] == 0
    for _, code in geo._ZIP_RUNS:
        assert code is None or code in STATE_ZONES or code in MILITARY


def test_every_50_states_plus_dc_reachable_from_some_zip() -> None:
    reached = {code for _, code in geo._ZIP_RUNS if code is not None}
    us = {c for c in STATE_ZONES if len(c) == 2} - {
        "PR", "VI", "GU", "MP", "AS", "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON",
        "PE", "QC", "SK", "YT",
    }
    assert len(us) == 51
    assert us <= reached


@pytest.mark.parametrize(("state", "zone"), sorted(STATE_ZONES.items()))
def test_zone_for_state_every_region_is_valid_iana(state: str, zone: str) -> None:
    assert zone_for_state(state) == zone
    ZoneInfo(zone)  # raises if tzdata does not know it


@pytest.mark.parametrize(
    ("state", "zone"),
    [
        ("CO", "America/Denver"),
        ("co", "America/Denver"),
        ("AK", "America/Anchorage"),
        ("AZ", "America/Phoenix"),
        ("TN", "America/Chicago"),
        ("ON", "America/Toronto"),
        ("AE", None),
        ("ZZ", None),
        ("", None),
    ],
)
def test_zone_for_state(state: str, zone: str | None) -> None:
    assert zone_for_state(state) == zone


@pytest.mark.parametrize(
    ("zip_code", "zone"),
    [
        ("80202", "America/Denver"),
        ("33101", "America/New_York"),
        ("32501", "America/Chicago"),  # Pensacola: Florida but Central
        ("79901", "America/Denver"),  # El Paso
        ("88510", "America/Denver"),
        ("37902", "America/New_York"),  # Knoxville
        ("37201", "America/Chicago"),  # Nashville
        ("83814", "America/Los_Angeles"),  # Coeur d'Alene
        ("83702", "America/Boise"),
        ("09012", None),  # military: no zone
    ],
)
def test_zone_for_zip(zip_code: str, zone: str | None) -> None:
    assert zone_for_zip(zip_code) == zone


@pytest.mark.parametrize(
    ("e164", "state", "zone"),
    [
        ("+13035550123", "CO", "America/Denver"),
        ("+17205550123", "CO", "America/Denver"),
        ("+13055550123", "FL", "America/New_York"),
        ("+18505550123", "FL", "America/New_York"),  # phonenumbers: 850 is Eastern
        ("+12065550123", "WA", "America/Los_Angeles"),
        ("+15095550123", "WA", "America/Los_Angeles"),
        ("+14105550123", "MD", "America/New_York"),
        ("+14055550123", "OK", "America/Chicago"),
        ("+19185550123", "OK", "America/Chicago"),
        ("+14155550123", "CA", "America/Los_Angeles"),  # "San Francisco, CA"
        ("+12125550123", "NY", "America/New_York"),  # "New York, NY"
        ("+12025550123", "DC", "America/New_York"),
        ("+14165550123", "ON", "America/Toronto"),
        ("+14375550123", "ON", "America/Toronto"),  # "Toronto, ON"
        ("+16045550123", "BC", "America/Vancouver"),
        ("+15145550123", "QC", "America/Toronto"),
        ("+17095550123", "NL", "America/St_Johns"),
        ("+19025550123", "NS", "America/Halifax"),
        ("+19075550123", "AK", "America/Anchorage"),  # not Adak (listed first)
        ("+16055550123", "SD", "America/Chicago"),
        ("+18085550123", "HI", "Pacific/Honolulu"),
        ("+17875550123", "PR", "America/Puerto_Rico"),
        ("+1 (303) 555-0123", "CO", "America/Denver"),
        ("+18005550123", None, None),  # toll-free: no place
        ("+19995550123", None, None),
        ("+18765550123", None, None),  # Jamaica: NANP, not in table, multi-zone
        ("+442071234567", None, None),
        ("13035550123", None, None),
        ("+1303555012", None, None),
        ("", None, None),
        ("garbage", None, None),
    ],
)
def test_phone(e164: str, state: str | None, zone: str | None) -> None:
    assert state_for_phone(e164) == state
    assert zone_for_phone(e164) == zone


@pytest.mark.parametrize(
    ("e164", "zip_code", "expected"),
    [
        # Florida area code, Colorado ZIP: strict (area-code law), zone from ZIP
        ("+13055550123", "80202", Place("CO", "America/Denver", True)),
        # Colorado area code, Florida ZIP: strict via ZIP
        ("+13035550123", "33101", Place("FL", "America/New_York", True)),
        ("+13035550123", "80202", Place("CO", "America/Denver", False)),
        ("+13035550123", None, Place("CO", "America/Denver", False)),
        ("+13035550123", "", Place("CO", "America/Denver", False)),
        ("+13035550123", "abc", Place("CO", "America/Denver", False)),
        ("+14055550123", None, Place("OK", "America/Chicago", True)),
        ("+12065550123", "90210", Place("CA", "America/Los_Angeles", True)),
        ("+14105550123", "10001", Place("NY", "America/New_York", True)),
        ("+14165550123", None, Place("ON", "America/Toronto", False)),
        ("+13035550123", "32501", Place("FL", "America/Chicago", True)),
        # military ZIP: state from ZIP, zone falls back to the area code
        ("+13035550123", "09012", Place("AE", "America/Denver", False)),
        # nothing known: documented fallback zone
        ("+18005550123", None, Place(None, DEFAULT_ZONE, False)),
        ("garbage", "1234", Place(None, "America/New_York", False)),
    ],
)
def test_locate(e164: str, zip_code: str | None, expected: Place) -> None:
    got = locate(e164, zip_code)
    assert (got.state, got.zone, got.strict_hours) == (expected.state, expected.zone,
                                                       expected.strict_hours)


def test_both_clues_are_kept_when_they_disagree() -> None:
    place = locate("+13055550123", "94105")  # a Florida number, a California address
    assert [(c.by, c.state, c.zone) for c in place.clues] == [
        ("area_code", "FL", "America/New_York"), ("address", "CA", "America/Los_Angeles")]
    assert locate("+18005550123", None).clues[0].by == "default"


def test_strict_states() -> None:
    assert frozenset({"FL", "OK", "WA", "MD", "CT"}) == STRICT_HOURS_STATES  # from the table


def test_area_code_lookups_are_cached() -> None:
    geo._npa_info.cache_clear()
    for _ in range(3):
        locate("+13035550123", None)
        locate("+13035559999", "80202")
    info = geo._npa_info.cache_info()
    assert info.misses == 1 and info.hits >= 5


_PHONES = st.one_of(
    st.from_regex(r"\+1[0-9]{10}", fullmatch=True),
    st.from_regex(r"\+1[2-9][0-9]{2}[ .-]?[0-9]{3}[ .-]?[0-9]{4}", fullmatch=True),
    st.text(alphabet="+1234567890٣ -", min_size=0, max_size=14),
)
_ZIPS = st.one_of(st.none(), st.from_regex(r"[0-9]{5}(-[0-9]{4})?", fullmatch=True),
                  st.text(alphabet="0123456789- ", max_size=11))


@settings(max_examples=600, deadline=None)
@given(phone=_PHONES, destination_zip=_ZIPS)
def test_locate_is_the_combination_of_its_two_clues(phone: str,
                                                    destination_zip: str | None) -> None:
    """``locate`` (memoised per ZIP, per area code and per combination) gives what the
    ZIP's and the number's own answers combine to, for any text in either field."""
    zip_state = geo.state_for_zip(destination_zip) if destination_zip is not None else None
    zip_zone = geo.zone_for_zip(destination_zip) if destination_zip is not None else None
    phone_state, phone_zone = geo.state_for_phone(phone), geo.zone_for_phone(phone)
    want_strict = (zip_state in geo.STRICT_HOURS_STATES
                   or phone_state in geo.STRICT_HOURS_STATES)
    got = geo.locate(phone, destination_zip)
    assert got.state == (zip_state or phone_state)
    assert got.zone == (zip_zone or phone_zone or geo.DEFAULT_ZONE)
    assert got.strict_hours == want_strict
    zones = geo.zones_for_phone(phone)
    assert zones[:1] == ((phone_zone,) if phone_zone is not None else ())
    assert [(c.by, c.state, c.zone) for c in got.clues] == (
        [("area_code", phone_state, z) for z in zones]
        + [("address", zip_state, zip_zone)] * (zip_zone is not None)
        or [("default", phone_state or zip_state, geo.DEFAULT_ZONE)])


def test_every_area_code_has_the_libraries_region() -> None:
    """The shipped table (engine/areacodes.py, ``python -m eccc.areacodes``) answers
    what the installed ``phonenumbers`` geocoder answers, for every possible area code;
    the ones it does not list are asked of the library."""
    from engine.areacodes import REGION_OF_AREA_CODE

    geo._npa_info.cache_clear()
    for npa in map(str, range(200, 1000)):
        want = geo.library_state(npa)
        assert geo._npa_info(npa)[0] == want, npa
        assert REGION_OF_AREA_CODE.get(npa, want) == want, npa
    assert len(REGION_OF_AREA_CODE) > 400  # every assigned geographic code


def test_a_run_does_not_load_the_worlds_place_names() -> None:
    """The geocoder's data for every country (about 100 MB) is not loaded by the engine
    or the simulation when every area code is in the table."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from engine import geo\n"
        "import sim.model\n"
        "for npa in ('303', '212', '907', '416', '787'):\n"
        "    geo.locate('+1' + npa + '5550123', '80202')\n"
        "print('phonenumbers.geocoder' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(("npa", "also"), [("850", "America/Chicago"), ("605", "America/Denver"),
                                           ("701", "America/Denver"),
                                           ("208", "America/Los_Angeles"),
                                           ("219", "America/Chicago")])
def test_an_area_code_that_spans_zones_is_a_clue_in_each(npa: str, also: str) -> None:
    """A number keeps its area code wherever in it the person is: the Florida panhandle's
    850 is Eastern and Central, so by=both holds a text to both windows. The zones are
    what the library gives the area code's exchanges, asked one by one."""
    import phonenumbers
    from phonenumbers import timezone

    asked = set()
    for nxx in range(200, 1000):
        number = phonenumbers.parse(f"+1{npa}{nxx}0100")
        asked.update(z for z in timezone.time_zones_for_number(number) if z != "Etc/Unknown")
    zones = geo.zones_for_phone(f"+1{npa}5550123")
    assert also in zones and set(zones) <= asked and len(zones) > 1
    assert [c.zone for c in geo.locate(f"+1{npa}5550123", None).clues] == list(zones)
    assert geo.zones_for_phone("+13035550123") == ("America/Denver",)  # one zone: one clue


def test_a_panhandle_text_waits_for_eight_central() -> None:
    from engine.core import Engine, EngineConfig
    from engine.outputs import Held
    from tests.helpers import at, scan, sub
    e = Engine(EngineConfig(policies=("every_scan", "compliance")))
    out = e.handle_all([sub("2026-12-14T05:00", phone="+18505550123"),
                        scan("2026-12-14T05:30", "10")])  # 7:30 Eastern, 6:30 Central
    held = [o for o in out if isinstance(o, Held)]
    assert held and held[0].until == at("2026-12-14T07:00")  # 7:00 Denver, 8:00 Central
