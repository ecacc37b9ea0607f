"""Defects a probe of the command line found: each was a traceback, a silent exit 0 or a
result that looked complete when it was not. Every case is bad input: one line on stderr
naming what is wrong, exit 2, nothing half-written."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from eccc.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "example_trace.jsonl"
TUNE_BODY = '[objectives]\nminimize = ["opt_outs"]\n[[chain]]\nchoose = ["milestones"]\n'
BROKEN_PLUGINS = {
    "syntax": ("def f(:\n", "SyntaxError"),
    "runtime": ('raise RuntimeError("no")\n', "RuntimeError: no"),
    "exit0": ("raise SystemExit(0)\n", "SystemExit: 0"),
}


def study(tmp_path: Path, command: str, extra: str = "") -> Path:
    path = tmp_path / "s.toml"
    path.write_text('base = "tiny"\nreplications = 1\n' + extra
                    + (TUNE_BODY if command == "tune" else ""), encoding="utf-8")
    return path


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("kind", sorted(BROKEN_PLUGINS))
@pytest.mark.parametrize("command", ["sweep", "tune"])
def test_a_broken_plugin_in_a_study_file_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, kind: str) -> None:
    """A plug-in named in the file (not --plugin) that raised a SyntaxError or a
    RuntimeError on import was a traceback; SystemExit ended the command."""
    body, words = BROKEN_PLUGINS[kind]
    sub = tmp_path / "sub"
    sub.mkdir()
    (tmp_path / f"p_{kind}.py").write_text(body)
    path = study(sub, command, f'plugins = ["../p_{kind}.py"]\n')
    code = main([command, str(path), "--out", str(tmp_path / "out"), "--quiet",
                 "--workers", "1"])
    err = one_line(capsys)
    assert code == 2 and err.startswith(f"eccc {command}: {path}: plugins: ")
    assert f"p_{kind}.py" in err and words in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["replay", "run", "sweep"])
def test_a_plugin_raising_systemexit_is_a_plugin_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    """``replay --plugin`` of a file calling sys.exit(0) exited 0 with nothing said."""
    plugin = tmp_path / "quits.py"
    plugin.write_text("import sys\nsys.exit(0)\n")
    target = {"replay": str(EXAMPLE),
              "run": "tiny", "sweep": str(study(tmp_path, "sweep"))}[command]
    argv = [command, target, "--plugin", str(plugin)]
    code = main(argv + ([] if command == "replay" else ["--out", str(tmp_path / "out")]))
    err = one_line(capsys)
    assert code == 2 and f"--plugin {plugin}: SystemExit: 0" in err
    assert not (tmp_path / "out").exists()


DEEP = "x = " + "[" * 100_000 + "]" * 100_000 + "\n"


@pytest.mark.parametrize("command", ["sweep", "tune"])
def test_deeply_nested_toml_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        command: str) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(DEEP)
    code = main([command, str(path), "--out", str(tmp_path / "out")])
    err = one_line(capsys)
    assert code == 2 and err.startswith(f"eccc {command}: {path}: ") and "nested" in err


def test_deeply_nested_json_in_a_compared_run_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "summary.json").write_text("[" * 100_000 + "]" * 100_000)
    code = main(["compare", str(tmp_path / "a"), str(tmp_path / "b"),
                 "--out", str(tmp_path / "cmp")])
    err = one_line(capsys)
    assert code == 2 and "summary.json" in err and "nested" in err


@pytest.mark.parametrize(("command", "line", "field"), [
    ("tune", "[constraints]\nopt_out_rate_per_text = { max = nan }\n",
     "constraints.opt_out_rate_per_text.max: must be a finite number, not nan"),
    ("tune", "[constraints]\nopt_outs = { min = -inf }\n",
     "constraints.opt_outs.min: must be a finite number, not -inf"),
    ("sweep", '[set]\n"volume.daily_parcels" = inf\n',
     "set.volume.daily_parcels: must be a finite number, not inf"),
    ("sweep", '[[points]]\nlabel = "a"\ngrid = { days = [1, nan] }\n',
     "points[0].grid.days[1]: must be a finite number, not nan"),
])
def test_nan_and_inf_in_a_study_file_are_refused_naming_the_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, line: str,
        field: str) -> None:
    """A NaN constraint passed the checks and crashed Optuna after every trial had run."""
    path = tmp_path / "s.toml"
    head = 'base = "tiny"\nreplications = 1\n'
    body = TUNE_BODY if command == "tune" else ""
    # tables last: a [table] header swallows the keys after it
    path.write_text(head + body + line if line.startswith("[constraints]")
                    else head + line + body, encoding="utf-8")
    code = main([command, str(path), "--out", str(tmp_path / "out"), "--workers", "1"])
    err = one_line(capsys)
    assert code == 2 and err == f"eccc {command}: {path}: {field}\n"
    assert not (tmp_path / "out").exists()


def test_parsing_a_study_without_its_file_refuses_nan_too(tmp_path: Path) -> None:
    from research.sweepfile import SweepError, parse
    from research.tunefile import TuneError
    from research.tunefile import parse as parse_tune

    with pytest.raises(SweepError, match=r"set\.days: must be a finite number"):
        parse({"base": "tiny", "set": {"days": float("nan")}}, tmp_path / "x.toml")
    with pytest.raises(TuneError, match=r"constraints\.opt_outs\.max: must be a finite number"):
        parse_tune({"base": "tiny", "objectives": {"minimize": ["texts_total"]},
                    "constraints": {"opt_outs": {"max": float("inf")}},
                    "chain": [{"choose": ["milestones"]}]}, tmp_path / "x.toml")


@pytest.mark.parametrize("command", ["sweep", "tune"])
@pytest.mark.parametrize(("option", "value", "words"), [
    ("--workers", "-1", "--workers must be from 1 to 1024 (got -1"),
    ("--workers", "0", "--workers must be from 1 to 1024 (got 0"),
    ("--dask", "", "--dask needs a value, not an empty string"),
])
def test_bad_executor_options_are_refused_before_anything_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, option: str,
        value: str, words: str) -> None:
    """--workers -1 was a ValueError traceback after OUT was marked INCOMPLETE; --workers 0
    silently meant every core."""
    path = study(tmp_path, command)
    code = main([command, str(path), "--out", str(tmp_path / "out"), option, value])
    err = one_line(capsys)
    assert code == 2 and err.startswith(f"eccc {command}: {words}")
    assert not (tmp_path / "out").exists()


def test_a_local_pool_of_no_workers_is_an_error() -> None:
    from research.executors import LocalPool, make_executor

    with pytest.raises(ValueError, match="at least 1"):
        make_executor(0)
    assert LocalPool(None).workers >= 1


ROOT = Path(__file__).resolve().parents[1]


def eccc(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eccc", *argv], cwd=ROOT, text=True,
                          stderr=subprocess.PIPE, timeout=120, check=False, **kwargs)  # type: ignore[call-overload]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("argv", [["metrics"], ["schema", "trace"],
                                  ["replay", str(EXAMPLE), "--quiet"]])
def test_a_full_standard_output_is_one_line(argv: list[str]) -> None:
    """> /dev/full was an OSError (ENOSPC) traceback: the error has no file name."""
    with open("/dev/full", "w") as full:
        done = eccc(argv, stdout=full)
    assert done.returncode == 1, done.stderr
    assert done.stderr == (f"eccc {argv[0]}: cannot write to standard output: "
                           "No space left on device\n")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_out_file_is_named() -> None:
    done = eccc(["schema", "trace", "--out", "/dev/full"], stdout=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stderr == "eccc schema: /dev/full: No space left on device\n"


class _Failing(io.StringIO):
    def __init__(self, error: OSError) -> None:
        super().__init__()
        self.error = error

    def write(self, text: str) -> int:
        raise self.error


@pytest.mark.parametrize(("error", "code", "said"), [
    (BrokenPipeError(32, "Broken pipe"), 141, ""),
    (OSError(5, "Input/output error"),
     1, "eccc metrics: cannot write to standard output: Input/output error\n"),
])
def test_a_failing_standard_output_in_process(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: OSError,
        code: int, said: str) -> None:
    """A closed pipe (| head) ends quietly; any other failed write is one line."""
    failing = _Failing(error)
    monkeypatch.setattr(sys, "stdout", failing)
    assert main(["metrics"]) == code
    assert sys.stdout is failing  # put back as it was
    assert capsys.readouterr().err == said


@pytest.mark.parametrize("argv", [
    ["replay", str(EXAMPLE)], ["run", "tiny"], ["sweep", "x.toml"], ["tune", "x.toml"],
    ["compare", "a", "b"], ["schema", "trace"], ["loadtest"],
])
def test_an_empty_out_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    """--out "" was ignored: replay wrote nothing and exited 0, run wrote to runs/tiny-3."""
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--out", ""]) == 2
    assert one_line(capsys) == f"eccc {argv[0]}: --out needs a value, not an empty string\n"
    assert list(tmp_path.iterdir()) == []


def test_an_empty_plugin_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(EXAMPLE), "--plugin", "x.py", "--plugin", ""]) == 2
    assert one_line(capsys) == "eccc replay: --plugin needs a value, not an empty string\n"


def two_runs(tmp_path: Path, b: dict[str, float] | None = None) -> list[str]:
    import json

    runs = []
    for name, summary in (("a", {"texts_total": 10, "opt_outs": 1}),
                          ("b", b or {"texts_total": 12, "opt_outs": 1})):
        (tmp_path / name).mkdir()
        (tmp_path / name / "summary.json").write_text(json.dumps({"seed": 1, **summary}))
        runs.append(str(tmp_path / name))
    return runs


@pytest.mark.parametrize(("metric", "words"), [
    ("texts_totl", "--metric: unknown metric 'texts_totl'; did you mean 'texts_total'"),
    ("parcels_accepted", "--metric parcels_accepted: none of the runs measured it"),
])
def test_compare_refuses_a_metric_no_run_has(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], metric: str, words: str) -> None:
    """A metric in neither run was reported as '1 did not change'."""
    code = main(["compare", *two_runs(tmp_path), "--metric", metric,
                 "--out", str(tmp_path / "cmp")])
    assert code == 2 and one_line(capsys).startswith(f"eccc compare: {words}")
    assert not (tmp_path / "cmp").exists()


def test_compare_counts_a_repeated_metric_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compare", *two_runs(tmp_path), "--metric", "opt_outs", "--metric",
                 "opt_outs", "--out", str(tmp_path / "cmp")])
    out = capsys.readouterr().out
    assert code == 0 and "1 more metrics not shown (1 did not change;" in out
    assert (tmp_path / "cmp" / "differences.csv").read_text().count("opt_outs") == 1


def test_compare_says_a_metric_missing_from_one_run_is_missing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compare", *two_runs(tmp_path, {"texts_total": 12}),
                 "--out", str(tmp_path / "cmp")])
    out = capsys.readouterr().out
    assert code == 0 and "(0 did not change, 1 missing from a run;" in out


@pytest.mark.parametrize("where", ["a", "b", "sweep@0"])
def test_compare_refuses_an_unfinished_directory(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    """A run or sweep directory holding INCOMPLETE was compared as if complete."""
    runs = two_runs(tmp_path)
    target = tmp_path / where.split("@")[0]
    if where.startswith("sweep"):
        (target / "points").mkdir(parents=True)
        runs[1] = f"{target}@0"
    (target / "INCOMPLETE").write_text("not finished\\n")
    code = main(["compare", *runs, "--out", str(tmp_path / "cmp")])
    err = one_line(capsys)
    assert code == 2 and err.startswith(f"eccc compare: {target}: did not finish")
    assert not (tmp_path / "cmp").exists()


def test_compare_refuses_one_unfinished_replication(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = two_runs(tmp_path)
    group = tmp_path / "reps"
    for i in (1, 2):
        (group / f"r{i}").mkdir(parents=True)
        (group / f"r{i}" / "summary.json").write_text(f'{{"seed": {i}, "texts_total": 3}}')
    (group / "r2" / "INCOMPLETE").write_text("")
    assert main(["compare", runs[0], str(group), "--out", str(tmp_path / "cmp")]) == 2
    assert one_line(capsys).startswith(f"eccc compare: {group / 'r2'}: did not finish")


@pytest.mark.parametrize("argv", [
    ["tiny"],
    ["policy_all_vs_milestones", "--replications", "2"],
])
def test_a_new_run_removes_everything_an_earlier_run_wrote(
        tmp_path: Path, argv: list[str]) -> None:
    """Whatever a run of any kind writes, a run starting in its directory removes: a
    sharded run left the old context.json and figures beside its new summary. (A new
    output missing from sim.run's lists fails here.)"""
    from sim.run import INCOMPLETE, begin_run_dir

    out = tmp_path / "run"
    assert main(["run", *argv, "--days", "1", "--scale", "0.01", "--quiet",
                 "--out", str(out)]) == 0
    (out / "notes.txt").write_text("mine")  # not a run's: stays
    begin_run_dir(out)
    assert sorted(p.name for p in out.iterdir()) == [INCOMPLETE, "notes.txt"]


def test_a_sharded_run_into_an_old_run_dir_keeps_nothing_of_it(tmp_path: Path) -> None:
    out = tmp_path / "run"
    common = ["--days", "1", "--scale", "0.01", "--quiet", "--out", str(out)]
    assert main(["run", "tiny", *common]) == 0
    assert (out / "context.json").is_file() and list(out.glob("*.png"))
    assert main(["run", "tiny", "--shards", "2", "--workers", "1", "--seed", "9", *common]) == 0
    assert not (out / "context.json").exists() and not list(out.glob("*.png"))
    assert (out / "summary.json").is_file() and not (out / "INCOMPLETE").exists()


@pytest.mark.parametrize(("first", "then"), [("sweep", "tune"), ("tune", "sweep"),
                                             ("run", "sweep"), ("sweep", "run")])
def test_a_directory_of_one_kind_is_not_written_by_another(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], first: str, then: str) -> None:
    """tune --out SWEEP_DIR deleted the sweep's report and mixed points/."""
    out = tmp_path / "out"
    out.mkdir()
    sign = {"sweep": "plan.json", "tune": "study.db", "run": "summary.json"}[first]
    (out / sign).write_text("{}")
    if first == "sweep":
        (out / "report.html").write_text("the sweep's")
    target = "tiny" if then == "run" else str(study(tmp_path, then))
    code = main([then, target, "--out", str(out), "--workers", "1", "--quiet"])
    err = one_line(capsys)
    assert code == 2 and err.startswith(
        f"eccc {then}: --out {out} holds a {first} ({out / sign}); a {then} is not written")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [sign, *(["report.html"] if first == "sweep" else [])])


