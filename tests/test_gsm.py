"""Table and property tests for engine.gsm (SMS encoding and segment counting)."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.gsm import GSM7, UCS2, Encoded, encode_info, segment_count, split_segments

# Independent copy of the TS 23.038 tables (the oracle for the properties below).
BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = "\f^{}\\[~]|€"
EMOJI = "😀"  # U+1F600, outside the BMP: a surrogate pair in UTF-16


def test_tables_are_the_standard_size() -> None:
    assert len(BASIC) == len(set(BASIC)) == 127  # 128 codes minus ESC
    assert len(EXTENSION) == 10
    assert not set(BASIC) & set(EXTENSION)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", Encoded(GSM7, 0, 1)),
        ("hello", Encoded(GSM7, 5, 1)),
        ("a" * 160, Encoded(GSM7, 160, 1)),
        ("a" * 161, Encoded(GSM7, 161, 2)),
        ("a" * 306, Encoded(GSM7, 306, 2)),
        ("a" * 307, Encoded(GSM7, 307, 3)),
        ("€", Encoded(GSM7, 2, 1)),
        ("a" * 158 + "€", Encoded(GSM7, 160, 1)),
        ("a" * 159 + "€", Encoded(GSM7, 161, 2)),
        ("{}[]~^|\\\f€", Encoded(GSM7, 20, 1)),
        ("é" * 10, Encoded(GSM7, 10, 1)),
        ("ΔΦΓΛΩΠΨΣΘΞ", Encoded(GSM7, 10, 1)),
        ("line1\nline2\r", Encoded(GSM7, 12, 1)),
        ("`", Encoded(UCS2, 1, 1)),
        ("a" * 100 + "`", Encoded(UCS2, 101, 2)),
        ("ê", Encoded(UCS2, 1, 1)),
        ("\x1b", Encoded(UCS2, 1, 1)),  # ESC alone is not a character
        ("\t", Encoded(UCS2, 1, 1)),
        ("ж" * 70, Encoded(UCS2, 70, 1)),
        ("ж" * 71, Encoded(UCS2, 71, 2)),
        ("ж" * 134, Encoded(UCS2, 134, 2)),
        ("ж" * 135, Encoded(UCS2, 135, 3)),
        ("€" * 70 + "ж", Encoded(UCS2, 71, 2)),  # € is 1 unit in UCS-2
        (EMOJI, Encoded(UCS2, 2, 1)),
        (EMOJI * 35, Encoded(UCS2, 70, 1)),
        ("a" + EMOJI * 35, Encoded(UCS2, 71, 2)),
    ],
)
def test_encode_info(body: str, expected: Encoded) -> None:
    assert encode_info(body) == expected
    assert segment_count(body) == expected.segments


def test_extension_char_at_boundary_gives_152_septet_part() -> None:
    body = "a" * 152 + "€" + "b" * 10  # € would occupy septets 153-154
    parts = split_segments(body)
    assert parts == ["a" * 152, "€" + "b" * 10]
    assert encode_info(body) == Encoded(GSM7, 164, 2)


def test_extension_char_just_fitting_the_part() -> None:
    body = "a" * 151 + "€" + "b" * 10  # septets 152-153: fits
    assert split_segments(body) == ["a" * 151 + "€", "b" * 10]


def test_escape_pairs_push_a_third_part() -> None:
    # 306 septets would be 2 x 153, but each part can only take 76 pairs (152).
    body = "€" * 153
    assert encode_info(body) == Encoded(GSM7, 306, 3)
    assert [len(p) for p in split_segments(body)] == [76, 76, 1]


def test_emoji_at_part_boundary_is_not_split() -> None:
    body = "ж" * 66 + EMOJI + "ж" * 10  # emoji would be units 67-68
    assert split_segments(body) == ["ж" * 66, EMOJI + "ж" * 10]
    assert encode_info(body) == Encoded(UCS2, 78, 2)


def test_emoji_just_fitting_the_part() -> None:
    body = "ж" * 65 + EMOJI + "ж" * 10  # units 66-67: fits
    assert split_segments(body) == ["ж" * 65 + EMOJI, "ж" * 10]


def test_plain_split_uses_153_and_67() -> None:
    assert [len(p) for p in split_segments("a" * 307)] == [153, 153, 1]
    assert [len(p) for p in split_segments("ж" * 135)] == [67, 67, 1]
    assert split_segments("") == [""]
    assert split_segments("hi") == ["hi"]


# --- properties -------------------------------------------------------------

GSM_CHARS = st.sampled_from(BASIC + EXTENSION)
bodies = st.one_of(
    st.text(GSM_CHARS, max_size=500),
    st.text(st.sampled_from("a€{"), max_size=500),
    st.text(st.sampled_from("aж" + EMOJI + "€"), max_size=300),
    st.text(max_size=400),
)


def _units(part: str, encoding: str) -> int:
    if encoding == GSM7:
        return len(part) + sum(c in EXTENSION for c in part)
    return len(part.encode("utf-16-le", "surrogatepass")) // 2


def _reference_split(body: str) -> list[str]:
    """Naive char-by-char greedy fill (the rule as stated)."""
    gsm = all(c in BASIC or c in EXTENSION for c in body)
    encoding = GSM7 if gsm else UCS2
    if _units(body, encoding) <= (160 if gsm else 70):
        return [body]
    limit = 153 if gsm else 67
    parts, cur = [], ""
    for ch in body:
        if _units(cur + ch, encoding) > limit:
            parts.append(cur)
            cur = ""
        cur += ch
    return [*parts, cur]


@given(bodies)
def test_split_matches_reference(body: str) -> None:
    assert split_segments(body) == _reference_split(body)


@given(bodies)
def test_split_roundtrip_and_count(body: str) -> None:
    parts = split_segments(body)
    assert "".join(parts) == body
    assert len(parts) == segment_count(body)


@given(bodies)
def test_parts_fit_their_limit(body: str) -> None:
    info = encode_info(body)
    parts = split_segments(body)
    assert _units(body, info.encoding) == info.units
    if len(parts) == 1:
        assert info.units <= (160 if info.encoding == GSM7 else 70)
    else:
        limit = 153 if info.encoding == GSM7 else 67
        assert all(0 < _units(p, info.encoding) <= limit for p in parts)
        # Greedy: each non-final part could not take the next character.
        for part, nxt in pairwise(parts):
            assert _units(part + nxt[0], info.encoding) > limit


@given(bodies)
def test_gsm7_iff_all_chars_in_tables(body: str) -> None:
    in_tables = all(c in BASIC or c in EXTENSION for c in body)
    assert (encode_info(body).encoding == GSM7) == in_tables
