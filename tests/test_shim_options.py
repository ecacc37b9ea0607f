"""``eccc serve``, ``eccc loadtest`` and ``eccc bench http|loadgen`` refuse bad input up front:
one line naming the option or file, exit 2, nothing written and no server started."""

from __future__ import annotations

import argparse
import gzip
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest

from eccc.cli import main
from engine.errors import LocalMisuse
from loadtests import argtypes, loadtest
from loadtests.journal import Journal
from loadtests.notifier import Notifier

SCAN = b'{"kind":"scan","at":"2026-12-14T01:%02d:00Z","trackingNumber":"EA123456789US",' \
       b'"eventCode":"GX"}'
TEN_MINUTES = SCAN % 0 + b"\n" + SCAN % 10 + b"\n"  # two records 600 s apart


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def run_dir(tmp_path: Path, trace: bytes = TEN_MINUTES, summary: bytes | None = None,
            gz: bool = False) -> Path:
    run = tmp_path / "run"
    run.mkdir()
    if gz:
        (run / "trace.jsonl.gz").write_bytes(trace)
    else:
        (run / "trace.jsonl").write_bytes(trace)
    if summary is not None:
        (run / "summary.json").write_bytes(summary)
    return run


@pytest.mark.parametrize(("argv", "message"), [
    (["--port", "99999"], "--port must be at least 1 and at most 65535 (got 99999)"),
    (["--port", "-1"], "--port must be at least 1"),
    (["--port", "0"], "--port must be at least 1"),
    (["--snapshot-every", "-1"], "--snapshot-every must be at least 0"),
    (["--max-batch", "0"], "--max-batch must be at least 1"),
    (["--policy", "bogus"], "--policy: unknown policy 'bogus'"),
    (["--policy", "quiet_hours:mode=bogus"], "--policy: policy 'quiet_hours:mode=bogus'"),
    (["--policy", "cap_rolling:limit=-1"], "--policy: policy 'cap_rolling:limit=-1'"),
])
def test_serve_refuses_bad_options_before_the_database_is_made(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
        message: str) -> None:
    db = tmp_path / "d" / "shim.sqlite3"
    code, err = run(["serve", "--db", str(db), *argv], capsys)
    assert code == 2 and err.startswith(f"eccc serve: {message}") and err.count("\n") == 1
    assert not db.exists()


def test_serve_names_a_db_that_is_not_sqlite(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "notes.txt"
    db.write_bytes(b"not a database, just some text\n" * 100)
    code, err = run(["serve", "--port", "19099", "--db", str(db)], capsys)
    assert code == 2 and err.startswith(f"eccc serve: database {db}: cannot be used")
    assert db.read_bytes() == b"not a database, just some text\n" * 100


def test_a_bad_policy_leaves_the_database_untouched_and_usable(tmp_path: Path) -> None:
    db = str(tmp_path / "shim.sqlite3")
    with pytest.raises(LocalMisuse):
        Notifier(db, ("bogus",))
    assert not Path(db).exists()
    Notifier(db, ("every_scan",)).close()  # the start that follows is not refused
    with pytest.raises(LocalMisuse):
        Notifier(db, ("every_scan", "bogus"))
    journal = Journal(db)
    assert journal.check_meta("policies", "every_scan") is None
    journal.close()


@pytest.mark.parametrize(("argv", "message"), [
    (["--duration", "0"], "--duration must be greater than 0"),
    (["--duration", "-3"], "--duration must be greater than 0"),
    (["--duration", "inf"], "--duration must be greater than 0"),
    (["--users", "-5"], "--users must be at least 4"),
    (["--processes", "-2"], "--processes must be at least 0"),
    (["--speedup", "-2"], "--speedup must be greater than 0"),
    (["--speedup", "nan"], "--speedup must be greater than 0"),
    (["--batch-ms", "-1"], "--batch-ms must be at least 0"),
    (["--max-fail-ratio", "2"], "--max-fail-ratio must be at least 0 and at most 1"),
    (["--p99-ms", "0"], "--p99-ms must be greater than 0"),
    (["--max-lag-ms", "-1"], "--max-lag-ms must be greater than 0"),
    (["--lag-tolerance-ms", "-1"], "--lag-tolerance-ms must be at least 0"),
    (["--port", "70000"], "--port must be at least 0 and at most 65535"),
    (["--policy", "bogus"], "--policy: unknown policy 'bogus'"),
    # Locust took these and reported every request failed (gaierror), a whole run long.
    (["--host", "127.0.0.1:8080"], "--host must be a URL such as http://HOST:PORT"),
    (["--host", "ftp://example.org"], "--host must be a URL such as http://HOST:PORT"),
    (["--host", "http://"], "--host must be a URL such as http://HOST:PORT"),
    (["--host", "http://127.0.0.1:99999"], "--host 'http://127.0.0.1:99999': Port out of"),
])
def test_loadtest_refuses_bad_options_before_anything_starts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
        message: str) -> None:
    out = tmp_path / "out"
    for shape in (["--shape", "surge"], ["--shape", "trace", str(run_dir(tmp_path))]):
        code, err = run(["loadtest", *shape, "--out", str(out), *argv], capsys)
        assert code == 2 and err.startswith(f"eccc loadtest: {message}"), err
        assert not out.exists()


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the trace is empty"),
    (b"\n\n", "the trace is empty"),
    (b'garbage\n{"kind":"scan"\n', ":1: not a trace record"),
    (TEN_MINUTES + b'{"kind":"scan"\n', ":3: not a trace record"),
    (bytes(range(256)) * 8, ":1: not a trace record"),
    (b'[1, 2]\n', ":1: not a trace record"),
])
def test_a_trace_file_is_checked_before_any_server_starts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes,
        message: str) -> None:
    trace = tmp_path / "t.jsonl"
    trace.write_bytes(content)
    out = tmp_path / "out"
    code, err = run(["loadtest", "--shape", "trace", str(trace), "--out", str(out)], capsys)
    assert code == 2 and err.startswith(f"eccc loadtest: {trace}") and message in err, err
    assert not out.exists()


