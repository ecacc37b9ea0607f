"""When each record of a trace goes out in a replay (no Locust import: testable alone).

A trace is replayed open-model: every record has an intended send time, the
trace's own time compressed by a speed-up. A real tracking feed pushes scans
in batches, so records may also be grouped: all records due within one
window go out together, in one ``/v1/events:batch`` request, at the time the
first of them is due (the shim keeps time by the records' own ``at``, so
sending a record up to one window early changes no decision).
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from engine.errors import InvalidInput
from engine.records import parse_time

MAX_BATCH = 2_000  # records per request, well under the shim's limit


def trace_bytes(path: Path) -> bytes:
    """A trace file's bytes, gunzipped when it is gzip-compressed (by its magic
    number, whatever its name), as ``eccc replay`` reads it; ValueError naming the
    file when the archive is cut short or damaged."""
    data = path.read_bytes()
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return gzip.decompress(data)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:  # cut short, or damaged
        raise ValueError(f"{path}: not a whole gzip file ({exc})") from None


def schedule(path: Path, shard: int, shards: int) -> tuple[int, list[tuple[int, bytes]]]:
    """(first time in the whole trace, this shard's (at, line) in file order).

    Records are sharded by whom they concern, so that one process sends, in
    order, every record whose order matters to another: a subscription ties a
    parcel to a phone, and all the parcels and phones tied together (through
    any number of subscriptions in the trace) are one group, sent by one
    process. A receipt goes by the text it is for (the trace does not say
    whose); a record with none of these (a wake-up) goes to shard 0.
    """
    parsed: list[tuple[int, bytes, str]] = []
    groups = _Groups()
    first: int | None = None
    for line in trace_bytes(path).splitlines():
        if not line.strip():
            continue
        key = ""
        try:
            rec = orjson.loads(line)
            at = parse_time(rec.get("at"))[0]
            parcel, person = rec.get("trackingNumber"), rec.get("phone") or rec.get("from")
            key = str(parcel or person or rec.get("messageId") or "")
            if parcel and person:
                groups.join(str(parcel), str(person))
        except (orjson.JSONDecodeError, InvalidInput, AttributeError):
            at = first or 0  # a bad record goes out with its neighbours; the shim refuses it
        first = at if first is None else min(first, at)
        parsed.append((at, line, key))
    if shards == 1:
        return first or 0, [(at, line) for at, line, _ in parsed]
    mine = [(at, line) for at, line, key in parsed
            if (zlib.crc32(groups.root(key).encode()) % shards if key else 0) == shard]
    return first or 0, mine


class _Groups:
    """Union-find over parcel and phone keys; a group is named by its smallest key,
    so every process names it the same whatever order it meets the keys in."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def root(self, key: str) -> str:
        parent = self.parent
        while parent.get(key, key) != key:
            parent[key] = parent.get(parent[key], parent[key])  # halve the path
            key = parent[key]
        return key

    def join(self, a: str, b: str) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            low, high = (ra, rb) if ra < rb else (rb, ra)
            self.parent[high] = low


def span(path: Path) -> tuple[int, int]:
    """The first and last time in a trace (seconds since the epoch); (0, 0) if none."""
    times = [at for at, _ in schedule(path, 0, 1)[1]]
    return (min(times), max(times)) if times else (0, 0)


def fitted_speedup(span_s: float, replay_seconds: float) -> float:
    """The speed-up that fits a trace spanning ``span_s`` into 90% of ``replay_seconds``;
    never slower than the trace itself (a short trace is replayed at its real rate)."""
    return max(1.0, span_s / (0.9 * replay_seconds))


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
