"""What a table of parcels costs in CPython: objects against rows of arrays.

``python -m bench.parcel_table [N]`` builds the same table of ``N`` parcels
(200,000 by default) four ways and reports the bytes each parcel costs
(``tracemalloc``, the tracking-number strings counted apart) and the time of one
touch (look the parcel up by tracking number, read its status, write it back),
against a plain loop over the same keys measured in the same run:

1. ``objects``: the engine's layout today (``engine.state.Parcel``: a dict from
   tracking number to a slotted object with a 9-scan history ``bytes``);
2. ``rows, dict str -> row``: the fields as ``array`` columns, one history arena,
   and a dict from the tracking number to the row;
3. ``rows, dict int -> row``: the same with the tracking number packed into an
   int (the strings can go, but each key is an int object of its own);
4. ``rows, open addressing``: packed keys in a hash table of two ``array``
   columns probed in Python, so that no object is left per parcel.

It measures the floor of the columnar store docs/scale.md discusses for the
national fortnight: what rows save against objects, and what each touch costs.
"""

from __future__ import annotations

import array
import gc
import math
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from engine.state import Parcel

HISTORY_LEN = 90  # nine 10-byte scan records, as a followed parcel has at its close
GOLDEN = 0x9E3779B97F4A7C15
REPEAT = 5


def tracking_numbers(n: int) -> list[str]:
    return [f"EC{100_000_000 + 7 * i:09d}CA" for i in range(n)]


def _pack(tn: str) -> int:
    return int(tn[2:11])


def _objects(keys: list[str]) -> Any:
    table: dict[str, Parcel] = {}
    for k in keys:
        p = table[k] = Parcel()
        p.status = 300
        p.eta = 20_500
        p.history = bytes(HISTORY_LEN)  # a history of its own, as each parcel has
    return table


def _columns(n: int) -> tuple[array.array[int], array.array[int], array.array[int], bytearray]:
    status, eta, offset = array.array("H"), array.array("i"), array.array("I")
    arena = bytearray()
    for _ in range(n):
        status.append(300)
        eta.append(20_500)
        offset.append(len(arena))
        arena += bytes(HISTORY_LEN)
    return status, eta, offset, arena


def _rows_str(keys: list[str]) -> Any:
    return {k: i for i, k in enumerate(keys)}, *_columns(len(keys))


def _rows_int(keys: list[str]) -> Any:
    return {_pack(k): i for i, k in enumerate(keys)}, *_columns(len(keys))


def _rows_open(keys: list[str]) -> Any:
    cap = 1 << (2 * len(keys) - 1).bit_length()  # load factor at most 1/2
    mask = cap - 1
    slot_key = array.array("q", [-1]) * cap
    slot_row = array.array("i", [0]) * cap
    for i, k in enumerate(keys):
        key = _pack(k)
        h = (key * GOLDEN) & mask
        while slot_key[h] != -1:
            h = (h + 1) & mask
        slot_key[h] = key
        slot_row[h] = i
    return (slot_key, slot_row, mask), *_columns(len(keys))


def _touch_objects(table: Any, order: list[str]) -> None:
    for k in order:
        p = table[k]
        p.status = p.status + 1


def _touch_rows_str(table: Any, order: list[str]) -> None:
    index, status = table[0], table[1]
    for k in order:
        r = index[k]
        status[r] = status[r] + 1


def _touch_rows_int(table: Any, order: list[str]) -> None:
    index, status = table[0], table[1]
    for k in order:
        r = index[_pack(k)]
        status[r] = status[r] + 1


def _touch_rows_open(table: Any, order: list[str]) -> None:
    (slot_key, slot_row, mask), status = table[0], table[1]
    for k in order:
        key = _pack(k)
        h = (key * GOLDEN) & mask
        while slot_key[h] != key:
            h = (h + 1) & mask
        r = slot_row[h]
        status[r] = status[r] + 1


LAYOUTS: dict[str, tuple[Callable[[list[str]], Any], Callable[[Any, list[str]], None]]] = {
    "objects (the engine today)": (_objects, _touch_objects),
    "rows, dict str -> row": (_rows_str, _touch_rows_str),
    "rows, dict int -> row": (_rows_int, _touch_rows_int),
    "rows, open addressing": (_rows_open, _touch_rows_open),
}


def bench_parcel_table(n: int = 200_000, touches: int = 100_000, seed: int = 1
                       ) -> dict[str, Any]:
    keys = tracking_numbers(n)
    order = random.Random(seed).choices(keys, k=touches)
    rows: list[dict[str, Any]] = []
    for name, (build, touch) in LAYOUTS.items():
        gc.collect()
        tracemalloc.start()
        table = build(keys)
        size, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        dt = math.inf
        for _ in range(REPEAT):  # the best of a few: the machine is shared
            t0 = time.perf_counter()
            touch(table, order)
            dt = min(dt, time.perf_counter() - t0)
        rows.append({"layout": name, "bytes_per_parcel": round(size / n),
                     "ns_per_touch": round(dt / touches * 1e9),
                     "touch_vs_plain_loop": 0.0})
        del table
    reference = math.inf
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        for _k in order:
            pass
        reference = min(reference, (time.perf_counter() - t0) / touches * 1e9)
    for row in rows:
        row["touch_vs_plain_loop"] = round(row["ns_per_touch"] / reference, 1)
    return {
        "parcels": n,
        "tracking_number_str_bytes": round(sum(sys.getsizeof(k) for k in keys) / n),
        "history_bytes_of_data": HISTORY_LEN,
        "rows": rows,
        "reference_plain_loop_ns": round(reference),
    }


if __name__ == "__main__":  # pragma: no cover - a measurement, run by hand
    r = bench_parcel_table(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
    print(f"{r['parcels']:,} parcels, histories of {r['history_bytes_of_data']} bytes; "
          f"a tracking-number string is {r['tracking_number_str_bytes']} bytes more where kept")
    for row in r["rows"]:
        print(f"  {row['layout']:<28} {row['bytes_per_parcel']:>5} bytes a parcel "
              f"{row['ns_per_touch']:>6} ns a touch ({row['touch_vs_plain_loop']}x the loop)")
    print(f"  {'reference: a plain loop':<28} {'':>5}       {'':>5} "
          f"{r['reference_plain_loop_ns']:>6} ns")
