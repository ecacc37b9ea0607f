"""``eccc bench sim --national``: the busiest national day on a warm network.

``holiday_peak`` for Wed 16 Dec 2026 (the 1.37 surge: about 28M parcels at
scale 1). The network is warm: the run **starts three days earlier** (13-15
Dec, acceptances at their own calendar volume) so that the parcels of those
days are in flight when the measured day begins, and only the day itself is
measured (16 Dec 00:00 to 17 Dec 00:00, first region's local time; no drain).
Nothing is seeded: the in-flight stock is what the model itself produced.

For each share of national volume (``scales``) it reports the day's wall and
CPU seconds, parcels accepted that day and per second, engine inputs during the
day and per second, and the peak resident memory of the process (one fresh
process per scale, so each peak is its own). Cost growth is the CPU seconds per
parcel at each scale relative to the smallest: 1.0 is linear, above 1 is
worse than linear. CPU seconds (process time) are the figure to compare on a
shared machine; wall seconds are what a user waits.
"""

from __future__ import annotations

import multiprocessing as mp
import platform
import sys
import time
from datetime import date, timedelta
from typing import Any

from bench.peak_day import simpy_timeout_rate
from scenarios.schema import load
from sim.dists import local_epoch
from sim.model import Model
from sim.progress import peak_rss_mb

PEAK_DAY = date(2026, 12, 16)
WARM_DAYS = 3


def national_day(scale: float, seed: int = 1) -> dict[str, Any]:
    """One warm peak day at ``scale``; runs in the calling process."""
    sc = load("holiday_peak").model_copy(update={"start": PEAK_DAY - timedelta(days=WARM_DAYS)})
    t0, c0 = time.perf_counter(), time.process_time()
    m = Model(sc, seed=seed, scale=scale, days=WARM_DAYS + 1, drain_days=0.0,
              log_messages=False)
    m.start()
    zone = m.regions[0].zone
    day_begin = float(local_epoch(PEAK_DAY, 0, zone))
    m.advance(day_begin)
    warm_wall, warm_cpu = time.perf_counter() - t0, time.process_time() - c0
    # Parcels by their acceptance hour (arrivals are generated ahead of the clock).
    h0 = int((day_begin - m.t_begin) // 3600)
    by_hour = m.metrics.arrived_by_hour
    inputs0 = m.engine_inputs
    in_flight = sum(by_hour[:h0]) - m.metrics.delivered_n - m.metrics.returned_n
    t1, c1 = time.perf_counter(), time.process_time()
    m.advance(day_begin + 86400)
    wall, cpu = time.perf_counter() - t1, time.process_time() - c1
    parcels = sum(by_hour[h0:h0 + 24])
    inputs = m.engine_inputs - inputs0
    return {
        "scale": scale,
        "parcels_in_flight_at_start": in_flight,
        "parcels_accepted_day": parcels,
        "engine_inputs_day": inputs,
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "parcels_per_cpu_s": round(parcels / cpu) if cpu else 0,
        "engine_inputs_per_cpu_s": round(inputs / cpu) if cpu else 0,
        "warm_up_wall_s": round(warm_wall, 1),
        "warm_up_cpu_s": round(warm_cpu, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def _child(scale: float, seed: int, q: Any) -> None:
    q.put(national_day(scale, seed))


def bench_national(seed: int = 1, scales: tuple[float, ...] = (0.01, 0.05, 0.1)) -> dict[str, Any]:
    """Each scale in a fresh process (its own peak memory); the growth of cost per parcel."""
    ctx = mp.get_context("spawn")
    rows = []
    for scale in sorted(scales):
        q = ctx.Queue()
        p = ctx.Process(target=_child, args=(scale, seed, q))
        p.start()
        rows.append(q.get())
        p.join()
        print(f"bench sim --national: {rows[-1]}", file=sys.stderr, flush=True)
    ref = rows[0]
    per_parcel_ref = ref["cpu_s"] / ref["parcels_accepted_day"] if ref["parcels_accepted_day"] \
        else 0.0
    for r in rows:
        per = r["cpu_s"] / r["parcels_accepted_day"] if r["parcels_accepted_day"] else 0.0
        r["cpu_per_parcel_vs_smallest"] = round(per / per_parcel_ref, 2) if per_parcel_ref \
            else None
        r["full_day_estimate_cpu_min"] = round(per * 28_085_000 / 60, 1)
    return {
        "scenario": f"holiday_peak {PEAK_DAY} (1.37 surge), {WARM_DAYS} warm days before it",
        "method": "start 3 days earlier, measure the day only; fresh process per scale",
        "rows": rows,
        "simpy_raw_timeouts_per_s": round(simpy_timeout_rate()),
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {mp.cpu_count()} cores",
    }
