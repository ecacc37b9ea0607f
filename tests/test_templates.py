"""The words of the texts: shape, merchant text as data, stable message ids."""

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from engine import templates
from engine.core import message_id
from engine.gsm import GSM7, encode_info
from engine.links import has_link
from engine.outputs import Redacted
from engine.templates import Brand, clean_merchant, local_time, notice, short_date
from tests.helpers import TN, at, engine, notices, scan, sms_in, sub, texts

BRAND = Brand()


def test_notice_shape_matches_the_service() -> None:
    body = notice(BRAND, TN, "Delivered 12/15 11:10am DENVER CO 80202", None, "")
    assert body == (f"USPS {TN}: Delivered 12/15 11:10am DENVER CO 80202. "
                    "Reply HELP for help, STOP to cancel.")


def test_local_time_formats() -> None:
    assert local_time(1_797_358_200, -420) == "12/15 11:10am"
    assert local_time(1_797_358_200 - 11 * 3600 - 600, -420) == "12/15 12:00am"
    assert local_time(1_797_358_200 + 3600 - 600, -420) == "12/15 12:00pm"


@settings(max_examples=300, deadline=None)
@given(at=st.integers(0, 4_000_000_000), offset=st.integers(-16 * 60, 16 * 60),
       clear=st.booleans())
def test_remembered_times_and_dates_are_the_calendar_s(at: int, offset: int, clear: bool) -> None:
    """The wording is remembered per local minute and day; the memory changes no answer
    (whatever the seconds within the minute, and after the memory is emptied)."""
    if clear:
        templates._TIMES.clear()
        templates._DATES.clear()
    t = datetime.fromtimestamp(at + offset * 60, UTC)
    half = "am" if t.hour < 12 else "pm"
    want = f"{t.month}/{t.day} {t.hour % 12 or 12}:{t.minute:02d}{half}"
    assert local_time(at, offset) == want
    assert local_time(at - at % 60 + 59, offset) == local_time(at - at % 60, offset)
    day = at // 86400
    d = datetime.fromtimestamp(day * 86400, UTC)
    assert short_date(day) == f"{d.month}/{d.day}" == short_date(day)


def test_merchant_text_is_data_not_template() -> None:
    def clean(text: str | None, brand: Brand = BRAND) -> str:
        return clean_merchant(text, brand).text

    linked = Brand(links=True)
    assert clean("Acme {tracking} %s") == "Acme {tracking} %s"
    assert clean("Shop\x00\nName\t") == "Shop Name"
    assert clean("Deals at http://evil.example/x now") == "Deals at now"
    assert clean("evil.example.com") == "example"
    assert clean("see usps.com/shop", linked) == "see usps.com/shop"
    assert clean("tools.usps.com", linked) == "tools.usps.com"
    assert clean("see usps.com/shop") == "see usps/shop"  # links are off by default
    assert clean("x" * 80) == "x" * 30
    assert clean(None) == ""
    assert clean("https://usps.com.evil.io/a", linked) == ""
    assert clean("bit.ly/abc Shop") == "bit/abc Shop"
    assert clean("Fine Foods Inc.") == "Fine Foods Inc."
    assert clean("Deals at EVIL.COM!") == "Deals at EVIL!"
    assert clean("USPS.com.redelivery.top", linked) == "redelivery"
    assert clean_merchant("Deals at EVIL.COM!", BRAND).removed == ("link_domain",)


def test_merchant_braces_reach_the_text_verbatim() -> None:
    out = engine().handle_all([sub("2026-12-14T08:30", merchant="{0} {brand.sender}"),
                               scan("2026-12-14T10:00", "03")])
    assert "From {0} {brand.sender}." in notices(out)[0].body


def test_delivered_text_drops_the_expected_date() -> None:
    out = engine().handle_all([sub("2026-12-14T08:30"),
                               scan("2026-12-14T10:00", "OF", expected_delivery=20437),
                               scan("2026-12-14T12:00", "01")])
    of, delivered = notices(out)
    assert "Expected delivery" in of.body and "Expected delivery" not in delivered.body


