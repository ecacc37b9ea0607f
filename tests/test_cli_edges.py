"""Sharp edges of the command line: each asserts the exit code and the message."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from eccc.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "scenarios" / "example_trace.jsonl"
PLUGIN = '''
from engine.policies import Drop, Policy, register

@register
class WeekdaysOnly(Policy):
    name = "weekdays_only"
    def check(self, notice, now):
        return Drop("weekend") if (now // 86400 + 3) % 7 >= 5 else None
'''


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    got = capsys.readouterr()
    return code, got.out, got.err


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--scale", "0", "--scale must be greater than 0 (got 0)"),
    ("--scale", "-1", "--scale must be greater than 0 (got -1)"),
    ("--days", "0", "--days must be greater than 0 (got 0)"),
    ("--days", "-2", "--days must be greater than 0 (got -2)"),
    ("--replications", "0", "--replications must be at least 1"),
])
def test_run_refuses_non_positive_sizes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        option: str, value: str, message: str) -> None:
    code, _, err = run(["run", "tiny", option, value, "--out", str(tmp_path / "r")], capsys)
    assert code == 2 and message in err
    assert not (tmp_path / "r").exists()


def test_run_bad_policy_is_a_clean_message(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["run", "tiny", "--policy", "sometimes", "--out", str(tmp_path)],
                       capsys)
    assert code == 2
    assert err.startswith("eccc run: --policy: unknown policy 'sometimes'")
    assert "Traceback" not in err


def test_policy_parameter_typo_lists_the_valid_ones(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["run", "tiny", "--policy", "cap_rolling:limt=3", "--out",
                        str(tmp_path)], capsys)
    assert code == 2
    assert ("unknown parameter 'limt' (did you mean 'limit'?); cap_rolling takes: limit, hours"
            in err)
    code, _, err = run(["replay", str(EXAMPLE), "--policy", "quiet_hours:mod=drop"], capsys)
    assert code == 2 and "did you mean 'mode'?" in err and "TypeError" not in err


def test_replications_need_a_counterfactual(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["run", "tiny", "--replications", "3", "--out", str(tmp_path)], capsys)
    assert code == 2 and "tiny has none" in err


def test_plugin_works_on_run_and_replay(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    plugin = tmp_path / "my_policy.py"
    plugin.write_text(PLUGIN)
    code, out, err = run(["run", "tiny", "--days", "1", "--plugin", str(plugin), "--policy",
                          "milestones", "--policy", "weekdays_only", "--quiet", "--out",
                          str(tmp_path / "r")], capsys)
    assert code == 0, err
    s = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert s["policies"] == "milestones,weekdays_only"
    code, out, err = run(["replay", str(EXAMPLE), "--plugin", str(plugin), "--policy",
                          "weekdays_only"], capsys)
    assert code == 0, err
    assert "weekdays_only" in out


@pytest.mark.parametrize("command", ["run", "replay", "serve"])
def test_missing_plugin_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      command: str) -> None:
    argv = {"run": ["run", "tiny"], "replay": ["replay", str(EXAMPLE)],
            "serve": ["serve", "--db", str(tmp_path / "db")]}[command]
    code, _, err = run([*argv, "--plugin", str(tmp_path / "nope.py")], capsys)
    assert code == 2 and f"eccc {command}: --plugin {tmp_path / 'nope.py'}: no such file" in err


def test_replay_reads_gzip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain_code, plain_out, _ = run(["replay", str(EXAMPLE), "--json"], capsys)
    gz = tmp_path / "trace.jsonl.gz"
    gz.write_bytes(gzip.compress(EXAMPLE.read_bytes()))
    code, out, err = run(["replay", str(gz), "--json"], capsys)
    assert code == plain_code == 0 and err == ""
    assert json.loads(out) == json.loads(plain_out)
    assert json.loads(out)["inputs_accepted"] > 0


def test_replay_refuses_binary_and_directories(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    blob = tmp_path / "photo.jpg"
    blob.write_bytes(bytes(range(256)) * 40)
    code, _out, err = run(["replay", str(blob)], capsys)
    assert code == 2 and "binary data, not a trace" in err and "not valid JSON" not in err
    code, _, err = run(["replay", str(tmp_path)], capsys)
    assert code == 2 and "is a directory" in err
    broken = tmp_path / "broken.gz"
    broken.write_bytes(gzip.compress(EXAMPLE.read_bytes())[:60])
    code, _, err = run(["replay", str(broken)], capsys)
    assert code == 2 and "unreadable compressed data" in err


def test_replay_with_nothing_accepted_fails(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello\nthis is not json\n")
    code, _, err = run(["replay", str(text)], capsys)
    assert code == 1 and "no record of" in err and "was accepted (2 bad)" in err


def test_help_shows_defaults_everywhere() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():  # type: ignore[union-attr]
        text = command.format_help().split("\noptions:", 1)[1]
        for action in command._actions:
            if (action.default in (None, False) or not action.option_strings
                    or action.dest == "help"):
                continue
            flag = action.option_strings[-1]
            after = text.split(f"  {flag}", 1)[1]
            nxt = after.find("\n  -")
            assert "default" in (after[:nxt] if nxt > 0 else after), (name, flag)


def test_replay_out_never_loses_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--out the trace itself is refused; a refused trace or policy leaves an earlier
    file of that name as it was; a finished replay replaces it."""
    trace = tmp_path / "t.jsonl"
    trace.write_bytes(EXAMPLE.read_bytes())
    code, _, err = run(["replay", str(trace), "--out", str(trace)], capsys)
    assert code == 2 and "the trace itself" in err
    assert trace.read_bytes() == EXAMPLE.read_bytes()
    old = tmp_path / "o.jsonl"
    old.write_text("earlier outputs\n")
    code, _, err = run(["replay", str(trace), "--out", str(old), "--policy", "nosuch"], capsys)
    assert code == 2 and old.read_text() == "earlier outputs\n"
    blob = tmp_path / "photo.jpg"
    blob.write_bytes(bytes(range(256)) * 40)
    code, _, _ = run(["replay", str(blob), "--out", str(old)], capsys)
    assert code == 2 and old.read_text() == "earlier outputs\n"
    code, _, _ = run(["replay", str(trace), "--out", str(old)], capsys)
    assert code == 0 and old.read_text().startswith("{") and not list(tmp_path.glob("*.partial"))
    code, _, err = run(["replay", str(trace), "--out", str(tmp_path)], capsys)
    assert code == 2 and "a directory" in err


