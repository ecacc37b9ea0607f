"""Sharded runs: the split, the exact merge, and the approximation's measured error."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import orjson
import pytest

from research.executors import InProcess
from research.shards import merge, merge_histograms, shard_scenario, shard_scenarios, shard_seed
from research.sweep import run_point, run_sweep
from research.sweepfile import parse
from scenarios.schema import parse as parse_scenario
from scenarios.schema import resolve

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
          "opt_out_rate_per_text": 0.125, "parcels_delivered": 3, "days_to_deliver_sum": 6.0,
          "days_to_deliver_mean": 2.0, "texts_per_recipient_max": 5, "scenario": "x",
          "seed": 11, "texts_per_recipient_p50": 2.0, "texts_per_recipient_p95": 4.0,
          "texts_per_recipient_mean": 2.6667},
         {"texts_per_recipient_24h": {"values": [1, 4], "counts": [2, 1]},
          "texts_per_recipient": {"values": [2, 4], "counts": [2, 1]},
          "latency_s": {"scan_to_handset": [1.0, 3.0]}})
    b = ({"texts_total": 30, "opt_outs": 6, "texts_notifications": 24,
          "opt_out_rate_per_text": 0.25, "parcels_delivered": 1, "days_to_deliver_sum": 4.0,
          "days_to_deliver_mean": 4.0, "texts_per_recipient_max": 9, "scenario": "x",
          "seed": 12, "texts_per_recipient_p50": 9.0, "texts_per_recipient_p95": 9.0,
          "texts_per_recipient_mean": 9.0},
         {"texts_per_recipient_24h": {"values": [4, 6], "counts": [1, 1]},
          "texts_per_recipient": {"values": [9], "counts": [1]},
          "latency_s": {"scan_to_handset": [2.0]}})
    m = merge([a, b])
    s = m.summary
    assert not m.gaps
    assert s["texts_total"] == 40 and s["texts_per_recipient_max"] == 9
    assert s["opt_out_rate_per_text"] == pytest.approx(7 / 32)  # recomputed, not averaged
    assert s["days_to_deliver_mean"] == pytest.approx(10 / 4)
    assert "seed" not in s and s["scenario"] == "x" and s["shards"] == 2
    assert m.distributions["texts_per_recipient_24h"] == {"values": [1, 4, 6],
                                                          "counts": [2, 2, 1]}
    # per-run texts per recipient from the merged histogram [2, 2, 4, 9], with
    # the project's one percentile (inverted CDF: element ceil(q * n) - 1 of the sorted values)
    assert (s["texts_per_recipient_p50"], s["texts_per_recipient_p95"]) == (2.0, 9.0)
    assert s["texts_per_recipient_mean"] == pytest.approx(17 / 4)
    hist = merge_histograms([{"values": [1], "counts": [3]}, {"values": [1, 2], "counts": [1, 1]}])
    assert hist == {"values": [1, 2], "counts": [4, 1]}


def test_merge_reports_a_gap_instead_of_guessing() -> None:
    old = ({"days_to_deliver_mean": 2.0, "parcels_delivered": 3, "texts_per_recipient_p50": 2.0},
           {})
    m = merge([old, old])
    assert "days_to_deliver_mean" not in m.summary
    assert any(g.startswith("days_to_deliver_mean") for g in m.gaps)
    assert any(g.startswith("texts_per_recipient_p50") for g in m.gaps)


def test_fee_counted_once_and_littles_law_from_merged_sums() -> None:
    def part(area: float, arrivals: int, wait: float, done: int, seg: float
             ) -> tuple[dict[str, Any], dict[str, Any]]:
        return ({"run_span_h": 10.0, "cost_fixed_usd": 50.0, "cost_segments_usd": seg,
                 "cost_usd": round(50.0 + seg, 2), "facility_x_queue_area_h": area,
                 "facility_x_arrivals": arrivals, "facility_x_wait_sum_h": wait,
                 "facility_x_processed": done, "facility_x_queue_mean": area / 10,
                 "facility_x_wait_mean_h": wait / done, "facility_x_littles_law_error": 0.0},
                {})

    m = merge([part(20.0, 10, 20.0, 10, 1.25), part(60.0, 30, 30.0, 20, 2.5)])
    s = m.summary
    assert not m.gaps
    assert s["cost_usd"] == 53.75 and s["cost_fixed_usd"] == 50.0 and s["run_span_h"] == 10.0
    assert s["facility_x_queue_mean"] == pytest.approx(8.0)  # (20 + 60) / 10
    assert s["facility_x_wait_mean_h"] == pytest.approx(50 / 30)
    big_l, lam_w = 8.0, 40 / 10 * 50 / 30
    assert s["facility_x_littles_law_error"] == pytest.approx(abs(big_l - lam_w) / big_l,
                                                             abs=1e-6)


def test_one_shard_merges_back_to_its_own_summary() -> None:
    """Every metric of a real run has an exact rule: merging one part reproduces it."""
    from sim.run import run_scenario

    data = baseline(1, 1500)
    summary, dists = run_scenario(data, 5)
    m = merge([(summary, dists)])
    assert not m.gaps
    for key, value in summary.items():
        if key == "seed":
            continue
        got = m.summary[key]
        if isinstance(value, float):  # the summary rounds some ratios to 2 or 4 places
            assert got == pytest.approx(value, rel=1e-3, abs=1e-2), key
        else:
            assert got == value, key


def test_a_sweep_can_run_its_points_as_shards(tmp_path: Path) -> None:
    raw = {"base": "baseline", "replications": 1, "shards": 2,
           "set": {"days": 1, "volume.daily_parcels": 1500},
           "points": [{"policies": ["milestones"]}], "metrics": ["texts_total", "shards"]}
    outcome = run_sweep(parse(raw, tmp_path / "s.toml"), tmp_path / "out", InProcess())
    assert outcome.ran == 2 and not outcome.failures
    assert outcome.results[(0, 0)]["shards"] == 2
    assert outcome.results[(0, 0)]["texts_total"] > 0


def _eccc_run(argv: list[str]) -> int:
    """``eccc run`` alone (eccc.run_command), without the rest of the CLI."""
    import argparse

    from eccc.run_command import add_run_command

    parser = argparse.ArgumentParser(prog="eccc")
    add_run_command(parser.add_subparsers())
    args = parser.parse_args(["run", *argv])
    code: int = args.func(args)
    return code


def test_eccc_run_shards_is_deterministic_and_executor_independent(tmp_path: Path) -> None:
    from research.executors import LocalPool
    from research.shards import run_sharded
    from scenarios.schema import load

    for name in ("a", "b"):
        assert _eccc_run(["tiny", "--days", "1", "--shards", "2", "--workers", "1", "--quiet",
                          "--out", str(tmp_path / name)]) == 0
    got = (tmp_path / "a" / "summary.json").read_bytes()
    assert got == (tmp_path / "b" / "summary.json").read_bytes()
    s = orjson.loads(got)
    assert s["shards"] == 2 and s["seed"] == 3 and s["texts_total"] > 0
    assert "approximation" in (tmp_path / "a" / "diagnostics.txt").read_text()
    pooled = run_sharded(load("tiny").model_dump(mode="json"), 3, 2, LocalPool(2), days=1)
    assert pooled.summary == s and not pooled.gaps


def test_eccc_run_help_says_shards_are_an_approximation(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _eccc_run(["--help"])
    assert "APPROXIMATION" in capsys.readouterr().out
    assert _eccc_run(["tiny", "--shards", "2", "--trace"]) == 2


def test_a_sharded_run_says_where_it_is_and_never_looks_finished_early(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import research.shards
    from sim.run import INCOMPLETE

    out = tmp_path / "run"
    out.mkdir()
    for name in ("summary.json", "report.html"):  # an earlier run's
        (out / name).write_text("earlier")
    assert _eccc_run(["tiny", "--days", "1", "--shards", "2", "--workers", "1",
                      "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "shard 1 of 2 done" in err and "shard 2 of 2 done" in err
    assert not (out / INCOMPLETE).exists() and not (out / "report.html").exists()
    assert (out / "summary.json").read_text() != "earlier"

    def stopped(*args: Any, **kw: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(research.shards, "run_sharded", stopped)
    assert _eccc_run(["tiny", "--days", "1", "--shards", "2", "--out", str(out)]) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("eccc run: interrupted;")
    assert (out / INCOMPLETE).exists() and not (out / "summary.json").exists()
