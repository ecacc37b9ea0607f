"""Network facilities in station mode (sim.netstation) against queueing theory."""

from __future__ import annotations

import heapq

import numpy as np
import pytest
import simpy

from research.shards import merge
from scenarios.schema import ScenarioError, load, parse
from sim.netstation import fifo_servers
from sim.run import run_to_dir


def _simpy_fifo(arr: list[float], svc: list[float], c: int) -> list[tuple[float, float]]:
    """The same queue with one SimPy process per parcel and a ``Resource``."""
    env = simpy.Environment()
    res = simpy.Resource(env, capacity=c)
    out: list[tuple[float, float]] = [(0.0, 0.0)] * len(arr)

    def parcel(i: int):  # type: ignore[no-untyped-def]
        yield env.timeout(arr[i])
        with res.request() as req:
            yield req
            start = env.now
            yield env.timeout(svc[i])
        out[i] = (start, env.now)

    for i in range(len(arr)):
        env.process(parcel(i))
    env.run()
    return out


@pytest.mark.parametrize("c", [1, 3])
def test_recursion_matches_simpy_resource_in_batches(c: int) -> None:
    rng = np.random.default_rng(4)
    arr = np.cumsum(rng.exponential(1.0, 2000)).tolist()
    svc = rng.exponential(0.8 * c, 2000).tolist()
    free = [0.0] * c
    heapq.heapify(free)
    got_s: list[float] = []
    got_d: list[float] = []
    for lo in range(0, 2000, 137):  # batch by batch, carrying the servers' free times
        s, d = fifo_servers(arr[lo:lo + 137], svc[lo:lo + 137], free)
        got_s += s
        got_d += d
    want = _simpy_fifo(arr, svc, c)
    assert np.allclose(got_s, [w[0] for w in want], rtol=0, atol=1e-9)
    assert np.allclose(got_d, [w[1] for w in want], rtol=0, atol=1e-9)


@pytest.fixture(scope="module")
def run() -> dict[str, object]:
    return run_to_dir(load("network_station")).summary


def test_network_station_against_erlang_c_and_littles_law(run: dict[str, object]) -> None:
    k = "facility_denver_rpdc_station_"
    assert run[k + "arrivals"] > 150_000  # type: ignore[operator]
    lam = run[k + "arrival_rate_per_h"]
    assert isinstance(lam, float) and 1900 < lam < 2250  # measured, not the nominal rate
    wq, wq_c = run[k + "wait_mean_h"], run[k + "wait_erlang_c_h"]
    assert isinstance(wq, float) and isinstance(wq_c, float)
    # Erlang C for the measured lambda; over 12 seeds the error had mean +0.1%, sd 3%.
    assert abs(wq - wq_c) / wq_c < 0.10, (wq, wq_c)
    assert run[k + "littles_law_error"] < 0.05  # type: ignore[operator]
    assert run["facility_denver_rpdc_littles_law_error"] < 0.05  # type: ignore[operator]
    rho = run[k + "utilisation"]
    assert isinstance(rho, float) and 0.7 < rho < 0.9


def test_network_station_moves_parcels_and_scans(run: dict[str, object]) -> None:
    assert run["parcels_delivered"] > 0.95 * run["parcels_accepted"]  # type: ignore[operator]
    assert run["engine_late_pushes"] == 0
    assert run["facility_denver_rpdc_processed"] == run["facility_denver_rpdc_arrivals"]
    spp = run["scans_per_parcel_delivered"]
    assert isinstance(spp, float) and abs(spp - 11) < 0.5  # "10" at service completion


def test_network_station_shards_merge(run: dict[str, object]) -> None:
    merged = merge([(run, {}), (run, {})])
    s = merged.summary
    k = "facility_denver_rpdc_station_"
    assert s[k + "arrivals"] == 2 * run[k + "arrivals"]  # type: ignore[operator]
    assert s[k + "arrival_rate_per_h"] == pytest.approx(2 * run[k + "arrival_rate_per_h"])  # type: ignore[operator]
    assert s[k + "wait_mean_h"] == pytest.approx(run[k + "wait_mean_h"], rel=1e-3)  # 6 decimals
    assert s[k + "littles_law_error"] == pytest.approx(run[k + "littles_law_error"], abs=1e-5)
    assert any(g.startswith(k + "wait_erlang_c_h") for g in merged.gaps)


def test_station_fields_are_checked() -> None:
    sc = load("network_station").model_dump(mode="json")
    fac = sc["network"]["facilities"][1]
    fac.pop("servers")
    with pytest.raises(ScenarioError, match="needs 'servers' and 'service_s'"):
        parse(sc)
    fac.update(servers=2, mode="sort")
    with pytest.raises(ScenarioError, match="capacity_per_hour"):
        parse(sc)
