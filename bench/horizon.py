"""``eccc bench sim --horizon``: memory against the horizon, and the national fortnight.

``holiday_peak`` at one share of national volume (``scale``, 1% by default), run
twice, each in a fresh process so that each peak is its own: one day of
acceptances and the fortnight (the scenario's 15 days), each with the usual 4
days' drain. Along the fortnight, at every UTC midnight, it samples resident
memory and what the model and the engine hold: the model's live followed parcels
(in flight, or closed and in their grace), the engine's parcels and phones.

What it reports, and why:

- **the peaks and their ratio.** A one-day run never holds more than one day's
  parcels in flight; the fortnight holds about three days' in flight plus the
  closed parcels the retention windows keep, so the ratio is well above 1 even
  when nothing grows with the horizon (docs/scale.md);
- **memory per followed parcel held**, at each run's peak: resident memory above
  what the built model held, over the most followed parcels the model held at
  once. Memory follows the stock, not the horizon, when the fortnight's figure
  is close to the day's;
- **the plateau**: the least-squares slope of resident memory and of followed
  parcels held over the fortnight's last acceptance week, MB and parcels a day;
- **the national fortnight it implies**: the built model's memory plus the
  fortnight's memory above it divided by ``scale`` (memory above the built model
  grows with the stock, the stock with the volume), against the 4 GB target.
"""

from __future__ import annotations

import multiprocessing as mp
import platform
import sys
import time
from typing import Any

import numpy as np

from bench.fresh import in_fresh_process
from scenarios.schema import DRAIN_DAYS, load
from sim.model import Model
from sim.progress import ProgressLine, peak_rss_mb, rss_mb
from sim.pumpqueue import few_collections

SCENARIO = "holiday_peak"
DAY = 86400
PROGRESS_S = 30.0
TARGET_GB = 4.0  # the national fortnight's target
PLATEAU_DAYS = 7  # the slope is fitted over the last acceptance week


def horizon_run(scale: float, days: int | None = None, seed: int = 1,
                progress_s: float | None = None) -> dict[str, Any]:
    """``holiday_peak`` at ``scale`` for ``days`` days of acceptances (the scenario's
    own by default) and its drain, in the calling process, sampled at UTC midnights."""
    sc = load(SCENARIO)
    t0, c0 = time.perf_counter(), time.process_time()
    m = Model(sc, seed=seed, scale=scale, days=days, log_messages=False)
    built_mb = rss_mb()
    if progress_s is not None:
        label = f"horizon {m.days:g} day{'s' * (m.days != 1)} at {scale:g}"
        m.watch(ProgressLine(sys.stderr, every_s=progress_s, label=label))
    samples: list[dict[str, Any]] = []
    most_held = 0
    with few_collections():  # once for the whole run, as ``Model.run`` does
        m.start()
        t = (m.t_begin // DAY + 1) * DAY
        while t <= m.t_end:
            m.advance(t)
            held = len(m.followed.live)
            most_held = max(most_held, held)
            samples.append({
                "utc_day": time.strftime("%Y-%m-%d", time.gmtime(t)),
                "acceptances": t <= m.t_accept_end,
                "rss_mb": round(rss_mb(), 1),
                "followed_held": held,
                "engine_parcels": len(m.engine.parcels),
                "engine_phones": len(m.engine.phones),
            })
            t += DAY
        m.advance(m.t_end)
        m.finish()
    peak = peak_rss_mb()
    per_followed = (peak - built_mb) * 2**20 / most_held if most_held else None
    return {
        "scale": scale,
        "days": m.days,
        "drain_days": DRAIN_DAYS,
        "parcels": int(sum(m.metrics.arrived_by_hour)),
        "followed": m.followed.count,
        "engine_inputs": m.engine_inputs,
        "cpu_s": round(time.process_time() - c0, 1),
        "wall_s": round(time.perf_counter() - t0, 1),
        "built_model_rss_mb": round(built_mb, 1),
        "peak_rss_mb": round(peak, 1),
        "most_followed_held": most_held,
        "bytes_per_followed_held": round(per_followed) if per_followed else None,
        "samples": samples,
    }


def plateau(samples: list[dict[str, Any]], days: int = PLATEAU_DAYS) -> dict[str, Any] | None:
    """Least-squares slopes of resident memory and of followed parcels held over the
    last ``days`` midnights that still had acceptances (None: too few)."""
    rows = [s for s in samples if s["acceptances"]][-days:]
    if len(rows) < 3:
        return None
    x = np.arange(len(rows), dtype=float)
    mb = np.polyfit(x, [s["rss_mb"] for s in rows], 1)[0]
    held = np.polyfit(x, [s["followed_held"] for s in rows], 1)[0]
    return {
        "from": rows[0]["utc_day"], "to": rows[-1]["utc_day"],
        "rss_mb_per_day": round(float(mb), 2),
        "followed_held_per_day": round(float(held)),
        "rss_mb_at_start": rows[0]["rss_mb"], "rss_mb_at_end": rows[-1]["rss_mb"],
    }


def national_estimate_gb(run: dict[str, Any]) -> float:
    """The run's peak at national volume: the built model plus the rest scaled."""
    built, peak = float(run["built_model_rss_mb"]), float(run["peak_rss_mb"])
    return round((built + (peak - built) / float(run["scale"])) / 1024, 1)


def bench_horizon(scale: float = 0.01, days: int | None = None, seed: int = 1,
                  fresh: bool = True) -> dict[str, Any]:
    """One day and ``days`` (the scenario's 15) at ``scale``, each in a fresh process
    (``fresh`` False: both here, for the tests; the second peak then includes the first)."""
    def run(scale: float, days: int | None, seed: int) -> dict[str, Any]:
        if fresh:
            return in_fresh_process(horizon_run, scale, days, seed, PROGRESS_S,
                                    label="bench sim --horizon")
        return horizon_run(scale, days, seed)

    one = run(scale, 1, seed)
    long = run(scale, days, seed)
    ratio = long["peak_rss_mb"] / one["peak_rss_mb"] if one["peak_rss_mb"] else None
    national = national_estimate_gb(long)
    return {
        "scenario": f"{SCENARIO} at scale {scale:g}, 1 day and {long['days']:g} days of "
                    f"acceptances, each with {DRAIN_DAYS:g} days' drain",
        "method": "fresh process per run; resident memory and what the model and engine "
                  "hold sampled at each UTC midnight",
        "one_day": {k: v for k, v in one.items() if k != "samples"},
        "horizon": {k: v for k, v in long.items() if k != "samples"},
        "peak_ratio_horizon_to_one_day": round(ratio, 2) if ratio else None,
        "bytes_per_followed_held_one_day": one["bytes_per_followed_held"],
        "bytes_per_followed_held_horizon": long["bytes_per_followed_held"],
        "plateau": plateau(long["samples"]),
        "by_utc_day": [{k: s[k] for k in ("utc_day", "rss_mb", "followed_held",
                                           "engine_parcels", "engine_phones")}
                       for s in long["samples"]],
        "national_estimate_gb": national,
        "national_target_gb": TARGET_GB,
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {mp.cpu_count()} cores",
    }
