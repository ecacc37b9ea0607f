"""Fields of a record that end up in texts (tracking number, place) carry no link."""

from pathlib import Path

import pytest

from engine.errors import InvalidInput
from engine.inputs import Scan, Subscribe
from engine.records import to_input
from scenarios.schema import ScenarioError, load

TN = "9400111899223456789012"
SCAN = {"kind": "scan", "at": "2026-12-14T09:31:00-07:00", "trackingNumber": TN,
        "eventCode": "OF", "eventCity": "DENVER", "eventState": "CO", "eventZIP": "80202"}
SUB = {"kind": "subscribe", "at": "2026-12-14T09:00:00-07:00", "trackingNumber": TN,
       "phone": "+13035550123"}


@pytest.mark.parametrize("tn", [
    "https://usps-redelivery.top/x", "usps.com", "9400 1118 9922", "94001118\n99", "",
    "x" * 41, "ＡＢＣ123", "940011189922345678901२", "TN-1",
])
@pytest.mark.parametrize("record", [SCAN, SUB])
def test_a_tracking_number_is_letters_and_digits(record: dict[str, str], tn: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        to_input({**record, "trackingNumber": tn})
    assert refused.value.field == "trackingNumber"


@pytest.mark.parametrize(("field", "value"), [
    ("eventCity", "VISIT BIT.LY/REDELIVER"), ("eventCity", "usps-help.top"),
    ("eventCity", "DENVER https://x.co"), ("eventCity", "www.example"),
    ("eventCity", "DEN\nVER"), ("eventCity", "D" * 61), ("eventCity", "EVIL．ＣＯＭ"),
    ("eventState", "C.O"), ("eventState", "COLORADO"), ("eventState", "x.top"),
    ("eventZIP", "80202/x.top"), ("eventZIP", "bit.ly/1"), ("eventZIP", "8020"),
])
def test_a_place_shown_in_texts_carries_no_link(field: str, value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        to_input({**SCAN, field: value})
    assert refused.value.field == field


@pytest.mark.parametrize(("city", "state", "zip_code"), [
    ("ST. LOUIS", "MO", "63101"), ("WINSTON-SALEM", "NC", "27101-1234"),
    ("O'FALLON", "IL", "622691234"), ("COEUR D'ALENE", "ID", ""), ("OTTAWA", "ON", "K1A 0B1"),
    ("", "", ""), ("SAN JUAN", "PR", "00901"), ("Cañon City", "CO", "81212"),
])
def test_real_places_pass(city: str, state: str, zip_code: str) -> None:
    Scan(at=1, tracking_number=TN, event_code="OF", city=city, state=state, zip=zip_code)


def test_short_and_s10_numbers_pass() -> None:
    for tn in ("9", "EA123456789US", "1Z999AA10123456784", TN):
        Subscribe(at=1, tracking_number=tn, phone="+13035550123")


def test_a_scenario_region_whose_city_holds_a_link_is_refused(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parents[1] / "scenarios" / "tiny.toml").read_text(
        encoding="utf-8")
    assert 'city = "' in text
    first = text.index('city = "')
    end = text.index('"', first + len('city = "'))
    bad = tmp_path / "bad.toml"
    bad.write_text(text[:first] + 'city = "GO TO EVIL.TOP' + text[end:], encoding="utf-8")
    with pytest.raises(ScenarioError, match="holds a link"):
        load(str(bad))
