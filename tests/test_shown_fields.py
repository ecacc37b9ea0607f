"""Fields of a record that end up in texts (tracking number, place) carry no link;
fields are bounded; an input years ahead of the engine's clock is refused."""

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
    "https://usps-redelivery.top/x", "usps.com", "94001118\n99", "", "9400_1118",
    "x" * 41, "ＡＢＣ123", "940011189922345678901२", "9400/1118", "EA123456789US.top",
])
@pytest.mark.parametrize("record", [SCAN, SUB])
def test_a_tracking_number_is_letters_and_digits(record: dict[str, str], tn: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        to_input({**record, "trackingNumber": tn})
    assert refused.value.field == "trackingNumber"


@pytest.mark.parametrize(("field", "value"), [
    ("eventCity", "VISIT BIT.LY/REDELIVER"), ("eventCity", "800/555/1234"),
    ("eventCity", "DENVER https://x.co"), ("eventCity", "MARKET://X"),
    ("eventCity", "DEN\nVER"), ("eventCity", "D" * 61), ("eventCity", "CALL 800-555-1234"),
    ("eventCity", "DENVER\u3164"), ("eventCity", "DENVER\u2800"), ("eventCity", "DEN\ufe0fVER"),
    ("eventCity", "D\u0301\u0301\u0301ENVER"), ("eventCity", "TEL:800"),
    ("eventState", "C.O"), ("eventState", "COLORADO"), ("eventState", "x.top"),
    ("eventZIP", "80202/x.top"), ("eventZIP", "bit.ly/1"), ("eventZIP", "８０２０２"),
    ("eventZIP", "٨٠٢٠٢"), ("eventZIP", "8005551234"),
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


@pytest.mark.parametrize("typed", ["ea123456789us", "EA 123 456 789 US", "ea-123456789-us",
                                   " EA123456789US "])
@pytest.mark.parametrize("record", [SCAN, SUB])
def test_a_tracking_number_is_read_as_the_engine_keys_it(record: dict[str, str],
                                                          typed: str) -> None:
    """Case, spaces and hyphens between groups do not make another parcel (the shim's
    events and the texts people send name the same one)."""
    inp = to_input({**record, "trackingNumber": typed})
    assert isinstance(inp, (Scan, Subscribe)) and inp.tracking_number == "EA123456789US"


@pytest.mark.parametrize(("field", "value"), [
    ("merchant", "a" * 201), ("eventId", "e" * 201), ("eventCode", "OFOFOFOFO"),
])
def test_overlong_fields_are_refused_naming_them(field: str, value: str) -> None:
    record = SUB if field == "merchant" else SCAN
    with pytest.raises(InvalidInput) as refused:
        to_input({**record, field: value})
    assert refused.value.field == field


@pytest.mark.parametrize("day", ["2026-12-05garbage", "0001-01-01", "9999-12-31", "12/05/2026"])
def test_expected_delivery_is_a_date_in_range(day: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        to_input({**SCAN, "expectedDelivery": day})
    assert refused.value.field == "expectedDelivery"


def test_an_input_years_after_the_engine_clock_is_refused_and_changes_nothing() -> None:
    from engine.core import Engine
    from engine.inputs import Wake
    engine = Engine()
    engine.handle(to_input(SUB))
    engine.handle(to_input(SCAN))
    far = to_input({"kind": "wake", "at": "8999-12-31T00:00:00Z"})
    with pytest.raises(InvalidInput, match="days after the engine's clock"):
        engine.validate(far)
    with pytest.raises(InvalidInput, match="days after the engine's clock"):
        engine.handle(far)
    assert TN in engine.parcels
    engine.handle(Wake(at=engine.now + 300 * 86_400))  # a long quiet spell is fine


def test_a_phone_number_across_the_place_fields_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        to_input({**SCAN, "eventCity": "CALL 800 55", "eventState": "", "eventZIP": "51234"})
    assert refused.value.field == "eventCity"


@pytest.mark.parametrize("city", ["usps-help.top", "www.example", "EVIL．ＣＯＭ", "ST.CLOUD",
                                  "E.ST.LOUIS", "ST.GEORGE"])
def test_a_dotted_city_is_written_with_its_space_and_so_is_no_link(city: str) -> None:
    """Written without the space after its dot a place name is a domain name to a phone
    (ST.CLOUD: .cloud); the edge puts the space back instead of losing the scan."""
    from engine.links import has_link

    inp = to_input({**SCAN, "eventCity": city})
    assert isinstance(inp, Scan) and not has_link(inp.city) and ". " in inp.city


@pytest.mark.parametrize("tn", ["8005551234", "18005551234", "5551234"])
def test_a_tracking_number_that_reads_as_a_phone_number_is_refused(tn: str) -> None:
    with pytest.raises(InvalidInput, match="reads as a phone number"):
        to_input({**SUB, "trackingNumber": tn})


@pytest.mark.parametrize(("state", "zip_code"), [
    ("ON", "K1A-0B1"), ("ON", "K1A  0B1"), ("CO", "80202 1234"), ("", "SW1A 1AA"),
    ("NSW", "2000"), ("CDMX", "06600"), ("", "1012 AB"), ("", "110001"), ("", "D02 X285"),
    ("AE", "09012")])
def test_postal_codes_of_parcels_from_abroad_pass(state: str, zip_code: str) -> None:
    to_input({**SCAN, "eventCity": "APO", "eventState": state, "eventZIP": zip_code})


@pytest.mark.parametrize("zip_code", ["80202-1234", "80202 1234", "802021234"])
def test_a_zip_plus_4_is_shown_as_its_zip_since_nine_digits_are_a_number_to_call(
        zip_code: str) -> None:
    from engine.core import Engine
    from engine.links import has_link
    from engine.outputs import Sms
    engine = Engine()
    engine.handle(to_input(SUB))
    outs = engine.handle(to_input({**SCAN, "eventZIP": zip_code}))
    texts = [o for o in outs if isinstance(o, Sms)]
    assert texts and "DENVER CO 80202." in texts[0].body, texts
    assert "1234" not in texts[0].body and not has_link(texts[0].body.replace(TN, ""))


def test_an_inbound_text_longer_than_a_provider_hands_on_is_refused() -> None:
    from engine.inputs import BODY_MAX, SmsIn
    SmsIn(at=0, sender="+13035550123", body="x" * BODY_MAX)
    with pytest.raises(InvalidInput) as refused:
        to_input({"kind": "sms_in", "at": "2026-12-14T09:00:00Z", "from": "+13035550123",
                  "body": "STOP " + "x" * BODY_MAX})
    assert refused.value.field == "body"
