"""The load test's own report: ``report.md`` and its figures, beside Locust's HTML.

Drawn from what the run directory already holds (``summary.json``,
``fidelity.json``, ``model_vs_measured.json``), so it says nothing Locust's
report and the summary do not. Sections: the headline figures, schedule
fidelity (with intended against achieved records per second), and for
``--from-run`` the differential check and the model against the measurement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from reports.plotting import new_figure, png_bytes


def _load(path: Path) -> Any:
    return orjson.loads(path.read_bytes()) if path.is_file() else None


def fidelity_figure(per_second: dict[str, list[int]]) -> bytes:
    fig, (ax,) = new_figure(height=3.2)
    edges = [*per_second["second"], len(per_second["second"])]
    ax.stairs(per_second["intended"], edges, label="intended", linewidth=2)
    ax.stairs(per_second["sent"], edges, label="achieved (sent)", linestyle="--", linewidth=2)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("second of the replay")
    ax.set_ylabel("records per second")
    ax.set_title("Schedule fidelity: records sent against records due")
    ax.legend()
    return png_bytes(fig)


def model_figure(rows: list[dict[str, Any]]) -> bytes:
    fig, (ax,) = new_figure(height=3.6)
    keys = [k for k in rows[0] if k.endswith("_s")]
    for row in rows:
        if row["source"] == "difference" or row["latency"].startswith("model: engine"):
            continue
        values = [max(float(row[k]), 1e-4) for k in keys]  # log axis: 0 s drawn at 0.1 ms
        ax.plot([k.removesuffix("_s") for k in keys], values, marker="o", label=row["latency"])
    ax.set_yscale("log")
    ax.set_ylabel("seconds (log; 0 drawn at 0.1 ms)")
    ax.set_title("Model against measurement, by percentile")
    ax.legend(fontsize=8)
    return png_bytes(fig)


def _table(rows: list[dict[str, Any]]) -> list[str]:
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(r[k]) for k in keys) + " |" for r in rows]
    return lines


def write_report(out: Path) -> None:
    summary = _load(out / "summary.json")
    if summary is None:
        return
    lines = [f"# Load test: {out.name}", "",
             f"Verdict: {'passed' if summary.get('passed') else 'FAILED'}"]
    lines += [f"- {b}" for b in summary.get("breaches", [])]
    lines += ["", "Figures from Locust's own stats (the same as locust.html and "
              "locust_stats.csv):", ""]
    lines += [f"- {k}: {summary[k]}" for k in (
        "loadtest_requests", "loadtest_failures", "loadtest_requests_per_s", "loadtest_p50_ms",
        "loadtest_p90_ms", "loadtest_p99_ms", "loadtest_max_ms", "loadtest_latency_from")
        if k in summary]
    if "loadtest_p99_note" in summary:
        lines += ["", f"Note: {summary['loadtest_p99_note']}."]
    per_second = _load(out / "fidelity.json")
    if per_second is not None:
        (out / "fidelity.png").write_bytes(fidelity_figure(per_second))
        lines += ["", "## Schedule fidelity", ""]
        lines += [f"- {k}: {v}" for k, v in summary.items()
                  if k.startswith(("fidelity_", "service_time_", "replay_"))]
        lines += ["", "![intended and achieved records per second](fidelity.png)"]
    if "differential_checked" in summary or "differential_expected" in summary:
        lines += ["", "## Model against measurement", "", "Differential check (the shim's "
                  "outputs for the window against the simulation's engine):", ""]
        lines += [f"- {k}: {v}" for k, v in summary.items() if k.startswith("differential_")]
    rows = _load(out / "model_vs_measured.json")
    if rows:
        (out / "model_vs_measured.png").write_bytes(model_figure(rows))
        lines += ["", "Latency in seconds at each percentile. The simulation's engine decides "
                  "in no time (its decision stage is the policies' holds, such as quiet "
                  "hours); the gap is what the measured request latency adds to the model.",
                  ""]
        lines += _table(rows)
        lines += ["", "![model against measurement](model_vs_measured.png)"]
    (out / "report.md").write_text("\n".join(lines) + "\n")
