"""A small, realistic example trace (shipped as scenarios/example_trace.jsonl).

Parcels move origin -> processing centres -> delivery unit with the event codes
of docs/facts.md, some with delivery attempts and pickups, and the scan
defects real feeds have (duplicates, late arrivals, missing fields). Several
people follow several parcels through all three channels, ask questions, and
one of them texts STOP. Regenerate with ``python -m scenarios.example_trace``.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np
import orjson

# (city, state, ZIP, UTC offset in December, hours)
PLACES = [
    ("DENVER", "CO", "80202", -7), ("MIAMI", "FL", "33101", -5), ("SEATTLE", "WA", "98101", -8),
    ("NEW YORK", "NY", "10001", -5), ("CHICAGO", "IL", "60601", -6),
    ("SAN FRANCISCO", "CA", "94105", -8), ("BALTIMORE", "MD", "21201", -5),
    ("OKLAHOMA CITY", "OK", "73102", -6), ("DALLAS", "TX", "75201", -6),
    ("ATLANTA", "GA", "30303", -5),
]
AREA_CODES = {"CO": "303", "FL": "305", "WA": "206", "NY": "212", "IL": "312", "CA": "415",
              "MD": "410", "OK": "405", "TX": "214", "GA": "404"}
MERCHANTS = ["Acme Outdoor", "Blue Fern Books", "Café Olé", "Чайная Лавка", "Northwind Tea", None]
START = datetime(2026, 12, 14, 6, 0, tzinfo=UTC)


def _iso(t: datetime, offset_h: int) -> str:
    return t.astimezone(timezone(timedelta(hours=offset_h))).isoformat()


def _scan(t: datetime, tn: str, code: str, place: tuple[str, str, str, int],
          eta: str | None = None) -> dict[str, Any]:
    city, state, zip_code, off = place
    rec: dict[str, Any] = {"kind": "scan", "at": _iso(t, off), "trackingNumber": tn,
                           "eventCode": code, "eventCity": city, "eventState": state,
                           "eventZIP": zip_code}
    if eta is not None:
        rec["expectedDelivery"] = eta
    return rec


def _next_morning(t: datetime, offset_h: int, hour: float) -> datetime:
    local = t + timedelta(hours=offset_h)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return day + timedelta(hours=hour - offset_h)


def parcel_scans(rng: np.random.Generator, tn: str, t0: datetime) -> list[dict[str, Any]]:
    """One parcel's scans in event order, from label to delivery."""
    o = PLACES[int(rng.integers(len(PLACES)))]
    d = PLACES[int(rng.integers(len(PLACES)))]

    def hours(lo: float, hi: float) -> timedelta:
        return timedelta(hours=float(rng.uniform(lo, hi)))

    t = t0
    days = int(rng.integers(2, 4))
    eta_day = (t0 + timedelta(days=days)).date().isoformat()
    out = [_scan(t, tn, "GX", o)]
    t += hours(2, 10)
    out.append(_scan(t, tn, "03", o, eta_day))
    t += hours(1, 4)
    out.append(_scan(t, tn, "10", o))
    t += hours(1, 3)
    out.append(_scan(t, tn, "EF", o))
    t += hours(8, 30)
    out.append(_scan(t, tn, "10", d))
    t += hours(1, 3)
    out.append(_scan(t, tn, "EF", d))
    t = max(t + hours(1, 3), _next_morning(t, d[3], float(rng.uniform(4.5, 6.5))))
    out.append(_scan(t, tn, "07", d))
    t += hours(0.5, 1.5)
    out.append(_scan(t, tn, "PC", d))
    t += hours(0.5, 1.5)
    out.append(_scan(t, tn, "OF", d))
    fate = rng.random()
    if fate < 0.06:  # notice left, then delivered the next day
        t += hours(2, 8)
        out.append(_scan(t, tn, "02", d))
        t = _next_morning(t, d[3], float(rng.uniform(7.5, 8.5)))
        out.append(_scan(t, tn, "OF", d))
        t += hours(1, 7)
        out.append(_scan(t, tn, "01", d))
    elif fate < 0.10:  # held for pickup
        t += hours(2, 8)
        out.append(_scan(t, tn, "16", d))
        t += hours(20, 50)
        out.append(_scan(t, tn, "17", d))
    else:
        t += hours(1, 8)
        out.append(_scan(t, tn, "01", d))
    return out