GOOD_SUMMARY = b'{"policies": "every_scan"}'


def _with(run: Path, name: str, content: bytes) -> Path:
    (run / name).write_bytes(content)
    return run


@pytest.mark.parametrize(("make", "argv", "message"), [
    (lambda p: run_dir(p, gzip.compress(TEN_MINUTES)[:-12], GOOD_SUMMARY, gz=True), [],
     "trace.jsonl.gz: not a whole gzip file"),
    (lambda p: run_dir(p, b"\x1f\x8b\x08\x00" + b"\x00" * 40, GOOD_SUMMARY, gz=True), [],
     "trace.jsonl.gz: not a whole gzip file"),
    (lambda p: run_dir(p), [], "summary.json: missing"),
    # An interrupted run's trace stops where it was cut: it was replayed as if whole.
    (lambda p: _with(run_dir(p, summary=GOOD_SUMMARY), "INCOMPLETE", b"did not finish\n"),
     [], "run: the run did not finish (see"),
    (lambda p: _with(run_dir(p, summary=GOOD_SUMMARY), "sweep.json", b"{}"), [],
     "run: a sweep's or tune's directory; --from-run takes one run's directory"),
    (lambda p: p / "nowhere", [], "nowhere: no such directory"),
    (lambda p: run_dir(p, summary=b"{not json"), [], "summary.json: not JSON"),
    (lambda p: run_dir(p, summary=b"[]"), [], "summary.json: not a JSON object"),
    (lambda p: run_dir(p, summary=b'{"policies": ["a"]}'), [], "summary.json: policies must"),
    (lambda p: run_dir(p, summary=b'{"policies": "bogus"}'), [],
     "summary.json: policies: unknown policy 'bogus'"),
    (lambda p: run_dir(p, summary=GOOD_SUMMARY), ["--window", "busiest:inf"],
     "--window 'busiest:inf': the length must be from 1 to"),
    (lambda p: run_dir(p, summary=GOOD_SUMMARY), ["--window", "busiest:-inf"],
     "the length must be from 1 to"),
    (lambda p: run_dir(p, summary=GOOD_SUMMARY), ["--window", "busiest:1e30"],
     "the length must be from 1 to"),
    (lambda p: run_dir(p, summary=GOOD_SUMMARY), ["--speedup", "-1"],
     "--speedup must be greater than 0"),
])
def test_from_run_input_is_checked_and_named_before_anything_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, argv: list[str],
        message: str) -> None:
    out = tmp_path / "out"
    code, err = run(["loadtest", "--from-run", str(make(tmp_path)), "--out", str(out), *argv],
                    capsys)
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert not out.exists()  # no plan printed, no window.jsonl


@pytest.mark.parametrize(("argv", "message"), [
    (["http", "--batch-size", "0"], "--batch-size must be at least 1"),
    (["http", "--batch-size", "-5"], "--batch-size must be at least 1"),
    (["http", "--batch-size", "20001"], "--batch-size must be at least 1 and at most 20000"),
    (["http", "--rounds", "0"], "--rounds must be at least 1"),
    (["http", "--connections", "0"], "--connections must be at least 1"),
    (["http", "--seconds", "-1"], "--seconds must be greater than 0"),
    (["loadgen", "--max-lag-ms", "-1"], "--max-lag-ms must be greater than 0"),
    (["loadgen", "--shim-p99-ms", "0"], "--shim-p99-ms must be greater than 0"),
    (["loadgen", "--seconds", "nan"], "--seconds must be greater than 0"),
])
def test_bench_http_and_loadgen_refuse_bad_options(
        capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["bench", *argv])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err == f"eccc bench {argv[0]}: {message}" + err[
        len(f"eccc bench {argv[0]}: {message}"):] and err.count("\n") == 1


