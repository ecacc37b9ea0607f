"""No token a phone would render as a link reaches a text, whatever a merchant name holds.

The oracle here is independent of ``engine.links``: the Public Suffix List through
the ``publicsuffixlist`` API, NFKC, and the confusables table through
``confusable_homoglyphs``' own API.
"""

from __future__ import annotations

import re
import unicodedata
from importlib import resources

import pytest
from confusable_homoglyphs import confusables
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from publicsuffixlist import PublicSuffixList

from engine.core import Engine, EngineConfig
from engine.inputs import MERCHANT_MAX_IN
from engine.links import Cleaned, has_link, strip_links
from engine.outputs import Redacted, Reply, Sms
from engine.templates import Brand
from tests.helpers import TN, scan, sms_in, sub

PSL = PublicSuffixList(accept_unknown=False)
SUFFIXES = sorted({
    line.strip().lstrip("!*.")
    for line in resources.files("publicsuffixlist").joinpath("public_suffix_list.dat")
    .read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("//")
})
LOOKALIKE = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "y": "у", "i": "і",
             "s": "ѕ", "A": "Α", "B": "Β", "E": "Ε", "O": "Ο", "M": "Μ", "T": "Τ", "K": "Κ"}
DOTS = [".", ".", ".", "。", "．", "｡", "\u200b.", ".\u200d"]
SHORTENERS = ["bit.ly/3xYz", "t.co/abc", "tinyurl.com/x9", "goo.gl/a", "ow.ly/q", "is.gd/z",
              "rb.gy/k", "cutt.ly/w"]


def _ascii_skeleton(text: str) -> str:
    """Every character that Unicode lists as confusable with an ASCII one, as that one."""
    out = []
    for ch in text:
        found = confusables.is_confusable(ch, preferred_aliases=["latin", "common"]) \
            if not ch.isascii() else False
        glyph = ch
        if found:
            for h in found[0]["homoglyphs"]:
                if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalnum():
                    glyph = h["c"]
                    break
        out.append(glyph)
    return "".join(out)


def linkish(text: str) -> list[str]:
    """Tokens of ``text`` a phone would render as a link (the oracle)."""
    folded = "".join(c for c in unicodedata.normalize("NFKC", text)
                     if unicodedata.category(c) != "Cf")
    folded = folded.replace("。", ".").replace("｡", ".")
    bad = []
    for view in (folded, _ascii_skeleton(folded)):
        if re.search(r"(?i)(https?|ftp)://|www\.\w|\b(tel|sms|mailto):[^\s/]", view):
            bad.append(view)
        if re.search(r"\d{1,3}(\.\d{1,3}){3}", view):
            bad.append(view)
        # Labels hold combining marks too (Devanagari कॉम): matched as letters.
        shadow = "".join("a" if unicodedata.category(c)[0] == "M" else c for c in view)
        for found in re.finditer(r"[\w-]+(?:\.[\w-]+)+", shadow):
            run = view[found.start() : found.end()]
            labels = [label.strip("-") for label in run.lower().split(".")]
            for i in range(1, len(labels)):
                if PSL.publicsuffix(".".join(labels[i:])) is not None or \
                        PSL.publicsuffix("x." + labels[i]) is not None:
                    bad.append(run)
            if _ascii_skeleton(run) != run:
                bad.append(run)  # a dotted name in look-alike letters
    return bad


@st.composite
def disguise(draw: st.DrawFn, text: str) -> str:
    """The same text as a phone's reader would see it, spelled with look-alikes."""
    how = draw(st.sampled_from(["plain", "upper", "lookalike", "fullwidth", "mixed"]))
    if how == "upper":
        return text.upper()
    if how == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    if how in ("lookalike", "mixed"):
        flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
        return "".join(LOOKALIKE.get(c, c) if f or how == "lookalike" else c
                       for c, f in zip(text, flips, strict=True))
    return text


