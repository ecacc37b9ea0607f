"""``eccc loadtest`` and plain Locust end to end: the real server, a few seconds of Locust."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from loadtests.process import ShimProcess

ROOT = Path(__file__).resolve().parent.parent
TRACE = ROOT / "scenarios" / "example_trace.jsonl"
RECORDS = sum(1 for line in TRACE.read_bytes().splitlines() if line.strip())


def loadtest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eccc.cli", "loadtest", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=150, check=False)


def rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as fh:
        return {f"{r['Type']} {r['Name']}".strip(): r for r in csv.DictReader(fh)}


def summary_of(out: Path) -> dict[str, object]:
    summary: dict[str, object] = orjson.loads((out / "summary.json").read_bytes())
    return summary


def agrees_with_locust(out: Path) -> None:
    """summary.json and Locust's own report give the same figures."""
    total = rows(out / "locust_stats.csv")["Aggregated"]
    summary = summary_of(out)
    assert summary["loadtest_requests"] == int(total["Request Count"])
    assert summary["loadtest_failures"] == int(total["Failure Count"])
    assert summary["loadtest_p50_ms"] == float(total["50%"])
    assert summary["loadtest_p99_ms"] == float(total["99%"])
    assert round(float(summary["loadtest_max_ms"])) == round(float(total["Max Response Time"]))  # type: ignore[arg-type]
    html = (out / "locust.html").read_text()
    assert f'"num_requests": {total["Request Count"]}' in html


@pytest.mark.slow
def test_surge_run_hits_every_actor_and_agrees_with_locust(tmp_path: Path) -> None:
    done = loadtest("--duration", "4", "--users", "8", "--out", str(tmp_path),
                    "--p99-ms", "3000", "--max-fail-ratio", "0.0")
    assert done.returncode == 0, done.stderr + (tmp_path / "locust.log").read_text()
    stats = rows(tmp_path / "locust_stats.csv")
    for name in ("POST /v1/events:batch (scan feed)", "POST /v1/events (opt-in)",
                 "POST /v1/sms/inbound", "GET /v1/parcels/[trackingNumber]"):
        assert int(stats[name]["Request Count"]) > 0, name
        assert int(stats[name]["Failure Count"]) == 0, name
    agrees_with_locust(tmp_path)
    summary = summary_of(tmp_path)
    assert summary["passed"] and summary["shim_inputs_total_scan"] > 0  # type: ignore[operator]
    # The shape's user counts are what the README says: at most --users, at least one
    # per actor; and Locust was given no argument it ignores.
    with (tmp_path / "locust_stats_history.csv").open(newline="") as fh:
        users = {int(r["User Count"]) for r in csv.DictReader(fh)}
    assert max(users) <= 8 and min(u for u in users if u) >= 4
    log = (tmp_path / "locust.log").read_text()
    assert "ignored" not in log and "run-time" not in log
    assert (tmp_path / "report.md").is_file()


@pytest.mark.slow
def test_replay_counts_each_request_once_from_its_intended_time(tmp_path: Path) -> None:
    done = loadtest("--shape", "trace", str(TRACE), "--duration", "4", "--batch-ms", "200",
                    "--processes", "2", "--out", str(tmp_path), "--max-fail-ratio", "0.0",
                    "--p99-ms", "8000", "--max-lag-ms", "2000")
    assert done.returncode == 0, done.stderr + (tmp_path / "locust.log").read_text()
    stats = rows(tmp_path / "locust_stats.csv")
    batches = int(stats["POST /v1/events:batch (trace)"]["Request Count"])
    assert 1 < batches < RECORDS
    assert set(stats) == {"POST /v1/events:batch (trace)", "Aggregated"}  # no second row
    assert int(stats["Aggregated"]["Request Count"]) == batches
    agrees_with_locust(tmp_path)
    summary = summary_of(tmp_path)
    # Both workers' schedule logs reached the master: every request and record is there.
    assert summary["fidelity_requests"] == batches
    assert summary["fidelity_records_intended"] == RECORDS
    assert summary["fidelity_records_dropped"] == 0
    assert summary["replay_processes"] == 2
    assert summary["loadtest_latency_from"] == "intended send time"
    assert 0 < summary["service_time_p50_ms"] <= summary["loadtest_p99_ms"]  # type: ignore[operator]
    accepted = sum(v for k, v in summary.items()  # type: ignore[misc]
                   if k.startswith("shim_inputs_total_") and k != "shim_inputs_total_wake")
    assert accepted == RECORDS
    per_second = orjson.loads((tmp_path / "fidelity.json").read_bytes())
    assert sum(per_second["intended"]) == sum(per_second["sent"]) == RECORDS
    assert (tmp_path / "fidelity.png").stat().st_size > 1000


