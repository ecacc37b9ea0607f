"""The run report: read a run directory, draw its figures, write ``report.html``.

``render_run`` is the whole public surface for one run (``reports.compare``
puts several runs side by side). Reading is forgiving on purpose: a report is
most needed when a run went wrong, so a missing file, a missing column or a
malformed value makes its section say "not available in this run" instead of
raising. Output is deterministic: the same run directory gives byte-identical
PNGs and HTML (no timestamps, no absolute paths, fixed image metadata).
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from reports import figures, html

SUMMARY = "summary.json"
SERIES = "series.csv"
DISTRIBUTIONS = "distributions.json"
DIAGNOSTICS = "diagnostics.txt"
REPORT = "report.html"
CONTEXT = "context.json"
WHAT_CHANGED = "what_changed.json"
COUNTERFACTUAL = "counterfactual"


@dataclass
class RunData:
    """What a run directory holds, already parsed; empty where a file was missing."""

    summary: dict[str, Any] = field(default_factory=dict)
    # Hour starts (UTC) when series.csv has a parseable ``hour`` column, else None
    # and the figures fall back to "hours since start".
    hours: list[datetime] | None = None
    series: dict[str, np.ndarray] = field(default_factory=dict)
    distributions: dict[str, Any] = field(default_factory=dict)
    diagnostics: str | None = None
    # Human-readable notes on files that were missing or unreadable.
    problems: list[str] = field(default_factory=list)
    # context.json: the scenario's local time zone and its what-if windows
    # (start, end, label), to draw time axes in local time and shade the windows.
    zone: str | None = None
    windows: list[tuple[datetime, datetime, str]] = field(default_factory=list)
    # context.json "counterfactual_windows": the counterfactual's own windows that the
    # scenario lacks (a named counterfactual with a fault), shaded apart and so labelled.
    counterfactual_windows: list[tuple[datetime, datetime, str]] = field(default_factory=list)
    # A what-if's counterfactual run (the ``counterfactual/`` subdirectory), its
    # label and the "what changed" table (what_changed.json), when the run has them.
    counterfactual: RunData | None = None
    counterfactual_label: str | None = None
    what_changed: dict[str, Any] | None = None

    @property
    def n_hours(self) -> int:
        return len(next(iter(self.series.values()))) if self.series else 0


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _hour(text: str) -> datetime | None:
    try:
        t = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    # Naive hours are taken as UTC, as the contract says they are.
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def read_series(path: Path) -> tuple[list[datetime] | None, dict[str, np.ndarray]]:
    """series.csv -> (hour starts or None, numeric column -> float array; NaN = blank)."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return None, {}
    columns = [c for c in rows[0] if c is not None]
    hours: list[datetime] | None = None
    if "hour" in columns:
        parsed = [_hour(r.get("hour") or "") for r in rows]
        if all(h is not None for h in parsed):
            hours = [h for h in parsed if h is not None]
    series = {
        c: np.array([_number(r.get(c) or "") for r in rows], dtype=float)
        for c in columns
        if c != "hour"
    }
    return hours, series


