"""The terminal's two-column table of flat metrics."""

from __future__ import annotations

from typing import Any


def format_table(rows: dict[str, Any], title: str = "") -> str:
    """A two-column text table for the terminal."""
    width = max((len(k) for k in rows), default=0)
    lines = [title] if title else []
    for key, value in rows.items():
        # None: a metric with nothing to measure (null in summary.json), not available
        shown = (f"{value:,}" if isinstance(value, int) else "n/a" if value is None
                 else str(value))
        lines.append(f"  {key:<{width}}  {shown:>12}")
    return "\n".join(lines)
