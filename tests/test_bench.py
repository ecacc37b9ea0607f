"""The benchmark runs and reports its figures (no timing is asserted here)."""

import itertools

import orjson
import pytest

from bench.engine_inputs import build_mix
from eccc.cli import main


def test_mix_is_realistic_and_time_ordered() -> None:
    inputs = build_mix(20_000, seed=3)
    assert len(inputs) == 20_000
    kinds = [i.kind for i in inputs]
    assert kinds.count("scan") / len(kinds) > 0.9
    assert kinds.count("subscribe") > 0 and kinds.count("sms_in") > 0
    # in arrival order: only re-sent records (carrying their original time) go back
    times = [i.at for i in inputs]
    backwards = sum(1 for a, b in itertools.pairwise(times) if b < a)
    assert 0 < backwards < 0.01 * len(times)
    assert build_mix(2_000, seed=3) == build_mix(2_000, seed=3)


def test_bench_engine_reports(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "engine", "--inputs", "20000", "--json"]) == 0
    report = orjson.loads(capsys.readouterr().out)
    assert report["inputs"] == 20_000
    assert report["engine_inputs_per_second"] > 0
    assert report["ratio_to_reference_loop"] > 1
    assert 0 < report["parcels_live_at_end"] <= report["parcels"]
    assert 0 < report["engine_state_bytes_per_live_parcel"] < 20_000
    assert report["outputs"] > 0


def test_soak_holds_live_parcels_flat_after_the_window() -> None:
    from bench.soak import bench_soak

    r = bench_soak(n=80_000, days=12)
    assert r["forgotten_parcels"] > 0 and r["forgotten_phones"] > 0
    after = [s for s in r["samples"] if r["window_days"] < s["day"] <= 12]
    live = [s["parcels_live"] for s in after]
    # flat: the window's worth of parcels, not one more day's per day
    assert max(live) - min(live) < r["parcels_per_day"] / 2
    assert abs(r["parcels_live_slope_per_day_after_window"]) < r["parcels_per_day"] / 10


@pytest.mark.slow
def test_national_day_measures_a_warm_day(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.national import national_day

    r = national_day(0.0005, progress_s=0.0)
    assert r["parcels_in_flight_at_start"] > r["parcels_accepted_day"] > 0
    assert r["engine_inputs_day"] > 0 and r["peak_rss_mb"] > 0
    lines = capsys.readouterr().err.splitlines()  # a sign of life: the 100% day is long
    assert len(lines) > 100 and all(x.startswith("national day 0.0005: 2026-12-") for x in lines)
    assert "of the work" in lines[-1] and "left" in lines[-1]


@pytest.mark.slow
def test_national_day_in_two_processes_is_the_same_day() -> None:
    from bench.national import national_day, national_day_two_processes

    one = national_day(0.0005)
    two = national_day_two_processes(0.0005)
    assert (two["parcels_accepted_day"], two["engine_inputs_day"]) == (
        one["parcels_accepted_day"], one["engine_inputs_day"])
    assert two["network_cpu_s_whole_run"] > 0 and two["messaging_cpu_s"] > 0