@pytest.mark.parametrize("code", ["555", "911", "211", "370", "999"])
def test_an_area_code_the_engine_refuses_is_refused_at_load(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], code: str) -> None:
    """area_codes = ["555"] passed the schema, then the run died on InvalidInput."""
    import tomllib

    from scenarios.schema import resolve

    text = resolve("tiny").read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("area_codes"))
    assert tomllib.loads(first)  # one region's line: replace its codes
    path = tmp_path / "sc.toml"
    path.write_text(text.replace(first, f'area_codes = ["{code}"]', 1), encoding="utf-8")
    code_ = main(["run", str(path), "--days", "1", "--out", str(tmp_path / "out")])
    err = one_line(capsys)
    assert code_ == 2 and f"area code {code} gives phones the engine refuses" in err
    assert "area_codes" in err and str(path) in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("given", "said"), [
    ("/", "/ is a directory, not a scenario file"),
    ("", "no scenario given (an empty name)"),
    ("tinyy", "tinyy.toml: no such scenario file; did you mean tiny?"),
    ("./tiny", "tiny is a directory, not a scenario file; the shipped scenario is tiny ("),
])
def test_scenario_names_that_are_no_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        given: str, said: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny").mkdir()
    assert main(["run", given, "--days", "1", "--out", str(tmp_path / "out")]) == 2
    err = one_line(capsys)
    assert err.startswith(f"eccc run: {said}") or (
        given == "tinyy" and err.startswith("eccc run: /") and said in err)
    assert not (tmp_path / "out").exists()


