"""The generated pages of docs/: ``python -m eccc.docs`` (``make docs``) rewrites them.

Each page is a function of the code it documents, so the page cannot drift:
tests/test_scenario_reference.py fails when a committed page differs from what its
function returns now. Add a page by adding its path and function to ``PAGES``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from scenarios import reference

ROOT = Path(__file__).resolve().parents[1]


def _json(doc: dict[str, object]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _trace_schema() -> str:
    return (ROOT / "engine" / "trace-v1.schema.json").read_text(encoding="utf-8")


def _metrics() -> str:
    from reports.glossary import markdown

    return markdown() + "\n"


PAGES: dict[str, Callable[[], str]] = {
    "docs/metrics.md": _metrics,  # the metric registry (reports/registry.py)
    "docs/scenarios.md": reference.markdown,
    "docs/trace-v1.schema.json": _trace_schema,  # the source ships in engine/ (package data)
    "docs/scenario.schema.json": lambda: _json(reference.json_schema()),
}


def write(root: Path = ROOT) -> list[str]:
    """Rewrite every generated page under ``root``; the paths that changed."""
    changed = []
    for rel, render in PAGES.items():
        path = root / rel
        text = render()
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(rel)
    return changed


if __name__ == "__main__":
    for rel in write():
        print(f"wrote {rel}", file=sys.stderr)