@st.composite
def links(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["domain", "domain", "url", "ip", "short", "operator"]))
    label = draw(st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True))
    suffix = draw(st.sampled_from(SUFFIXES))
    dot = draw(st.sampled_from(DOTS))
    if kind == "ip":
        return ".".join(str(draw(st.integers(0, 255))) for _ in range(4))
    if kind == "short":
        return draw(st.sampled_from(SHORTENERS))
    if kind == "operator":
        host = f"USPS.com{dot}{label}{dot}{suffix}"
    else:
        host = draw(disguise(f"{label}{dot}{suffix}"))
    if kind == "url":
        host = draw(st.sampled_from(["https://", "http://", "www.", "HTTPS://www."])) + host \
            + draw(st.sampled_from(["", "/", "/track?id=1"]))
    return host


@st.composite
def merchants(draw: st.DrawFn) -> tuple[str, str]:
    """(merchant text, the shop's plain name in it)."""
    name = draw(st.from_regex(r"[A-Z][a-z]{2,7}", fullmatch=True))
    pieces = [name]
    for _ in range(draw(st.integers(1, 3))):
        link = draw(links())
        left, right = draw(st.sampled_from([("", ""), ("(", ")"), ("[", "]"), ("<", ">"),
                                            ('"', '"'), ("", "!"), ("", "."), ("", ","),
                                            ("at ", ""), ("-", "-"), (".", ""), ("x.", "")]))
        pieces.append(f"{left}{link}{right}")
    return draw(st.sampled_from([" ", "  ", " | ", ", "])).join(pieces), name


@given(merchants())
@settings(max_examples=250, deadline=None)
def test_no_merchant_string_yields_a_foreign_link(case: tuple[str, str]) -> None:
    merchant, name = case
    assume(len(merchant) <= MERCHANT_MAX_IN)  # longer is refused as input (test_shown_fields)
    assert linkish(merchant), merchant  # the generator makes links (the oracle sees them)
    engine = Engine(EngineConfig())
    out = engine.handle_all([sub("2026-12-14T09:00", merchant=merchant),
                             scan("2026-12-14T10:00", "03"), sms_in("2026-12-14T10:05", "HELP"),
                             sms_in("2026-12-14T10:06", f"WHEN {TN}")])
    bodies = [o.body for o in out if isinstance(o, Sms | Reply)]
    assert len(bodies) == 4
    for body in bodies:
        assert not linkish(body), (merchant, body)
        # The operator's own numbers (the parcel's, the help line) are the texts' own.
        assert not has_link(body.replace(TN, "").replace(Brand().help_line, "")), body
    assert any(isinstance(o, Redacted) for o in out)
    assert f"from {name}" in bodies[0]  # the shop's plain name survives


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_any_text_is_cleaned_to_no_link(text: str) -> None:
    cleaned = strip_links(text, limit=30)
    assert not linkish(cleaned.text), (text, cleaned.text)
    assert len(cleaned.text) <= 30


def test_the_operators_domain_only_when_links_are_allowed() -> None:
    linked = Brand(links=True)
    assert strip_links("see usps.com/shop", linked.own_domain).text == "see usps.com/shop"
    assert strip_links("see usps.com/shop", Brand().own_domain).text == "see usps/shop"
    for lookalike in ("USPS.com.redelivery.top", "usps.com-track.info", "uѕps.com",
                      "https://usps.com.evil.io/a"):
        assert not linkish(strip_links(lookalike, linked.own_domain).text), lookalike
    # Full-width letters are the same letters to a phone: this is the operator's own.
    assert strip_links("ｕｓｐｓ.com", linked.own_domain).text == "usps.com"


def test_plain_names_with_dots_that_are_not_links_stay() -> None:
    for name in ("J.Crew", "Dr.Martens", "Fine Foods Inc.", "A.B.C Kids", "Mr. Coffee",
                 "Café Olé", "ユニクロ", "Big Data: Store", "Tel: 555"):
        assert strip_links(name).text == name


# Characters Unicode's confusables table draws like a full stop (the table through
# confusable_homoglyphs' own data; its keys carry direction marks, dropped here).
DOT_LIKES = sorted({
    stripped for h in confusables.confusables_data["."]
    if len(stripped := "".join(c for c in h["c"] if unicodedata.category(c) != "Cf")) == 1
})


