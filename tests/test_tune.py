"""``eccc tune``: a tiny study end to end, resume, the same study on every executor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from engine.policies import build
from research.executors import DaskCluster, InProcess, LocalPool
from research.tune import completed, run_tune
from research.tunefile import TuneError, load
from research.tunereport import write_tune

TINY = """
name = "tiny_search"
base = "tiny"
seed = 5
replications = 2
trials = 6
batch = 3
metrics = ["texts_total"]
[set]
days = 1
"volume.daily_parcels" = 300
[objectives]
minimize = ["texts_per_recipient_24h_max_mean"]
maximize = ["care_contacts_avoided_vs_no_sms"]
[constraints]
opt_out_rate_per_text = { max = 0.5 }
[[chain]]
choose = ["milestones", "actionable", "every_scan"]
[[chain]]
choose = ["none", "cap_rolling", "weekly_budget"]
"cap_rolling.limit" = { low = 1, high = 4 }
"weekly_budget.limit" = { low = 2, high = 10 }
"""


def tune_file(tmp: Path, text: str = TINY) -> Path:
    path = tmp / "t.toml"
    path.write_text(text)
    return path


def trials_of(outcome: Any) -> list[tuple[Any, ...]]:
    return [(t.number, t.state.name, t.params, t.values, t.user_attrs.get("chain"),
             t.user_attrs.get("replications")) for t in outcome.study.get_trials()]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    tmp = tmp_path_factory.mktemp("tune")
    spec = load(tune_file(tmp))
    out = tmp / "out"
    outcome = run_tune(spec, out, InProcess())
    write_tune(outcome, out, "in-process")
    return out, outcome


def test_tiny_study_end_to_end(reference: tuple[Path, Any]) -> None:
    out, outcome = reference
    assert outcome.ran + outcome.cached >= 1 and not outcome.failures
    assert len(outcome.study.get_trials()) == 6
    for name in ("study.db", "report.html", "front.json", "tune.json", "best_chains.toml",
                 "points.csv", "replications.csv", "pareto.png", "hypervolume.png"):
        assert (out / name).is_file(), name
    lines = [ln for ln in (out / "best_chains.toml").read_text().splitlines()
             if ln.startswith("policies = [")]
    assert lines
    import tomllib

    for line in lines:  # each line is TOML a scenario can take, and every chain builds
        build(tomllib.loads(line)["policies"])
    report = (out / "report.html").read_text()
    assert 'class="finding"' in report and "chains make the front" in report
    assert "Hypervolume against trials" in report and "Best chains" in report
    # common random numbers: every trial's replication r ran on the same seed
    import csv

    with (out / "replications.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["replication"], r["seed"]) for r in rows} == {("0", "5"), ("1", "6")}
    # counts as a sweep writes them (research.sweep._cell): "412", not "412.0"
    assert rows and all(r["texts_total"].isdigit() for r in rows), rows[0]["texts_total"]


def test_resume_after_an_interruption_gives_the_same_study(
        reference: tuple[Path, Any], tmp_path: Path) -> None:
    spec = load(tune_file(tmp_path))

    class Interrupted(Exception):
        pass

    class DiesAfterTwoRuns(InProcess):
        def run(self, fn, tasks):  # type: ignore[no-untyped-def]
            for n, item in enumerate(super().run(fn, tasks)):
                if n == 2:
                    raise Interrupted
                yield item

    out = tmp_path / "out"
    with pytest.raises(Interrupted):
        run_tune(spec, out, DiesAfterTwoRuns())
    again = run_tune(spec, out, InProcess())
    assert again.cached == 2  # the two runs that finished were kept
    assert trials_of(again) == trials_of(reference[1])


def test_growing_a_study_matches_running_it_at_once(
        reference: tuple[Path, Any], tmp_path: Path) -> None:
    spec = load(tune_file(tmp_path))
    out = tmp_path / "out"
    run_tune(spec, out, InProcess(), trials=3)
    grown = run_tune(spec, out, InProcess())
    assert trials_of(grown) == trials_of(reference[1])


def test_a_changed_tune_file_does_not_resume_a_stale_study(
        reference: tuple[Path, Any], tmp_path: Path) -> None:
    spec = load(tune_file(tmp_path, TINY.replace("seed = 5", "seed = 6")))
    with pytest.raises(TuneError, match="different tune file"):
        run_tune(spec, reference[0], InProcess())


@pytest.mark.slow
def test_process_pool_gives_the_same_study(reference: tuple[Path, Any], tmp_path: Path) -> None:
    spec = load(tune_file(tmp_path))
    outcome = run_tune(spec, tmp_path / "out", LocalPool(2))
    assert trials_of(outcome) == trials_of(reference[1])


@pytest.mark.slow
def test_dask_gives_the_same_study(reference: tuple[Path, Any], tmp_path: Path) -> None:
    spec = load(tune_file(tmp_path))
    dask = DaskCluster("local", workers=2, processes=False)
    try:
        outcome = run_tune(spec, tmp_path / "out", dask)
    finally:
        dask.close()
    assert trials_of(outcome) == trials_of(reference[1])


@pytest.mark.parametrize(("change", "message"), [
    (("texts_per_recipient_24h_max_mean", "texts_per_recipent_24h_max_mean"),
     "did you mean 'texts_per_recipient_24h_max_mean'"),
    (('maximize = ["care_contacts_avoided_vs_no_sms"]',
      'maximize = ["care_contacts_avoided_vs_no_sms", "ofd_text_before_delivery_share", '
      '"exceptions_texted_before_promise_share"]'), "4 objectives"),
    (('maximize = ["care_contacts_avoided_vs_no_sms"]', 'maximize = ["cost_usd"]'),
     "better lower; it belongs under minimize"),
    (("opt_out_rate_per_text = { max = 0.5 }", "opt_out_rat = { max = 0.5 }"),
     "unknown metric 'opt_out_rat'"),
    (('"cap_rolling.limit" = { low = 1, high = 4 }', '"cap_rolling.limt" = { low = 1, high = 4 }'),
     "cap_rolling"),
    (('"cap_rolling.limit" = { low = 1, high = 4 }', '"cap_rolling.limit" = { low = 0, high = 4 }'),
     "limit and hours must be at least 1"),
    (('"weekly_budget.limit"', '"digest.minutes"'), "'digest' is not among this slot's choices"),
    (('choose = ["milestones"', 'choose = ["milestone"'), "unknown policy 'milestone'"),
    (("batch = 3", "batch = 3\nsampler = 'cmaes'"),
     "sampler must be one of"),
])
def test_bad_tune_files_are_refused_before_anything_runs(
        tmp_path: Path, change: tuple[str, str], message: str) -> None:
    assert change[0] in TINY
    with pytest.raises(TuneError, match=message.replace("(", r"\(").replace("[", r"\[")):
        load(tune_file(tmp_path, TINY.replace(*change)))


def test_cli_refuses_a_bad_file_and_asks_for_optuna_when_missing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from eccc.cli import main

    bad = tune_file(tmp_path, TINY.replace("care_contacts_avoided_vs_no_sms", "care_avoided"))
    assert main(["tune", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "unknown metric 'care_avoided'" in err and str(bad) in err
    assert not (tmp_path / "o").exists()  # nothing ran
    monkeypatch.setitem(sys.modules, "optuna", None)  # as if not installed
    assert main(["tune", str(tune_file(tmp_path))]) == 2
    assert "pip install 'eccc-sim[tune]'" in capsys.readouterr().err


def test_tpe_sampler_runs_seeded(tmp_path: Path) -> None:
    text = TINY.replace("batch = 3", "batch = 2\nsampler = \"tpe\"").replace("trials = 6",
                                                                              "trials = 4")
    a = run_tune(load(tune_file(tmp_path, text)), tmp_path / "a", InProcess())
    b = run_tune(load(tune_file(tmp_path, text)), tmp_path / "b", InProcess())
    assert trials_of(a) == trials_of(b) and len(trials_of(a)) == 4


@pytest.mark.parametrize(("key", "value"), [("trials", 10**12), ("trials", 0),
                                            ("replications", 10**9), ("seed", -1),
                                            ("trials", True)])
def test_tune_counts_out_of_range_are_refused(tmp_path: Path, key: str, value: Any) -> None:
    from research.tunefile import TuneError, parse

    with pytest.raises(TuneError, match=f"{key}:? must be an integer"):
        parse({"base": "baseline", key: value}, tmp_path / "t.toml")


@pytest.mark.parametrize(("old", "new", "top", "words"), [
    ("[constraints]\nopt_out_rate_per_text = { max = 0.5 }", "", "constraints = 5",
     "constraints: must be a table, not 5"),
    ('metrics = ["texts_total"]', "metrics = 5", "", "metrics: must be a list of strings"),
    ('metrics = ["texts_total"]', "plugins = [5]", "", "plugins: must be a list of strings"),
    ('metrics = ["texts_total"]', 'plugins = "x.py"', "",
     "plugins: must be a list of strings, not 'x.py'"),
    ('[set]\ndays = 1\n"volume.daily_parcels" = 300', "", "set = 5",
     "set: must be a table, not 5"),
    ('minimize = ["texts_per_recipient_24h_max_mean"]', 'minimize = "opt_outs"', "",
     "objectives.minimize: must be a list of strings, not 'opt_outs'"),
    ("high = 4 }", "high = 5, step = -2 }", "", "step must be a number above 0, not -2"),
    ("high = 4 }", 'high = 5, step = "x" }', "", "step must be a number above 0, not 'x'"),
    ("high = 4 }", "high = 5, step = 2.5 }", "", "step 2.5 on a range of integers"),
    ("high = 4 }", "high = 5, log = 1 }", "", "log must be true or false"),
    ("high = 4 }", "high = 5, log = true, step = 2 }", "", "a step or log = true, not both"),
    ("low = 1, high = 4 }", "low = 0, high = 4, log = true }", "", "needs low above 0"),
])
def test_wrongly_typed_tune_keys_are_refused_before_anything_is_created(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, top: str,
        words: str) -> None:
    """They were tracebacks, some inside Optuna after study.db was made, so that the
    mended file's rerun was refused as 'a study of a different tune file'."""
    from eccc.cli import main

    assert old in TINY
    path = tune_file(tmp_path, top + TINY.replace(old, new))
    out = tmp_path / "out"
    assert main(["tune", str(path), "--out", str(out), "--quiet", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"eccc tune: {path}: ") and words in err and err.count("\n") == 1
    assert not out.exists()


def test_a_study_that_never_told_a_trial_is_started_again_by_a_changed_file(
        tmp_path: Path) -> None:
    """A tune stopped in its first batch left a study.db that refused the mended file
    ('holds a study of a different tune file') though it held nothing to keep."""
    from research.tune import open_study

    out = tmp_path / "out"
    first = open_study(load(tune_file(tmp_path)), out)
    first.ask()  # left running, as by a crash in the first batch
    mended = load(tune_file(tmp_path, TINY.replace("seed = 5", "seed = 6")))
    study = open_study(mended, out)
    assert study.get_trials() == [] and study.user_attrs["fingerprint"] == mended.fingerprint()
    outcome = run_tune(mended, out, InProcess(), trials=1)
    assert len(trials_of(outcome)) == 1
    other = load(tune_file(tmp_path, TINY.replace("seed = 5", "seed = 7")))
    with pytest.raises(TuneError, match="holds a study of a different tune file"):
        open_study(other, out)  # a study with a told trial is kept


def test_when_every_chain_breaks_a_constraint_the_headline_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It said 'No point measured every objective' and the terminal an empty front."""
    import json

    from eccc.cli import main

    text = TINY.replace("opt_out_rate_per_text = { max = 0.5 }", "opt_outs = { max = -1 }")
    out = tmp_path / "out"
    assert main(["tune", str(tune_file(tmp_path, text)), "--out", str(out), "--quiet",
                 "--workers", "1", "--trials", "2"]) == 0
    said = capsys.readouterr().out
    words = "constraints (opt_outs <= -1), so no chain is feasible"
    assert f"chains measured broke the {words}" in said or (
        f"the one chain measured broke the {words}" in said)
    assert "Front at 95%" not in said
    front = json.loads((out / "front.json").read_text())
    assert front["groups"] == [] and front["infeasible"]
    assert words in (out / "report.html").read_text().replace("&lt;", "<")


def test_compare_finds_a_trial_of_a_tune_directory(reference: tuple[Path, Any],
                                                  tmp_path: Path) -> None:
    """``eccc compare TUNE_DIR@A TUNE_DIR@B``: a tune directory lists its trials in
    ``plan.json`` as a sweep lists its points, so a trial's replications are found by
    its number (or chain) and are the ones the study was told."""
    from research.comparison import load_group

    out, outcome = reference
    told = {t.number: t.user_attrs["replications"] for t in completed(outcome.study)}
    plan = orjson.loads((out / "plan.json").read_bytes())
    assert {p["index"] for p in plan["points"]} <= set(told)
    for point in plan["points"]:
        group = load_group(f"{out}@{point['index']}")
        assert [s["texts_total"] for s in group.summaries] == told[point["index"]]["texts_total"]
        assert load_group(f"{out}@{point['label']}").summaries == group.summaries
    first, second = (str(p["index"]) for p in plan["points"][:2])
    done = subprocess.run([sys.executable, "-m", "eccc.cli", "compare", f"{out}@{first}",
                           f"{out}@{second}", "--out", str(tmp_path / "cmp")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "texts_total" in done.stdout