def test_a_directory_does_not_hide_a_shipped_scenario(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """mkdir tiny; eccc run tiny said 'tiny: no such scenario file (shipped: ..., tiny)'."""
    from scenarios.schema import SCENARIO_DIR, load

    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny").mkdir()
    assert load("tiny")._source == str(SCENARIO_DIR / "tiny.toml")
    (tmp_path / "mine.toml").write_text((SCENARIO_DIR / "tiny.toml").read_text())
    (tmp_path / "tiny.toml").mkdir()
    assert load("mine.toml")._source == "mine.toml"  # a local file still comes first


def test_metrics_names_with_a_group_must_be_of_it(capsys: pytest.CaptureFixture[str]) -> None:
    """--group was ignored when metrics were named; --group "" listed every group."""
    assert main(["metrics", "opt_outs", "--group", "volume"]) == 2
    assert one_line(capsys) == "eccc metrics: opt_outs is in group fatigue, not volume\n"
    assert main(["metrics", "opt_outs", "--group", "Fatigue"]) == 0
    assert "opt_outs" in capsys.readouterr().out
    assert main(["metrics", "--group", ""]) == 2
    assert one_line(capsys) == "eccc metrics: --group needs a value, not an empty string\n"


LIMIT = 2**63 - 1


@pytest.mark.parametrize(("command", "head"), [
    ("sweep", f"seed = {LIMIT}\nreplications = 2\n"),
    ("sweep", f"seed = {LIMIT - 5}\nreplications = 1\ncrn = false\n"
              "[[points]]\nlabel = \"a\"\n"),
    ("tune", f"seed = {LIMIT}\nreplications = 2\n"),
])
def test_seeds_whose_replications_pass_the_limit_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, head: str) -> None:
    """Replication r runs seed + r: seed 2**63-1 with 2 replications ran seed 2**63,
    which run --seed refuses (without CRN a point's seeds are offset by 1,000,003 too)."""
    path = tmp_path / "s.toml"
    path.write_text('base = "tiny"\n' + head + (TUNE_BODY if command == "tune" else ""),
                    encoding="utf-8")
    code = main([command, str(path), "--out", str(tmp_path / "out"), "--workers", "1"])
    err = one_line(capsys)
    assert code == 2 and "past 2**63-1" in err and err.startswith(f"eccc {command}: {path}: ")
    assert not (tmp_path / "out").exists()


