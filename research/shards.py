"""Big single runs as shards: split a scenario's parcels, run the parts, merge exactly.

Splitting (``shard_scenarios``) gives each of ``n`` shards 1/n of the daily
volume and 1/n of every shared capacity: sort machines (when the facility
scales), care agents (when the centre scales; rounded, at least one), the
gateway's send rate (one short code shared by all shards), continuous
stations (rate and servers) and network facilities in station mode (servers).
Each shard gets its own seed derived from the run's seed and the shard index
only, so common random numbers survive.

This is an approximation, and where it errs is known: n small queues are not
one big one. A pool of c servers split into n pools of c/n loses the pooling
effect (Erlang: waits grow), integer agents and servers round, and the
gateway's rate limit is enforced per shard. Fluid sort windows and trips
without capacity split without error. tests/test_sweep_shards.py measures the
error against an unsharded run.

Merging (``merge``) is exact: counts and sums add, maxima take the max, the
short code's fee counts once, every share and mean is recomputed from the
numerator and denominator the summary carries beside it (delivered tracked
parcels, Little's-law sums per facility, care wait sums...), texts per
recipient (per run and per 24 h) come from merged histograms and latency
percentiles from the merged fixed-bin histograms (``sim.latency``; pooled
samples for results stored before them), never from averaging shards'
percentiles. What remains inexact is listed in ``Merged.gaps`` instead of
being guessed silently: latency percentiles of old results when a shard thinned
its samples (more than ``SAMPLE_CAP``), and metrics a shard's summary lacks (results
stored by an older version).

Shards are separate populations: each has its own customers (phone numbers
may repeat across shards and count as different recipients), so merged
per-recipient figures are those of n independent regions of 1/n the size.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.tally import percentile, percentile_of_counts

if TYPE_CHECKING:
    from research.executors import Executor

# Samples beyond this many per shard are thinned by the sim (sim.metrics.SAMPLE_CAP).
SAMPLE_CAP = 20_000


def shard_seed(seed: int, shard: int) -> int:
    """A seed for one shard; depends on (run seed, shard) only, not on the point."""
    state = np.random.SeedSequence([seed, shard]).generate_state(1, dtype=np.uint32)
    return int(state[0])


def _split_int(value: int, n: int) -> int:
    return max(1, round(value / n)) if value else 0


def shard_scenario(data: dict[str, Any], n: int) -> dict[str, Any]:
    """One shard's scenario: 1/n of the volume and of every shared capacity."""
    part = copy.deepcopy(data)
    if part.get("volume"):
        part["volume"]["daily_parcels"] = part["volume"]["daily_parcels"] / n
    if part.get("network"):
        for fac in part["network"]["facilities"]:
            if not fac.get("scale_capacity", True):
                continue
            if fac.get("mode") == "station":
                fac["servers"] = _split_int(fac["servers"], n)
            else:
                fac["capacity_per_hour"] = fac["capacity_per_hour"] / n
    care = part.setdefault("care", {})
    if care.get("scale_agents", True) and care.get("shifts"):
        for shift in care["shifts"]:
            shift["agents"] = _split_int(shift["agents"], n)
    gateway = part.setdefault("gateway", {})
    gateway["rate_per_s"] = gateway.get("rate_per_s", 100.0) / n
    for station in part.get("stations", []):
        station["arrival_rate_per_h"] = station["arrival_rate_per_h"] / n
        station["servers"] = _split_int(station["servers"], n)
    return part


def shard_scenarios(data: dict[str, Any], seed: int, n: int) -> list[tuple[dict[str, Any], int]]:
    """(scenario, seed) per shard; one shard is the scenario itself, unchanged."""
    if n == 1:
        return [(data, seed)]
    part = shard_scenario(data, n)
    return [(part, shard_seed(seed, i)) for i in range(n)]


# ---------------------------------------------------------------------------- merging

