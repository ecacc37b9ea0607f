"""``eccc bench engine --soak``: a simulated month through one engine, memory sampled.

The mix of ``bench.engine_inputs`` (parcels with ~11 scans over two to three
days, 5% followed by text, people texting questions and STOP), generated a day
at a time and fed in time order, so the inputs themselves never pile up in
memory: what grows is the engine. Once a simulated day the benchmark samples
the resident memory and the engine's live parcels and phones. With retention
(``engine.retention``) the engine forgets closed parcels a few days after they
close, so after that window memory should be flat; the figure that says so is
the slope of resident memory over the days after the window (least squares,
MB per simulated day), beside the slope of live parcels. The same-run
reference is the first days' growth, before anything can be forgotten.
"""

from __future__ import annotations

import gc
import platform
import time
from typing import Any

import numpy as np

from bench.engine_inputs import AREA, BENCH_POLICIES, GAPS_H, PATH, PLACES, T0
from engine.core import Engine, EngineConfig
from engine.inputs import Input, Receipt, Scan, SmsIn, Subscribe
from engine.outputs import Reply, Sms
from engine.retention import DAY, RetentionConfig
from sim.progress import rss_mb

PEOPLE = 400_000
WORDS = ["HELP", "when", "STOP", "START", "thanks", "QUIET"]


def _day(day: int, parcels: int, rng: np.random.Generator, first: int,
         phones: list[str]) -> list[tuple[int, Input]]:
    """Inputs about the parcels accepted on ``day`` (their scans run into later days)."""
    t_day = T0 + day * DAY
    starts = t_day + rng.uniform(0, DAY, parcels)
    gaps = rng.exponential(1.0, (parcels, len(GAPS_H))) * np.array(GAPS_H) * 3600
    times = np.concatenate([starts[:, None], starts[:, None] + np.cumsum(gaps, axis=1)],
                           axis=1).astype(np.int64).tolist()
    origin = rng.integers(len(PLACES), size=parcels).tolist()
    dest = rng.integers(len(PLACES), size=parcels).tolist()
    eta = (starts // DAY).astype(np.int64) + rng.integers(2, 5, size=parcels)
    out: list[tuple[int, Input]] = []
    follow = rng.random(parcels) < 0.05
    for p in range(parcels):
        tn = f"9400{first + p:018d}"
        row = times[p]
        for i, code in enumerate(PATH):
            city, state, zip_code, off = PLACES[origin[p] if i < 4 else dest[p]]
            out.append((row[i], Scan(at=row[i], tracking_number=tn, event_code=code,
                                     offset_min=off, city=city, state=state, zip=zip_code,
                                     expected_delivery=int(eta[p]) if code == "03" else None)))
        if follow[p]:
            phone = phones[int(rng.integers(len(phones)))]
            t = row[1] + int(rng.integers(60, 7200))
            channel = ("checkout", "tracking_page", "text")[int(rng.choice(3, p=[.6, .25, .15]))]
            if channel == "text":
                out.append((t, SmsIn(at=t, sender=phone, body=tn)))
            else:
                out.append((t, Subscribe(at=t, tracking_number=tn, phone=phone,
                                         channel=channel, merchant="Acme Outdoor",
                                         destination_zip=PLACES[dest[p]][2])))
                if channel == "tracking_page":
                    out.append((t + 300, SmsIn(at=t + 300, sender=phone, body="YES")))
    for _ in range(parcels // 10):  # people texting: words, or a parcel of the day
        t = t_day + int(rng.integers(0, DAY))
        phone = phones[int(rng.integers(len(phones)))]
        body = WORDS[int(rng.integers(len(WORDS)))] if rng.random() < 0.5 else \
            f"9400{first + int(rng.integers(parcels)):018d}"
        out.append((t, SmsIn(at=t, sender=phone, body=body)))
    return out


def _slope(xs: list[float], ys: list[float]) -> float:
    if len(xs) < 2:
        return 0.0
    return float(np.polyfit(np.asarray(xs, float), np.asarray(ys, float), 1)[0])


def bench_soak(n: int = 10_000_000, days: int = 30, seed: int = 1,
               retention: RetentionConfig | None = None) -> dict[str, Any]:
    """Feed about ``n`` inputs over ``days`` simulated days; sample memory daily."""
    retention = retention or RetentionConfig()
    rng = np.random.default_rng(seed)
    per_day = max(1, int(n / days / (len(PATH) + 0.35)))
    phones = [f"+1{AREA[i % len(AREA)]}{2_000_000 + i:07d}" for i in range(PEOPLE)]
    engine = Engine(EngineConfig(policies=BENCH_POLICIES, retention=retention))
    feed = engine.feed
    pending: list[tuple[int, Input]] = []
    samples: list[dict[str, float]] = []
    inputs = outputs = receipts = 0
    engine_s = 0.0
    gc.collect()
    t_all = time.perf_counter()
    for day in range(days + 6):  # six more days with no new parcels let the last ones close
        if day < days:
            pending += _day(day, per_day, rng, 1_000_000_000 + day * per_day, phones)
        pending.sort(key=lambda e: e[0])  # stable: same-time inputs keep generation order
        cut = T0 + (day + 1) * DAY
        k = next((i for i, e in enumerate(pending) if e[0] >= cut), len(pending))
        today, pending = pending[:k], pending[k:]
        t = time.process_time()
        for _, inp in today:
            out = feed(inp)
            outputs += len(out)
            for o in out:  # a prompt gateway: every text's receipt comes straight back
                if type(o) is Sms or type(o) is Reply:
                    feed(Receipt(at=inp.at, message_id=o.message_id, status="delivered"))
                    receipts += 1
        engine_s += time.process_time() - t
        inputs += len(today)
        samples_in = inputs + receipts
        del today
        samples.append({"day": day + 1, "inputs": samples_in, "rss_mb": round(rss_mb(), 1),
                        "parcels_live": len(engine.parcels), "phones_live": len(engine.phones)})
    outputs += len(engine.drain())
    window = (retention.after_close_s // DAY) + 4  # delivery takes up to ~3 days, plus one
    after = [s for s in samples if window < s["day"] <= days]
    before = [s for s in samples if s["day"] <= window]
    inputs += receipts
    return {
        "inputs": inputs,
        "receipts": receipts,
        "simulated_days": days,
        "parcels_per_day": per_day,
        "policies": list(BENCH_POLICIES),
        "retention": {"after_close_s": retention.after_close_s,
                      "silent_s": retention.silent_s},
        "outputs": outputs,
        "engine_cpu_seconds": round(engine_s, 1),  # process time: robust on a shared VM
        "engine_inputs_per_second": round(inputs / engine_s) if engine_s else 0,
        "wall_seconds_with_input_generation": round(time.perf_counter() - t_all, 1),
        "rss_slope_mb_per_day_before_window": round(
            _slope([s["day"] for s in before], [s["rss_mb"] for s in before]), 2),
        "rss_slope_mb_per_day_after_window": round(
            _slope([s["day"] for s in after], [s["rss_mb"] for s in after]), 2),
        "parcels_live_slope_per_day_after_window": round(
            _slope([s["day"] for s in after], [s["parcels_live"] for s in after]), 1),
        "window_days": window,
        "forgotten_parcels": engine.forgotten_parcels,
        "forgotten_phones": engine.forgotten_phones,
        "samples": samples,
        "python": platform.python_version(),
    }