@pytest.mark.parametrize(("parse", "text"), [
    (argtypes.positive, "0"), (argtypes.positive, "-1"), (argtypes.positive, "inf"),
    (argtypes.at_least_zero, "-0.5"), (argtypes.at_least_zero, "nan"),
    (argtypes.whole(1), "0"), (argtypes.whole(4), "-5"),
])
def test_plain_locust_refuses_out_of_range_settings(parse: Any, text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse(text)


def test_a_replay_s_length_is_its_trace_span_over_the_speedup(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """--duration 1 does not bound a replay at --speedup 1: the guard on Locust's run is
    the trace's 600 s plus a margin, and a Locust that overruns it is a clean exit 2."""
    trace = run_dir(tmp_path) / "trace.jsonl"
    timeouts: list[float] = []
    stopped: list[object] = []

    class Fake:
        def __init__(self, cmd: list[str], **kw: Any) -> None:
            assert cmd[cmd.index("--speedup") + 1] == "1.0"
            self.cmd = cmd

        def wait(self, timeout: float) -> int:
            timeouts.append(timeout)
            raise subprocess.TimeoutExpired(self.cmd, timeout)

    monkeypatch.setattr(loadtest.subprocess, "Popen", Fake)
    monkeypatch.setattr(loadtest, "_stop_group", stopped.append)
    monkeypatch.setattr(loadtest, "unreachable", lambda url: None)
    code, err = run(["loadtest", "--shape", "trace", str(trace), "--speedup", "1",
                     "--duration", "1", "--host", "http://127.0.0.1:19098",
                     "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and timeouts[0] >= 600 + 60
    assert "Locust was still running" in err and "the load takes 600.0 s" in err
    assert len(stopped) == 1  # and its process group was stopped
    # Without --speedup the trace is fitted into 90% of --duration.
    args = argparse.Namespace(speedup=0.0, duration=10.0)
    assert loadtest.replay_length(args, 600.0) == pytest.approx(9.0)
    assert args.speedup == pytest.approx(600 / 9)


def test_from_run_reports_the_replay_s_own_length(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    made = run_dir(tmp_path, summary=GOOD_SUMMARY)
    out = tmp_path / "out"

    def fake(cmd: list[str], *args: Any) -> int:
        (out / "summary.json").write_bytes(b'{"breaches": [], "loadtest_p50_ms": 1}')
        return 0

    monkeypatch.setattr(loadtest, "run_locust", fake)
    monkeypatch.setattr(loadtest, "unreachable", lambda url: None)
    monkeypatch.setattr("eccc.loadtest_report.write_report", lambda out: None)
    code, _ = run(["loadtest", "--from-run", str(made), "--speedup", "100", "--no-prime",
                   "--host", "http://127.0.0.1:19097", "--out", str(out)], capsys)
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert code == 0 and summary["loadtest_duration_s"] == 6.0  # 600 s at 100x, not 30


def test_a_what_if_left_unfinished_still_leaves_a_whole_trace(tmp_path: Path) -> None:
    from eccc.run_command import WHAT_IF_INCOMPLETE
    from loadtests.fromrun import check_run_dir

    run = run_dir(tmp_path, summary=GOOD_SUMMARY)
    (run / "INCOMPLETE").write_text(WHAT_IF_INCOMPLETE)
    check_run_dir(run)  # the scenario's run is complete: accepted


def test_an_unreachable_host_is_named_before_any_load_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from loadtests.process import free_port

    out = tmp_path / "out"
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    code, err = run(["loadtest", "--host", url, "--duration", "1", "--out", str(out)], capsys)
    assert code == 2 and f"--host {url}: cannot connect" in err, err
    assert not out.exists()  # Locust did not run a load against nothing


@pytest.mark.parametrize(("text", "seconds"), [
    ("30", 30.0), ("2.5", 2.5), ("10s", 10.0), ("1m", 60.0), ("2m30s", 150.0),
    ("1h30m", 5400.0), ("-5s", -5.0), ("0", 0.0),
])
def test_loadtest_duration_takes_locust_s_run_time_units(text: str, seconds: float) -> None:
    assert argtypes.seconds(text) == seconds  # out of range values are named by check_loadtest


@pytest.mark.parametrize("text", ["abc", "", "s", "10x", "1m1h", "--5s"])
def test_a_duration_that_is_no_length_is_one_line(
        text: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["loadtest", f"--duration={text}"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "is not a length: give seconds (30)" in err, err
    assert "Traceback" not in err


def test_loadtest_help_says_where_outputs_go_and_what_thresholds_mean(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["loadtest", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for said in ("summary.json (figures and verdict)", "Exit status: 0 passed, 1 a threshold",
                 "130 interrupted", "the run fails when the p99 latency in ms",
                 "0 to 1 (0.01 is 1%)", "10s, 2m, 1h30m"):
        assert said in text, said
