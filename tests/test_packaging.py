"""Packaging by need: the core install runs the main commands; the others name their extra.

The core path is checked in a child process where every module of the optional
extras is blocked (importing one raises ImportError, as on a machine without it),
so a module-level import of Starlette, Locust, httpx or Dask anywhere on the way
to ``eccc run``, ``replay``, ``sweep`` or ``compare`` fails this test.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from eccc import extras
from eccc.cli import main

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# What the extras bring besides their own modules (gevent comes with Locust, etc.).
BLOCKED = sorted({m for mods in extras.EXTRAS.values() for m in mods}
                 | {"gevent", "zmq", "flask", "dask", "jsonschema", "schemathesis"})


def _block(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``modules`` look uninstalled: ``sys.modules[name] = None`` fails every import."""
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.parametrize(("argv", "extra"), [
    (["serve", "--db", ":memory:"], "http"),
    (["loadtest", "--duration", "1"], "http"),
    (["bench", "http"], "http"),
    (["sweep", "scenarios/sweeps/policy_frontier.toml", "--dask", "local"], "dask"),
    (["tune", "scenarios/sweeps/policy_frontier.toml"], "tune"),
])
def test_a_command_without_its_extra_says_which_to_install(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        argv: list[str], extra: str) -> None:
    blocked = extras.EXTRAS[extra][-1]
    _block(monkeypatch, blocked)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"[{extra}] extra" in err and blocked in err
    assert f"pip install 'eccc-sim[{extra}]'" in err


def test_missing_names_only_what_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    assert extras.missing("http", "eccc serve") is None  # the dev install has everything
    _block(monkeypatch, "locust", "httpx")
    message = extras.missing("http", "eccc serve")
    assert message is not None
    assert "not installed: httpx, locust)" in message
    assert extras.missing("dask", "eccc sweep --dask") is None


def test_every_extra_module_is_declared_in_its_extra() -> None:
    declared = {name: " ".join(reqs).lower().replace("-", "_")
                for name, reqs in PYPROJECT["project"]["optional-dependencies"].items()}
    for extra, modules in extras.EXTRAS.items():
        for module in modules:
            assert module.lower() in declared[extra], (extra, module)
    # make test installs everything: the dev extra pulls in all the others.
    assert any(r.startswith("eccc-sim[") and all(e in r for e in extras.EXTRAS)
               for r in PYPROJECT["project"]["optional-dependencies"]["dev"])
    core = " ".join(PYPROJECT["project"]["dependencies"]).lower()
    for heavy in ("starlette", "uvicorn", "httpx", "locust", "distributed", "optuna", "pytest"):
        assert heavy not in core, heavy


def test_the_core_commands_run_without_any_extra(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys
        for name in {BLOCKED!r}:
            sys.modules[name] = None
        from eccc.cli import main
        out = {str(tmp_path)!r}
        assert main(["run", "tiny", "--days", "0.5", "--trace", "--quiet",
                     "--out", out + "/run"]) == 0
        assert main(["replay", out + "/run/trace.jsonl", "--quiet", "--json",
                     "--out", out + "/outputs.jsonl"]) == 0
        assert main(["run", "tiny", "--days", "0.5", "--seed", "2", "--quiet",
                     "--out", out + "/run2"]) == 0
        assert main(["compare", out + "/run", out + "/run2", "--out", out + "/cmp"]) == 0
        assert main(["sweep", "--help"]) == 0
    """)
    sweep = tmp_path / "s.toml"
    sweep.write_text(textwrap.dedent("""
        name = "core"
        base = "tiny"
        replications = 1
        metrics = ["texts_total"]
        [set]
        days = 0.25
        [[points]]
        policies = ["every_scan"]
        [[points]]
        policies = ["milestones"]
    """))
    script = script.replace('assert main(["sweep", "--help"]) == 0',
                            f'assert main(["sweep", {str(sweep)!r}, "--workers", "1", '
                            f'"--quiet", "--out", out + "/sweep"]) == 0')
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "sweep" / "points.csv").is_file()
    for name in BLOCKED:  # and nothing slipped in through another name
        assert f"No module named '{name}'" not in done.stderr


def _glob(path: str, pattern: str) -> bool:
    """setuptools' package-data match: ``*`` stays inside one folder."""
    import fnmatch

    names, globs = path.split("/"), pattern.split("/")
    return len(names) == len(globs) and all(map(fnmatch.fnmatchcase, names, globs))


def test_every_shipped_data_file_is_in_the_package() -> None:
    """Each tracked non-Python file inside a package is matched by its package-data globs
    (else a plain ``pip install`` would leave it behind) and its folder is a listed package."""
    setuptools = PYPROJECT["tool"]["setuptools"]
    packages, data = set(setuptools["packages"]), setuptools["package-data"]
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.split()
    missing = []
    for name in listed:
        parts = Path(name).parts
        if parts[0] not in packages or name.endswith(".py"):
            continue
        folder = ".".join(parts[:-1])
        relative = "/".join(parts[1:])
        if folder not in packages or not any(_glob(relative, g) for g in data.get(parts[0], [])):
            missing.append(name)
    assert missing == []
