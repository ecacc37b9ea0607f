"""Big single runs as shards: split a scenario's parcels, run the parts, merge exactly.

Splitting (``shard_scenarios``) gives each of ``n`` shards 1/n of the daily
volume and 1/n of every shared capacity: sort machines (when the facility
scales), care agents (when the centre scales; rounded, at least one), the
gateway's send rate (one short code shared by all shards) and continuous
stations (rate and servers). Each shard gets its own seed derived from the
run's seed and the shard index only, so common random numbers survive.

This is an approximation, and where it errs is known: n small queues are not
one big one. A pool of c servers split into n pools of c/n loses the pooling
effect (Erlang: waits grow), integer agents and servers round, and the
gateway's rate limit is enforced per shard. Fluid sort windows and trips
without capacity split without error. tests/test_sweep_shards.py measures the
error against an unsharded run.

Merging (``merge``) is exact where the summary allows it: counts add, maxima
take the max, shares and means are recomputed from their numerators and
denominators, and texts-per-recipient shares come from the merged histogram,
never from averaging shards' percentiles. What the summary does not carry
exactly is listed in ``Merged.gaps`` instead of being guessed silently.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

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
            if fac.get("scale_capacity", True):
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
RULES: list[tuple[str, tuple[str, ...]]] = [
    (r"scenario|policies|days|scale", ("first",)),
    (r"seed", ("drop",)),
    (r"days_to_deliver_mean|on_time_share", ("weighted", "parcels_delivered")),
    (r"exceptions_texted_before_promise_share", ("weighted", "exceptions_tracked")),
    (r"opt_out_rate_per_text", ("ratio", "opt_outs", "texts_notifications")),
    (r"texts_per_parcel_mean", ("ratio", "texts_notifications", "parcels_tracked")),
    (r"texts_per_recipient_mean", ("weighted", "recipients_texted")),
    (r"care_abandon_share", ("ratio", "care_abandoned", "care_contacts")),
    (r"care_wait_mean_s", ("weighted", "care_answered")),
    (r"texts_per_recipient_24h_max_mean", ("hist_mean", "texts_per_recipient_24h")),
    (r"texts_per_recipient_24h_share_over_(\d+)", ("hist_over", "texts_per_recipient_24h")),
    (r"latency_(\w+)_p(\d+)_s", ("samples_pct",)),
    (r"latency_(\w+)_mean_s", ("samples_mean",)),
    (r"facility_(\w+)_utilisation", ("mean",)),  # equal capacity per shard: exact
    (r"facility_(\w+)_queue_mean", ("sum",)),  # time-average queues add
    (r"facility_(\w+)_wait_mean_h", ("weighted", "facility_{0}_processed")),
    # Denominators the summary does not carry (delivered tracked parcels): a proxy.
    (r"ofd_text_before_delivery_share|scans_per_parcel_delivered",
     ("proxy", "parcels_tracked")),
    (r"cost_usd", ("sum_fixed",)),
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


def merge(parts: Sequence[tuple[dict[str, Any], dict[str, Any]]],
          cost_per_segment_usd: float | None = None) -> Merged:
    """Merge shards' (summary, distributions) into one run's; see RULES.

    Every shard's ``cost_usd`` carries the short code's whole monthly fee; given
    the scenario's per-segment price the fee is recovered from the first shard
    (cost minus segments and inbound texts at that price) and kept once.
    """
    summaries = [s for s, _ in parts]
    dists = [d for _, d in parts]
    merged_d: dict[str, Any] = {}
    for name in sorted({k for d in dists for k, v in d.items() if isinstance(v, dict)
                        and "counts" in v}):
        merged_d[name] = merge_histograms([d[name] for d in dists if name in d])
    samples: dict[str, np.ndarray] = {}
    capped: set[str] = set()
    for d in dists:
        for name, v in (d.get("latency_s") or {}).items():
            if len(v) >= SAMPLE_CAP:
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
        elif kind == "sum_fixed":
            first = summaries[0]
            if cost_per_segment_usd is None or "segments_total" not in first:
                out[name] = _r(sum(values))
                gaps.append(f"{name}: fixed monthly fees are counted once per shard")
                continue
            used = first["segments_total"] + first.get("texts_inbound", 0)
            fee = values[0] - used * cost_per_segment_usd
            out[name] = float(round(sum(values) - (len(values) - 1) * fee, 2))
        elif kind == "max":
            out[name] = max(values)
        elif kind == "mean":
            out[name] = _r(sum(values) / len(values))
        elif kind == "ratio":
            den = _sum(summaries, rule[2])
            out[name] = _r(_sum(summaries, rule[1]) / den) if den else 0.0
        elif kind in ("weighted", "proxy"):
            wname = rule[1].format(*m.groups())
            w = [float(s.get(wname, 0) or 0) for s in summaries if name in s]
            out[name] = _r(sum(v * x for v, x in zip(values, w, strict=True)) / sum(w)) if sum(
                w) else 0.0
            if kind == "proxy":
                gaps.append(f"{name}: weighted by {wname}, a proxy for its true denominator")
        elif kind in ("hist_mean", "hist_over"):
            h = merged_d.get(rule[1])
            if not h or not sum(h["counts"]):
                gaps.append(f"{name}: no {rule[1]} histogram to merge from")
                continue
            v, c = np.asarray(h["values"], float), np.asarray(h["counts"], float)
            sel = c if kind == "hist_mean" else c * (v > int(m.group(1)))
            out[name] = _r((v * c).sum() / c.sum() if kind == "hist_mean" else sel.sum() / c.sum())
        elif kind in ("samples_pct", "samples_mean"):
            a = samples.get(m.group(1))
            if a is None:
                gaps.append(f"{name}: no latency samples to merge from")
                continue
            if m.group(1) in capped:
                gaps.append(f"{name}: from thinned samples (a shard exceeded {SAMPLE_CAP})")
            if not len(a):
                out[name] = 0.0
            elif kind == "samples_mean":
                out[name] = _r(a.mean())
            else:
                q = int(m.group(2)) / 100
                out[name] = _r(float(np.quantile(a, q, method="inverted_cdf")))
        else:
            gaps.append(f"{name}: no exact merge rule (not merged)")
    return Merged(dict(sorted(out.items())), merged_d, gaps)
