"""Times at the edge: ISO 8601 with an offset -> whole epoch seconds and offset minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import InvalidInput
from engine.records import format_time, parse_time


@settings(max_examples=400)
@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(8998, 12, 31),
                    timezones=st.timezones()))
def test_parse_time_agrees_with_the_standard_library(moment: datetime) -> None:
    text = moment.isoformat()
    parsed = datetime.fromisoformat(text)
    offset = parsed.utcoffset()
    if offset is None:
        return
    # parse_time does the calendar arithmetic itself (it is on the hot path). The oracle
    # is exact timedelta arithmetic, floored to whole seconds: ``int(t.timestamp())``
    # goes through a float and, in far years, rounds .99999 s up to the next second.
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    whole = (parsed - epoch) // timedelta(seconds=1)
    assert parse_time(text) == (whole, (offset // timedelta(seconds=1)) // 60)


@given(st.integers(2 * 86_400, 221_845_392_000 - 2 * 86_400), st.integers(-16 * 60, 16 * 60))
def test_format_then_parse_is_the_identity(at: int, offset_min: int) -> None:
    # (Within a day of either bound the local year may fall outside 1970-8999: refused.)
    assert parse_time(format_time(at, offset_min)) == (at, offset_min)


@pytest.mark.parametrize("value", ["2026-12-14T09:00:00", "yesterday", 1797000000,
                                   "1969-12-31T23:59:59Z", "9000-01-01T00:00:00Z"])
def test_parse_time_refuses_what_it_cannot_place(value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_time(value)
    assert caught.value.field == "at"


def test_offsets_and_fractions() -> None:
    assert parse_time("2026-12-14T09:00:00.999-07:00") == (
        int(datetime(2026, 12, 14, 16, tzinfo=UTC).timestamp()), -420)
    # Floored, not rounded through a float (which gave ...401 here; hypothesis found it).
    assert parse_time("6326-01-01T00:00:00.999985+00:00")[0] == 137_462_054_400
    kolkata = timezone(timedelta(hours=5, minutes=30))
    assert parse_time(datetime(2026, 1, 1, tzinfo=kolkata).isoformat())[1] == 330


def test_a_nul_in_a_time_or_date_is_refused() -> None:
    """CPython 3.11's fromisoformat reads only up to a NUL: the rest must not ride along."""
    from engine.records import parse_day

    for text in ("2026-11-08T06:00:00+00:00\x00", "2026-11-08T06:00:00\x00+00:00"):
        with pytest.raises(InvalidInput, match="not an ISO 8601 time"):
            parse_time(text)
    with pytest.raises(InvalidInput, match="not a date"):
        parse_day("2026-11-08T00:00:00\x00junk"[:20], "expectedDelivery")


def test_lower_case_t_and_z_are_read_as_rfc_3339_allows() -> None:
    want = parse_time("2026-11-08T06:00:00Z")
    for text in ("2026-11-08T06:00:00z", "2026-11-08t06:00:00z", "2026-11-08 06:00:00z"):
        assert parse_time(text) == want
    for text in ("z", "2026-11-08T06:00:00zz"):
        with pytest.raises(InvalidInput, match="not an ISO 8601 time"):
            parse_time(text)
