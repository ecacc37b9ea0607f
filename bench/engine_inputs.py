"""``eccc bench engine``: throughput and memory of the engine on one core.

A realistic mix: parcels moving through the network with ~11 scans each
(interleaved in time, as a national feed is), 5% of parcels followed by text
(checkout, tracking page + YES, texting the number), people asking questions
and some texting STOP. Inputs are built before timing (parsing is the
driver's cost, not the engine's). The reference is a plain dict-update loop
over the same inputs in the same process, so the ratio survives a noisy
machine better than absolute times do.
"""

from __future__ import annotations

import gc
import platform
import resource
import time
import tracemalloc
from typing import Any

import numpy as np

from engine.core import Engine, EngineConfig
from engine.inputs import Input, Scan, SmsIn, Subscribe

PATH = ["GX", "03", "10", "EF", "10", "EF", "07", "PC", "OF", "01"]
GAPS_H = [3.0, 2.0, 2.0, 14.0, 2.0, 8.0, 1.0, 1.0, 4.0]  # mean hours between scans
PLACES = [("DENVER", "CO", "80202", -420), ("MIAMI", "FL", "33101", -300),
          ("SEATTLE", "WA", "98101", -480), ("CHICAGO", "IL", "60601", -360),
          ("NEW YORK", "NY", "10001", -300), ("DALLAS", "TX", "75201", -360)]
AREA = ["303", "305", "206", "312", "212", "214"]
BENCH_POLICIES = ("milestones", "quiet_hours", "cap_rolling:limit=3")
T0 = 1_797_000_000  # Dec 2026


def build_mix(n: int, seed: int = 1) -> list[Input]:
    """About ``n`` inputs in time order (ties keep generation order)."""
    rng = np.random.default_rng(seed)
    per_parcel = len(PATH) + 0.2  # scans plus a share of re-sent scans, subscriptions, texts
    parcels = max(1, int(n / per_parcel * 0.985))
    starts = T0 + rng.uniform(0, 3 * 86400, parcels)
    gaps = rng.exponential(1.0, (parcels, len(GAPS_H))) * np.array(GAPS_H) * 3600
    times = np.concatenate([starts[:, None], starts[:, None] + np.cumsum(gaps, axis=1)], axis=1)
    times = times.astype(np.int64)
    origin = rng.integers(len(PLACES), size=parcels)
    dest = rng.integers(len(PLACES), size=parcels)
    eta = (starts // 86400).astype(np.int64) + rng.integers(2, 5, size=parcels)
    events: list[tuple[int, int, Input]] = []
    seq = 0
    tns = [f"9400{1_000_000_000_000_000 + i:018d}" for i in range(parcels)]
    for p in range(parcels):
        tn = tns[p]
        row = times[p]
        for i, code in enumerate(PATH):
            city, state, zip_code, off = PLACES[origin[p] if i < 4 else dest[p]]
            events.append((int(row[i]), seq, Scan(
                at=int(row[i]), tracking_number=tn, event_code=code, offset_min=off,
                city=city, state=state, zip=zip_code,
                expected_delivery=int(eta[p]) if code == "03" else None)))
            seq += 1
        if rng.random() < 0.03:  # re-sent record
            i = int(rng.integers(1, len(PATH)))
            events.append((int(row[i]) + 60, seq, events[-len(PATH) + i][2]))
            seq += 1
    phones = [f"+1{AREA[i % len(AREA)]}{2_000_000 + i:07d}" for i in range(max(1, parcels // 30))]
    followed = rng.choice(parcels, size=max(1, parcels // 20), replace=False)
    for p in followed:
        phone = phones[int(rng.integers(len(phones)))]
        t = int(times[p][1]) + int(rng.integers(60, 7200))
        channel = ("checkout", "tracking_page", "text")[int(rng.choice(3, p=[0.6, 0.25, 0.15]))]
        if channel == "text":
            events.append((t, seq, SmsIn(at=t, sender=phone, body=tns[p])))
        else:
            events.append((t, seq, Subscribe(at=t, tracking_number=tns[p], phone=phone,
                                              channel=channel, merchant="Acme Outdoor",
                                              destination_zip=PLACES[dest[p]][2])))
            if channel == "tracking_page":
                seq += 1
                events.append((t + 300, seq, SmsIn(at=t + 300, sender=phone, body="YES")))
        seq += 1
    words = ["HELP", "when", "STOP", "START", "thanks", "QUIET"]
    for _ in range(max(0, n - len(events))):
        t = T0 + int(rng.integers(0, 4 * 86400))
        phone = phones[int(rng.integers(len(phones)))]
        body = words[int(rng.integers(len(words)))] if rng.random() < 0.5 else \
            tns[int(rng.integers(parcels))]
        events.append((t, seq, SmsIn(at=t, sender=phone, body=body)))
        seq += 1
    events.sort(key=lambda e: (e[0], e[1]))
    return [e[2] for e in events[:n]]


def _run_engine(inputs: list[Input]) -> tuple[Engine, int, float]:
    engine = Engine(EngineConfig(policies=BENCH_POLICIES))
    feed = engine.feed
    outputs = 0
    gc.collect()
    t = time.perf_counter()
    for inp in inputs:
        outputs += len(feed(inp))
    outputs += len(engine.drain())
    return engine, outputs, time.perf_counter() - t


def _run_reference(inputs: list[Input]) -> float:
    state: dict[object, int] = {}
    t = time.perf_counter()
    for inp in inputs:
        key = inp.tracking_number if type(inp) is Scan else inp.kind
        state[key] = inp.at
    return time.perf_counter() - t


def bench_engine(n: int = 1_000_000, seed: int = 1) -> dict[str, Any]:
    """Run the benchmark; return the figures (printed by ``eccc bench engine``)."""
    t = time.perf_counter()
    inputs = build_mix(n, seed)
    build_s = time.perf_counter() - t
    kinds: dict[str, int] = {}
    for inp in inputs:
        kinds[inp.kind] = kinds.get(inp.kind, 0) + 1
    ref_s = min(_run_reference(inputs) for _ in range(3))
    engine, outputs, engine_s = _run_engine(inputs)
    parcels_seen = len({inp.tracking_number for inp in inputs if type(inp) is Scan})
    del engine
    gc.collect()
    # Engine state per parcel: a second run under tracemalloc, outputs discarded.
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    probe = Engine(EngineConfig(policies=BENCH_POLICIES))
    for inp in inputs:
        probe.feed(inp)
    state_bytes = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    # Retention forgets closed parcels, so the state left is what the live ones hold.
    live_parcels, live_phones = len(probe.parcels), len(probe.phones)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "inputs": len(inputs),
        "inputs_by_kind": dict(sorted(kinds.items())),
        "policies": list(BENCH_POLICIES),
        "outputs": outputs,
        "engine_seconds": round(engine_s, 3),
        "engine_inputs_per_second": round(len(inputs) / engine_s),
        "engine_us_per_input": round(engine_s / len(inputs) * 1e6, 3),
        "reference_seconds": round(ref_s, 4),
        "ratio_to_reference_loop": round(engine_s / ref_s, 1),
        "parcels": parcels_seen,
        "parcels_live_at_end": live_parcels,
        "phones_live_at_end": live_phones,
        "engine_state_mib": round(state_bytes / 2**20, 2),
        "engine_state_bytes_per_live_parcel": round(state_bytes / max(1, live_parcels)),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "build_inputs_seconds": round(build_s, 2),
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
    }
