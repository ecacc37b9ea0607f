"""Sweeps: reproducible tables, common random numbers, executors, resume, failures.

All runs are the real simulation on the ``baseline`` network cut down to one
day at 1,500 parcels a day (about 0.1 s a run), so the whole file stays fast.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import pytest

from research.executors import DaskCluster, InProcess, LocalPool
from research.sweep import POINTS_DIR, run_sweep, write_sweep, write_tables
from research.sweepfile import SweepError, apply, parse, set_path

METRICS = ["texts_total", "opt_outs", "texts_per_recipient_24h_max_mean",
           "ofd_text_before_delivery_share", "parcels_accepted"]

PLUGIN = '''
from engine.policies import Drop, Policy, register


@register
class OddScansOnly(Policy):
    """A researcher's policy: pass every other notice of a parcel."""

    name = "odd_scans_only"

    def __init__(self, keep: int = 2) -> None:
        self.keep = keep
        self._seen = {}

    def check(self, notice, now):
        key = notice.sub.tracking_number
        self._seen[key] = self._seen.get(key, 0) + 1
        return None if self._seen[key] % self.keep == 1 else Drop("odd_scans_only")


@register
class Explode(Policy):
    name = "explode"

    def check(self, notice, now):
        raise RuntimeError("boom")
'''


def small(tmp_path: Path, points: list[dict[str, Any]], **extra: Any) -> Any:
    raw: dict[str, Any] = {
        "name": "small", "base": "baseline", "replications": 3, "metrics": METRICS,
        "set": {"days": 1, "volume.daily_parcels": 1500}, "points": points, **extra}
    return parse(raw, tmp_path / "small.toml")


TWO = [{"policies": ["every_scan"]}, {"policies": ["milestones", "cap_rolling:limit=3"]}]


def tables(outcome: Any, out: Path) -> tuple[str, str]:
    paths = write_tables(outcome, out)
    return paths["replications"].read_text(), paths["points"].read_text()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    tmp = tmp_path_factory.mktemp("ref")
    spec = small(tmp, TWO)
    return tables(run_sweep(spec, tmp / "a", InProcess()), tmp / "a")


def test_two_policies_three_replications_reproduce_the_same_table(
        tmp_path: Path, reference: tuple[str, str]) -> None:
    outcome = run_sweep(small(tmp_path, TWO), tmp_path / "b", InProcess())
    assert outcome.ran == 6 and not outcome.failures
    again = tables(outcome, tmp_path / "b")
    assert again == reference
    reps, points = again
    assert len(reps.splitlines()) == 1 + 2 * 3 and len(points.splitlines()) == 1 + 2
    assert "texts_total_ci95_low" in points.splitlines()[0]


def test_process_pool_and_dask_local_cluster_give_identical_tables(
        tmp_path: Path, reference: tuple[str, str]) -> None:
    pool = run_sweep(small(tmp_path, TWO), tmp_path / "pool", LocalPool(2))
    assert tables(pool, tmp_path / "pool") == reference
    dask = DaskCluster("local", workers=2, processes=False)
    try:
        outcome = run_sweep(small(tmp_path, TWO), tmp_path / "dask", dask)
    finally:
        dask.close()
    assert tables(outcome, tmp_path / "dask") == reference


def test_common_random_numbers_shrink_the_variance_of_a_policy_difference(
        tmp_path: Path) -> None:
    def differences(crn: bool) -> list[float]:
        spec = small(tmp_path, TWO, crn=crn, replications=6)
        res = run_sweep(spec, tmp_path / f"crn-{crn}", InProcess()).results
        return [res[(1, r)]["texts_total"] - res[(0, r)]["texts_total"] for r in range(6)]

    common, independent = differences(True), differences(False)
    ratio = statistics.variance(common) / statistics.variance(independent)
    # Measured 0.05-0.1 (texts_total is mostly volume, which CRN holds fixed).
    assert ratio < 0.5, (common, independent)


def test_resume_skips_finished_points(tmp_path: Path, reference: tuple[str, str]) -> None:
    out = tmp_path / "resume"
    first = run_sweep(small(tmp_path, TWO), out, InProcess())
    stored = sorted((out / POINTS_DIR).glob("*.json"))
    assert first.ran == 6 and len(stored) == 6
    stored[0].unlink()  # as if the sweep had been killed before its last point
    again = run_sweep(small(tmp_path, TWO), out, InProcess())
    assert (again.ran, again.skipped) == (1, 5)
    assert tables(again, out) == reference
    # A changed base is a different scenario: nothing is reused.
    changed = small(tmp_path, TWO, set={"days": 1, "volume.daily_parcels": 1400})
    assert run_sweep(changed, out, InProcess()).skipped == 0


def test_a_failing_point_is_reported_with_its_parameters_and_the_others_kept(
        tmp_path: Path) -> None:
    plugin = tmp_path / "my_policies.py"
    plugin.write_text(PLUGIN)
    points = [{"policies": ["every_scan"]},
              {"policies": ["explode"]},  # raises inside the simulation
              {"policies": ["cap_rolling:limit=oops"]},  # rejected by the schema
              {"label": "researcher", "policies": ["odd_scans_only"]}]
    spec = small(tmp_path, points, plugins=[plugin.name], replications=2)
    outcome = run_sweep(spec, tmp_path / "f", LocalPool(2))  # plug-in loaded in workers too
    failed = {(f.point.index, f.replication) for f in outcome.failures}
    assert failed == {(1, 0), (1, 1), (2, None)}
    assert all("boom" in f.error for f in outcome.failures if f.point.index == 1)
    assert outcome.failures[0].point.params == {"policies": ["cap_rolling:limit=oops"]}
    assert sorted(outcome.results) == [(0, 0), (0, 1), (3, 0), (3, 1)]
    texts = {p: outcome.results[(p, 0)]["texts_total"] for p in (0, 3)}
    assert 0 < texts[3] < texts[0]  # the plug-in policy really ran
    report = write_sweep(outcome, tmp_path / "f")
    assert "boom" in report.read_text() and "researcher" in report.read_text()
    assert "common random numbers: yes," in report.read_text()  # it said True


def test_shipped_policy_sweep_expands_and_validates() -> None:
    from research.sweep import plan
    from research.sweepfile import load

    spec = load(Path(__file__).parents[1] / "scenarios/sweeps/policy_frontier.toml")
    planned = plan(spec)
    assert not planned.failures
    assert len(spec.points) >= 8 and spec.pareto["minimize"] and spec.pareto["maximize"]
    limits = [p.params.get("policies.cap_rolling.limit") for p in spec.points]
    assert {2, 3, 4} <= set(limits)


@pytest.mark.parametrize(("path", "value", "expect"), [
    ("days", 3, {"days": 3}),
    ("customers.fatigue.slope", 0.5, {"customers": {"fatigue": {"slope": 0.5}}}),
    ("policies.1", "digest", {"policies": ["milestones", "digest"]}),
    ("policies.cap_rolling.limit", 4, {"policies": ["milestones", "cap_rolling:limit=4,hours=24"]}),
    ("network.facilities.0.capacity_per_hour", 9.0,
     {"network": {"facilities": [{"capacity_per_hour": 9.0}]}}),
])
def test_dotted_paths_reach_any_field(path: str, value: Any, expect: dict[str, Any]) -> None:
    base: dict[str, Any] = {"policies": ["milestones", "cap_rolling:limit=3,hours=24"]}
    if path.startswith("network"):
        base = {"network": {"facilities": [{"capacity_per_hour": 1.0}]}}
    if not path.startswith("policies"):
        base.pop("policies", None)
    data = apply(base, {path: value})
    assert data == expect
    assert base != data  # the base is never edited in place


def test_bad_sweep_files_name_the_key(tmp_path: Path) -> None:
    with pytest.raises(SweepError, match="unknown keys"):
        parse({"base": "baseline", "replicatons": 3}, tmp_path / "x.toml")
    with pytest.raises(SweepError, match="grid"):
        parse({"base": "baseline", "grid": {"days": []}}, tmp_path / "x.toml")
    with pytest.raises(KeyError, match="no policy 'digest'"):
        set_path({"policies": ["milestones"]}, "policies.digest.minutes", 5)


def test_a_sweep_with_a_bad_point_runs_nothing_and_names_the_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every point is checked before any runs: a typo in the last must not cost the runs
    of the others first (it used to fail after them, exit 1, the file unnamed)."""
    from eccc.cli import main

    sweep = tmp_path / "s.toml"
    sweep.write_text('name = "s"\nbase = "baseline"\nreplications = 1\n'
                     '[set]\ndays = 1\n"volume.daily_parcels" = 100\n'
                     '[[points]]\npolicies = ["every_scan"]\n'
                     '[[points]]\npolicies = ["nosuch"]\n', encoding="utf-8")
    code = main(["sweep", str(sweep), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and f"eccc sweep: {sweep}: point 1" in err and "nosuch" in err
    assert not (tmp_path / "out" / "points").exists()


@pytest.mark.parametrize(("extra", "words"), [
    ({"grid": {"days": list(range(1, 1001)), "seed": list(range(1000))}}, "more than 100,000"),
    ({"replications": 10**9}, "more than 100,000"),
    ({"seed": -5}, "seed must be an integer"),
    ({"crn": "no"}, "crn: must be true or false"),
    ({"replications": True}, "replications: must be an integer"),
])
def test_sweep_files_out_of_range_are_refused(tmp_path: Path, extra: dict[str, Any],
                                              words: str) -> None:
    with pytest.raises(SweepError, match=words):
        parse({"base": "baseline", **extra}, tmp_path / "x.toml")


@pytest.mark.parametrize(("lines", "words"), [
    ("pareto = 5", "pareto: must be a table, not 5"),
    ("set = 5", "set: must be a table, not 5"),
    ("plugins = [5]", "plugins: must be a list of strings, not [5]"),
    ('plugins = "x.py"', "plugins: must be a list of strings, not 'x.py'"),
    ('plugins = ["x.py"]', "plugins: no such file 'x.py'"),
    ("metrics = 5", "metrics: must be a list of strings"),
    ('runner = "research.sweep:run_point"\n[pareto]\nminimize = "opt_outs"',
     "pareto.minimize: must be a list of strings"),
    ("name = 5", "name: must be a string"),
    ("points = 5", "points: must be an array of tables"),
    ('[[points]]\nlabel = "a"\ngrid = 5', "points 0: grid: must be a table, not 5"),
    ('[[points]]\nlabel = 5', "points 0: label: must be a string"),
    ('[[points]]\nlabel = "a"\npolicies = ["milestones", "cap_rolling"]\n'
     'grid = {"policies.cap_rolling.limit" = []}',
     "points 0: grid: each key needs a non-empty list"),
    ('[[points]]\nlabel = "a"\ngrid = {"days" = 1}',
     "points 0: grid: each key needs a non-empty list"),
])
def test_wrongly_typed_sweep_keys_are_one_line_naming_the_file_and_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: str, words: str) -> None:
    """They were tracebacks (exit 1), a string iterated letter by letter (plugins = "x.py"),
    or, for an empty grid of a point, a sweep of that point dropped silently (exit 0)."""
    from eccc.cli import main

    sweep = tmp_path / "s.toml"
    sweep.write_text(f'base = "tiny"\nreplications = 1\n{lines}\n', encoding="utf-8")
    code = main(["sweep", str(sweep), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"eccc sweep: {sweep}: ") and words in err
    assert not (tmp_path / "out").exists()


def test_the_size_limit_counts_the_points_own_grids(tmp_path: Path) -> None:
    big = {"label": "a", "grid": {"days": list(range(1, 401)), "seed": list(range(300))}}
    with pytest.raises(SweepError, match="120,000 points"):
        parse({"base": "baseline", "replications": 1, "points": [big]}, tmp_path / "x.toml")


@pytest.mark.parametrize("command", ["sweep", "tune"])
def test_a_missing_or_broken_plugin_option_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    """``--plugin`` of a missing file was 'runner ...: FileNotFoundError' (sweep) or a
    traceback (tune); a plug-in raising on import was a traceback too."""
    from eccc.cli import main

    study = tmp_path / "s.toml"
    study.write_text('base = "tiny"\nreplications = 1\n' + (
        '[objectives]\nminimize = ["opt_outs"]\n[[chain]]\nchoose = ["milestones"]\n'
        if command == "tune" else ""), encoding="utf-8")
    broken = tmp_path / "broken.py"
    broken.write_text('raise ValueError("bad")\n')
    for plugin, words in (("nosuch.py", "--plugin nosuch.py: no such file"),
                          (str(broken), f"--plugin {broken}: ValueError: bad")):
        code = main([command, str(study), "--out", str(tmp_path / "out"), "--quiet",
                     "--workers", "1", "--plugin", plugin])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith(f"eccc {command}: {words}") and err.count("\n") == 1
        assert not (tmp_path / "out").exists()


def test_tables_show_the_chain_each_point_ran(tmp_path: Path) -> None:
    """A point's grid over policies.cap_rolling.limit edits its chain; the policies column
    showed the chain as written (limit=3 on the row that ran limit=2)."""
    from research.sweep import SweepOutcome, tabulate

    spec = parse({"base": "baseline", "replications": 1, "metrics": ["texts_total"],
                  "points": [{"label": "capped",
                              "policies": ["milestones", "cap_rolling:limit=3"],
                              "grid": {"policies.cap_rolling.limit": [2, 3]}}]},
                 tmp_path / "x.toml")
    outcome = SweepOutcome(spec, {(0, 0): {"texts_total": 5}, (1, 0): {"texts_total": 6}},
                           [], 2, 0, 0.0)
    reps, points = tabulate(outcome)
    column = points[0].index("policies")
    assert [row[column] for row in points[1:]] == ["milestones+cap_rolling:limit=2",
                                                   "milestones+cap_rolling:limit=3"]
    assert [row[reps[0].index("policies")] for row in reps[1:]] == [
        "milestones+cap_rolling:limit=2", "milestones+cap_rolling:limit=3"]


def test_two_points_labelled_alike_are_refused_naming_both(tmp_path: Path) -> None:
    """Accepted, then eccc compare SWEEP@LABEL refused the label as ambiguous."""
    raw = {"base": "baseline", "points": [
        {"label": "cap", "policies": ["milestones"]},
        {"label": "other", "policies": ["every_scan"]},
        {"label": "cap", "policies": ["actionable"]}]}
    with pytest.raises(SweepError) as err:
        parse(raw, tmp_path / "x.toml")
    text = str(err.value)
    assert "x.toml" in text and "'cap'" in text and "points 0 and 2" in text


def test_generated_labels_that_repeat_are_made_unique(tmp_path: Path) -> None:
    raw = {"base": "baseline", "points": [
        {"policies": ["milestones"]},
        {"label": "every_scan", "policies": ["actionable"]},
        {"policies": ["every_scan"]},
        {"policies": ["milestones"]}]}
    labels = [p.label for p in parse(raw, tmp_path / "x.toml").points]
    assert len(set(labels)) == 4
    assert labels[:2] == ["milestones", "every_scan"]  # the file's own label is kept
    assert labels[2] == "every_scan (point 2)" and labels[3] == "milestones (point 3)"
