"""Numbers a researcher reads off a sweep or a tune: recomputed, edge cases included."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import pytest

from research.noise import mean_interval
from research.sweep import SweepOutcome, tabulate, write_front
from research.sweepfile import Point, SweepSpec


def test_identical_replications_give_their_value_and_a_zero_width_interval() -> None:
    """fsum/n of three 0.8s is 0.8000000000000002: the table showed that mean with a
    spurious width [0.7999999999999998, 0.8000000000000005]."""
    for v in (0.8, 0.1 + 0.2, 7.0, -3.3):
        for n in (2, 3, 5):
            iv = mean_interval([v] * n)
            assert (iv.n, iv.mean, iv.low, iv.high) == (n, v, v, v)
    one = mean_interval([0.8])
    assert one.mean == 0.8 and math.isnan(one.low) and math.isnan(one.high)
    assert math.isnan(mean_interval([]).mean)
    # Not identical: the usual t interval (t_{0.975,2} = 4.302652729749464).
    iv = mean_interval([1.0, 2.0, 3.0])
    assert iv.mean == 2.0 and iv.high - 2.0 == pytest.approx(4.302652729749464 / math.sqrt(3))


def _outcome(values: dict[int, list[Any]]) -> SweepOutcome:
    points = [Point(i, f"p{i}", {"x": i}) for i in values]
    spec = SweepSpec(name="t", base={}, points=points, replications=3, seed=1,
                     metrics=["m", "k"], pareto={"minimize": ["m"]})
    results = {(i, r): {"m": v, "k": 0.8} for i, vs in values.items() for r, v in enumerate(vs)}
    return SweepOutcome(spec, results, [], 0, 0, 0.0)


def test_points_table_identical_values_and_null_or_nan_are_left_out() -> None:
    reps, rows = tabulate(_outcome({0: [0.8, 0.8, 0.8], 1: [1.0, None, 2.0],
                                    2: [1.0, math.nan, 2.0]}))
    head = rows[0]
    got = {r[0]: dict(zip(head, r, strict=True)) for r in rows[1:]}
    assert (got["0"]["k_mean"], got["0"]["k_ci95_low"], got["0"]["k_ci95_high"]) == (
        "0.8", "0.8", "0.8")
    assert got["0"]["m_mean"] == got["0"]["m_ci95_high"] == "0.8"
    # A null or NaN replication is nothing measured: not 0, and not a NaN mean.
    for p in ("1", "2"):
        assert float(got[p]["m_mean"]) == 1.5
        assert float(got[p]["m_ci95_high"]) == pytest.approx(1.5 + 12.706204736 * 0.5, 1e-6)
    assert [r[5] for r in reps[1:] if r[0] in ("1", "2")] == ["1.0", "", "2.0"] * 2


def test_front_means_are_the_tables_means(tmp_path: Path) -> None:
    import json

    outcome = _outcome({0: [0.8, 0.8, 0.8], 1: [0.9, 0.9, 0.9]})
    write_front(outcome, tmp_path)
    front = json.loads((tmp_path / "front.json").read_text())
    assert [p["means"]["m"] for p in front["points"]] == [0.8, 0.9]
    assert front["points"][1]["dominated_by"] == [0]


def test_a_tune_metric_kept_for_the_tables_may_be_null(tmp_path: Path) -> None:
    """A null in a metric that is neither objective nor constraint failed the whole trial
    ("the runs reported no ['texts_total']"), so the chain vanished from the front."""
    pytest.importorskip("optuna")
    from research.executors import InProcess
    from research.tune import run_tune
    from research.tunefile import load
    from research.tunereport import write_tune
    from tests.test_tune import TINY, tune_file

    class NullOnSecondSeed(InProcess):
        def run(self, fn, tasks):  # type: ignore[no-untyped-def]
            for i, result in super().run(fn, tasks):
                if result.get("ok") and tasks[i]["replication"] == 1:
                    result["summary"]["texts_total"] = None
                yield i, result

    spec = load(tune_file(tmp_path, TINY.replace("trials = 6", "trials = 3")))
    out = tmp_path / "out"
    outcome = run_tune(spec, out, NullOnSecondSeed())
    states = [t.state.name for t in outcome.study.get_trials()]
    assert states == ["COMPLETE"] * 3
    write_tune(outcome, out)
    with (out / "replications.csv").open() as fh:
        reps = list(csv.DictReader(fh))
    with (out / "points.csv").open() as fh:
        points = list(csv.DictReader(fh))
    for p in points:
        mine = [r for r in reps if r["point"] == p["point"]]
        assert [r["texts_total"] == "" for r in mine] == [False, True]
        assert float(p["texts_total_mean"]) == float(mine[0]["texts_total"])
        assert p["texts_total_ci95_low"] == ""


def test_points_sharing_a_label_each_show_their_own_numbers(tmp_path: Path) -> None:
    """The report looked points.csv rows up by label: two points named alike both showed
    the last one's mean and interval in the front table and the figure."""
    import html
    import re

    from research.sweep import write_sweep

    outcome = _outcome({0: [1.0, 1.1, 1.2], 1: [5.0, 5.5, 6.0]})
    outcome.spec.points[:] = [Point(0, "same", {"x": 0}), Point(1, "same", {"x": 1})]
    outcome.spec.pareto["maximize"] = ["k2"]
    for (i, _r), s in outcome.results.items():
        s["k2"] = 1.0 if i == 0 else 2.0  # point 1: worse on m, better on k2: both on the front
    object.__setattr__(outcome.spec, "metrics", ["m", "k", "k2"])
    write_sweep(outcome, tmp_path)
    page = html.unescape(re.sub(r"<[^>]+>", " ", (tmp_path / "report.html").read_text()))
    front = page[page.index("On the front"):page.index("Figures")]
    assert "1.1 [" in front and "5.5 [" in front


