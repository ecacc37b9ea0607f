"""Ctrl-C during ``eccc sweep`` and ``eccc tune``: one line, exit 130, the directory
marked INCOMPLETE and no earlier run's report left looking current."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest

import research.sweep
from eccc.cli import main
from research.executors import LocalPool

SWEEP = ('name = "s"\nbase = "tiny"\nreplications = {reps}\n[set]\ndays = 1\n'
         '"volume.daily_parcels" = 200\n[[points]]\npolicies = ["every_scan"]\n'
         '[[points]]\npolicies = ["milestones"]\n')
TUNE = ('name = "t"\nbase = "tiny"\nreplications = 1\ntrials = {trials}\nbatch = 2\n[set]\n'
        'days = 1\n"volume.daily_parcels" = 200\n[objectives]\nminimize = ["opt_outs"]\n'
        '[[chain]]\nchoose = ["milestones", "every_scan"]\n')
OUTPUTS = ("report.html", "points.csv", "replications.csv", "sweep.json", "failures.json")


def interrupt_after(monkeypatch: pytest.MonkeyPatch, calls: int) -> None:
    """The runner is interrupted (as by Ctrl-C) once ``calls`` runs have finished."""
    real = research.sweep.run_point
    done = []

    def runner(scenario: dict[str, Any], seed: int) -> dict[str, Any]:
        if len(done) == calls:
            raise KeyboardInterrupt
        done.append(seed)
        return real(scenario, seed)

    monkeypatch.setattr(research.sweep, "run_point", runner)


@pytest.mark.parametrize("command", ["sweep", "tune"])
def test_an_interrupted_run_says_one_line_and_leaves_its_directory_incomplete(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        command: str) -> None:
    """It was a 20-46 line traceback, and an earlier run's report.html, points.csv and
    sweep.json stayed in place looking finished, with no INCOMPLETE."""
    study, out = tmp_path / "s.toml", tmp_path / "out"
    study.write_text((SWEEP if command == "sweep" else TUNE).format(reps=2, trials=2))
    args = [command, str(study), "--out", str(out), "--quiet", "--workers", "1"]
    out.mkdir()
    for name in OUTPUTS:  # an earlier run's outputs, as a finished run leaves them
        (out / name).write_text("old")
    capsys.readouterr()
    interrupt_after(monkeypatch, 1)
    assert main(args) == 130
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"eccc {command}: interrupted; {out}/ is incomplete") and (
        "\n" not in err and "Traceback" not in err)
    assert (out / "INCOMPLETE").is_file()
    assert not any((out / name).exists() for name in OUTPUTS)
    monkeypatch.undo()
    assert main(args) == 0  # resumed
    assert not (out / "INCOMPLETE").exists() and all((out / n).is_file() for n in OUTPUTS)


def test_pool_workers_leave_ctrl_c_to_the_parent() -> None:
    """The terminal sends Ctrl-C to the whole process group: a worker that took it printed
    its own traceback (idle) or lost its task (busy)."""
    results = list(LocalPool(2).run(signal.getsignal, [signal.SIGINT, signal.SIGINT]))
    assert [r for _, r in results] == [signal.SIG_IGN, signal.SIG_IGN]


def test_a_tune_refused_for_another_file_leaves_the_finished_study_as_it_was(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    study, out = tmp_path / "t.toml", tmp_path / "out"
    study.write_text(TUNE.format(trials=2))
    args = ["tune", str(study), "--out", str(out), "--quiet", "--workers", "1"]
    assert main(args) == 0
    study.write_text(TUNE.format(trials=2).replace("replications = 1", "replications = 2"))
    assert main(args) == 2 and "different tune file" in capsys.readouterr().err
    assert all((out / n).is_file() for n in OUTPUTS) and not (out / "INCOMPLETE").exists()
