"""The quarter-hour offset memo gives what zoneinfo gives, transitions included."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from engine import localclock

ZONES = [ZoneInfo(z) for z in ("America/New_York", "America/St_Johns", "America/Phoenix",
                               "Pacific/Honolulu", "Australia/Lord_Howe", "Asia/Kathmandu",
                               "America/Anchorage", "Europe/Dublin", "Africa/Monrovia")]


@settings(max_examples=400, deadline=None)
@given(st.integers(0, 4_102_444_800), st.sampled_from(ZONES))
def test_hour_and_weekday_match_zoneinfo(at: int, zone: ZoneInfo) -> None:
    local = datetime.fromtimestamp(at, zone)
    assert localclock.hour_and_weekday(at, zone) == (local.hour, local.weekday())


def test_every_second_around_transitions() -> None:
    """Each second of the hour around 2026's spring-forward and fall-back in New York and
    St John's (half-hour offset), asked in an order that fills the memo first."""
    for name, instants in (("America/New_York", (1772953200, 1793512800)),
                           ("America/St_Johns", (1772947800, 1793507400))):
        zone = ZoneInfo(name)
        for t0 in instants:
            for at in range(t0 - 1800, t0 + 1800, 7):
                local = datetime.fromtimestamp(at, zone)
                assert localclock.hour_and_weekday(at, zone) == (local.hour, local.weekday()), at


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 4_102_444_800), st.sampled_from(ZONES), st.integers(0, 24))
def test_local_date_and_at_hour_match_zoneinfo(at: int, zone: ZoneInfo, hour: int) -> None:
    day = datetime.fromtimestamp(at, zone).date()
    assert localclock.local_date(at, zone) == day
    expected = (int(datetime(day.year, day.month, day.day, hour, tzinfo=zone).timestamp())
                if hour < 24 else
                int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()) + 86400)
    assert localclock.at_hour(day, hour, zone) == expected


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 4_102_444_800), st.sampled_from(ZONES), st.integers(0, 24),
       st.integers(0, 2), st.booleans())
def test_remembered_hours_on_local_days_are_at_hour_s(at: int, zone: ZoneInfo, hour: int,
                                                     ahead: int, clear: bool) -> None:
    """The policies' "next 8 AM": a day number, its weekday and the remembered instant
    agree with dates and at_hour, memo emptied or not, asked twice."""
    if clear:
        localclock._HOURS.clear()
    day = datetime.fromtimestamp(at, zone).date()
    n = localclock.local_day(at, zone)
    assert n == (day - date(1970, 1, 1)).days
    assert localclock.weekday_of(n) == day.weekday()
    want = localclock.at_hour(day + timedelta(days=ahead), hour, zone)
    assert localclock.hour_on_day(n + ahead, hour, zone) == want
    assert localclock.hour_on_day(n + ahead, hour, zone) == want
