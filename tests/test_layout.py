"""The rooms of the house and the one direction imports point.

engine <- scenarios <- sim <- reports <- research <- bench <- eccc, and
engine <- loadtests <- bench <- eccc: each package may import only the
packages listed for it below (and the standard library and third parties).
The command line (``eccc``) is the only package that imports every driver, so
no driver imports another.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

ALLOWED: dict[str, set[str]] = {
    "engine": set(),
    "scenarios": {"engine"},
    "sim": {"engine", "scenarios"},
    "reports": {"engine", "scenarios", "sim"},
    "research": {"engine", "scenarios", "sim", "reports"},
    "loadtests": {"engine", "scenarios"},
    "bench": {"engine", "scenarios", "sim", "reports", "research", "loadtests"},
    "eccc": {"engine", "scenarios", "sim", "reports", "research", "loadtests", "bench"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(ALLOWED)


def _modules() -> list[Path]:
    return sorted(p for pkg in ALLOWED for p in (ROOT / pkg).rglob("*.py"))


def test_every_package_is_a_room() -> None:
    packaged = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    assert packaged == set(ALLOWED), "a new package needs its place in ALLOWED"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_one_way(path: Path) -> None:
    room = path.relative_to(ROOT).parts[0]
    wrong = _imports(path) - ALLOWED[room] - {room}
    assert not wrong, f"{path.relative_to(ROOT)} ({room}) must not import {sorted(wrong)}"
