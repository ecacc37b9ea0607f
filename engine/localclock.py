"""A zone's UTC offset at an instant, remembered per quarter hour.

``datetime.fromtimestamp(at, zone)`` costs about a microsecond and the policies
ask it several times per text (each window, each zone of a person's clues). A
zone's offset changes only at its transitions, which since 1970 fall on quarter
hours (offsets are whole quarter hours and transitions happen at a local hour
or half hour), so the offset is worked out once per zone and quarter hour. A
quarter hour whose two ends disagree (it holds a transition) is never
remembered and always asked of ``zoneinfo``, so the answer is exact whatever
the zone. Pure: no clock, only ``zoneinfo``'s rules.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

QUARTER: Final = 900
EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_LIMIT: Final = 200_000  # remembered quarter hours across zones (~2 years of 8 zones)
_OFFSETS: dict[tuple[ZoneInfo, int], int] = {}
_HOURS: dict[tuple[ZoneInfo, int, int], int] = {}  # (zone, local day, hour) -> instant


def _offset_now(at: int, zone: ZoneInfo) -> int:
    off = datetime.fromtimestamp(at, zone).utcoffset()
    return int(off.total_seconds()) if off is not None else 0


def utc_offset(at: int, zone: ZoneInfo) -> int:
    """Seconds to add to ``at`` for the wall clock in ``zone``."""
    key = (zone, at // QUARTER)
    off = _OFFSETS.get(key)
    if off is not None:
        return off
    start = key[1] * QUARTER
    off = _offset_now(at, zone)
    if _offset_now(start, zone) == off == _offset_now(start + QUARTER - 1, zone):
        if len(_OFFSETS) >= _LIMIT:
            _OFFSETS.clear()
        _OFFSETS[key] = off
    return off


def hour_and_weekday(at: int, zone: ZoneInfo) -> tuple[int, int]:
    """The wall-clock hour (0-23) and weekday (Monday 0) of ``at`` in ``zone``."""
    local = at + utc_offset(at, zone)
    return local // 3600 % 24, (local // 86400 + 3) % 7  # 1970-01-01 was a Thursday


def local_date(at: int, zone: ZoneInfo) -> date:
    """The calendar date of ``at`` on the wall clock in ``zone``."""
    return date.fromordinal((at + utc_offset(at, zone)) // 86400 + EPOCH_ORDINAL)


def local_day(at: int, zone: ZoneInfo) -> int:
    """The wall-clock date of ``at`` in ``zone``, as days since 1970-01-01."""
    return (at + utc_offset(at, zone)) // 86400


def weekday_of(day: int) -> int:
    """Monday 0 for a day given as days since 1970-01-01 (a Thursday)."""
    return (day + 3) % 7


def hour_on_day(day: int, hour: int, zone: ZoneInfo) -> int:
    """``at_hour`` for a local day given as days since 1970-01-01, remembered per
    (zone, day, hour): the policies ask for the next 8 AM of the same few days for
    every text held overnight."""
    key = (zone, day, hour)
    hit = _HOURS.get(key)
    if hit is None:
        if len(_HOURS) >= _LIMIT:
            _HOURS.clear()
        hit = _HOURS[key] = at_hour(date.fromordinal(day + EPOCH_ORDINAL), hour, zone)
    return hit


def at_hour(day: date, hour: int, zone: ZoneInfo) -> int:
    """The instant of the local ``hour`` (0-24; 24 is the next midnight) on ``day``."""
    if hour < 24:
        return int(datetime(day.year, day.month, day.day, hour, tzinfo=zone).timestamp())
    return int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp() + 86400)
