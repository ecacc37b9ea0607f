"""Every metric of ``summary.json``, defined once.

A ``Metric`` says what a name in ``summary.json`` measures: its unit, its
definition, what it counts and what it leaves out, which stage of the model
computes it and which question it answers (its ``group``). Families whose
names carry a facility, a reason or an encoding are registered once as a
pattern (``facility_{name}_utilisation``); ``lookup`` resolves a concrete
name against the exact names first and then the patterns, the most specific
pattern winning. From this registry come ``eccc metrics``, docs/metrics.md,
the report's glossary and the validation of sweep files.

The definitions live in ``reports.metric_defs`` (one table, grouped by
question); this module holds the machinery.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

# The questions a planner asks, in the order the glossary and `eccc metrics` show them.
GROUPS: dict[str, str] = {
    "volume": "How many parcels and texts?",
    "latency": "How long from scan to handset, and where does the time go?",
    "fatigue": "How hard are people texted, and do they tire of it?",
    "legal": "Which texts would break a calling-hours or frequency rule?",
    "informativeness": "Do texts tell people what they need before it happens?",
    "cost": "What does it cost?",
    "care": "How many people call customer care, and how are they served?",
    "network": "How are parcels moving through the network?",
    "gateway": "What happened to texts at the SMS gateway?",
    "checks": "Is the model internally consistent?",
    "run": "Which run is this?",
}


class UnknownMetric(ValueError):
    """A metric name the registry does not know (the message suggests the nearest)."""


@dataclass(frozen=True)
class Metric:
    """One metric of ``summary.json``.

    ``name`` is the key (or a pattern with ``{placeholders}``); ``unit`` one of
    count, share (0 to 1), s, h, days, USD, per text, per parcel, per recipient,
    per hour, ratio, label; ``counts`` what is counted, ``excludes`` what is not;
    ``stage`` the module that computes it; ``group`` a key of ``GROUPS``;
    ``better`` "lower", "higher" or "" (neither: a volume, a label); ``empty`` what
    leaves the metric nothing to measure ("no deliveries"), when it can be null.
    """

    name: str
    unit: str
    definition: str
    counts: str
    excludes: str
    stage: str
    group: str
    better: str = ""
    # The population a mean, percentile or share is taken over, named as "no ..." when
    # it is empty ("no deliveries"): then the metric is null (not available), never 0.
    empty: str = ""

    @property
    def is_pattern(self) -> bool:
        return "{" in self.name


_FIELD = re.compile(r"\{(\w+)\}")


def _regex(pattern: str) -> re.Pattern[str]:
    parts = _FIELD.split(pattern)
    out = []
    for i, part in enumerate(parts):
        out.append(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[A-Za-z0-9_.-]+?)")
    return re.compile("".join(out) + r"\Z")


class Registry(Mapping[str, Metric]):
    """Metrics by name (exact names and patterns), with ``lookup`` for concrete names."""

    def __init__(self, metrics: Iterable[Metric]) -> None:
        self._by_name: dict[str, Metric] = {}
        for m in metrics:
            if m.name in self._by_name:
                raise ValueError(f"metric {m.name!r} is defined twice")
            if m.group not in GROUPS:
                raise ValueError(f"metric {m.name!r}: unknown group {m.group!r}")
            if m.better not in ("", "lower", "higher"):
                raise ValueError(f"metric {m.name!r}: better must be lower, higher or ''")
            self._by_name[m.name] = m
        # The most specific pattern first: the one with the most literal characters.
        self._patterns = sorted(
            ((_regex(m.name), m) for m in self._by_name.values() if m.is_pattern),
            key=lambda pm: (-len(_FIELD.sub("", pm[1].name)), pm[1].name))

    def __getitem__(self, name: str) -> Metric:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def find(self, name: str) -> Metric | None:
        """The metric ``name`` resolves to (patterns filled in), or None."""
        m = self._by_name.get(name)
        if m is not None and not m.is_pattern:
            return m
        for rx, pm in self._patterns:
            hit = rx.match(name)
            if hit:
                fields = hit.groupdict()
                return replace(pm, name=name,
                               definition=pm.definition.format(**fields),
                               counts=pm.counts.format(**fields),
                               excludes=pm.excludes.format(**fields))
        return None

    def lookup(self, name: str) -> Metric:
        m = self.find(name)
        if m is None:
            raise UnknownMetric(unknown_message(name, self._by_name))
        return m

    def by_group(self) -> dict[str, list[Metric]]:
        out: dict[str, list[Metric]] = {g: [] for g in GROUPS}
        for m in self._by_name.values():
            out[m.group].append(m)
        return {g: sorted(ms, key=lambda m: m.name) for g, ms in out.items() if ms}


def unknown_message(name: str, known: Iterable[str], what: str = "metric") -> str:
    """'unknown metric "x"; did you mean "y"?' with up to three suggestions."""
    close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.6)
    msg = f"unknown {what} {name!r}"
    if close:
        msg += "; did you mean " + " or ".join(repr(c) for c in close) + "?"
    else:
        msg += " (eccc metrics lists them all)"
    return msg


def _build() -> Registry:
    from reports.metric_defs import DEFINITIONS

    return Registry(DEFINITIONS)


METRICS: Registry = _build()


def lookup(name: str) -> Metric:
    """The registered metric ``name`` (patterns resolved); ``UnknownMetric`` otherwise."""
    return METRICS.lookup(name)


def is_metric(name: str) -> bool:
    return METRICS.find(name) is not None


def unregistered(names: Iterable[str]) -> list[str]:
    """The names no metric (exact or pattern) covers, sorted."""
    return sorted(n for n in names if METRICS.find(n) is None)
