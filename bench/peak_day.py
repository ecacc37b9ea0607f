"""``eccc bench sim``: one simulated peak day at 1% of national scale.

Runs ``holiday_peak`` for Wed 16 Dec 2026 (a 1.37x surge day, about 280,000
parcels at --scale 0.01) with no drain period, and reports parcels/s, engine
inputs/s and peak memory. The reference is SimPy itself: the rate at which a
bare environment in the same process runs timeouts, so the ratio survives a
noisy machine better than absolute times do.
"""

from __future__ import annotations

import platform
import resource
import time
from datetime import date
from typing import Any

import simpy

from scenarios.schema import load
from sim.model import Model
from sim.volume import LEAD_S

PEAK_DAY = date(2026, 12, 16)


def simpy_timeout_rate(n: int = 300_000) -> float:
    """Raw SimPy timeouts per second: one process yielding ``n`` timeouts."""
    env = simpy.Environment()

    def ticker() -> Any:
        for _ in range(n):
            yield env.timeout(1)

    env.process(ticker())
    t0 = time.perf_counter()
    env.run()
    return n / (time.perf_counter() - t0)


def bench_sim(seed: int = 1, scale: float = 0.01, days: float = 1.0) -> dict[str, Any]:
    sc = load("holiday_peak").model_copy(update={"start": PEAK_DAY})
    t0 = time.perf_counter()
    m = Model(sc, seed=seed, scale=scale, days=days, drain_days=0.0, log_messages=False)
    m.run()
    wall = time.perf_counter() - t0
    ref = simpy_timeout_rate()
    parcels = m.metrics.accepted
    return {
        "scenario": f"holiday_peak {PEAK_DAY} x{days} day(s), scale {scale}",
        "parcels_accepted": parcels,
        "parcels_tracked": m.followed.count,
        "engine_inputs": m.engine_inputs,
        "texts": m.tally.sms + m.tally.replies,
        "wall_s": round(wall, 2),
        "parcels_per_s": round(parcels / wall),
        "engine_inputs_per_s": round(m.engine_inputs / wall),
        "simulated_s_per_wall_s": round((m.t_end - m.t_begin + LEAD_S) / wall),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "simpy_raw_timeouts_per_s": round(ref),
        "national_day_estimate_min": round(wall / scale / 60, 1),
        "python": platform.python_version(),
    }