def test_every_dot_look_alike_reads_as_a_dot() -> None:
    wanted = ["\ua4f8", "\ua60e", "\u0660", "\u06f0", "\u0701", "\u0702", "\u0589"]
    for dot in sorted({*DOT_LIKES, *wanted}):
        for text in (f"usps{dot}com", f"Deals at evil{dot}top now", f"bit{dot}ly/x"):
            cleaned = strip_links(text)
            assert cleaned.removed, (hex(ord(dot)), text)
            assert dot not in cleaned.text, (hex(ord(dot)), cleaned.text)
            assert has_link(text), (hex(ord(dot)), text)


def test_every_full_stop_of_any_script_reads_as_a_dot() -> None:
    stops = [chr(cp) for cp in range(0x110000) if unicodedata.category(chr(cp)) == "Po"
             and "FULL STOP" in unicodedata.name(chr(cp), "")]
    assert len(stops) > 20
    for dot in stops:
        cleaned = strip_links(f"Deals at evil{dot}top now")
        assert cleaned.text == "Deals at evil now", (hex(ord(dot)), cleaned)


def test_dot_look_alike_digits_between_digits_are_digits() -> None:
    # Arabic-Indic zero is a digit in its own numbers (١٠١ is 101), not a dot.
    for name in ("متجر ١٠١", "فروشگاه ۱۰۱۰", "متجر ٢٠٢٤"):
        assert strip_links(name) == Cleaned(name, ()), name


INVISIBLES = ["\u00ad", "\u034f", "\u061c", "\u115f", "\u1160", "\u17b4", "\u17b5",
              *map(chr, range(0x180B, 0x1810)), "\u200b", "\u2060", "\u2065", "\u3164",
              *map(chr, range(0xFE00, 0xFE10)), "\ufeff", "\uffa0", "\ufff0", "\U0001bca0",
              "\U0001d173", "\U000e0001", "\U000e0020", "\U000e0100", "\U000e0150",
              "\U000e01ef", "\U000e0fff", "\u2800"]


def test_invisible_characters_are_dropped_wherever_they_are() -> None:
    for mark in INVISIBLES:
        for text in (f"usps.c{mark}om", f"evil{mark}.top", f"www.{mark}evil.top",
                     f"ev{mark}il.top/x"):
            cleaned = strip_links(text)
            assert cleaned.removed, (hex(ord(mark)), text)
            assert mark not in cleaned.text and not has_link(cleaned.text), (hex(ord(mark)),
                                                                                cleaned)
        assert strip_links(f"Acme{mark} Shop").text == "Acme Shop", hex(ord(mark))


def _mixed_dotted(text: str) -> list[str]:
    """Dotted names (after NFKC) holding both ASCII letters and letters outside ASCII."""
    view = unicodedata.normalize("NFKC", text)
    return [run for run in re.findall(r"[^\W_]+(?:[-_][^\W_]+)*(?:\.[^\W_]+(?:-[^\W_]+)*)+",
                                      view)
            if any(c.isascii() and c.isalpha() for c in run)
            and any(c.isalpha() and not c.isascii() for c in run)]


def test_a_dotted_name_mixing_scripts_is_a_disguised_link() -> None:
    for text in ("EVIL.coм", "evil.coᴍ", "EVIL.cοm", "Deals at evil.cöm!", "shop.ɡov/x",
                 "paypal.cоm", "evil.tοp", "usps.com.coм", "Магазин.com", "evil.ƈom",
                 "Shop.Магазин"):
        cleaned = strip_links(text)
        assert "link_lookalike" in cleaned.removed or "link_domain" in cleaned.removed, text
        assert not _mixed_dotted(cleaned.text) and not has_link(cleaned.text), (text, cleaned)
    assert strip_links("EVIL.coм") == Cleaned("EVIL", ("link_lookalike",))
    assert strip_links("Deals at evil.coᴍ now") == Cleaned("Deals at evil now",
                                                         ("link_lookalike",))
    linked = Brand(links=True)
    assert strip_links("usps.coм", linked.own_domain).text == "usps"


