"""Sharded runs: the split, the exact merge, and the approximation's measured error."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from scenarios.schema import parse as parse_scenario
from scenarios.schema import resolve
from sim.executors import InProcess
from sim.shards import merge, merge_histograms, shard_scenario, shard_scenarios, shard_seed
from sim.sweep import run_point, run_sweep
from sim.sweepfile import parse

# Stated tolerance of a 2-shard run against the unsharded run, relative, on the
# mean of two seeds (seed noise included). Measured errors are well inside
# these (see the sweep README section); latency has the most room because the
# gateway's rate limit is enforced per shard, which queues bursts a little longer.
TOLERANCE = {
    "parcels_accepted": 0.03, "parcels_delivered": 0.03, "texts_total": 0.05,
    "cost_usd": 0.05, "days_to_deliver_mean": 0.05, "on_time_share": 0.02,
    "texts_per_recipient_24h_max_mean": 0.06, "ofd_text_before_delivery_share": 0.08,
    "latency_scan_to_handset_p95_s": 0.12,
}


def baseline(days: float, daily: float) -> dict[str, Any]:
    raw = tomllib.loads(resolve("baseline").read_text())
    raw["days"], raw["volume"]["daily_parcels"] = days, daily
    return parse_scenario(raw).model_dump(mode="json")


def test_sharded_and_unsharded_agree_within_the_stated_tolerance() -> None:
    data = baseline(2, 6000)
    price = data["gateway"]["cost_per_segment_usd"]
    full: dict[str, float] = dict.fromkeys(TOLERANCE, 0.0)
    sharded: dict[str, float] = dict.fromkeys(TOLERANCE, 0.0)
    for seed in (1, 2):
        whole = run_point(data, seed)["summary"]
        parts = [run_point(d, s) for d, s in shard_scenarios(data, seed, 2)]
        merged = merge([(p["summary"], p["distributions"]) for p in parts], price).summary
        for k in TOLERANCE:
            full[k] += whole[k] / 2
            sharded[k] += merged[k] / 2
    errors = {k: abs(sharded[k] - full[k]) / full[k] for k in TOLERANCE}
    assert all(errors[k] <= TOLERANCE[k] for k in TOLERANCE), errors


def test_a_shard_gets_its_share_of_volume_and_capacity() -> None:
    data = baseline(1, 1000)
    part = shard_scenario(data, 4)
    assert part["volume"]["daily_parcels"] == 250
    fac, fac4 = data["network"]["facilities"][1], part["network"]["facilities"][1]
    assert fac4["capacity_per_hour"] == fac["capacity_per_hour"] / 4
    assert part["gateway"]["rate_per_s"] == data["gateway"]["rate_per_s"] / 4
    assert [s["agents"] for s in part["care"]["shifts"]] == [
        max(1, round(s["agents"] / 4)) for s in data["care"]["shifts"]]
    seeds = [s for _, s in shard_scenarios(data, 7, 3)]
    assert len(set(seeds)) == 3 and seeds == [shard_seed(7, i) for i in range(3)]
    assert shard_scenarios(data, 7, 1) == [(data, 7)]


def test_merge_is_exact_for_counts_ratios_and_histograms() -> None:
    a = ({"texts_total": 10, "opt_outs": 1, "texts_notifications": 8,
          "opt_out_rate_per_text": 0.125, "parcels_delivered": 3,
          "days_to_deliver_mean": 2.0, "texts_per_recipient_max": 5, "scenario": "x",
          "seed": 11, "texts_per_recipient_p50": 2.0},
         {"texts_per_recipient_24h": {"values": [1, 4], "counts": [2, 1]},
          "latency_s": {"scan_to_handset": [1.0, 3.0]}})
    b = ({"texts_total": 30, "opt_outs": 6, "texts_notifications": 24,
          "opt_out_rate_per_text": 0.25, "parcels_delivered": 1,
          "days_to_deliver_mean": 4.0, "texts_per_recipient_max": 9, "scenario": "x",
          "seed": 12},
         {"texts_per_recipient_24h": {"values": [4, 6], "counts": [1, 1]},
          "latency_s": {"scan_to_handset": [2.0]}})
    m = merge([a, b])
    s = m.summary
    assert s["texts_total"] == 40 and s["texts_per_recipient_max"] == 9
    assert s["opt_out_rate_per_text"] == pytest.approx(7 / 32)  # recomputed, not averaged
    assert s["days_to_deliver_mean"] == pytest.approx((3 * 2.0 + 1 * 4.0) / 4)
    assert "seed" not in s and s["scenario"] == "x" and s["shards"] == 2
    assert m.distributions["texts_per_recipient_24h"] == {"values": [1, 4, 6],
                                                          "counts": [2, 2, 1]}
    assert any(g.startswith("texts_per_recipient_p50") for g in m.gaps)
    hist = merge_histograms([{"values": [1], "counts": [3]}, {"values": [1, 2], "counts": [1, 1]}])
    assert hist == {"values": [1, 2], "counts": [4, 1]}


def test_a_sweep_can_run_its_points_as_shards(tmp_path: Path) -> None:
    raw = {"base": "baseline", "replications": 1, "shards": 2,
           "set": {"days": 1, "volume.daily_parcels": 1500},
           "points": [{"policies": ["milestones"]}], "metrics": ["texts_total", "shards"]}
    outcome = run_sweep(parse(raw, tmp_path / "s.toml"), tmp_path / "out", InProcess())
    assert outcome.ran == 2 and not outcome.failures
    assert outcome.results[(0, 0)]["shards"] == 2
    assert outcome.results[(0, 0)]["texts_total"] > 0