@pytest.mark.parametrize("name", ["../../etc/evil", "/tmp/abs", "", ".hidden", "a" * 81,
                                  "a b", "x/y"])
def test_a_scenario_name_must_be_a_directory_name(tmp_path: Path, name: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    text = (Path(__file__).resolve().parents[1] / "scenarios" / "tiny.toml").read_text(
        encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('name = "tiny"', f"name = {json.dumps(name)}", 1),
                   encoding="utf-8")
    code, _, err = run(["run", str(bad), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and "name" in err and str(bad) in err


@pytest.mark.parametrize(("argv", "message"), [
    (["run", "tiny", "--scale", "inf"], "--scale must be at most 100"),
    (["run", "tiny", "--scale", "1e300"], "--scale must be at most 100"),
    (["run", "tiny", "--days", "inf"], "--days must be at most 366"),
    (["run", "tiny", "--seed", "-1"], "--seed must be from 0"),
    (["run", "tiny", "--seed", "18446744073709551616"], "--seed must be from 0"),
    (["run", "tiny", "--progress-s", "nan"], "--progress-s must be from 0 to 86400"),
    (["run", "tiny", "--progress-s", "-1"], "--progress-s must be from 0 to 86400"),
    (["run", "tiny", "--shards", "100000"], "--shards must be from 1 to 1024"),
    (["run", "tiny", "--replications", "100000"], "--replications must be at most"),
    (["replay", str(EXAMPLE), "--max-errors", "-1"], "--max-errors must be 0 or more"),
    (["compare", "a", "b", "--top", "-1"], "--top must be 0"),
])
def test_options_out_of_range_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          argv: list[str], message: str) -> None:
    code, _, err = run([*argv, *(["--out", str(tmp_path / "o")] if argv[0] == "run" else [])],
                       capsys)
    assert code == 2 and message in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["run", "tiny", "--quiet"], ["schema", "trace"],
                                  ["replay", str(EXAMPLE)]])
def test_an_out_path_that_cannot_be_written_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    code, _, err = run([*argv, "--out", str(blocker / "inside")], capsys)
    assert code == 2 and "Traceback" not in err
    assert err.strip().startswith(f"eccc {argv[0]}: ") and len(err.strip().splitlines()) == 1


def test_replay_of_an_empty_trace_says_so(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    code, _, err = run(["replay", str(empty)], capsys)
    assert code == 1 and "holds no records" in err