ASCII_LABEL = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)
OTHER_LETTER = st.characters(categories=["Lu", "Ll", "Lt", "Lm", "Lo"], min_codepoint=0x80)


@given(ASCII_LABEL, ASCII_LABEL, OTHER_LETTER, st.integers(0, 20), st.booleans())
@settings(max_examples=300, deadline=None)
def test_any_letter_outside_ascii_in_an_ascii_dotted_name_is_caught(
        name: str, tail: str, letter: str, where: int, in_tail: bool) -> None:
    if in_tail:
        tail = tail[: where % (len(tail) + 1)] + letter + tail[where % (len(tail) + 1):]
    else:
        name = name[: where % (len(name) + 1)] + letter + name[where % (len(name) + 1):]
    text = f"Shop {name}.{tail} now"
    cleaned = strip_links(text)
    assert not _mixed_dotted(cleaned.text), (text, cleaned)


def test_names_in_other_scripts_stay() -> None:
    for name in ("Магазин", "Магазин Дом", "ユニクロ", "متجر", "Ελληνικά", "서울 상점",
                 "Café Olé", "Żabka Deli", "J.Crew", "Dr.Martens", "Fine Foods Inc."):
        assert strip_links(name) == Cleaned(name, ()), name


def test_the_operators_domain_is_read_as_a_browser_reads_the_host() -> None:
    own = Brand(links=True).own_domain
    for link in ("https://evil%2etop#.usps.com", "https://3232235521#.usps.com",
                 "https://127.1#.usps.com", "https://localhost#.usps.com",
                 "https://evil.top\\.usps.com", "https://usps.com@evil.top",
                 "https://evil.top?.usps.com", "https://evil.top;.usps.com",
                 "https://evil.top#@usps.com", "https://usps.com:x@evil.top/a",
                 "https://usps.com%40evil.top", "https://evil%2Etop%23.usps.com",
                 "http://evil.top/.usps.com", "www.evil.top#.usps.com",
                 "https://evil_top.usps.com", "https://evil.top%5c.usps.com",
                 "https:\\\\evil.top#.usps.com", "https:/\\evil.top#.usps.com"):
        for text, left in ((link, ""), (f"Shop {link} now", "Shop now")):
            cleaned = strip_links(text, own)
            assert cleaned.text == left, (text, cleaned)
            assert cleaned.removed and cleaned.removed[0] == "link_scheme", (text, cleaned)
    for link in ("https://usps.com", "https://usps.com/x#.evil", "https://tools.usps.com/go?a=1",
                 "HTTPS://WWW.USPS.COM/", "www.usps.com/track", "https://usps.com:443/x",
                 "https://reg.usps.com?next=/a@b"):
        assert strip_links(link, own) == Cleaned(link, ()), link


URL_PARTS = ["usps.com", ".usps.com", "evil.top", "evil", "@", "#", "?", "/", "\\", ":", ";",
             "%2e", "%40", "%2f", "127.1", "3232235521", "localhost", ":443", "tools.", "_"]


@given(st.sampled_from(["https://", "http://", "HTTPS://", "https:\\\\", "https:/\\", "www."]),
       st.lists(st.sampled_from(URL_PARTS), min_size=1, max_size=6))
@example("www.", ["usps.com", ":", "/"])  # an empty port: the test read it as a scheme
@settings(max_examples=400, deadline=None)
def test_a_kept_link_goes_to_the_operator_as_a_browser_reads_it(
        scheme: str, parts: list[str]) -> None:
    from urllib.parse import unquote, urlsplit

    own = Brand(links=True).own_domain
    assert own is not None
    text = f"Shop {scheme}{''.join(parts)} now"
    kept = strip_links(text, own).text
    for link in re.findall(r"(?i)(?:https?:|www\.(?=\w))\S*", kept):
        url = link.rstrip(".,;:!?)]}>\"'").replace("\\", "/")  # a phone leaves these out
        # a scheme is http(s) at the start; "www.usps.com:/" is a host and an empty port
        url = url if re.match(r"(?i)https?:", url) else "https://" + url
        url = re.sub(r"(?i)^(https?):/*", r"\1://", url)
        host = unquote(urlsplit(url).hostname or "")
        assert re.fullmatch(r"[a-z0-9.-]+", host) and (
            host == own or host.endswith("." + own)), (text, kept, host)


