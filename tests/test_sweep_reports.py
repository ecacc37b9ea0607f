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
    assert by["texts_total"][3] == pytest.approx(-40) and by["texts_total"][5].startswith("yes")
    assert by["texts_total"][4] == pytest.approx(-40.0)  # % change
    assert by["opt_outs"][5].startswith("no")
    single = {r[0]: r for r in differences([load_group(a / "rep0"),
                                            load_group(b / "rep0")])[1]}
    assert single["texts_total"][5] == "noise unknown (single run)"
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "cmp")]) == 0
    assert "texts_total" in capsys.readouterr().out
    assert (tmp_path / "cmp" / "differences.html").is_file()
    assert (tmp_path / "cmp" / "comparison.html").is_file()


def _seeded(root: Path, name: str, rows: list[dict[str, float]]) -> Path:
    for r, extra in enumerate(rows):
        d = root / name / f"rep{r}"
        d.mkdir(parents=True)
        (d / "summary.json").write_text(json.dumps(
            {"seed": r + 1, "scale": 0.5, "days": 7, "facility_a_processed": 10, **extra}))
    return root / name


def test_compare_pairs_shared_seeds_and_sorts_by_change(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Seeds 1-3 move both sides together: only the paired test sees the +2 clearly.
    a = _seeded(tmp_path, "base", [{"care_contacts": c, "texts_total": 1000}
                                   for c in (100, 140, 180)])
    b = _seeded(tmp_path, "outage", [{"care_contacts": c + 2, "texts_total": 1500}
                                     for c in (100, 140, 181)])
    header, rows = differences([load_group(a), load_group(b)])
    assert header[-2:] == ["change %", "exceeds noise?"]
    assert [r[0] for r in rows] == ["texts_total", "care_contacts", "days",
                                    "facility_a_processed", "scale"]
    care = rows[1]
    assert care[5].startswith("yes (paired t") and "n=3" in care[5]
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1].startswith("texts_total ") and "+50.0%" in lines[1]
    assert len({len(line) for line in lines[:3]}) == 1  # every column padded: aligned


def test_compare_refuses_mismatched_runs_unless_forced(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _seeded(tmp_path, "half", [{"texts_total": 100}])
    full = tmp_path / "full"
    full.mkdir()
    (full / "summary.json").write_text(json.dumps(
        {"seed": 1, "scale": 1.0, "days": 7, "facility_b_processed": 3, "texts_total": 431239}))
    assert main(["compare", str(a), str(full), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "differ in set-up" in err and "scale: 0.5 in" in err and "but 1.0 in" in err
    assert "facilities only in" in err and "a; only in" in err and "--force" in err
    assert main(["compare", str(a), str(full), "--force", "--out", str(tmp_path / "c")]) == 0
    assert "FORCED" in (tmp_path / "c" / "differences.html").read_text()
    # The terminal says so too: one line, before the table, naming the differences.
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("FORCED despite set-up differences: scale: 0.5 in ")
    assert "facilities only in" in out[0] and out[1].startswith("metric")


def test_compare_says_a_difference_identical_in_every_pair_has_no_measured_noise(
        tmp_path: Path) -> None:
    """-3 on each of 2 seeds was "yes (paired, no noise)": the noise is unknown, not 0."""
    a = _seeded(tmp_path, "base", [{"texts_replies": r} for r in (13, 15)])
    b = _seeded(tmp_path, "cut", [{"texts_replies": r - 3} for r in (13, 15)])
    rows = {r[0]: r for r in differences([load_group(a), load_group(b)])[1]}
    assert rows["texts_replies"][3] == -3 and rows["texts_replies"][5] == (
        "identical in every pair (n=2)")


def test_compare_gives_the_mean_of_paired_differences_exactly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """+7 on every seed was 6.999999999999999 (38/3 - 17/3): the means' difference."""
    a = _seeded(tmp_path, "base", [{"texts_replies": r} for r in (1, 1, 15)])
    b = _seeded(tmp_path, "more", [{"texts_replies": r + 7} for r in (1, 1, 15)])
    rows = {r[0]: r for r in differences([load_group(a), load_group(b)])[1]}
    assert rows["texts_replies"][3] == 7.0
    assert rows["texts_replies"][5] == "identical in every pair (n=3)"
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "cmp"),
                 "--metric", "texts_replies"]) == 0
    out = capsys.readouterr().out
    assert "6.99999" not in out and "+7" in out
    text = (tmp_path / "cmp" / "differences.csv").read_text()
    assert "6.99999" not in text and ",7.0," in text


