"""What a what-if changed: the scenario against its counterfactual, on the same seeds.

``eccc run SCENARIO`` runs the scenario and its counterfactual (the scenario with
its what-if switched off, or a named baseline; ``Scenario.counterfactual``) with
the same seed, scale and days: common random numbers, so the same parcels,
customers and draws wherever the what-if does not reach. ``changes`` turns the
pairs of summaries into the "what changed" table: each key metric for both, the
difference and the % change, sorted by the size of the % change. With several
replications (seed, seed + 1, ...), the interval is on the mean *paired*
difference, the right test under common random numbers: a t interval for counts,
times and money; for shares, a percentile bootstrap of the paired differences
(resampling replications), which stays within [-1, 1] where a t interval on
shares need not, once there are ``BOOTSTRAP_MIN_PAIRS`` pairs. With fewer, a
percentile bootstrap is little more than the smallest and largest difference seen
(with 3 pairs of one sign it excludes 0 a quarter of the time when nothing
changed), so shares get the t interval too, cut to [-1, 1]. When every pair gives the same
non-zero difference (common random numbers make that plausible, and real: the what-if
moved the metric by exactly that much on each seed), there is no spread to measure the
noise from, and the t interval collapses to a point that would read as a certain effect:
such a row has no interval (``low`` and ``high`` are None), ``identical`` is true, and it
is shown as "identical in every pair (n=N)", its verdict as with one run (the noise is
unknown, not zero). ``what_changed.json`` in
the run directory holds the table, ``replications/`` every pair's summaries; the report
reads them.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from reports.registry import METRICS
from research.noise import CONFIDENCE, mean_interval

WHAT_CHANGED = "what_changed.json"
CONTEXT = "context.json"
COUNTERFACTUAL_DIR = "counterfactual"
# With --replications N: seed-S/summary.json and seed-S/counterfactual/summary.json.
REPLICATIONS_DIR = "replications"
BOOTSTRAP_RESAMPLES = 4000
BOOTSTRAP_MIN_PAIRS = 20  # fewer: the percentile bootstrap covers far less than 95%
IDENTICAL = "identical in every pair"  # Change.method when every pair's difference is one

# The metrics the "what changed" table weighs, one or two per question.
KEY_METRICS = (
    "parcels_accepted", "parcels_delivered", "on_time_share", "days_to_deliver_mean",
    "parcels_returned",
    "texts_total", "texts_notifications", "texts_replies", "segments_total",
    "latency_scan_to_decision_p95_s", "latency_decision_to_submit_p95_s",
    "latency_submit_to_handset_p95_s", "latency_scan_to_handset_p95_s",
    "texts_per_recipient_24h_max_mean", "texts_per_recipient_24h_share_over_3",
    "opt_outs", "suppressed_total", "held_total",
    "ofd_text_before_delivery_share", "exceptions_texted_before_promise_share",
    "misleading_texts_scan_errors",
    "cost_usd", "care_cost_usd", "cost_total_usd",
    "care_contacts", "care_abandon_share", "care_wait_mean_s",
    "texts_expired", "texts_failed",
)


@dataclass(frozen=True)
class Change:
    """One metric: scenario, counterfactual, difference, % change, and its interval."""

    metric: str
    unit: str
    better: str
    scenario: float | None  # None: not available (nothing to measure: no deliveries, ...)
    counterfactual: float | None
    difference: float | None  # None when either side is not available
    pct: float | None  # None when the counterfactual is 0 (no relative change defined)
    n: int = 1  # replication pairs
    low: float | None = None  # 95% interval of the mean paired difference (n >= 2)
    high: float | None = None
    method: str = ""  # "paired t", "paired t, cut to [-1, 1]" or "paired bootstrap"
    # The same non-zero difference in every one of n >= 2 pairs: no interval (no spread to
    # measure the noise from), shown as "identical in every pair".
    identical: bool = False
    # Why there is no difference to weigh ("not comparable: no deliveries in the
    # counterfactual"): a side's metric has nothing to measure (null in summary.json).
    # Such a row has no verdict; a 0 there is not an improvement.
    not_comparable: str = ""

    @property
    def unchanged(self) -> bool:
        """The same in every pair: no difference, and none hidden in a mean of zero (a
        metric up in one replication and down in another has an interval, and is shown
        as noise)."""
        return (not self.not_comparable and self.difference == 0 and not self.low
                and not self.high)

    @property
    def sort_key(self) -> tuple[int, float, str]:
        if self.not_comparable:  # after the changes, before the unchanged
            return (2, 0.0, self.metric)
        if self.unchanged:
            return (3, 0.0, self.metric)
        if self.difference == 0:
            return (2, 0.0, self.metric)
        if self.pct is None:  # from nothing to something: the largest change of all
            return (0, 0.0, self.metric)
        return (1, -abs(self.pct), self.metric)

    @property
    def verdict(self) -> str:
        """Whether the change is an improvement, by the metric's direction; none when the
        interval says it is within the noise."""
        if (self.not_comparable or self.difference is None or self.difference == 0
                or not self.better or self.exceeds_noise is False):
            return ""
        up = self.difference > 0
        return "better" if up == (self.better == "higher") else "worse"

    @property
    def exceeds_noise(self) -> bool | None:
        if self.low is None or self.high is None:
            return None
        return not (self.low <= 0.0 <= self.high)


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v) if math.isfinite(v) else None


def _bootstrap(diffs: np.ndarray, confidence: float, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap of the mean of paired differences (fixed seed: reproducible)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, diffs.size, size=(BOOTSTRAP_RESAMPLES, diffs.size))
    means = diffs[idx].mean(axis=1)
    tail = (1.0 - confidence) / 2.0
    lo, hi = np.quantile(means, [tail, 1.0 - tail])
    return float(lo), float(hi)


def change(metric: str, pairs: Sequence[tuple[dict[str, Any], dict[str, Any]]],
           confidence: float = CONFIDENCE) -> Change | None:
    """The change in ``metric`` over replication pairs (scenario, counterfactual). When a
    side has the metric as null (an empty population: no deliveries, no texts reached a
    handset; ``sim.metrics``), the row is "not comparable" and has no verdict."""
    m = METRICS.find(metric)
    unit, better = (m.unit, m.better) if m else ("", "")
    present = [(s[metric], c[metric]) for s, c in pairs if metric in s and metric in c]
    na_s = sum(a is None for a, _ in present)
    na_c = sum(b is None for _, b in present)
    if na_s or na_c:
        side = ("the scenario and the counterfactual" if na_s and na_c
                else "the scenario" if na_s else "the counterfactual")
        some = max(na_s, na_c)
        of = f" ({some} of {len(present)} pairs)" if some < len(present) else ""
        what = (m.empty if m and m.empty else "nothing to measure")
        sv = [a for a, _ in present if _num(a) is not None]
        cv = [b for _, b in present if _num(b) is not None]
        return Change(metric, unit, better,
                      math.fsum(sv) / len(sv) if sv and not na_s else None,
                      math.fsum(cv) / len(cv) if cv and not na_c else None,
                      None, None, len(present),
                      not_comparable=f"not comparable: {what} in {side}{of}")
    vals = [(a, b) for s, c in pairs
            if (a := _num(s.get(metric))) is not None and (b := _num(c.get(metric))) is not None]
    if not vals:
        return None
    scen = math.fsum(a for a, _ in vals) / len(vals)
    cf = math.fsum(b for _, b in vals) / len(vals)
    diff = scen - cf
    low = high = None
    method = ""
    identical = False
    if len(vals) >= 2:
        diffs = np.array([a - b for a, b in vals], dtype=float)
        if diff and _all_same(diffs):
            diff = float(diffs[0])  # the difference itself, not its mean's rounding
            identical = bool(diff)  # all 0 (but for rounding): unchanged
            method = IDENTICAL if identical else ""
        elif unit == "share" and len(vals) >= BOOTSTRAP_MIN_PAIRS:
            low, high = _bootstrap(diffs, confidence)
            method = "paired bootstrap"
        else:
            iv = mean_interval(diffs.tolist(), confidence)
            low, high = iv.low, iv.high
            method = "paired t"
            if unit == "share":  # a difference of shares lies in [-1, 1]
                low, high = max(low, -1.0), min(high, 1.0)
                method = "paired t, cut to [-1, 1]"
    pct = 100.0 * diff / abs(cf) if cf else (0.0 if not diff else None)
    return Change(metric, unit, better, scen, cf, diff, pct, len(vals), low, high, method,
                  identical)


def _all_same(diffs: np.ndarray) -> bool:
    """Every paired difference the same (to rounding: a share's difference is a float)."""
    return float(np.ptp(diffs)) <= 1e-12 * max(1.0, float(np.max(np.abs(diffs))))


def changes(pairs: Sequence[tuple[dict[str, Any], dict[str, Any]]],
            metrics: Sequence[str] = KEY_METRICS) -> list[Change]:
    """The "what changed" rows, largest relative change first (unchanged last)."""
    rows = [c for name in metrics if (c := change(name, pairs)) is not None]
    return sorted(rows, key=lambda c: c.sort_key)


def write_changes(out: Path, rows: Sequence[Change], *, label: str,
                  seeds: Sequence[int]) -> Path:
    """``what_changed.json``: the table, the counterfactual's label and the seeds."""
    path = Path(out) / WHAT_CHANGED
    doc = {"counterfactual": label, "seeds": list(seeds), "confidence": CONFIDENCE,
           "rows": [asdict(r) for r in rows]}
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    return path


def write_context(out: Path, sc: Any, counterfactual: Any = None,
                  days: float | None = None) -> Path:
    """``context.json``: the scenario's local time zone and its what-if windows, so the
    report's time axes are local and the windows are shaded. ``counterfactual``: the
    counterfactual scenario as it runs (``plan_what_if``), when there is one; its own
    windows that the scenario lacks (a named counterfactual with a fault the scenario does
    not have) go in ``counterfactual_windows``, a second list, so a reader that knows only
    ``windows`` still shades the scenario's alone. ``days``: the run's (``--days``), to fit
    the counterfactual's label to the run (``reports.html.run_label``)."""
    from reports.html import run_label

    path = Path(out) / CONTEXT
    windows = what_if_windows(sc)
    doc: dict[str, Any] = {
        "zone": scenario_zone(sc), "windows": windows,
        "counterfactual": run_label(sc.counterfactual.label, sc.days if days is None else days)
        if sc.counterfactual else None}
    if counterfactual is not None and counterfactual.network is not None:
        doc["counterfactual_windows"] = [w for w in what_if_windows(counterfactual)
                                         if w not in windows]
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    return path


def scenario_zone(sc: Any) -> str:
    """The scenario's local time: the zone of the region most parcels go to."""
    if sc.network is None:
        return "UTC"
    region = max(sc.network.regions, key=lambda r: r.destination_share)
    return str(region.zone)


def what_if_windows(sc: Any) -> list[dict[str, str]]:
    """The what-if's time windows (outages, storms, surges) as ISO start/end (with
    offsets; a surge's days are local to ``scenario_zone``) and a label."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(scenario_zone(sc))
    out = []
    for f in sc.faults:
        start = datetime.fromisoformat(f.start)
        end = start + timedelta(hours=f.hours)
        what = {"facility_closure": f"{f.facility} closed", "carrier_outage": "carrier outage",
                "storm": f"storm in {f.region}"}[f.kind]
        out.append({"start": start.isoformat(), "end": end.isoformat(), "label": what})
    if sc.volume is not None:
        for s in sc.volume.surges:
            out.append({"start": datetime.combine(s.start, time(), tz).isoformat(),
                        "end": datetime.combine(s.end + timedelta(days=1), time(),
                                                tz).isoformat(),
                        "label": f"surge ×{s.factor:g}"})
    return out


@dataclass
class WhatIfResult:
    rows: list[Change]
    counterfactual_out: Path
    seeds: list[int]
    wall_s: float


def run_counterfactual(sc: Any, summary: dict[str, Any], *, seed: int, scale: float,
                       days: float | None, out: Path, policies: tuple[str, ...] | None,
                       replications: int = 1, progress: bool | Callable[[str], Any] = False,
                       workers: int = 1, counterfactual: Any = None) -> WhatIfResult:
    """Run ``sc``'s counterfactual beside the scenario's run in ``out`` (whose summary is
    ``summary``): the same seed, scale and days (the scenario's days when ``days`` is
    None, so a named baseline runs as long), then replications 2..N of both on seeds
    seed + 1, ... (summaries only), and write ``what_changed.json``. ``progress``: True
    for a bar, or a function giving each run's progress (``Model.run``'s) from its label
    (``"<name> counterfactual"``, ``"<name> replication 2 of 3"``, ...). ``counterfactual``:
    the counterfactual scenario already built (``scenarios.whatif_plan.plan_what_if``), else
    ``sc.without_what_if()``. ``what_changed.json`` also holds both sides' policy chains
    as they ran (``--policy`` goes to both unless ``off`` has "policies")."""
    import time

    from sim.run import run_scenario, run_to_dir

    t0 = time.perf_counter()
    cf = sc.without_what_if() if counterfactual is None else counterfactual
    cf_policies = None if "policies" in sc.counterfactual.off else policies
    days = sc.days if days is None else days
    cf_out = Path(out) / COUNTERFACTUAL_DIR

    def shown(label: str) -> Any:
        return progress(f"{sc.name} {label}") if callable(progress) else progress

    first = run_to_dir(cf, seed=seed, scale=scale, days=days, out=cf_out,
                       progress=shown("counterfactual"), policies=cf_policies, workers=workers)
    pairs = [(summary, first.summary)]
    seeds = [seed]
    kept = Path(out) / REPLICATIONS_DIR
    if kept.exists():
        shutil.rmtree(kept)  # an earlier what-if's: never mixed with this one's
    for r in range(1, replications):
        s, _ = run_scenario(sc, seed + r, policies=policies, scale=scale, days=days,
                            progress=shown(f"replication {r + 1} of {replications}"))
        c, _ = run_scenario(cf, seed + r, policies=cf_policies, scale=scale, days=days,
                            progress=shown(f"counterfactual replication {r + 1} of "
                                           f"{replications}"))
        pairs.append((s, c))
        seeds.append(seed + r)
    if replications > 1:
        for (s, c), sd in zip(pairs, seeds, strict=True):  # the table's inputs, whole
            _write_summary(kept / f"seed-{sd}" / "summary.json", s)
            _write_summary(kept / f"seed-{sd}" / COUNTERFACTUAL_DIR / "summary.json", c)
    rows = changes(pairs)
    from reports.html import run_label

    written = write_changes(out, rows, label=run_label(sc.counterfactual.label, days),
                            seeds=seeds)
    doc = orjson.loads(written.read_bytes())
    doc["policies"] = {"scenario": list(policies or sc.policies),
                       "counterfactual": list(cf_policies or cf.policies)}
    written.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    return WhatIfResult(rows, cf_out, seeds, time.perf_counter() - t0)


def _write_summary(path: Path, summary: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
                     + b"\n")


def format_changes(rows: Sequence[Change], label: str, limit: int | None = None) -> str:
    """The table for the terminal: aligned columns, largest change first."""
    from reports.html import NA, fmt_pct, fmt_unit, identical_text

    def v(x: float | None, unit: str, signed: bool = False) -> str:
        # As the report shows it (reports.html.fmt_unit), so the terminal and the page agree.
        return "" if x is None else fmt_unit(x, unit, signed)

    shown = [r for r in rows if not r.unchanged][:limit]
    head = ["metric", "scenario", "counterfactual", "difference", "change"]
    n = max((r.n for r in rows), default=1)
    if n >= 2:
        head.append(f"{100 * CONFIDENCE:.0f}% interval (n={n} pairs)")
    table = [head]
    for r in shown:
        diff = v(r.difference, r.unit, signed=True)
        pct = r.not_comparable or fmt_pct(r.pct)
        row = [r.metric, v(r.scenario, r.unit) or NA, v(r.counterfactual, r.unit) or NA, diff,
               f"{pct} {r.verdict}".strip()]
        if n >= 2:
            row.append(identical_text(r.n) if r.identical else "" if r.low is None else (
                f"[{v(r.low, r.unit, True)}, {v(r.high, r.unit, True)}]"
                + ("" if r.exceeds_noise else " (noise)")))
        table.append(row)
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    lines = [f"What changed against the counterfactual: {label}"]
    for row in table:
        lines.append("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                      for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    unchanged = sum(r.unchanged for r in rows)
    if unchanged:
        lines.append(f"  ({unchanged} key metrics did not change)")
    if shown and n < 2:
        lines.append("  (one run on one seed: a difference may be noise; --replications 5 "
                     "gives 95% intervals)")
    if any(r.identical for r in shown):
        lines.append("  (identical in every pair: the same difference on every seed, so no "
                     "spread to measure the noise from; a real effect under common random "
                     "numbers, but more replications would test it)")
    return "\n".join(lines)