# A run a phone's data detector takes for a phone number (tap to call): seven digits or
# more, in groups with spaces, dots, hyphens or dashes, an area code in parentheses, a +.
PHONEISH = re.compile(r"\d(?:[\s().+\-\u2010-\u2015\u2212]{0,3}\d){6}")


def test_a_phone_number_in_a_shops_name_is_removed() -> None:
    for phone in ("1-800-555-0199", "(800) 555-1234", "+1 800 555 1234", "8005551234",
                  "800.555.1234", "555-0199", "+44 20 7946 0958", "+1 (800) 555-1234",
                  "1.800.555.0199", "800 \u2013 555 \u2013 1234", "\uff18\uff10\uff10\uff15"
                  "\uff15\uff15\uff11\uff12\uff13\uff14", "+1-800-555-1234", "(800)5551234",
                  "800\u2011555\u20111234", "800 555 1234", "Call800-555-1234"):
        for text in (f"Acme Call {phone}", f"{phone} Acme", f"Acme ({phone})"):
            cleaned = strip_links(text)
            assert "link_phone" in cleaned.removed, (text, cleaned)
            assert not PHONEISH.search(unicodedata.normalize("NFKC", cleaned.text)), (text,
                                                                                      cleaned)
            assert not has_link(cleaned.text), (text, cleaned)
        cleaned = strip_links(f"Acme Call {phone}")
        assert cleaned.removed == ("link_phone",), cleaned
        assert cleaned.text == ("Acme Call Call" if phone.startswith("Call") else "Acme Call")
    assert strip_links("Acme (800) 555-1234").text == "Acme"
    assert strip_links("Acme (800 555 1234) Deals").text == "Acme Deals"


@pytest.mark.parametrize("merchant", ["Shop .1.2.3.4", "Shop x.1.2.3.4", ".8.8.8.8",
                                      "Shop.10.0.0.1", "Shop 1.2.3.4."])
def test_an_address_after_a_dot_is_removed(merchant: str) -> None:
    """A phone links the dotted quad after a dot too (a word boundary lies between)."""
    from engine.templates import clean_merchant
    cleaned = clean_merchant(merchant, Brand())
    assert "link_address" in cleaned.removed and not any(c.isdigit() for c in cleaned.text)


def test_short_numbers_in_a_shops_name_stay() -> None:
    for name in ("Shop 24", "7-Eleven", "Route 66", "Studio 54", "Forever 21", "Levi's 501",
                 "1-800-Flowers", "Pier 1 Imports", "Since 1999", "Open 24/7", "3M",
                 "99 Cents Only", "Suite 100", "Unit 12-34", "No. 5 (Paris)", "A1 Pet 2000"):
        assert strip_links(name) == Cleaned(name, ()), name


# Day, month and year (either order) with one separator.
DATE = re.compile(r"\d{1,2}([-./])\d{1,2}\1\d{4}|\d{4}([-./])\d{1,2}\2\d{1,2}")


@pytest.mark.parametrize("name", [
    "Sale 12/14/2024", "Black Friday 11/29/2024", "Est. 14.12.1999", "Since 2024-12-14",
    "Since 01-01-2000", "Opened 1.5.2003", "Drop 2024.12.14", "Sale (12/14/2024)",
    "Est. 31.12.1999 Ltd"])
def test_a_date_is_kept(name: str) -> None:
    """A date is no phone number: libphonenumber (Android's detector) leaves dates out,
    and iOS reads them as dates."""
    assert strip_links(name) == Cleaned(name, ()), name


