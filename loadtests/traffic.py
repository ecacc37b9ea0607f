"""What the load tests send: trace records for each actor, and how often each acts.

Plain data, no Locust import (so the benchmark and tests can use it without
gevent's monkey patching). The records follow the trace format; their ``at``
comes from a ``SimClock`` that runs faster than the wall clock, so a few
minutes of load cover hours of a peak day (quiet hours and caps do engage).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any, Final

from engine.records import format_time

PATH: Final = ("GX", "03", "10", "EF", "10", "EF", "07", "PC", "OF", "01")
PLACES: Final = (("DENVER", "CO", "80202", -420), ("SALT LAKE CITY", "UT", "84101", -420),
                 ("ALBUQUERQUE", "NM", "87102", -420), ("CHICAGO", "IL", "60601", -360),
                 ("MIAMI", "FL", "33101", -300), ("SEATTLE", "WA", "98101", -480))
AREA_CODES: Final = ("303", "720", "801", "385", "505", "312", "305", "206")
MERCHANTS: Final = ("Acme Outdoor", "Peak Books", "Blue Sky Toys", "")
QUESTIONS: Final = ("WHEN", "HELP", "{tn}", "{tn} AA", "STOP", "YES", "where is it?")
T0: Final = 1_797_000_000  # mid-December 2026: the peak season
PARCELS_PER_WORLD: Final = 1_000_000


class SimClock:
    """Trace time that runs ``speed`` times faster than the wall clock, from ``T0``."""

    def __init__(self, speed: float = 600.0, start: float | None = None) -> None:
        self.speed = speed
        self.start = time.time() if start is None else start

    def now(self) -> int:
        return T0 + int((time.time() - self.start) * self.speed)


def tracking_number(i: int) -> str:
    """The i-th parcel of the load test's world (22 digits, USPS style)."""
    return f"9400{1_100_000_000_000_000 + i:018d}"


def phone(rng: random.Random) -> str:
    """A valid US number (NANP exchange 200-999, away from 555-01xx fictional lines)."""
    return f"+1{rng.choice(AREA_CODES)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"


@dataclass
class ParcelWalk:
    """One parcel moving along ``PATH``; ``step`` is the next scan to send."""

    index: int
    origin: int
    destination: int
    step: int = 0

    def next_scan(self, at: int) -> dict[str, Any]:
        code = PATH[self.step]
        city, state, zip_code, offset = PLACES[self.origin if self.step < 4 else
                                              self.destination]
        self.step += 1
        rec: dict[str, Any] = {"kind": "scan", "at": format_time(at, offset),
                               "trackingNumber": tracking_number(self.index),
                               "eventCode": code, "eventCity": city, "eventState": state,
                               "eventZIP": zip_code}
        if code == "03":
            rec["expectedDelivery"] = format_time(at + 3 * 86400)[:10]
        return rec

    @property
    def done(self) -> bool:
        return self.step >= len(PATH)


class ScanFeed:
    """The tracking system's feed: many parcels in flight, scans in time order.

    Each feeder owns its own slice of parcel numbers (``feeder``), so several
    Locust users or processes never scan one parcel out of order.
    """

    def __init__(self, feeder: int, rng: random.Random, in_flight: int = 200) -> None:
        self.rng = rng
        self.first = self.next_index = (feeder % 1000) * (PARCELS_PER_WORLD // 1000)
        self.walks = [self._new() for _ in range(in_flight)]
        FEEDS.append(self)

    def _new(self) -> ParcelWalk:
        self.next_index += 1
        return ParcelWalk(self.next_index, self.rng.randrange(len(PLACES)),
                          self.rng.randrange(len(PLACES)))

    def batch(self, at: int, size: int) -> list[dict[str, Any]]:
        out = []
        for _ in range(size):
            i = self.rng.randrange(len(self.walks))
            walk = self.walks[i]
            out.append(walk.next_scan(at))
            if walk.done:
                self.walks[i] = self._new()
        return out


FEEDS: list[ScanFeed] = []  # the feeds of this process: people follow parcels in motion


def known_parcel(rng: random.Random) -> str:
    """A parcel someone might follow or ask about: one this process's feeds have
    started scanning, if any, else any parcel of the world (not scanned yet)."""
    if FEEDS:
        feed = rng.choice(FEEDS)
        return tracking_number(rng.randint(feed.first + 1, feed.next_index))
    return tracking_number(rng.randrange(1, PARCELS_PER_WORLD))


def checkout_opt_in(rng: random.Random, at: int) -> dict[str, Any]:
    return {"kind": "subscribe", "at": format_time(at), "trackingNumber": known_parcel(rng),
            "phone": phone(rng), "channel": rng.choice(("checkout", "checkout", "tracking_page")),
            "options": ["all"], "merchant": rng.choice(MERCHANTS),
            "destinationZIP": rng.choice(PLACES)[2]}


def text_body(rng: random.Random) -> str:
    return rng.choice(QUESTIONS).format(tn=known_parcel(rng))


def actor_weights(scenario: str = "baseline", lookups: float = 0.2) -> dict[str, int]:
    """Relative request rates of the four actors, from a scenario's customer mix.

    Per parcel: ~11 scans sent in batches of ``SCAN_BATCH``; checkout and
    tracking-page opt-ins at the scenario's shares; texts for text opt-ins,
    YES confirmations and status questions; tracking-page lookups are not in
    the scenario, so a parameter (``lookups`` per parcel).
    """
    opt_in: dict[str, float] = {"checkout": 0.03, "tracking_page": 0.015, "text": 0.005}
    confirm, questions = 0.8, 0.01
    try:
        from scenarios.schema import load

        customers = load(scenario).customers
        opt_in = {str(k): v for k, v in customers.opt_in.items()}
        confirm, questions = customers.confirm_yes, customers.status_question
    except Exception:  # the scenario module is optional here: keep the documented defaults
        pass
    per_parcel = {
        "scan_feed": len(PATH) / SCAN_BATCH,
        "checkout": opt_in.get("checkout", 0) + opt_in.get("tracking_page", 0),
        "texting": opt_in.get("text", 0) + opt_in.get("tracking_page", 0) * confirm
        + questions * len(PATH) * sum(opt_in.values()),
        "tracking_page": lookups,
    }
    low = min(v for v in per_parcel.values() if v > 0)
    return {k: max(1, round(v / low)) for k, v in per_parcel.items()}


SCAN_BATCH: Final = 50
