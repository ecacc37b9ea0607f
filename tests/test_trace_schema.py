"""The trace format's JSON Schema (docs/trace-v1.schema.json) against what the code writes.

The shipped example trace, the trace ``eccc run --trace`` writes and the outputs
``eccc replay --out`` writes must all validate; records the schema refuses for a
missing field or a time without an offset are refused by the engine's reader too.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator

from eccc.cli import main
from engine.errors import InvalidInput
from engine.inputs import CHANNELS, OPTIONS, RECEIPT_STATUSES
from engine.records import to_input

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "docs" / "trace-v1.schema.json").read_text(encoding="utf-8"))
DEFS = SCHEMA["$defs"]


def _validator(part: str | None = None) -> Draft202012Validator:
    schema = SCHEMA if part is None else {**SCHEMA, "oneOf": [{"$ref": f"#/$defs/{part}"}]}
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, path: Path) -> list[str]:
    bad = []
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        for err in validator.iter_errors(orjson.loads(line)):
            bad.append(f"{path.name}:{number}: {err.message}")
    return bad


def _kinds(path: Path) -> Counter[str]:
    return Counter(orjson.loads(line)["kind"] for line in path.read_bytes().splitlines())


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)


def test_the_enums_are_the_engines() -> None:
    assert DEFS["subscribe"]["properties"]["channel"]["enum"] == list(CHANNELS)
    assert DEFS["subscribe"]["properties"]["options"]["items"]["enum"] == list(OPTIONS)
    assert DEFS["receipt"]["properties"]["status"]["enum"] == list(RECEIPT_STATUSES)


def test_the_example_trace_validates() -> None:
    path = ROOT / "scenarios" / "example_trace.jsonl"
    assert _errors(_validator("input"), path) == []
    assert set(_kinds(path)) >= {"scan", "subscribe", "sms_in"}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("trace") / "run"
    assert main(["run", "tiny", "--days", "0.5", "--trace", "--quiet", "--out", str(out)]) == 0
    return out


def test_eccc_run_trace_validates(run_dir: Path) -> None:
    trace = run_dir / "trace.jsonl"
    assert _errors(_validator("input"), trace) == []
    assert {"scan", "subscribe", "sms_in", "receipt"} <= set(_kinds(trace))


@pytest.mark.parametrize("policies", [
    ["every_scan"],
    ["milestones", "quiet_hours", "cap_rolling:limit=3", "digest:minutes=60"],
])
def test_eccc_replay_outputs_validate(run_dir: Path, tmp_path: Path,
                                      policies: list[str]) -> None:
    out = tmp_path / "outputs.jsonl"
    argv = ["replay", str(run_dir / "trace.jsonl"), "--quiet", "--json", "--out", str(out)]
    for p in policies:
        argv += ["--policy", p]
    assert main(argv) == 0
    assert _errors(_validator("output"), out) == []
    assert {"sms", "reply", "suppressed"} <= set(_kinds(out))


GOOD: dict[str, Any] = {"kind": "scan", "at": "2026-12-14T09:31:00-07:00",
                        "trackingNumber": "9400111899223456789012", "eventCode": "OF"}


@pytest.mark.parametrize(("change", "engine_refuses"), [
    ({"at": "2026-12-14T09:31:00"}, True),        # no offset
    ({"at": "noon"}, True),
    ({"trackingNumber": None}, True),             # required
    ({"eventCode": 7}, True),
    ({"kind": "scanned"}, True),
    ({"expectedDelivery": "15 December"}, True),
    ({"evenCity": "DENVER"}, False),              # a typo: the schema is strict, readers lenient
])
def test_the_schema_refuses_broken_records(change: dict[str, Any], engine_refuses: bool) -> None:
    record = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    assert _validator().is_valid(GOOD)
    assert not _validator().is_valid(record)
    if engine_refuses:
        with pytest.raises(InvalidInput):
            to_input(record)


def test_the_fields_the_reader_skips_the_nesting_check_for_are_the_schemas() -> None:
    """A record holding only its kind's fields skips the nesting walk, because the reader
    checks each of those for its type: a field listed there and not read would let a
    deep value through."""
    from engine.records import _FIELDS

    assert {kind: set(fields) for kind, fields in _FIELDS.items()} == {
        kind: set(DEFS[kind]["properties"]) for kind in _FIELDS}
    at = "2026-12-14T09:00:00Z"
    valid = {
        "scan": {"kind": "scan", "at": at, "trackingNumber": "EA123456789US",
                 "eventCode": "10"},
        "subscribe": {"kind": "subscribe", "at": at, "trackingNumber": "EA123456789US",
                      "phone": "+13035550123"},
        "sms_in": {"kind": "sms_in", "at": at, "from": "+13035550123", "body": "STOP"},
        "receipt": {"kind": "receipt", "at": at, "messageId": "m1", "status": "delivered"},
        "wake": {"kind": "wake", "at": at},
    }
    for kind, fields in _FIELDS.items():
        to_input(valid[kind])
        for name in fields - {"kind"}:
            with pytest.raises(InvalidInput) as refused:
                to_input({**valid[kind], name: [[[]]]})
            assert refused.value.field == name, (kind, name)