# metric pattern -> rule; first match wins. Rules are data so a new metric is
# one line here, and an unknown mean or share is a reported gap, not a wrong sum.
# Every share and mean of the summary has its numerator and denominator beside it
# (sim.run.summarise), so each is recomputed from merged sums, not averaged.
RULES: list[tuple[str, tuple[str, ...]]] = [
    (r"scenario|policies|days|scale|run_span_h", ("first",)),
    (r"seed", ("drop",)),
    (r"cost_fixed_usd", ("first",)),  # one short code's fee for the whole run
    (r"cost_usd", ("cost",)),
    (r"cost_total_usd", ("total_cost",)),  # merged SMS cost + care cost (after the loop)
    (r"days_to_deliver_mean", ("ratio", "days_to_deliver_sum", "parcels_delivered")),
    (r"on_time_share", ("ratio", "parcels_on_time", "parcels_delivered")),
    (r"exceptions_texted_before_promise_share",
     ("ratio", "exceptions_texted_before_promise", "exceptions_tracked")),
    (r"ofd_text_before_delivery_share",
     ("ratio", "ofd_text_before_delivery", "parcels_tracked_delivered")),
    (r"scans_per_parcel_delivered",
     ("ratio", "scans_tracked_delivered", "parcels_tracked_delivered")),
    (r"opt_out_rate_per_text", ("ratio", "opt_outs", "texts_notifications")),
    (r"texts_per_parcel_mean", ("ratio", "texts_notifications", "parcels_tracked")),
    (r"texts_per_recipient_mean", ("hist_mean", "texts_per_recipient")),
    (r"texts_per_recipient_p(\d+)", ("hist_pct", "texts_per_recipient")),
    (r"care_abandon_share", ("ratio", "care_abandoned", "care_contacts")),
    (r"care_wait_mean_s", ("ratio", "care_wait_sum_s", "care_answered")),
    (r"texts_per_recipient_24h_max_mean", ("hist_mean", "texts_per_recipient_24h")),
    (r"texts_per_recipient_24h_share_over_(\d+)", ("hist_over", "texts_per_recipient_24h")),
    (r"latency_(\w+)_p(\d+)_s", ("samples_pct",)),
    (r"latency_(\w+)_mean_s", ("samples_mean",)),
    # Network stations (sim.netstation): window sums add; Erlang C comparisons of
    # split server pools are not the unsplit pool's, so they stay gaps.
    (r"facility_\w+_(service_mean_h|station_window_h)", ("first",)),
    (r"facility_(\w+)_station_arrival_rate_per_h",
     ("per_first", "facility_{0}_station_arrivals", "facility_{0}_station_window_h")),
    (r"facility_(\w+)_station_queue_mean",
     ("per_first", "facility_{0}_station_queue_area_h", "facility_{0}_station_window_h")),
    (r"facility_(\w+)_station_wait_mean_h",
     ("ratio", "facility_{0}_station_wait_sum_h", "facility_{0}_station_arrivals")),
    (r"facility_(\w+)_station_littles_law_error",
     ("rel_diff", "facility_{0}_station_queue_area_h", "facility_{0}_station_sojourn_sum_h")),
    (r"facility_\w+_(station_(queue_area|wait_sum|sojourn_sum)|busy_sum)_h", ("sum",)),
    (r"facility_(\w+)_utilisation", ("mean",)),  # equal capacity per shard: exact
    (r"facility_(\w+)_queue_mean", ("per_span", "facility_{0}_queue_area_h")),
    (r"facility_(\w+)_wait_mean_h",
     ("ratio", "facility_{0}_wait_sum_h", "facility_{0}_processed")),
    (r"facility_(\w+)_littles_law_error", ("littles",)),
    (r"facility_\w+_(queue_area|wait_sum)_h|care_wait_sum_s", ("sum",)),
    # The legal-risk audit (engine.audit): texts counted per shard's own people add.
    (r"audit_\w+", ("sum",)),
    (r".*_max", ("max",)),
    (r".*(_share|_mean|_rate\w*|_p\d+|_s|_h|_error)", ("gap",)),
    (r".*", ("sum",)),
]
_COMPILED = [(re.compile(p), rule) for p, rule in RULES]