def _json_object(run_dir: Path, name: str, problems: list[str]) -> dict[Any, Any] | None:
    """The JSON object in ``run_dir/name``, or None with the reason added to ``problems``."""
    try:
        loaded = json.loads((run_dir / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{name} is missing")
        return None
    except (OSError, ValueError, RecursionError) as e:  # RecursionError: nested too deeply
        problems.append(f"{name} could not be read ({type(e).__name__})")
        return None
    if not isinstance(loaded, dict):
        problems.append(f"{name} is not a JSON object")
        return None
    return loaded


def load_run(run_dir: Path) -> RunData:
    """Parse whatever of the run directory's files exist; never raises on bad content."""
    run = RunData()
    summary = _json_object(run_dir, SUMMARY, run.problems)
    if summary is not None:
        run.summary = {str(k): v for k, v in summary.items()}

    try:
        run.hours, run.series = read_series(run_dir / SERIES)
        if not run.series:
            run.problems.append(f"{SERIES} has no rows")
    except FileNotFoundError:
        run.problems.append(f"{SERIES} is missing")
    except (OSError, ValueError, csv.Error) as e:
        run.problems.append(f"{SERIES} could not be read ({type(e).__name__})")

    distributions = _json_object(run_dir, DISTRIBUTIONS, run.problems)
    if distributions is not None:
        run.distributions = distributions

    try:
        run.diagnostics = (run_dir / DIAGNOSTICS).read_text(encoding="utf-8", errors="replace")
    except OSError:
        run.diagnostics = None  # optional by contract: no note
    _context(run_dir, run)
    return run


def _within_run(run: RunData, windows: list[tuple[datetime, datetime, str]]
                ) -> list[tuple[datetime, datetime, str]]:
    """The windows cut to the run's hours (series.csv): one wholly outside the run (a
    surge a week after a --days 1 look) is dropped, so it is neither shaded, nor stretches
    the time axis, nor named in a caption. Without hours, the windows as they are."""
    if not run.hours:
        return windows
    lo, hi = run.hours[0], run.hours[-1] + timedelta(hours=1)
    return [(max(s, lo), min(e, hi), t) for s, e, t in windows if s < hi and e > lo]


def _context(run_dir: Path, run: RunData) -> None:
    """The optional files of a what-if: context.json, what_changed.json, counterfactual/."""
    if (run_dir / CONTEXT).is_file():
        notes: list[str] = []
        ctx = _json_object(run_dir, CONTEXT, notes) or {}
        run.problems += notes
        zone = ctx.get("zone")
        if isinstance(zone, str):
            try:
                ZoneInfo(zone)
                run.zone = zone
            except (ValueError, ZoneInfoNotFoundError):
                run.problems.append(f"{CONTEXT}: unknown time zone {zone!r}")
        for key, into in (("windows", run.windows),
                          ("counterfactual_windows", run.counterfactual_windows)):
            for w in ctx.get(key) or []:
                try:
                    start = datetime.fromisoformat(w["start"]).astimezone(UTC)
                    end = datetime.fromisoformat(w["end"]).astimezone(UTC)
                    into.append((start, end, str(w.get("label", ""))))
                except (KeyError, TypeError, ValueError, AttributeError):
                    run.problems.append(f"{CONTEXT}: a window is unreadable")
        run.windows[:] = _within_run(run, run.windows)
        run.counterfactual_windows[:] = _within_run(run, run.counterfactual_windows)
    if (run_dir / WHAT_CHANGED).is_file():
        run.what_changed = _json_object(run_dir, WHAT_CHANGED, run.problems)
        if run.what_changed is not None:
            # Fitted to the run's days (a file from before labels were: "the same week").
            run.counterfactual_label = html.run_label(
                str(run.what_changed.get("counterfactual") or ""), run.summary.get("days"))
    cf_dir = run_dir / COUNTERFACTUAL
    if (cf_dir / SUMMARY).is_file():
        run.counterfactual = load_run(cf_dir)
        run.counterfactual.zone = run.zone
        run.counterfactual.windows = []
        run.counterfactual.counterfactual_windows = []


def render_run(run_dir: Path) -> Path:
    """Write the figures (PNG) and ``report.html`` into ``run_dir``; return the report path."""
    run_dir = Path(run_dir)
    run = load_run(run_dir)
    drawn: list[html.FigureSection] = []
    for spec in figures.FIGURES:
        result = spec.render(run)
        png = run_dir / f"{spec.slug}.png"
        if isinstance(result, bytes):
            png.write_bytes(result)
        else:  # a figure from an earlier render must not outlive its data
            png.unlink(missing_ok=True)
        caption = spec.caption_for(run) if isinstance(result, bytes) else spec.caption
        drawn.append(html.FigureSection(spec.title, caption, result))
    out = run_dir / REPORT
    out.write_text(html.run_page(run.summary, drawn, run.diagnostics, run.problems,
                                 what_changed=run.what_changed,
                                 counterfactual=run.counterfactual.summary
                                 if run.counterfactual else None),
                   encoding="utf-8")
    return out