def build(parcels: int = 300, seed: int = 7) -> list[dict[str, Any]]:
    """The whole trace, sorted by time (stable for equal times)."""
    rng = np.random.default_rng(seed)
    records: list[tuple[datetime, int, dict[str, Any]]] = []

    def add(t: datetime, rec: dict[str, Any]) -> None:
        records.append((t, len(records), rec))

    numbers = [f"94001118992234{i:08d}" for i in range(parcels)]
    people = [f"+1{AREA_CODES[p[1]]}55501{i:02d}" for i, p in
              enumerate(PLACES[j % len(PLACES)] for j in range(24))]
    for tn in numbers:
        t0 = START + timedelta(hours=float(rng.uniform(0, 72)))
        scans = parcel_scans(rng, tn, t0)
        if rng.random() < 0.05:  # a re-sent record under another id
            dup = dict(scans[int(rng.integers(1, len(scans)))])
            dup["eventId"] = "resent"
            scans.append(dup)
        if rng.random() < 0.05:  # a vague scan with no place
            gap = dict(scans[2])
            for key in ("eventCity", "eventState", "eventZIP"):
                gap.pop(key)
            t_gap = datetime.fromisoformat(gap["at"]) + timedelta(minutes=40)
            gap["at"] = t_gap.isoformat()
            scans.insert(3, gap)
        late = rng.random() < 0.05  # one scan reaches the feed hours late
        for i, rec in enumerate(scans):
            t = datetime.fromisoformat(rec["at"])
            if late and i == 4:
                t += timedelta(hours=12)
            add(t, rec)
        if rng.random() < 0.4:
            who = people[int(rng.integers(len(people)))]
            t_sub = t0 + timedelta(minutes=float(rng.uniform(1, 120)))
            channel = str(rng.choice(["checkout", "tracking_page", "text"], p=[0.6, 0.25, 0.15]))
            if channel == "text":
                add(t_sub, {"kind": "sms_in", "at": _iso(t_sub, 0), "from": who, "body": tn})
                continue
            rec = {"kind": "subscribe", "at": _iso(t_sub, 0), "trackingNumber": tn,
                   "phone": who, "channel": channel,
                   "options": ["all"] if rng.random() < 0.7 else ["delivered", "exceptions"],
                   "destinationZIP": scans[-1].get("eventZIP", "")}
            merchant = MERCHANTS[int(rng.integers(len(MERCHANTS)))]
            if channel == "checkout" and merchant:
                rec["merchant"] = merchant
            add(t_sub, rec)
            if channel == "tracking_page" and rng.random() < 0.8:
                t_yes = t_sub + timedelta(minutes=float(rng.uniform(1, 30)))
                add(t_yes, {"kind": "sms_in", "at": _iso(t_yes, 0), "from": who, "body": "Yes"})
    replies = ["HELP", "when?", f"{numbers[3]} WHEN", f"{numbers[5]} AP", "QUIET",
               f"STOP {numbers[8]}", "thanks!", "AWAKE"]
    for i, body in enumerate(replies):
        t = START + timedelta(hours=10 + 7 * i)
        add(t, {"kind": "sms_in", "at": _iso(t, 0), "from": people[i % 5], "body": body})
    t_stop = START + timedelta(days=2, hours=3)
    add(t_stop, {"kind": "sms_in", "at": _iso(t_stop, 0), "from": people[1], "body": "STOP"})
    records.sort(key=lambda r: (r[0], r[1]))
    return [rec for _, _, rec in records]


def main() -> None:
    for rec in build():
        sys.stdout.buffer.write(orjson.dumps(rec) + b"\n")


if __name__ == "__main__":
    main()
