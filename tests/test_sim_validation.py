"""The model against theory and against the public figures it is calibrated on."""

from __future__ import annotations

import pytest

from scenarios.schema import load
from sim.run import run_to_dir
from sim.station import erlang_c


@pytest.mark.parametrize(("lam", "mu", "c", "p_wait"), [
    (1.0, 2.0, 1, 0.5),            # M/M/1: P(wait) = rho
    # a = 4/3, c = 2, rho = 2/3: C = (a^2/2)/(1-rho) / (1 + a + (a^2/2)/(1-rho)) = 8/15
    (2.0, 1.5, 2, 8 / 15),
])
def test_erlang_c_formula(lam: float, mu: float, c: int, p_wait: float) -> None:
    got, wq = erlang_c(lam, mu, c)
    assert got == pytest.approx(p_wait, rel=1e-6)
    assert wq == pytest.approx(got / (c * mu - lam))


def test_mmc_mean_wait_within_5_percent_of_erlang_c() -> None:
    s = run_to_dir(load("validate_mmc")).summary
    stations = sorted({k.split("_")[1] for k in s if k.startswith("station_")})
    assert len(stations) >= 3
    for i in stations:
        assert s[f"station_{i}_served"] > 100_000
        assert s[f"station_{i}_wait_error"] < 0.05, (i, s[f"station_{i}_wait_mean_h"],
                                                      s[f"station_{i}_wait_erlang_c_h"])
        # L sampled on a fixed time grid vs lambda x mean time in system
        assert s[f"station_{i}_littles_law_error"] < 0.05


@pytest.fixture(scope="module")
def baseline() -> dict[str, object]:
    return run_to_dir(load("baseline"), scale=0.02, seed=1).summary


def test_baseline_lands_within_15_percent_of_calibration(baseline: dict[str, object]) -> None:
    days = baseline["days_to_deliver_mean"]
    scans = baseline["scans_per_parcel_delivered"]
    assert isinstance(days, float) and isinstance(scans, float)
    assert abs(days - 2.5) / 2.5 < 0.15   # docs/facts.md: about 2.5 days to deliver
    assert abs(scans - 11) / 11 < 0.15    # docs/facts.md: about 11 scans per parcel


def test_littles_law_per_network_station(baseline: dict[str, object]) -> None:
    errors = {k: v for k, v in baseline.items() if k.endswith("_littles_law_error")}
    assert len(errors) == 12  # rpdc, lpc and sdc in each of four regions
    for key, err in errors.items():
        assert isinstance(err, float) and err < 0.05, key


def test_baseline_moves_parcels_and_texts(baseline: dict[str, object]) -> None:
    assert baseline["parcels_delivered"] > 0.95 * baseline["parcels_accepted"]  # type: ignore[operator]
    assert baseline["texts_total"] > 0  # type: ignore[operator]
    assert baseline["engine_late_pushes"] == 0


def test_a_station_slower_than_the_run_does_not_crash() -> None:
    """A network station whose service outlasts the run (service mean 1e6 s) passed an
    empty load on; the next station's tick read ts[-1] of it: IndexError."""
    from scenarios.schema import parse

    data = load("tiny").model_dump(mode="json")
    data["network"]["facilities"][1] = {
        "name": "denver_rpdc", "kind": "rpdc", "region": "denver", "mode": "station",
        "servers": 1, "service_s": {"kind": "exponential", "mean": 1e6}}
    s = run_to_dir(parse(data), days=1, scale=0.002).summary
    assert s["parcels_accepted"] > 0  # type: ignore[operator]


def test_a_station_with_a_tiny_service_time_samples_a_bounded_grid(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """L was sampled every service mean / 4: a service of 1e-9 h was 1e10 samples a
    day, a run that never ended."""
    import sim.station
    from scenarios.schema import parse
    from sim.station import run_stations

    monkeypatch.setattr(sim.station, "MAX_GRID", 1000)
    data = load("validate_mmc").model_dump(mode="json")
    data["stations"] = [{"arrival_rate_per_h": 10, "servers": 1,
                         "service_h": {"kind": "fixed", "value": 1e-9}}]
    s, _ = run_stations(parse(data), seed=1, days=0.5)
    assert s["station_0_served"] > 0 and s["station_0_wait_mean_h"] == 0