@pytest.mark.slow
def test_a_replay_too_fast_for_the_machine_fails_on_fidelity(tmp_path: Path) -> None:
    # The week-long example trace in two seconds, one record per request: over 1,000/s.
    done = loadtest("--shape", "trace", str(TRACE), "--duration", "2", "--out", str(tmp_path),
                    "--p99-ms", "60000", "--max-fail-ratio", "1.0", "--max-lag-ms", "5")
    assert done.returncode == 1, done.stderr
    assert "schedule fidelity: send lag p99" in done.stderr
    assert "too fast for this load generator" in done.stderr
    summary = summary_of(tmp_path)
    assert summary["fidelity_send_lag_p99_ms"] > 5  # type: ignore[operator]
    assert summary["fidelity_late_requests"] > 0  # type: ignore[operator]
    assert not summary["passed"]


@pytest.mark.slow
def test_plain_locust_keeps_the_thresholds(tmp_path: Path) -> None:
    """No wrapper: Locust alone, with the project's arguments, exits 1 on a breach."""
    with ShimProcess(db=":memory:") as shim:
        cmd = [sys.executable, "-m", "locust", "-f", str(ROOT / "loadtests/locustfile_trace.py"),
               "--headless", "--host", shim.url, "--only-summary", "--trace", str(TRACE),
               "--batch-ms", "500", "--replay-seconds", "3", "--p99-ms", "0.001",
               "--summary-json", str(tmp_path / "summary.json")]
        env = {**os.environ, "ECCC_API_KEY": shim.api_key}
        done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True,
                              timeout=90, check=False)
    assert done.returncode == 1, done.stderr
    assert "threshold breached: p99" in done.stderr
    assert "--run-time" not in done.stderr
    summary = summary_of(tmp_path)
    assert summary["loadtest_failures"] == 0 and not summary["passed"]


