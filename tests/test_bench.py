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


def test_horizon_samples_each_midnight_and_scales_to_national() -> None:
    from bench.horizon import bench_horizon, plateau

    r = bench_horizon(0.0005, days=3, fresh=False)
    one, long = r["one_day"], r["horizon"]
    assert (one["days"], long["days"]) == (1, 3)
    assert long["parcels"] > 2 * one["parcels"] > 0
    assert long["followed"] > one["followed"] > 0
    # a sample at each UTC midnight of the acceptances and the 4 days' drain
    days = [s["utc_day"] for s in r["by_utc_day"]]
    assert len(days) in (3 + 4, 3 + 4 + 1) and days == sorted(set(days))
    assert max(s["followed_held"] for s in r["by_utc_day"]) == long["most_followed_held"] > 0
    assert all(s["engine_parcels"] > 0 and s["rss_mb"] > 0 for s in r["by_utc_day"])
    assert r["peak_ratio_horizon_to_one_day"] == pytest.approx(
        long["peak_rss_mb"] / one["peak_rss_mb"], abs=0.01)
    built, peak = long["built_model_rss_mb"], long["peak_rss_mb"]
    assert r["national_estimate_gb"] == pytest.approx((built + (peak - built) / 0.0005) / 1024,
                                                      abs=0.06)
    assert r["plateau"]["from"] == days[0] and r["plateau"]["to"] == days[2]
    # the slope is a least-squares fit: a straight line gives its step back
    rows = [{"utc_day": f"d{i}", "acceptances": i < 9, "rss_mb": 100 + 2.5 * i,
             "followed_held": 1000 + 40 * i} for i in range(12)]
    fit = plateau(rows)
    assert fit is not None and (fit["from"], fit["to"]) == ("d2", "d8")
    assert (fit["rss_mb_per_day"], fit["followed_held_per_day"]) == (2.5, 40)
    assert plateau(rows[:2]) is None


@pytest.mark.parametrize(("argv", "says"), [
    (["sim", "--horizon", "--national"], "choose one"),
    (["engine", "--horizon"], "mode of `eccc bench sim`"),
    (["sim", "--soak"], "mode of `eccc bench engine`"),
    (["sim", "--horizon", "--scale", "0"], "--scale must be greater than 0"),
    (["sim", "--horizon", "--scale", "nan"], "--scale must be greater than 0"),
    (["sim", "--national", "--scales", "0.01", "-1"], "--scales must be greater than 0"),
    (["sim", "--national", "--scales", "101"], "at most 100"),
    (["engine", "--soak", "--days", "0"], "--days must be between 1"),
    (["engine", "--inputs", "-5"], "--inputs must be greater than 0"),
])
def test_bench_refuses_options_out_of_range(argv: list[str], says: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("eccc bench: ") and says in err and len(err.splitlines()) == 1


def test_parcel_table_measures_objects_against_rows() -> None:
    from bench.parcel_table import LAYOUTS, bench_parcel_table

    r = bench_parcel_table(n=4_000, touches=2_000)
    by = {row["layout"]: row for row in r["rows"]}
    assert list(by) == list(LAYOUTS)
    assert all(row["ns_per_touch"] > 0 and row["touch_vs_plain_loop"] > 0 for row in r["rows"])
    # each parcel's own history is counted in every layout: none is below its 90 bytes
    assert all(row["bytes_per_parcel"] > r["history_bytes_of_data"] for row in r["rows"])
    # an object, its slots and its dict entry cost more than a row in packed arrays
    assert by["objects (the engine today)"]["bytes_per_parcel"] > \
        by["rows, open addressing"]["bytes_per_parcel"] + 50
    assert r["tracking_number_str_bytes"] > 13
