"""A long run shows where it is: size and estimate first, progress lines, a clean Ctrl-C."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scenarios.schema import load
from sim.messagelog import read_rows
from sim.progress import FIT_S, ProgressLine, RunSize
from sim.run import INCOMPLETE, run_to_dir


def test_run_size_counts_the_calendar() -> None:
    sc = load("holiday_peak")
    one = RunSize.of(sc, 1.0, days=1)  # Thu 10 Dec, weekday factor 1.0
    assert one.parcels == pytest.approx(20_500_000)
    assert one.followed == pytest.approx(one.parcels * sum(sc.customers.opt_in.values()))
    surge = RunSize.of(sc.model_copy(update={"start": sc.start.replace(day=16)}), 1.0, days=1)
    assert surge.parcels == pytest.approx(20_500_000 * 1.37)
    half = RunSize.of(sc, 0.5, days=1)
    assert half.parcels == pytest.approx(one.parcels / 2)


def test_a_big_run_is_warned_and_offered_a_scale_that_fits() -> None:
    sc = load("holiday_peak")
    big = RunSize.of(sc, 1.0)
    lines = big.lines("x")
    assert len(lines) == 2 and "over 15 minutes" in lines[1]
    fit = big.scale_for(FIT_S)
    assert 0 < fit < 1
    assert RunSize.of(sc, fit).wall_s <= FIT_S
    assert f"--scale {fit:g}" in lines[1]
    small = RunSize.of(sc, sc.scale)
    assert len(small.lines("x")) == 1, "the shipped default is estimated under 15 minutes"


def test_progress_line_names_date_parcels_rate_and_memory(tmp_path: Path) -> None:
    buf = io.StringIO()
    line = ProgressLine(buf, every_s=0.0)
    run_to_dir(load("tiny"), out=tmp_path, days=1, progress=line)
    text = buf.getvalue().splitlines()
    assert len(text) > 10
    last = text[-1]
    assert last.startswith("tiny: 20") and "parcels" in last and "/s" in last
    assert "RSS" in last and "MB" in last and "left" in last


def test_interrupted_run_is_marked_incomplete(tmp_path: Path) -> None:
    run_to_dir(load("tiny"), out=tmp_path, days=1)  # a finished run first, same directory
    assert (tmp_path / "summary.json").exists()
    calls = 0

    def interrupt(m: Any, now: float) -> None:
        nonlocal calls
        calls += 1
        if calls == 200:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_to_dir(load("tiny"), out=tmp_path, days=1, progress=interrupt)
    assert (tmp_path / INCOMPLETE).exists()
    assert not (tmp_path / "summary.json").exists(), "the old summary must not stay"
    read_rows(tmp_path)  # the partial log is still a readable gzip file


@pytest.mark.slow
def test_cli_prints_size_then_progress_lines(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "eccc", "run", "tiny", "--days", "1", "--out", str(out),
         "--progress-s", "0"], capture_output=True, text=True, check=True)
    err = proc.stderr.splitlines()
    assert err[0].startswith("eccc run tiny:") and "estimated" in err[0]
    assert any(" parcels, " in e and "RSS" in e for e in err[1:])
    assert (out / "summary.json").exists() and not (out / INCOMPLETE).exists()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_cli_stopped_says_so_in_one_line(tmp_path: Path, sig: int) -> None:
    out = tmp_path / "run"

    def default_sigint() -> None:  # a background shell may have left SIGINT ignored
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    proc = subprocess.Popen(
        [sys.executable, "-m", "eccc", "run", "tiny", "--days", "2", "--out", str(out),
         "--progress-s", "0.2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=default_sigint)
    assert proc.stderr is not None
    for line in proc.stderr:  # wait until it is simulating
        if " parcels, " in line:
            break
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    last = err.strip().splitlines()[-1]
    assert last.startswith("eccc run: interrupted at simulated ") and "incomplete" in last
    assert (out / INCOMPLETE).exists() and not (out / "summary.json").exists()