@pytest.fixture(scope="module")
def peak_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small holiday_peak run with its trace (a few seconds)."""
    out = tmp_path_factory.mktemp("holiday_peak")
    subprocess.run([sys.executable, "-m", "eccc.cli", "run", "holiday_peak", "--scale",
                    "0.0005", "--days", "2", "--trace", "--quiet", "--out", str(out)],
                   cwd=ROOT, capture_output=True, check=True, timeout=300)
    return out


@pytest.mark.slow
def test_from_run_replays_the_busiest_hour_and_the_shim_agrees_with_the_model(
        peak_run: Path, tmp_path: Path) -> None:
    done = loadtest("--from-run", str(peak_run), "--speedup", "1200", "--out", str(tmp_path),
                    "--p99-ms", "5000", "--max-lag-ms", "1000")
    assert done.returncode == 0, done.stderr + (tmp_path / "locust.log").read_text()
    assert "plan: window" in done.stderr and "1 Locust process(es)" in done.stderr
    summary = summary_of(tmp_path)
    agrees_with_locust(tmp_path)
    window = [line for line in (tmp_path / "window.jsonl").read_bytes().splitlines() if line]
    assert summary["replay_window_records"] == len(window) == summary["loadtest_requests"]
    assert summary["replay_primed_records"] > 0  # type: ignore[operator]
    # The differential test at load: every text, suppression and hold the simulation's
    # engine produced for the window came back from the shim, and nothing else.
    assert summary["differential_identical"] is True
    assert summary["differential_expected_sms"] > 0  # type: ignore[operator]
    assert summary["differential_matched"] == summary["differential_expected"]
    model = orjson.loads((tmp_path / "model_vs_measured.json").read_bytes())
    assert {r["source"] for r in model} == {"simulation", "load test", "difference"}
    report = (tmp_path / "report.md").read_text()
    assert "## Schedule fidelity" in report and "## Model against measurement" in report
    assert (tmp_path / "model_vs_measured.png").stat().st_size > 1000


def test_the_settings_are_locust_arguments_shown_in_the_web_ui() -> None:
    """Locust's own parser, with the locustfiles' listener, knows the project's arguments
    (from the command line or ECCC_ variables) and marks the secrets for the web UI."""
    code = ("import loadtests.options\n"
            "from locust.argument_parser import get_parser\n"
            "p = get_parser()\n"
            "ui = p.args_included_in_web_ui\n"
            "print(sorted(ui), sorted(p.secret_args_included_in_web_ui))\n"
            "o = p.parse_args(['--trace', 't.jsonl', '--max-lag-ms', '7'])\n"
            "print(o.trace, o.max_lag_ms, o.peak_users, o.api_key)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False,
                          env={**os.environ, "ECCC_PEAK_USERS": "12", "ECCC_API_KEY": "k"})
    assert done.returncode == 0, done.stderr
    ui_line, values = done.stdout.strip().splitlines()[-2:]
    for name in ("trace", "speedup", "batch_ms", "p99_ms", "max_lag_ms", "peak_users",
                 "season_seconds", "api_key"):
        assert f"'{name}'" in ui_line.split("] [")[0], name
    assert "'start_epoch'" not in ui_line
    assert ui_line.split("] [")[1].startswith("'api_key', 'sms_auth_token'")
    assert values == "t.jsonl 7.0 12 k"


@pytest.mark.slow
def test_from_run_refuses_bad_input_clearly(tmp_path: Path) -> None:
    done = loadtest("--from-run", str(tmp_path), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "no trace; run the scenario with" in done.stderr
    (tmp_path / "summary.json").write_text('{"policies": "every_scan"}')
    (tmp_path / "trace.jsonl").write_text('{"kind":"wake","at":"2026-12-01T00:00:00Z"}\n')
    done = loadtest("--from-run", str(tmp_path), "--window", "tomorrow",
                    "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "--window 'tomorrow': expected START..END" in done.stderr
    done = loadtest("--from-run", str(tmp_path), "--window",
                    "2027-01-01T00:00:00Z..2027-01-01T01:00:00Z", "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "no record of the trace falls in it" in done.stderr
    (tmp_path / "trace.jsonl").write_text('{"kind":"wake"}\n')
    done = loadtest("--from-run", str(tmp_path), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "trace.jsonl:1: not a trace record" in done.stderr


def _processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line holds ``text`` (a run directory's path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if text in cmdline and state != "Z":
                found.append(int(entry.name))
    return found


def _start_loadtest(out: Path, *args: str) -> tuple[subprocess.Popen[str], int]:
    """``eccc loadtest`` running, once its shim answers: (the process, the shim's pid)."""
    proc = subprocess.Popen([sys.executable, "-m", "eccc.cli", "loadtest", "--out", str(out),
                             "--users", "4", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        shims = [pid for pid in _processes_mentioning(str(out / "shim.sqlite3"))
                 if pid != proc.pid]
        if shims and (out / "locust.log").is_file():
            time.sleep(2.0)  # Locust is under way
            return proc, shims[0]
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("the load test did not start")


@pytest.mark.slow
def test_a_shim_that_dies_mid_run_fails_it_and_old_files_are_not_reused(
        tmp_path: Path) -> None:
    # An earlier run's verdict and journal in the same directory: the journal (here
    # not even SQLite) was opened by the new shim, the verdict could outlive the run.
    (tmp_path / "summary.json").write_bytes(b'{"passed": true, "breaches": []}')
    (tmp_path / "shim.sqlite3").write_bytes(b"an earlier run's journal")
    proc, shim_pid = _start_loadtest(tmp_path, "--duration", "6", "--max-fail-ratio", "1",
                                     "--p99-ms", "100000")
    os.kill(shim_pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    summary = summary_of(tmp_path)
    assert summary["passed"] is False and summary["shim_exit_code"] == -9
    assert any("the shim exited (code -9)" in b for b in summary["breaches"])  # type: ignore[attr-defined]
    assert "the shim exited" in (tmp_path / "report.md").read_text()
    assert not (tmp_path / "INCOMPLETE").exists()  # a verdict, if a failing one


@pytest.mark.slow
def test_an_interrupted_load_test_stops_everything_and_says_incomplete(
        tmp_path: Path) -> None:
    proc, _ = _start_loadtest(tmp_path, "--duration", "30")
    proc.send_signal(signal.SIGINT)  # only the wrapper: Locust and the shim get nothing
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert f"{tmp_path}/ is incomplete" in err
    assert (tmp_path / "INCOMPLETE").is_file()
    assert not _processes_mentioning(str(tmp_path))  # no shim, no Locust left running
    if (tmp_path / "summary.json").is_file():  # Locust's, written as it was stopped
        summary = summary_of(tmp_path)
        assert summary["passed"] is False and summary["interrupted"] is True


@pytest.mark.slow
def test_sigterm_to_bench_http_stops_its_shim() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "eccc.cli", "bench", "http", "--seconds",
                             "1", "--rounds", "1"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    shims: list[int] = []
    while not shims and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        shims = [pid for pid in _processes_mentioning("eccc-bench-http-") if pid != proc.pid]
        time.sleep(0.1)
    assert shims, "the benchmark's shim did not start"
    proc.send_signal(signal.SIGTERM)  # a CI timeout: Python's default left the shim running
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
    assert not [pid for pid in shims if pid in _processes_mentioning("eccc-bench-http-")]
