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
from sim.model import Model
from sim.progress import FIT_S, ProgressLine, RunSize, WorkBar, WorkShare
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
    lines = big.lines("x", machine_mb=64 * 1024)
    assert len(lines) == 2 and "over 15 minutes" in lines[1]
    fit = big.scale_for(FIT_S)
    assert 0 < fit < 1
    assert RunSize.of(sc, fit).wall_s <= FIT_S
    assert f"--scale {fit:g}" in lines[1]
    small = RunSize.of(sc, sc.scale)
    assert len(small.lines("x", machine_mb=8 * 1024)) == 1, (
        "the shipped default is estimated under 15 minutes and fits a small laptop")


def test_a_run_bigger_than_the_machine_is_warned_and_offered_a_scale_that_fits() -> None:
    sc = load("holiday_peak")
    big = RunSize.of(sc, 1.0)  # the national fortnight: about 10 GB
    lines = big.lines("x", machine_mb=8 * 1024)
    assert len(lines) == 3 and "8,192 MB" in lines[2] and "may swap" in lines[2]
    fit = big.scale_for_memory(0.8 * 8 * 1024)
    assert 0 < fit < 1 and f"--scale {fit:g} would fit" in lines[2]
    assert RunSize.of(sc, fit).rss_mb <= 0.8 * 8 * 1024 < RunSize.of(sc, fit * 1.05).rss_mb
    assert len(big.lines("x", machine_mb=64 * 1024)) == 2
    assert len(big.lines("x", machine_mb=0.0)) == 2, "no warning where the size is unknown"


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


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_cli_stopped_in_the_counterfactual_leaves_the_what_if_incomplete(
        tmp_path: Path, sig: int) -> None:
    """A what-if is two runs: stopped in the second, the directory says so, holds no
    what-if table (an earlier run's included), and the stop is one line."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "what_changed.json").write_text("{}")  # an earlier run's table

    def default_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    proc = subprocess.Popen(
        [sys.executable, "-m", "eccc", "run", "holiday_peak", "--scale", "0.001", "--days",
         "2", "--out", str(out), "--progress-s", "0.1"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)
    assert proc.stderr is not None
    for line in proc.stderr:  # wait until the counterfactual is simulating
        if line.startswith("holiday_peak counterfactual: ") and " parcels, " in line:
            break
    assert not (out / "what_changed.json").exists(), "the earlier table went at the start"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    last = err.strip().splitlines()[-1]
    assert last.startswith("eccc run: interrupted in the what-if (holiday_peak counterfactual "
                           "at simulated ")
    assert "Traceback" not in err
    assert (out / "summary.json").exists(), "the scenario's own run is complete"
    assert "what-if is not" in (out / INCOMPLETE).read_text()
    assert (out / "counterfactual" / INCOMPLETE).exists()
    assert not (out / "what_changed.json").exists()


@pytest.mark.slow
def test_a_finished_what_if_is_not_marked_incomplete(tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "eccc", "run", "holiday_peak", "--scale", "0.0005", "--days",
         "1", "--replications", "2", "--out", str(out), "--progress-s", "0.2"],
        capture_output=True, text=True, check=True)
    for label in ("counterfactual", "replication 2 of 2", "counterfactual replication 2 of 2"):
        assert f"\nholiday_peak {label}: 2026-" in proc.stderr, f"no progress from {label}"
    assert (out / "what_changed.json").exists() and not (out / INCOMPLETE).exists()
    assert not (out / "counterfactual" / INCOMPLETE).exists()


@pytest.mark.parametrize(("name", "scale", "days"), [("tiny", 1.0, 2), ("baseline", 0.02, 7)])
def test_work_share_follows_the_engine_inputs_not_the_clock(
        name: str, scale: float, days: int) -> None:
    """The time left comes from the share of the work done: checked against the share of
    the run's engine inputs handled (the CPU follows them), at every simulated minute."""
    sc = load(name)
    m = Model(sc, seed=1, scale=scale, days=days, log_messages=False)
    work = WorkShare(sc, scale, days, m.t_accept_begin, m.t_end)
    seen: list[tuple[float, int]] = []
    m.run(progress=lambda mm, now: seen.append((now, mm.engine_inputs)))
    total = m.engine_inputs
    shares = [work(t) for t, _ in seen]
    assert shares == sorted(shares) and shares[-1] == pytest.approx(1.0)
    off_work = max(abs(s - i / total) for s, (_, i) in zip(shares, seen, strict=True))
    span = m.t_end - m.t_begin
    off_clock = max(abs(max(0.0, (t - m.t_begin) / span) - i / total) for t, i in seen)
    assert off_work < 0.15
    assert off_work < off_clock / 2, "no better than the simulated time's share"


def test_time_left_leans_on_the_estimate_early_and_ends_at_zero() -> None:
    sc = load("holiday_peak")
    t0 = 1_765_000_000.0
    work = WorkShare(sc, 0.1, 15, t0, t0 + 19 * 86400)
    assert work(t0 - 2 * 86400) == 0.0
    assert work(t0 + 19 * 86400) == 1.0
    # Nothing done yet: the estimate made before the run, however long the model took
    # to build.
    assert work.left_s(0.0, 40.0, (0.0, 40.0)) == pytest.approx(work.estimate_s)
    assert work.left_s(1.0, 600.0, (0.0, 40.0)) == 0.0
    # The four days' drain is a fifth of the simulated time and a few percent of the work.
    assert work(t0 + 15 * 86400) > 0.9
    # Half the work done in 10 minutes: about 10 minutes left, the estimate counting little.
    assert work.left_s(0.5, 600.0) == pytest.approx(600.0, rel=0.1)


def test_the_terminal_bar_is_filled_by_the_work(tmp_path: Path) -> None:
    buf = io.StringIO()
    bar = WorkBar(buf)
    run_to_dir(load("tiny"), out=tmp_path, days=1, progress=bar)
    assert bar.work is not None and bar._bar is None, "closed at the end"
    text = buf.getvalue()
    assert "100% of the work" in text and "tiny at 20" in text


def test_a_what_if_failing_after_its_own_run_never_looks_finished(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure between the scenario's files and the what-if (writing context.json)
    leaves INCOMPLETE and no earlier run's what-if table."""
    import research.whatif
    from eccc.cli import main

    out = tmp_path / "run"
    out.mkdir()
    (out / "what_changed.json").write_text("{}")  # an earlier run's table

    def broken(*_args: object) -> None:
        raise RuntimeError("context could not be written")

    monkeypatch.setattr(research.whatif, "write_context", broken)
    with pytest.raises(RuntimeError):
        main(["run", "carrier_outage", "--scale", "0.01", "--days", "1", "--out", str(out),
              "--quiet"])
    assert (out / "summary.json").exists()
    assert (out / INCOMPLETE).exists() and not (out / "what_changed.json").exists()