def test_message_ids_are_stable_and_distinct() -> None:
    # a fixed value: ids must not change between versions, drivers rely on them
    assert message_id("+13035550123", TN, "scan:OF@1797346860") == "1826b28716c2e6e958cb"
    out = engine().handle_all([sub("2026-12-14T08:30"), sms_in("2026-12-14T08:31", "HELP"),
                               sms_in("2026-12-14T08:31", "HELP"), scan("2026-12-14T10:00", "03")])
    ids = [o.message_id for o in out if hasattr(o, "message_id")]
    assert len(ids) == 4 and len(set(ids)) == 4


def test_person_quiet_request_holds_without_a_quiet_policy() -> None:
    e = engine("every_scan")
    out = e.handle_all([sub("2026-12-14T08:30"), sms_in("2026-12-14T08:40", "QUIET"),
                        scan("2026-12-14T22:30", "10")])  # 23:30 Central
    (sent,) = notices(out)
    assert sent.at == at("2026-12-15T06:00")  # 7:00 Central


# Independent copy of the GSM-7 alphabet, TS 23.038 (the oracle here).
GSM_CHARS = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà" "\f^{}\\[~]|€")


def test_a_shops_name_is_written_in_gsm7_where_it_has_a_faithful_equivalent() -> None:
    def clean(text: str) -> str:
        cleaned = clean_merchant(text, BRAND)
        assert cleaned.removed == (), (text, cleaned)  # not a link: nothing is redacted
        return cleaned.text

    assert clean("Trader Joe’s") == "Trader Joe's"
    assert clean("Trader Joe´s") == "Trader Joe's"
    assert clean("©2024 Shop ★★★") == "(c)2024 Shop"
    assert clean("“Best” Buy") == '"Best" Buy'
    assert clean("—Shop—") == "-Shop-"
    assert clean("Shop – Deals") == "Shop - Deals"
    assert clean("Shop • Deals") == "Shop - Deals"
    assert clean("Shop… Deals") == "Shop... Deals"
    assert clean("Crème Brûlée") == "Crème Brulée"  # è and é are GSM-7; û is not
    assert clean("Żabka Deli") == "Zabka Deli"
    assert clean("Łódź Garçon") == "Lodz Garcon"
    assert clean("Phở Hòa") == "Pho Hòa"  # ò is GSM-7
    assert clean("Shop 🎉 Deals") == "Shop Deals"
    assert clean("🎉 Party City 🎈") == "Party City"
    assert clean("I ❤️ NY") == "I NY"
    assert clean("Café Olé") == "Café Olé"
    for other in ("Магазин", "Магазин 🎉", "ユニクロ", "متجر ١٠١", "Ελληνικά", "서울 상점",
                  "Shop Магазин’s"):
        assert clean(other) == other, other  # another script: mapping it away would lose it
    # Another script only beyond what is shown (30 characters): what is shown is Latin.
    assert clean("Trader Joe’s Fine Foods and More Магазин") == "Trader Joe's Fine Foods and Mo"


@given(st.text(alphabet=st.sampled_from(sorted(GSM_CHARS - {"\n", "\r", "\f"}) + list(
    "’‘“”–—•…ÀÁÂÃÈÊËÌÍÎÏÒÓÔÕÙÚÛÝàáâãêëíîïóôõúûýÿçŁłŻżŠšČčĞğİ🎉😀❤️★©®™½\u00a0\u2009")),
    max_size=40))
@settings(max_examples=300, deadline=None)
def test_a_latin_name_always_goes_out_in_gsm7(text: str) -> None:
    cleaned = clean_merchant(text, BRAND)
    assert set(cleaned.text) <= GSM_CHARS, (text, cleaned)
    assert len(cleaned.text) <= templates.MERCHANT_MAX
    assert not has_link(cleaned.text)
    assert set(cleaned.removed) <= {"link_domain", "link_lookalike", "link_phone",
                                    "link_address", "link_scheme"}


def test_one_curly_apostrophe_no_longer_triples_the_cost_of_every_text() -> None:
    out = engine().handle_all([sub("2026-12-14T08:30", merchant="Trader Joe’s"),
                               scan("2026-12-14T10:00", "03"), scan("2026-12-14T12:00", "OF")])
    bodies = [o.body for o in texts(out)]
    assert bodies and all("From Trader Joe's." in b or "from Trader Joe's" in b
                          for b in bodies), bodies
    assert all(encode_info(b).encoding == GSM7 for b in bodies), bodies
    assert not [o for o in out if isinstance(o, Redacted)]