def test_compare_prints_values_in_their_units_and_keeps_the_csv_raw(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """As eccc run prints them: a p95 of 10,340 s is "2.9 h", not "1.034e+04"."""
    a = _seeded(tmp_path, "base", [{"latency_scan_to_handset_p95_s": 7200.0,
                                    "on_time_share": 0.9, "cost_usd": 1180.5}])
    b = _seeded(tmp_path, "peak", [{"latency_scan_to_handset_p95_s": 10340.0,
                                    "on_time_share": 0.885, "cost_usd": 1300.25}])
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.startswith("latency_scan_to_handset_p95_s"))
    assert "2.0 h" in line and "2.9 h" in line and "+52.3 min" in line and "e+0" not in out
    share = next(ln for ln in out.splitlines() if ln.startswith("on_time_share"))
    assert "90.0%" in share and "88.5%" in share and "-1.5 pp" in share
    cost = next(ln for ln in out.splitlines() if ln.startswith("cost_usd"))
    assert "$1,180.50   $1,300.25     +$119.75" in cost  # right-aligned
    raw = (tmp_path / "c" / "differences.csv").read_text()
    assert "10340.0" in raw and "3140.0" in raw and "2.9 h" not in raw


def test_compare_accepts_a_sweep_point(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    sweep = tmp_path / "sweep-s"
    (sweep / "points").mkdir(parents=True)
    plan = []
    for point, (label, texts) in enumerate((("every scan", (200, 210)),
                                            ("milestones", (100, 104)))):
        plan.append({"index": point, "label": label, "keys": [[f"{point}{r}"] for r in (0, 1)]})
        for rep, t in enumerate(texts):
            (sweep / "points" / f"{point}{rep}.json").write_text(json.dumps(
                {"ok": True, "summary": {"seed": rep + 1, "scale": 1, "days": 3,
                                         "texts_total": t}}))
    (sweep / "plan.json").write_text(json.dumps({"shards": 1, "points": plan}))
    assert main(["compare", f"{sweep}@every scan", f"{sweep}@1", "--out",
                 str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "sweep-s@every scan (n=2)" in out and "sweep-s@milestones (n=2)" in out
    assert "-50.2%" in out and "paired t" in out
    assert main(["compare", f"{sweep}@nope", f"{sweep}@1"]) == 2
    assert "no point 'nope' (points: 0: every scan; 1: milestones)" in capsys.readouterr().err
    assert main(["compare", str(sweep), f"{sweep}@1"]) == 2
    assert "pick a point with DIR@POINT" in capsys.readouterr().err


def test_a_sweep_point_is_found_whatever_the_order_or_sharing_of_its_runs(
        tmp_path: Path) -> None:
    """Stored runs are keyed by scenario: a point reordered in the file, or two points
    resolving to one scenario, used to get another point's runs under its label (or
    none), since compare looked for the index of the point that first wrote the run."""
    from research.executors import InProcess
    from research.sweep import run_sweep
    from research.sweepfile import parse

    def sweep(points: list[dict[str, object]]) -> None:
        raw = {"name": "s", "base": "baseline", "replications": 2, "points": points,
               "set": {"days": 1, "volume.daily_parcels": 300}}
        run_sweep(parse(raw, tmp_path / "s.toml"), tmp_path / "out", InProcess())

    every = {"label": "every scan", "policies": ["every_scan"]}
    miles = {"label": "milestones", "policies": ["milestones"]}
    sweep([every, miles])
    before = {p: load_group(f"{tmp_path / 'out'}@{p}").summaries
              for p in ("every scan", "milestones")}
    assert before["every scan"] != before["milestones"]
    sweep([miles, every, {"label": "again", "policies": ["every_scan"]}])  # all on disk
    for p in ("every scan", "milestones"):
        group = load_group(f"{tmp_path / 'out'}@{p}")
        assert group.label == f"out@{p}" and group.summaries == before[p]
    assert load_group(f"{tmp_path / 'out'}@0").summaries == before["milestones"]
    assert load_group(f"{tmp_path / 'out'}@2").summaries == before["every scan"]


@pytest.mark.parametrize("text", ["{}", "[1, 2]", '"x"', '{"scenario": "tiny"}'])
def test_compare_refuses_a_summary_that_is_not_one(tmp_path: Path, text: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """It said 'the runs differ in set-up' (an empty summary has no scale or facilities)."""
    good = _runs(tmp_path, "a", [100])
    bad = tmp_path / "b"
    bad.mkdir()
    (bad / "summary.json").write_text(text)
    assert main(["compare", str(good), str(bad), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert err == f"eccc compare: {bad / 'summary.json'}: not a run summary (no metrics in it)\n"