def test_compare_refuses_a_label_two_sweep_points_share(tmp_path: Path) -> None:
    """``SWEEP@LABEL`` took the first point of that label, silently."""
    import orjson

    from research.comparison import CompareError, load_sweep_point

    (tmp_path / "points").mkdir()
    plan = {"shards": 1, "points": []}
    for i, label in enumerate(["same", "same"]):
        key = f"k{i}"
        (tmp_path / "points" / f"{key}.json").write_bytes(orjson.dumps(
            {"ok": True, "summary": {"texts_total": 10 * (i + 1)}}))
        plan["points"].append({"index": i, "label": label, "keys": [[key]]})
    (tmp_path / "plan.json").write_bytes(orjson.dumps(plan))
    with pytest.raises(CompareError, match=r"2 points are labelled 'same' \(points 0, 1\)"):
        load_sweep_point(tmp_path, "same")
    assert load_sweep_point(tmp_path, "1").summaries == [{"texts_total": 20}]


def test_compare_calls_a_difference_equal_to_rounding_identical() -> None:
    """0.8-0.7, 0.6-0.5, 0.4-0.3 differ in the last bit: compare said "yes (paired t
    p=1.03e-31)" where eccc run's table says "identical in every pair"."""
    from research.comparison import Group, _verdict

    def group(values: list[float]) -> Group:
        return Group("g", [], [{"seed": s, "x": v} for s, v in enumerate(values)])

    assert _verdict(group([0.7, 0.5, 0.3]), group([0.8, 0.6, 0.4]), "x", 0.1) == (
        "identical in every pair (n=3)")
    assert _verdict(group([0.7, 0.5, 0.3]), group([0.7, 0.5, 0.3]), "x", 0.0) == "same"
    assert _verdict(group([0.7, 0.5, 0.3]), group([0.8, 0.6, 0.41]), "x", 0.1).startswith(
        "yes (paired t")
