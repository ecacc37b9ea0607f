"""A Pareto front with confidence: dominated only when the paired differences say so.

Under common random numbers replication r of every point (every sweep point,
every tuning trial) ran on the same seed: the same parcels, the same scans,
the same customers. The right test of "a is worse than b" is then on the
paired differences ``a_r - b_r``, whose noise is far smaller than either
point's own spread (what the intervals drawn per point show).

A point a is *dominated at 95%* when some point b is better on every
objective, each with a 95% paired t interval of ``cost(a) - cost(b)`` lying
entirely above zero (an objective on which the two are identical in every
replication, an exact tie, may stand in for "better" if another objective
shows a worse). Requiring every objective at 95% is an intersection-union
test, so the statement "worse on all of them" holds at 95% without a
multiple-objective correction. Pairs are tested one by one without a
correction across pairs: with many points a few dominance calls may be
chance; with few replications the test is cautious rather than bold, and with
one replication nothing is called dominated (the noise is unknown).

The front is every point not dominated at 95%. Points on the front that no
objective tells apart (every paired interval contains zero) are grouped:
they are one result, not several.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from string import ascii_uppercase
from typing import Any

from research.noise import CONFIDENCE, Interval, mean_interval

MINIMIZE, MAXIMIZE = "minimize", "maximize"


@dataclass(frozen=True)
class Objective:
    metric: str
    sense: str = MINIMIZE  # or MAXIMIZE

    def cost(self, value: float) -> float:
        """Lower is better, whatever the sense."""
        return value if self.sense == MINIMIZE else -value


Samples = Mapping[int, Mapping[str, float]]  # replication -> metric -> value


def paired(a: Samples, b: Samples, objective: Objective,
           confidence: float = CONFIDENCE) -> Interval:
    """The interval of ``cost(a) - cost(b)`` over the replications both have
    (positive: a is worse). Constant differences give an exact (zero-width) interval."""
    diffs = []
    for rep in sorted(set(a) & set(b)):
        va, vb = a[rep].get(objective.metric), b[rep].get(objective.metric)
        if va is None or vb is None or not (math.isfinite(va) and math.isfinite(vb)):
            continue
        diffs.append(objective.cost(va) - objective.cost(vb))
    return mean_interval(diffs, confidence)


def worse_everywhere(a: Samples, b: Samples, objectives: Sequence[Objective],
                     confidence: float = CONFIDENCE) -> bool:
    """Whether a is worse than b on every objective at ``confidence`` (paired).

    An objective on which a and b are identical in every replication (an exact
    tie, not noise: zero-width interval at zero) counts as "no better"; at least
    one objective must show a worse at ``confidence``.
    """
    worse = False
    for obj in objectives:
        ci = paired(a, b, obj, confidence)
        if ci.n < 2:  # noise unknown
            return False
        if ci.low > 0.0:
            worse = True
        elif not (ci.low == ci.high == 0.0):
            return False
    return worse


def told_apart(a: Samples, b: Samples, objectives: Sequence[Objective],
               confidence: float = CONFIDENCE) -> bool:
    """Whether some objective's paired interval excludes zero."""
    for obj in objectives:
        ci = paired(a, b, obj, confidence)
        if ci.n >= 2 and (ci.low > 0.0 or ci.high < 0.0):
            return True
    return False


@dataclass
class Frontier:
    """The verdicts: who is dominated by whom, and the front in groups."""

    objectives: list[Objective]
    confidence: float
    labels: dict[int, str]
    eligible: list[int]                      # points with every objective measured (and feasible)
    dominated_by: dict[int, list[int]] = field(default_factory=dict)
    groups: list[list[int]] = field(default_factory=list)   # the front, grouped
    infeasible: list[int] = field(default_factory=list)     # measured, broke a constraint

    @property
    def front(self) -> list[int]:
        return [i for g in self.groups for i in g]

    def group_name(self, k: int) -> str:
        return group_name(k)

    def to_json(self, means: Mapping[int, Mapping[str, float]]) -> dict[str, Any]:
        group_of = {i: group_name(k) for k, g in enumerate(self.groups) for i in g}
        return {
            "confidence": self.confidence,
            "objectives": [{"metric": o.metric, "sense": o.sense} for o in self.objectives],
            "groups": [{"name": group_name(k), "members": g} for k, g in enumerate(self.groups)],
            "infeasible": self.infeasible,
            "points": [{"index": i, "label": self.labels[i], "group": group_of.get(i),
                        "eligible": i in self.eligible,
                        "dominated_by": self.dominated_by.get(i, []),
                        "means": {o.metric: means.get(i, {}).get(o.metric)
                                  for o in self.objectives}}
                       for i in sorted(self.labels)],
        }


def group_name(k: int) -> str:
    """A, B, ..., Z, AA, AB, ..."""
    name = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        name = ascii_uppercase[r] + name
    return name


def _complete(samples: Samples, objectives: Sequence[Objective]) -> bool:
    return bool(samples) and all(
        o.metric in s and math.isfinite(s[o.metric]) for s in samples.values() for o in objectives)


def frontier(points: Mapping[int, Samples], labels: Mapping[int, str],
             objectives: Sequence[Objective], confidence: float = CONFIDENCE,
             feasible: Mapping[int, bool] | None = None) -> Frontier:
    """Test every ordered pair; group the survivors. Deterministic in point order."""
    order = sorted(points)
    eligible = [i for i in order if _complete(points[i], objectives)
                and (feasible is None or feasible.get(i, True))]
    out = Frontier(list(objectives), confidence, {i: labels.get(i, str(i)) for i in order},
                   eligible, infeasible=[i for i in order if _complete(points[i], objectives)
                                         and feasible is not None and not feasible.get(i, True)])
    for a in eligible:
        beaten = [b for b in eligible if b != a
                  and worse_everywhere(points[a], points[b], objectives, confidence)]
        if beaten:
            out.dominated_by[a] = beaten
    survivors = [i for i in eligible if i not in out.dominated_by]
    first = objectives[0]

    def mean_cost(i: int) -> float:
        vals = [first.cost(s[first.metric]) for s in points[i].values()]
        return math.fsum(vals) / len(vals)

    for i in sorted(survivors, key=lambda i: (mean_cost(i), i)):
        for group in out.groups:
            if all(not told_apart(points[i], points[j], objectives, confidence) for j in group):
                group.append(i)
                break
        else:
            out.groups.append([i])
    for group in out.groups:  # the simplest (shortest) label speaks for its group
        group.sort(key=lambda i: (len(out.labels[i]), i))
    return out