def _rule(name: str) -> tuple[re.Match[str], tuple[str, ...]]:
    for rx, rule in _COMPILED:
        m = rx.fullmatch(name)
        if m:
            return m, rule
    raise AssertionError("the last rule matches every name")


@dataclass
class Merged:
    summary: dict[str, Any]
    distributions: dict[str, Any]
    gaps: list[str] = field(default_factory=list)


def merge_histograms(hists: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """``{"values": [...], "counts": [...]}`` histograms added value by value."""
    total: Counter[Any] = Counter()
    for h in hists:
        total.update(dict(zip(h.get("values", []), h.get("counts", []), strict=True)))
    keys = sorted(total)
    return {"values": keys, "counts": [total[k] for k in keys]}


def _r(x: float) -> float:
    return float(round(float(x), 6))


def _sum(parts: Sequence[dict[str, Any]], name: str) -> float:
    return float(sum(float(p.get(name, 0) or 0) for p in parts))


def _littles_error(summaries: Sequence[dict[str, Any]], fac: str) -> float | None:
    """|L - lambda W| / L from the merged sums: L = area / span, lambda = arrivals /
    span, W = wait sum / processed (as ``sim.network.StationStats.littles_law``)."""
    keys = [f"facility_{fac}_{k}" for k in ("queue_area_h", "arrivals", "wait_sum_h",
                                            "processed")]
    span = float(summaries[0].get("run_span_h", 0) or 0)
    if not span or any(k not in s for s in summaries for k in keys):
        return None
    area, arrivals, wait_sum, processed = (_sum(summaries, k) for k in keys)
    if not processed:
        return 0.0
    big_l = area / span
    lam_w = arrivals / span * wait_sum / processed
    return abs(big_l - lam_w) / big_l if big_l > 0 else 0.0


def _cost(summaries: Sequence[dict[str, Any]], values: list[Any],
          cost_per_segment_usd: float | None, gaps: list[str]) -> float:
    """Per-segment costs add; the short code's fee is paid once for the whole run."""
    if all("cost_fixed_usd" in s and "cost_segments_usd" in s for s in summaries):
        return float(round(_sum(summaries, "cost_segments_usd")
                           + float(summaries[0]["cost_fixed_usd"]), 2))
    # Summaries from before the split (a resumed sweep's stored points): recover the fee.
    first = summaries[0]
    if cost_per_segment_usd is None or "segments_total" not in first:
        gaps.append("cost_usd: fixed monthly fees are counted once per shard")
        return _r(sum(values))
    used = first["segments_total"] + first.get("texts_inbound", 0)
    fee = values[0] - used * cost_per_segment_usd
    return float(round(sum(values) - (len(values) - 1) * fee, 2))


def merge(parts: Sequence[tuple[dict[str, Any], dict[str, Any]]],
          cost_per_segment_usd: float | None = None) -> Merged:
    """Merge shards' (summary, distributions) into one run's; see RULES.

    ``cost_usd`` is the shards' per-segment costs plus the short code's fee once
    (``cost_fixed_usd``). ``cost_per_segment_usd`` only serves summaries written
    before that split, whose fee is recovered from the first shard's cost.
    """
    summaries = [s for s, _ in parts]
    dists = [d for _, d in parts]
    merged_d: dict[str, Any] = {}
    for name in sorted({k for d in dists for k, v in d.items() if isinstance(v, dict)
                        and "counts" in v}):
        merged_d[name] = merge_histograms([d[name] for d in dists if name in d])
    # Latency histograms with their plain sums, when every shard has them (newer runs).
    hist_sums: dict[str, float] = {}
    for lat in sorted({n for d in dists for n in (d.get("latency_s") or {})}):
        hs = [d.get(f"latency_{lat}") for d in dists]
        if all(isinstance(h, dict) and "sum" in h for h in hs):
            hist_sums[lat] = sum(float(h["sum"]) for h in hs if h is not None)
    samples: dict[str, np.ndarray] = {}
    capped: set[str] = set()
    for d in dists:
        for name, v in (d.get("latency_s") or {}).items():
            if len(v) >= SAMPLE_CAP and name not in hist_sums:
                capped.add(name)
    for name in sorted({n for d in dists for n in (d.get("latency_s") or {})}):
        samples[name] = np.sort(np.concatenate(
            [np.asarray(d["latency_s"].get(name, []), dtype=float) for d in dists
             if d.get("latency_s")]))
    out: dict[str, Any] = {"shards": len(parts)}
    gaps: list[str] = []
    names = sorted({k for s in summaries for k in s})
    for name in names:
        values = [s[name] for s in summaries if name in s]
        m, rule = _rule(name)
        kind = rule[0]
        if kind == "first":
            out[name] = values[0]
        elif kind == "drop":
            continue
        elif kind == "sum":
            out[name] = sum(values) if all(isinstance(v, int) for v in values) else _r(
                sum(values))
        elif kind == "cost":
            out[name] = _cost(summaries, values, cost_per_segment_usd, gaps)
        elif kind == "total_cost":
            continue  # below, once cost_usd and care_cost_usd are merged
        elif kind == "max":
            known = [v for v in values if v is not None]  # null: nothing to measure
            out[name] = max(known) if known else None
        elif kind == "mean":
            known = [v for v in values if v is not None]  # null: nothing to measure
            out[name] = _r(sum(known) / len(known)) if known else None
        elif kind == "ratio":
            num, den = (rule[1].format(*m.groups()), rule[2].format(*m.groups()))
            if any(num not in s or den not in s for s in summaries):
                gaps.append(f"{name}: a shard lacks {num} or {den} (not merged)")
                continue
            total = _sum(summaries, den)
            # an empty population: null where one run gives null (sim.metrics), else 0
            out[name] = _r(_sum(summaries, num) / total) if total else (
                None if all(s.get(name) is None for s in summaries) else 0.0)
        elif kind in ("per_first", "rel_diff"):
            k1, k2 = (rule[1].format(*m.groups()), rule[2].format(*m.groups()))
            if any(k1 not in s or k2 not in s for s in summaries):
                gaps.append(f"{name}: a shard lacks {k1} or {k2} (not merged)")
                continue
            x = _sum(summaries, k1)
            # per_first: a sum over a span every shard shares (the first's);
            # rel_diff: |k1 - k2| / k1 of two sums (L area vs lambda W, over one window).
            y = float(summaries[0][k2]) if kind == "per_first" else abs(x - _sum(summaries, k2))
            out[name] = (_r(x / y) if y else 0.0) if kind == "per_first" else (
                _r(y / x) if x else 0.0)
        elif kind == "per_span":
            num = rule[1].format(*m.groups())
            span = float(summaries[0].get("run_span_h", 0) or 0)
            if not span or any(num not in s for s in summaries):
                gaps.append(f"{name}: a shard lacks {num} or run_span_h (not merged)")
                continue
            out[name] = _r(_sum(summaries, num) / span)
        elif kind == "littles":
            err = _littles_error(summaries, m.group(1))
            if err is None:
                gaps.append(f"{name}: a shard lacks the sums behind it (not merged)")
                continue
            out[name] = _r(err)
        elif kind == "hist_pct":
            h = merged_d.get(rule[1])
            if not h:
                gaps.append(f"{name}: no {rule[1]} histogram to merge from")
                continue
            if not sum(h["counts"]):
                out[name] = None  # an empty population: not available, as in one run
                continue
            out[name] = percentile_of_counts(h["values"], h["counts"], int(m.group(1)) / 100)
        elif kind in ("hist_mean", "hist_over"):
            h = merged_d.get(rule[1])
            if not h:
                gaps.append(f"{name}: no {rule[1]} histogram to merge from")
                continue
            if not sum(h["counts"]):
                out[name] = None  # an empty population: not available, as in one run
                continue
            v, c = np.asarray(h["values"], float), np.asarray(h["counts"], float)
            sel = c if kind == "hist_mean" else c * (v > int(m.group(1)))
            out[name] = _r((v * c).sum() / c.sum() if kind == "hist_mean" else sel.sum() / c.sum())
        elif kind in ("samples_pct", "samples_mean") and m.group(1) in hist_sums:
            # fixed-bin histograms (sim.latency): the merge is exact
            h = merged_d[f"latency_{m.group(1)}"]
            total, n = hist_sums[m.group(1)], sum(h["counts"])
            if not n:
                out[name] = None  # no text reached this stage: not available
            elif kind == "samples_mean":
                out[name] = _r(total / n)
            else:
                out[name] = _r(percentile_of_counts(h["values"], h["counts"],
                                                    int(m.group(2)) / 100))
        elif kind in ("samples_pct", "samples_mean"):
            a = samples.get(m.group(1))
            if a is None:
                gaps.append(f"{name}: no latency samples to merge from")
                continue
            if m.group(1) in capped:
                gaps.append(f"{name}: from thinned samples (a shard exceeded {SAMPLE_CAP})")
            if not len(a):
                out[name] = None
            elif kind == "samples_mean":
                out[name] = _r(a.mean())
            else:
                q = int(m.group(2)) / 100
                out[name] = _r(percentile(np.sort(a), q))
        else:
            gaps.append(f"{name}: no exact merge rule (not merged)")
    if any("cost_total_usd" in s for s in summaries) and "cost_usd" in out:
        out["cost_total_usd"] = float(round(out["cost_usd"] + out.get("care_cost_usd", 0.0), 2))
    return Merged(dict(sorted(out.items())), merged_d, gaps)


# ---------------------------------------------------------------------------- one big run


def run_shard(task: dict[str, Any]) -> dict[str, Any]:
    """Run one shard in whatever process it landed in; never raises (executor contract)."""
    from sim.run import run_scenario

    try:
        summary, dists = run_scenario(task["scenario"], task["seed"], policies=task["policies"],
                                      scale=task["scale"], days=task["days"])
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "summary": summary, "distributions": dists}


