"""``eccc schema scenario|trace``: the JSON Schemas of the files eccc reads.

``scenario`` is generated from the pydantic schema (scenarios/reference.py), so a
TOML editor can complete and check scenario files (docs/scenarios.md says how);
``trace`` is the trace format v1 (docs/trace-format.md), shipped with the package.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from typing import Any


def trace_schema() -> dict[str, Any]:
    """The trace format v1 JSON Schema (a copy of docs/trace-v1.schema.json)."""
    text = resources.files("engine").joinpath("trace-v1.schema.json").read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def _cmd_schema(args: argparse.Namespace) -> int:
    from scenarios.reference import json_schema

    doc = json_schema() if args.what == "scenario" else trace_schema()
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if args.out:
        try:
            with open(args.out, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:  # a full disk shows at close, with no file name: give it one
            raise OSError(exc.errno, exc.strerror or str(exc), args.out) from None
    else:
        sys.stdout.write(text)
    return 0


def add_commands(sub: Any) -> None:
    sp = sub.add_parser(
        "schema", help="print the JSON Schema of scenario files or of trace records",
        description="Print the JSON Schema (draft 2020-12) of a scenario file (for TOML "
        "editors: see docs/scenarios.md) or of one trace record (docs/trace-format.md).")
    sp.add_argument("what", choices=["scenario", "trace"])
    sp.add_argument("--out", metavar="FILE", help="write it here instead of stdout")
    sp.set_defaults(func=_cmd_schema)
