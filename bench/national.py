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

from bench.fresh import in_fresh_process
from bench.peak_day import simpy_timeout_rate
from scenarios.schema import load
from sim.dists import local_epoch
from sim.model import Model
from sim.progress import ProgressLine, peak_rss_mb
from sim.pumpqueue import few_collections

PEAK_DAY = date(2026, 12, 16)
WARM_DAYS = 3


def national_day(scale: float, seed: int = 1, progress_s: float | None = None
                 ) -> dict[str, Any]:
    """One warm peak day at ``scale``; runs in the calling process. ``progress_s``: a
    progress line on stderr that often (warm-up and day; the time left is for both)."""
    sc = load("holiday_peak").model_copy(update={"start": PEAK_DAY - timedelta(days=WARM_DAYS)})
    t0, c0 = time.perf_counter(), time.process_time()
    m = Model(sc, seed=seed, scale=scale, days=WARM_DAYS + 1, drain_days=0.0,
              log_messages=False)
    if progress_s is not None:
        m.watch(ProgressLine(sys.stderr, every_s=progress_s, label=f"national day {scale:g}"))
    # One collector setting for warm-up and day, as ``Model.run`` has for a whole run: a
    # model restores Python's thresholds after each ``advance``, and the full collection
    # that then follows belongs to the end of a run, not to the day measured.
    with few_collections():
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


def national_day_two_processes(scale: float, seed: int = 1) -> dict[str, Any]:
    """The same day with ``eccc run --workers 2``'s pipeline (sim/pipeline.py): the network
    in a second process. The day is timed on the messaging side (the one that finishes
    last); the network's CPU is its whole run (warm days and the day), as it runs ahead."""
    from sim.pipeline import pipelined

    sc = load("holiday_peak").model_copy(update={"start": PEAK_DAY - timedelta(days=WARM_DAYS)})
    t0, c0 = time.perf_counter(), time.process_time()
    with pipelined(sc, seed=seed, scale=scale, days=WARM_DAYS + 1, drain_days=0.0,
                   log_messages=False) as m, few_collections():
        m.start()
        day_begin = float(local_epoch(PEAK_DAY, 0, m.regions[0].zone))
        m.advance(day_begin)
        warm_wall, warm_cpu = time.perf_counter() - t0, time.process_time() - c0
        inputs0 = m.engine_inputs
        wait0 = m.wait_s
        t1, c1 = time.perf_counter(), time.process_time()
        m.advance(day_begin + 86400)
        wall, cpu = time.perf_counter() - t1, time.process_time() - c1
        inputs = m.engine_inputs - inputs0
        wait = m.wait_s - wait0
        m.finish()  # not timed: the network's figures and its own times arrive here
    h0 = int((day_begin - m.t_begin) // 3600)
    parcels = sum(m.metrics.arrived_by_hour[h0:h0 + 24])
    net = m.network
    return {
        "scale": scale,
        "workers": 2,
        "parcels_accepted_day": parcels,
        "engine_inputs_day": inputs,
        "wall_s": round(wall, 1),
        "messaging_cpu_s": round(cpu, 1),
        "messaging_waited_for_network_s": round(wait, 1),
        "warm_up_wall_s": round(warm_wall, 1),
        "warm_up_messaging_cpu_s": round(warm_cpu, 1),
        "network_cpu_s_whole_run": round(net["cpu_s"], 1),
        "network_waited_for_messaging_s": round(net["put_wait_s"], 1),
        "peak_rss_mb_messaging": round(peak_rss_mb(), 1),
    }


PROGRESS_S = 30.0  # a sign of life from a fresh process: the 100% day runs for half an hour


def _in_fresh_process(scale: float, seed: int, workers: int) -> dict[str, Any]:
    if workers == 1:
        return in_fresh_process(national_day, scale, seed, PROGRESS_S,
                                label="bench sim --national")
    return in_fresh_process(national_day_two_processes, scale, seed,
                            label="bench sim --national")


def bench_national(seed: int = 1, scales: tuple[float, ...] = (0.01, 0.1, 1.0),
                   workers: int = 1) -> dict[str, Any]:
    """Each scale in a fresh process (its own peak memory); the growth of cost per parcel.

    ``workers`` 2: each scale also runs as ``eccc run --workers 2`` does, right after the
    one-process day (the reference, measured in the same run), with the speedup."""
    rows = []
    pipelined_rows = []
    for scale in sorted(scales):
        rows.append(_in_fresh_process(scale, seed, 1))
        if workers > 1:
            two = _in_fresh_process(scale, seed, 2)
            one = rows[-1]
            two["speedup_day_wall"] = round(one["wall_s"] / two["wall_s"], 2) if two["wall_s"] \
                else None
            total_one = one["wall_s"] + one["warm_up_wall_s"]
            total_two = two["wall_s"] + two["warm_up_wall_s"]
            two["speedup_warm_and_day_wall"] = round(total_one / total_two, 2) if total_two \
                else None
            two["same_day"] = (two["parcels_accepted_day"], two["engine_inputs_day"]) == (
                one["parcels_accepted_day"], one["engine_inputs_day"])
            pipelined_rows.append(two)
    ref = rows[0]
    per_parcel_ref = ref["cpu_s"] / ref["parcels_accepted_day"] if ref["parcels_accepted_day"] \
        else 0.0
    for r in rows:
        per = r["cpu_s"] / r["parcels_accepted_day"] if r["parcels_accepted_day"] else 0.0
        r["cpu_per_parcel_vs_smallest"] = round(per / per_parcel_ref, 2) if per_parcel_ref \
            else None
        r["full_day_estimate_cpu_min"] = round(per * 28_085_000 / 60, 1)
    extra = {"two_processes": pipelined_rows} if pipelined_rows else {}
    return {
        **extra,
        "scenario": f"holiday_peak {PEAK_DAY} (1.37 surge), {WARM_DAYS} warm days before it",
        "method": "start 3 days earlier, measure the day only; fresh process per scale",
        "rows": rows,
        "simpy_raw_timeouts_per_s": round(simpy_timeout_rate()),
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {mp.cpu_count()} cores",
    }