def test_sweep_replications_option_and_run_replications_respect_the_limit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.toml"
    path.write_text(f'base = "tiny"\nseed = {LIMIT - 1}\nreplications = 2\n')
    assert main(["sweep", str(path), "--replications", "3", "--out", str(tmp_path / "o")]) == 2
    assert "past 2**63-1" in one_line(capsys)
    assert main(["run", "policy_all_vs_milestones", "--seed", str(LIMIT), "--replications",
                 "2", "--out", str(tmp_path / "o")]) == 2
    assert one_line(capsys).startswith(f"eccc run: seed {LIMIT} with --replications 2 runs")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("argv", "says"), [
    (["engine", "--scales", "5"],
     "--scales is an option of `eccc bench sim --national`, not of `eccc bench engine`"),
    (["engine", "--workers", "2"],
     "--workers is an option of `eccc bench sim --national`, not of `eccc bench engine`"),
    (["sim", "--national", "--scale", "0.5"],
     "--scale is an option of `eccc bench sim --horizon`, not of `eccc bench sim --national`"),
    (["http", "--inputs", "5"], "--inputs is an option of `eccc bench engine` or "
     "`eccc bench engine --soak`, not of `eccc bench http`"),
    (["sim", "--rounds", "3"], "--rounds is an option of `eccc bench http`, not of "
     "`eccc bench sim`"),
])
def test_bench_refuses_options_of_another_benchmark(
        argv: list[str], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    """They were ignored silently (bench engine --scales 5 ran the engine benchmark)."""
    assert main(["bench", *argv]) == 2
    assert one_line(capsys) == f"eccc bench: {says}\n"


@pytest.mark.parametrize("argv", [
    ["replay", str(EXAMPLE), "--quiet", "--out", "afile/x.jsonl"],
    ["replay", str(EXAMPLE), "--quiet", "--out", "afile/sub/x.jsonl"],
    ["run", "tiny", "--days", "1", "--quiet", "--out", "afile/x"],
    ["schema", "trace", "--out", "afile/x"],
])
def test_a_file_in_the_way_of_out_is_said_to_be_no_directory(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        argv: list[str]) -> None:
    """replay --out afile/x.jsonl said 'File exists'."""
    monkeypatch.chdir(tmp_path)
    Path("afile").write_text("mine")
    assert main(argv) == 2
    err = one_line(capsys)
    assert err.startswith(f"eccc {argv[0]}: ") and err.endswith(": afile is not a directory\n")
    assert Path("afile").read_text() == "mine"


def test_replay_out_to_a_pipe_writes_into_it_and_leaves_it_a_pipe(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--out /dev/null (any device or FIFO) was written beside it and moved over it: the
    device became a regular file."""
    import os
    import stat
    import threading

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code = main(["replay", str(EXAMPLE), "--quiet", "--out", str(fifo)])
    reader.join(timeout=60)
    capsys.readouterr()
    assert code == 0 and stat.S_ISFIFO(fifo.stat().st_mode)
    assert got and got[0].count(b"\n") > 0
    assert not (tmp_path / "fifo.partial").exists()


def test_a_load_test_directory_is_cleared_of_an_earlier_tests_files(tmp_path: Path) -> None:
    """A load test into an earlier one's directory kept its report, figures and shim
    journal (which the new shim would have resumed) beside the new files."""
    pytest.importorskip("httpx")
    from loadtests.loadtest import LOADTEST_DIRS, LOADTEST_FILES, run_dir

    out = tmp_path / "lt"
    out.mkdir()
    for name in (*LOADTEST_FILES, "locust_stats.csv", "locust_failures.csv", "notes.txt"):
        (out / name).write_text("old")
    for name in LOADTEST_DIRS:
        (out / name).mkdir()
        (out / name / "x.jsonl").write_text("old")
    assert run_dir(str(out), "surge") == out
    # what is left: the user's own file, and the mark that this test has not finished
    assert sorted(p.name for p in out.iterdir()) == ["INCOMPLETE", "notes.txt"]


def test_a_load_test_is_not_written_into_a_run(tmp_path: Path) -> None:
    pytest.importorskip("httpx")
    from loadtests.loadtest import run_dir

    (tmp_path / "series.csv").write_text("old")
    (tmp_path / "summary.json").write_text("{}")
    with pytest.raises(ValueError, match="holds a simulation run"):
        run_dir(str(tmp_path), "surge")
    assert (tmp_path / "summary.json").is_file()