@pytest.mark.parametrize(("text", "left"), [
    ("Sale 12/14/2024 555", "Sale"), ("+12.05.1999", ""), ("Call 555-0199 12/14/2024", "Call"),
    ("Est. 1.12.2024", "Est."), ("Acme 2024-1-12", "Acme"),  # libphonenumber dials these
    ("Acme 12/14/20245", "Acme"), ("Acme 1214-2024-1", "Acme"), ("Acme 12.14.2024.5", "Acme"),
])
def test_a_phone_number_near_a_date_is_removed(text: str, left: str) -> None:
    cleaned = strip_links(text)
    assert cleaned.text == left and "link_phone" in cleaned.removed, (text, cleaned)


@given(st.lists(st.from_regex(r"[0-9]{1,4}", fullmatch=True), min_size=1, max_size=5),
       st.lists(st.sampled_from([" ", "-", ".", "", "\u2013", " - "]), min_size=5, max_size=5),
       st.sampled_from(["", "+1 ", "+44 ", "1-", "+"]), st.booleans())
@settings(max_examples=300, deadline=None)
def test_any_phone_shaped_run_is_removed(groups: list[str], seps: list[str], lead: str,
                                         area: bool) -> None:
    first = f"({groups[0]}) " if area else groups[0]
    phone = lead + first + "".join(sep + g for sep, g in zip(seps, groups[1:], strict=False))
    assume(not DATE.fullmatch(phone))  # a date is no phone number (test_a_date_is_kept)
    text = f"Acme {phone} Deals"
    cleaned = strip_links(text)
    assert not PHONEISH.search(cleaned.text), (text, cleaned)
    if sum(c.isdigit() for c in phone) >= 7:  # a phone number (or a dotted-quad address)
        assert {"link_phone", "link_address"} & set(cleaned.removed), (text, cleaned)


def test_the_engine_reports_a_removed_phone_number() -> None:
    out = Engine(EngineConfig()).handle_all([sub("2026-12-14T09:00",
                                                 merchant="Acme Call 1-800-555-0199"),
                                             scan("2026-12-14T10:00", "03")])
    assert [o.reason for o in out if isinstance(o, Redacted)] == ["link_phone"]
    bodies = [o.body for o in out if isinstance(o, Sms | Reply)]
    assert bodies and all("555" not in b and "Acme Call" in b for b in bodies), bodies


def test_labels_hold_their_combining_marks() -> None:
    """A label in a script written with combining marks (Devanagari, Tamil, Bengali) is
    one label: the link goes whole, not leaving its marks behind."""
    for text, left in (("Aaa a0.कॉम", "Aaa a0"), ("shop.भारत", "shop"), ("x.இந்தியா", "x"),
                       ("a.ভারত now", "a now"), ("Deals at evil.c\u0336om!", "Deals at evil!"),
                       ("evil.to\u0337p/x", "evil/x")):
        cleaned = strip_links(text)
        assert cleaned.text == left and cleaned.removed, (text, cleaned)
    assert strip_links("हिंदी दुकान") == Cleaned("हिंदी दुकान", ())


@pytest.mark.parametrize("merchant", [
    "፩8.8.4.4", "Shop ௰8.8.4.4", "Shop8.8.4.4", "Shop_8.8.4.4", "፩https://0x5db8d822/x",
    "Shop_https://0x5db8d822", "Deals 1https://0x5db8d822/x", "1https://evil.top/x",
    "Shop 7www.evil", "800[555]1234", "Shop [800] 555-1234"])
def test_a_link_glued_to_what_a_detector_may_not_count_as_a_word_is_removed(
        merchant: str) -> None:
    """A number sign outside the decimal digits (Ethiopic ፩, Tamil ௰), a digit, an
    underscore or a Latin letter glued before an address or a scheme: Python's \\w counts
    them as word characters, a phone's detector may not, and links what follows. Square
    brackets are phone punctuation to libphonenumber."""
    from engine.templates import clean_merchant
    cleaned = clean_merchant(merchant, Brand())
    assert cleaned.removed and not linkish(cleaned.text) and not has_link(cleaned.text), cleaned


