"""Noise statistics, the Pareto front, and ``eccc compare``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eccc.cli import main
from reports.pareto import pareto_front
from research.comparison import differences, load_group
from research.noise import mean_interval, t_quantile, welch


@pytest.mark.parametrize(("df", "q"), [(1, 12.7062), (2, 4.3027), (4, 2.7764), (9, 2.2622),
                                       (29, 2.0452), (1000, 1.9623)])
def test_t_quantiles_match_the_table(df: int, q: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(q, abs=1e-4)


def test_mean_interval_and_welch() -> None:
    ci = mean_interval([1.0, 2.0, 3.0])
    assert (ci.mean, ci.half_width) == pytest.approx((2.0, 4.3027 / 3**0.5), abs=1e-4)
    assert mean_interval([5.0]).low != mean_interval([5.0]).low  # NaN: one value, no noise
    test = welch([1, 2, 3, 4], [2, 3, 4, 5.5])
    assert test is not None
    assert (test.t, test.df, test.p) == pytest.approx((1.13994, 5.87747, 0.29863), abs=1e-4)
    assert welch([1.0], [2.0, 3.0]) is None


@pytest.mark.parametrize(("points", "front"), [
    ([{"f": 1, "i": 1}, {"f": 2, "i": 2}, {"f": 2, "i": 1}], [0, 1]),  # 2 dominated by 0
    ([{"f": 1, "i": 1}, {"f": 1, "i": 1}], [0, 1]),  # ties dominate nothing
    ([{"f": 3, "i": 3}, {"f": 1, "i": float("nan")}], [0]),
])
def test_pareto_front(points: list[dict[str, float]], front: list[int]) -> None:
    assert pareto_front(points, ["f"], ["i"]) == front


def _runs(root: Path, name: str, texts: list[int]) -> Path:
    for r, t in enumerate(texts):
        d = root / name / f"rep{r}"
        d.mkdir(parents=True)
        (d / "summary.json").write_text(json.dumps({"texts_total": t, "opt_outs": 5}))
    return root / name


def test_compare_tells_noise_from_difference(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    a = _runs(tmp_path, "all", [100, 102, 98])
    b = _runs(tmp_path, "milestones", [60, 61, 59])
    _, rows = differences([load_group(a), load_group(b)])
    by = {r[0]: r for r in rows}
    assert by["texts_total"][3] == pytest.approx(-40) and by["texts_total"][4].startswith("yes")
    assert by["opt_outs"][4].startswith("no")
    single = differences([load_group(a / "rep0"), load_group(b / "rep0")])[1]
    assert single[1][4] == "noise unknown (single run)"
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "cmp")]) == 0
    assert "texts_total" in capsys.readouterr().out
    assert (tmp_path / "cmp" / "differences.html").is_file()
    assert (tmp_path / "cmp" / "comparison.html").is_file()
