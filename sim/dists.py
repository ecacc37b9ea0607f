"""Random streams, delay distributions and the postal calendar.

All randomness comes from one ``SeedSequence``: each purpose gets its own
child stream, spawned in a fixed order, so two runs of one scenario and seed
under different policies draw the same parcels, trips and scans (common
random numbers) even though the customers' reactions then differ.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

import holidays
import numpy as np

from engine import localclock
from scenarios.network import Dist

# Order matters: appending a purpose keeps every existing stream unchanged.
PURPOSES: Final = ("volume", "network", "scans", "delivery", "customers", "fatigue",
                   "gateway", "care", "station", "samples", "replies", "facility_service",
                   "parcel_transit")


def streams(seed: int) -> dict[str, np.random.Generator]:
    """One generator per purpose, spawned from ``seed``."""
    children = np.random.SeedSequence(seed).spawn(len(PURPOSES))
    return {name: np.random.Generator(np.random.PCG64(child))
            for name, child in zip(PURPOSES, children, strict=True)}


class Sampler:
    """Draws from a ``Dist`` with one generator; scalar draws stay cheap."""

    __slots__ = ("_draw", "_many", "mean")
    _draw: Callable[[], float]
    _many: Callable[[int], np.ndarray]

    def __init__(self, dist: Dist, rng: np.random.Generator, unit: float = 1.0) -> None:
        self.mean = dist.mean_value() * unit
        if dist.kind == "lognormal":
            assert dist.median is not None and dist.sigma is not None
            mu, sigma = math.log(dist.median * unit), dist.sigma
            self._draw = lambda: float(rng.lognormal(mu, sigma))
            self._many = lambda n: rng.lognormal(mu, sigma, n)
        elif dist.kind == "exponential":
            mean = self.mean
            self._draw = lambda: float(rng.exponential(mean))
            self._many = lambda n: rng.exponential(mean, n)
        elif dist.kind == "fixed":
            value = self.mean
            self._draw = lambda: value
            self._many = lambda n: np.full(n, value)
        else:
            assert dist.values is not None
            values = np.asarray(dist.values, dtype=float) * unit
            w = np.asarray(dist.weights or [1.0] * len(values), dtype=float)
            p = w / w.sum()
            pick = categorical(p, rng)
            self._draw = lambda: float(values[pick()])
            self._many = lambda n: values[rng.choice(len(values), size=n, p=p)]

    def __call__(self) -> float:
        return self._draw()

    def many(self, n: int) -> np.ndarray:
        """``n`` independent draws at once (float64 array)."""
        return self._many(n)


def categorical(p: np.ndarray, rng: np.random.Generator) -> Callable[[], int]:
    """``int(rng.choice(len(p), p=p))`` without its per-call checks: the same one
    uniform draw and the same inverse-CDF lookup (NumPy's cumsum, normalised, searched
    to the right), so the stream and every result are unchanged, ten times faster."""
    cdf = np.cumsum(np.asarray(p, dtype=float))
    cdf /= cdf[-1]
    edges = cdf.tolist()
    random = rng.random
    return lambda: bisect_right(edges, random())


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_epoch(day: date, hour: float, zone_name: str) -> int:
    """The instant of local ``hour`` (may exceed 24) on ``day`` in a zone."""
    base = datetime(day.year, day.month, day.day, tzinfo=zone(zone_name))
    return int((base + timedelta(hours=hour)).timestamp())


def local_date(at: float, zone_name: str) -> date:
    return localclock.local_date(math.floor(at), zone(zone_name))


_MINUTES: dict[int, int] = {}  # UTC offset in seconds -> the one int of its minutes


def offset_min(at: float, zone_name: str) -> int:
    """UTC offset in minutes at ``at`` (engine.localclock's memo).

    One int object per offset (a few dozen exist): every scan carries one, and a
    text held overnight keeps it, so a new ``-300`` each time was 32 bytes a scan."""
    seconds = localclock.utc_offset(int(at), zone(zone_name))
    minutes = _MINUTES.get(seconds)
    if minutes is None:
        minutes = _MINUTES[seconds] = seconds // 60
    return minutes


class Calendar:
    """Delivery days: no regular delivery on Sundays or federal holidays (docs/facts.md)."""

    def __init__(self, first: date, last: date, sunday_delivery: bool = False) -> None:
        years = list(range(first.year - 1, last.year + 2))
        self.holidays = holidays.country_holidays("US", years=years)
        self.sunday_delivery = sunday_delivery

    def is_delivery_day(self, day: date) -> bool:
        if day.weekday() == 6 and not self.sunday_delivery:
            return False
        return day not in self.holidays

    def add_delivery_days(self, day: date, n: int) -> date:
        """The ``n``-th delivery day after ``day``."""
        while n > 0:
            day += timedelta(days=1)
            if self.is_delivery_day(day):
                n -= 1
        return day


EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()


def epoch_day(day: date) -> int:
    return day.toordinal() - EPOCH_ORDINAL
