"""When each record of a trace goes out in a replay (no Locust import: testable alone).

A trace is replayed open-model: every record has an intended send time, the
trace's own time compressed by a speed-up. A real tracking feed pushes scans
in batches, so records may also be grouped: all records due within one
window go out together, in one ``/v1/events:batch`` request, at the time the
first of them is due (the shim keeps time by the records' own ``at``, so
sending a record up to one window early changes no decision).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from engine.errors import InvalidInput
from engine.records import parse_time

MAX_BATCH = 2_000  # records per request, well under the shim's limit


def schedule(path: Path, shard: int, shards: int) -> tuple[int, list[tuple[int, bytes]]]:
    """(first time in the whole trace, this shard's (at, line) in file order).

    Records are sharded by whom they concern (the parcel, else the person,
    else the text a receipt is for), so one process sends all of a parcel's
    records, in order; a record with none of these (a wake-up) goes to shard 0.
    """
    first: int | None = None
    mine: list[tuple[int, bytes]] = []
    for line in path.read_bytes().splitlines():
        if not line.strip():
            continue
        key = ""
        try:
            rec = orjson.loads(line)
            at = parse_time(rec.get("at"))[0]
            key = str(rec.get("trackingNumber") or rec.get("from") or rec.get("messageId") or "")
        except (orjson.JSONDecodeError, InvalidInput, AttributeError):
            at = first or 0  # a bad record goes out with its neighbours; the shim refuses it
        first = at if first is None else min(first, at)
        if shards == 1 or (zlib.crc32(key.encode()) % shards if key else 0) == shard:
            mine.append((at, line))
    return first or 0, mine


def span(path: Path) -> tuple[int, int]:
    """The first and last time in a trace (seconds since the epoch); (0, 0) if none."""
    times = [at for at, _ in schedule(path, 0, 1)[1]]
    return (min(times), max(times)) if times else (0, 0)


@dataclass
class Send:
    """One request: when it is due (wall-clock seconds) and the records it carries."""

    intended: float
    lines: list[bytes] = field(default_factory=list)


def sends(records: list[tuple[int, bytes]], first: int, start: float, speedup: float,
          window_s: float = 0.0, max_batch: int = MAX_BATCH) -> list[Send]:
    """The requests of a replay, in file order: one per record, or with ``window_s``
    one per window of records due within ``window_s`` of the window's first."""
    out: list[Send] = []
    for at, line in records:
        intended = start + (at - first) / speedup
        last = out[-1] if out else None
        if (window_s > 0 and last is not None and 0 <= intended - last.intended < window_s
                and len(last.lines) < max_batch):
            last.lines.append(line)
        else:
            out.append(Send(intended, [line]))
    return out
