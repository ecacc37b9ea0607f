"""The scenario reference and the generated pages of docs/ against the code.

docs/scenarios.md and docs/scenario.schema.json are functions of scenarios/schema.py
(docs/trace-v1.schema.json a copy of the one the package ships); each must equal what
its function returns now (``make docs`` rewrites them). The exported JSON Schema must
accept every shipped scenario and refuse what pydantic refuses for a key or a range.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from eccc.cli import main
from eccc.docs import PAGES, write
from scenarios.reference import _models, json_schema, markdown
from scenarios.schema import SCENARIO_DIR, ScenarioError, parse, shipped

ROOT = Path(__file__).resolve().parents[1]


def _as_json(value: Any) -> Any:
    """TOML values as an editor's JSON view of them (dates and times as strings)."""
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value


def _toml(name: str) -> dict[str, Any]:
    return tomllib.loads((SCENARIO_DIR / f"{name}.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", sorted(PAGES))
def test_generated_pages_are_up_to_date(page: str) -> None:
    committed = (ROOT / page).read_text(encoding="utf-8")
    assert committed == PAGES[page](), f"{page} is out of date: run `make docs`"


def test_write_rewrites_only_what_changed(tmp_path: Path) -> None:
    assert sorted(write(tmp_path)) == sorted(PAGES)
    assert write(tmp_path) == []


def test_the_schema_is_valid_json_schema() -> None:
    Draft202012Validator.check_schema(json_schema())


@pytest.mark.parametrize("name", shipped())
def test_every_shipped_scenario_passes_the_exported_schema(name: str) -> None:
    errors = [e.message for e in Draft202012Validator(json_schema()).iter_errors(
        _as_json(_toml(name)))]
    assert errors == []


@pytest.mark.parametrize(("path", "value"), [
    (("days",), -2),                                   # out of range
    (("dayz",), 3),                                    # misspelt key
    (("gateway", "failure"), 1.5),
    (("network", "facilities", 0, "kind"), "plant"),   # not one of the kinds
    (("customers", "fatigue", "slope"), "steep"),      # wrong type
])
def test_the_schema_refuses_what_the_loader_refuses(path: tuple[Any, ...], value: Any) -> None:
    data = _toml("tiny")
    target: Any = data
    for key in path[:-1]:
        target = target.setdefault(key, {}) if isinstance(key, str) else target[key]
    target[path[-1]] = value
    assert not Draft202012Validator(json_schema()).is_valid(_as_json(data))
    with pytest.raises(ScenarioError):
        parse(data, "tiny.toml")


def test_every_key_is_described() -> None:
    """A new field needs a comment (or a description): the reference shows it."""
    doc = json_schema()
    parts = {"Scenario": doc, **doc["$defs"]}
    bare = [f"{name}.{key}" for name, part in parts.items() if name in _models()
            or name == "Scenario" for key, prop in part.get("properties", {}).items()
            if not prop.get("description")]
    assert bare == []


def test_the_reference_shows_every_table_and_key() -> None:
    page = markdown()
    for name, model in _models().items():
        if name == "Scenario":
            continue
        assert f"## {name}" in page
        for key in model.model_fields:
            assert f"| `{key}` |" in page, (name, key)


def test_eccc_schema_prints_the_schemas(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    assert main(["schema", "scenario"]) == 0
    assert json.loads(capsys.readouterr().out) == json_schema()
    out = tmp_path / "trace.json"
    assert main(["schema", "trace", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == (
        ROOT / "docs" / "trace-v1.schema.json").read_text(encoding="utf-8")