def run_sharded(data: dict[str, Any], seed: int, n: int, executor: Executor | None = None, *,
                scale: float = 1.0, days: float | None = None,
                policies: tuple[str, ...] | None = None,
                on_shard: Callable[[int, int], None] | None = None) -> Merged:
    """Split ``data`` (a scenario's dict form) into ``n`` shards, run them on
    ``executor`` (``research.executors``; in this process by default) and merge them.
    ``on_shard(done, n)`` is told each time a shard finishes.

    The merged summary does not depend on the executor or the order shards finish
    in. Raises ``RuntimeError`` naming the shards that failed.
    """
    from research.executors import InProcess

    tasks = [{"scenario": part, "seed": part_seed, "policies": policies, "scale": scale,
              "days": days} for part, part_seed in shard_scenarios(data, seed, n)]
    results: dict[int, dict[str, Any]] = {}
    for i, result in (executor or InProcess()).run(run_shard, tasks):
        results[i] = result
        if on_shard is not None:
            on_shard(len(results), len(tasks))
    failed = [f"shard {i}: {r.get('error')}" for i, r in sorted(results.items()) if not r["ok"]]
    if failed or len(results) != len(tasks):
        raise RuntimeError("; ".join(failed) or "a shard returned no result")
    gateway = data.get("gateway") or {}
    merged = merge([(results[i]["summary"], results[i]["distributions"])
                    for i in range(len(tasks))], gateway.get("cost_per_segment_usd"))
    merged.summary["seed"] = seed
    merged.summary = dict(sorted(merged.summary.items()))
    return merged