# Kinds a phone links that the detector once missed (Android's Patterns.java and
# libphonenumber as the model): what is left must not be a link, and must keep the name.
@pytest.mark.parametrize(("text", "left"), [
    # a top-level domain then a hyphen, a word boundary to a detector
    ("evil.com-deals", "evil-deals"), ("Amazon.com-Orders", "Amazon-Orders"),
    ("Deals.shop-now", "Deals-now"), ("EVIL.COM-DEALS", "EVIL-DEALS"), ("evil.com--x", "evil--x"),
    ("evil.com-x.y", "evil-x.y"), ("Best evil.io-app", "Best evil-app"),
    ("evil.ｃｏｍ-deals", "evil-deals"), ("«evil.com»", "«evil»"),
    # top-level domains Android's frozen list holds and the Public Suffix List dropped
    ("Shop.chloe", "Shop"), ("Shop.statoil now", "Shop now"), ("Go evil.xperia", "Go evil"),
    # punycode top-level domains, decodable or not
    ("Acme.xn--zz", "Acme"), ("evil.xn--11b4c3e", "evil"), ("Shop.XN--ABC/x", "Shop/x"),
    # e-mail addresses whatever their last label (2 to 63 letters)
    ("orders@acme.local", "orders@acme"), ("Shop (orders@acme.invalid)", "Shop (orders@acme)"),
    ("x@y.zz", "x@y"), ("orders@ACME.CORP", "orders@ACME"), ("Магазин x@y.ab", "Магазин x@y"),
    # any character from U+00A0 up in a label
    ("Shop£.com", "Shop£"), ("Deals§.top", "Deals§"), ("evil€.com/x", "evil€/x"),
    ("Acme£.co.uk", "Acme£"), ("Магазин Shop★.com", "Магазин Shop★"),
    ("Магазин evil—.com", "Магазин evil—"), ("ユニクロ evil•.com", "ユニクロ evil•"),
    # "x" as phone punctuation, where libphonenumber dials it
    ("555x/0199", ""), ("Shop 555x /0199", "Shop"), ("80012x12 x9", ""),
    # bare schemes a phone opens
    ("facetime:x", ""), ("Call callto:x now", "Call now"), ("skype:evil", ""),
    # a scheme's link keeps the brackets it opened (an IPv6 host, a path with parentheses)
    ("http://[::1]", ""), ("Shop https://[::ffff:192.168.0.1] now", "Shop now"),
    ("Go http://[2001:db8::1]:8080/x", "Go"), ("(https://evil.top/a_(b))", "()"),
    ("[http://x/[a]]", "[]"), ("Shop (http://x) now", "Shop () now"), ("http://x]]", "]]"),
    # fewer than seven digits that libphonenumber dials: a "+" and a country code, and
    # four digits before "ext." or "int." and a digit (read as letters on a keypad)
    ("+44 7946", ""), ("Shop +49 1234", "Shop"), ("Call+44 7946 now", "Call now"),
    ("Since 1999 Ext.2 Store", "Since .2 Store"), ("8080ext.2", ".2"),
    ("Acme 5550 int. 1", "Acme . 1"),
])
def test_kinds_a_phone_links_are_removed(text: str, left: str) -> None:
    cleaned = strip_links(text)
    assert cleaned.text == left and cleaned.removed, (text, cleaned)
    assert not has_link(cleaned.text)


@pytest.mark.parametrize("text", [
    "Monitor 1920x1080", "800x555x0199", "4x4 2x4x8 1234", "Maps: The Store", "Hotel:Paris",
    "Shop.internal", "evil.c0m-x", "No.7", "v2.0-beta", "3.1 Phillip Lim", "Levi's 501",
    "Nº.7 £5", "Café € 2.50", "x@y", "me @ home.x", "Yen¥ 7-Eleven",
    "Disney+ 2024", "Ages 3+ 2024", "C++ 2024", "Shop 4+1", "+1 Shop", "Size 2+2 Pack",
    "1999 ext 555", "Shop 199 ext.5", "Since 1999 Ext Paint", "+49 Shop",
])
def test_their_neighbours_are_kept(text: str) -> None:
    assert strip_links(text).removed == (), text
