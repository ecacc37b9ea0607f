"""The scenario reference, generated from the pydantic schema in ``scenarios.schema``.

Two renderings of one source: ``json_schema()`` (JSON Schema, for ``eccc schema
scenario`` and for TOML editors that check and complete scenario files) and
``markdown()`` (docs/scenarios.md). Field descriptions come from the schema: a
field's ``description``, else the comment on its line (or the comment lines just
above it) in ``schema.py``, so the page says what the code says.
"""

from __future__ import annotations

import inspect
import json
import re
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from scenarios import network, schema
from scenarios.schema import Scenario, shipped

_FIELD = re.compile(r"^    (\w+): [^#]*?(?:#\s*(.*))?$")
_COMMENT = re.compile(r"^    #\s?(.*)$")

INTRO = """\
A scenario is a TOML file: the network, the volume, the people, the gateway, the care
centre and the faults of one what-if, plus the frequency policies to run. `eccc run NAME`
runs a shipped one (`scenarios/NAME.toml`), `eccc run path/to/file.toml` any other. Every
table rejects keys it does not know, and a bad value is reported with the file and the
field (`my.toml: network.facilities.2.capacity_per_hour: Input should be greater than 0`).
"""


def _comments(model: type[BaseModel]) -> dict[str, str]:
    """Field name -> the comment on its line, or the comment lines just above it."""
    found: dict[str, str] = {}
    above: list[str] = []
    for line in inspect.getsource(model).splitlines():
        comment = _COMMENT.match(line)
        if comment:
            above.append(comment.group(1).strip())
            continue
        field = _FIELD.match(line)
        if field and field.group(1) in model.model_fields:
            text = field.group(2) or " ".join(above)
            if text:
                found[field.group(1)] = text.strip()
        above = []
    return found


def _models() -> dict[str, type[BaseModel]]:
    return {name: obj for name, obj in vars(schema).items()
            if inspect.isclass(obj) and issubclass(obj, BaseModel) and obj.__module__ in
            (schema.__name__, network.__name__) and not name.startswith("_")}


@cache
def json_schema() -> dict[str, Any]:
    """The scenario file's JSON Schema (draft 2020-12), with every field described."""
    doc: dict[str, Any] = Scenario.model_json_schema(mode="validation")
    models = _models()
    parts = {"Scenario": doc, **doc.get("$defs", {})}
    for name, part in parts.items():
        model = models.get(name)
        if model is None:
            continue
        notes = _comments(model)
        for field, prop in part.get("properties", {}).items():
            if "description" not in prop and field in notes:
                prop["description"] = notes[field]
    doc["description"] = ("An eccc-sim scenario file (TOML): one what-if for `eccc run`. "
                          "Reference: docs/scenarios.md.")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "urn:eccc-sim:scenario", **doc}


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "const" in prop:
        return f"`{prop['const']!r}`".replace("'", '"')
    if "enum" in prop:
        return " \\| ".join(f'`"{v}"`' for v in prop["enum"])
    if "anyOf" in prop:
        kinds = [_type(p) for p in prop["anyOf"] if p.get("type") != "null"]
        return " or ".join(kinds)
    kind = prop.get("type")
    if kind == "array":
        if "prefixItems" in prop:
            return "[" + ", ".join(_type(p) for p in prop["prefixItems"]) + "]"
        return f"list of {_type(prop.get('items', {}))}"
    if kind == "object":
        return f"table of {_type(prop.get('additionalProperties', {}))}"
    names = {"number": "number", "integer": "integer", "string": "string",
             "boolean": "boolean"}
    if kind == "string" and prop.get("format") == "date":
        return "date"
    return names.get(str(kind), "any")


def _limits(prop: dict[str, Any]) -> str:
    signs = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<",
             "minLength": "length >=", "maxLength": "length <=", "minItems": "items >=",
             "pattern": "matches"}
    inner = next((p for p in prop.get("anyOf", []) if p.get("type") != "null"), prop)
    out = [f"{sign} `{inner[key]}`" if key == "pattern" else f"{sign} {inner[key]}"
           for key, sign in signs.items() if key in inner]
    return ", ".join(out)


def _default(model: type[BaseModel] | None, key: str, prop: dict[str, Any]) -> str:
    field = model.model_fields.get(key) if model is not None else None
    if field is None:
        return "required" if "default" not in prop else f"`{json.dumps(prop['default'])}`"
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "absent"
    if isinstance(value, BaseModel):
        return "its table's defaults"
    text = json.dumps(to_jsonable_python(value))
    return f"`{text}`" if len(text) <= 60 else f"`{text[:56]} ...`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def markdown() -> str:
    """docs/scenarios.md: every table and key of a scenario file."""
    doc = json_schema()
    defs = doc.get("$defs", {})
    order, queue = ["Scenario"], ["Scenario"]
    while queue:  # tables in the order a reader meets them, from the top of the file
        part = doc if queue[0] == "Scenario" else defs[queue[0]]
        queue.pop(0)
        for prop in part.get("properties", {}).values():
            for ref in re.findall(r"#/\$defs/(\w+)", repr(prop)):
                if ref not in order:
                    order.append(ref)
                    queue.append(ref)
    lines = [
        "# Scenario reference",
        "",
        "<!-- Generated by `make docs` (scenarios/reference.py) from scenarios/schema.py; "
        "tests/test_scenario_reference.py fails when it is out of date. -->",
        "",
        INTRO,
        "Shipped scenarios: " + ", ".join(f"`{n}`" for n in shipped()) + ". Defaults that "
        "rest on public figures are explained, with sources, in [facts.md](facts.md).",
        "",
        "## Checking scenario files in an editor",
        "",
        "`eccc schema scenario` prints this schema as JSON Schema; the same document is "
        "kept in [scenario.schema.json](scenario.schema.json). Editors that use the Taplo "
        "TOML toolkit (VS Code's Even Better TOML, Zed, Helix, `taplo check` on the command "
        "line) pick it up from the repository's `.taplo.toml`, which maps "
        "`scenarios/*.toml` to it, and then complete keys, show these descriptions and "
        "flag unknown keys and out-of-range values as you type. For a scenario file "
        "elsewhere, put this first line in it:",
        "",
        "```toml",
        "#:schema /path/to/eccc-sim/docs/scenario.schema.json",
        "```",
        "",
        "or write the schema next to it with `eccc schema scenario > scenario.schema.json`. "
        "The editor's check covers types, ranges and unknown keys; `eccc run` also checks "
        "what spans several fields (a facility named by a fault exists, a distribution "
        "has its parameters, the policies exist).",
        "",
    ]
    models = _models()
    for name in order:
        part = doc if name == "Scenario" else defs[name]
        title = "Scenario (the top level of the file)" if name == "Scenario" else name
        lines += [f"## {title}", ""] if name == "Scenario" else [
            f'<a id="{name.lower()}"></a>', "", f"## {title}", ""]
        if name != "Scenario" and part.get("description"):
            lines += [" ".join(part["description"].split()), ""]
        if "enum" in part:
            lines += ["One of " + _type(part) + ".", ""]
            continue
        lines += ["| key | type | default | limits | meaning |",
                  "| --- | --- | --- | --- | --- |"]
        for key, prop in part.get("properties", {}).items():
            default = _default(models.get(name), key, prop)
            lines.append(f"| `{key}` | {_cell(_type(prop))} | {_cell(default)} "
                         f"| {_cell(_limits(prop))} | {_cell(prop.get('description', ''))} |")
        lines.append("")
    return "\n".join(lines)
