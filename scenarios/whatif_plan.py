"""What a what-if will run, checked before anything runs (``eccc run``'s plan): the
counterfactual built from a scenario's ``[counterfactual]``, each side's policy chain as it
will run, and what is refused (a counterfactual that would run exactly as the scenario, an
``off`` entry the scenario does not have) or warned of (a switched-off window outside the
run). docs/whatif.md says what each check means for a planner."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from scenarios.schema import DRAIN_DAYS, ScanQuality, Scenario, ScenarioError

# Fields that do not change a run, or that both sides of a what-if always share (the
# counterfactual runs on the scenario's seed, scale and days).
_NOT_A_WHAT_IF = {"name", "description", "calibration", "counterfactual"}
_SHARED = ("seed", "scale", "days")


@dataclass(frozen=True)
class WhatIfPlan:
    """The counterfactual to run beside a scenario, each side's policy chain as it will
    run, and warnings to print before the run."""

    counterfactual: Scenario
    policies: tuple[str, ...]  # the scenario's chain (with --policy applied)
    counterfactual_policies: tuple[str, ...]
    warnings: tuple[str, ...]


def plan_what_if(sc: Scenario, *, days: float | None = None,
                 policies: Sequence[str] | None = None) -> WhatIfPlan:
    """Check ``sc``'s counterfactual before anything runs and build it.

    ``days`` and ``policies`` are the command line's ``--days`` and ``--policy`` (None: the
    scenario's). ``--policy`` goes to the scenario side, and to the counterfactual too
    unless ``off`` has "policies" (then the counterfactual keeps its own chain). Refused
    (``ScenarioError`` naming the file and the field): an ``off`` entry the scenario does
    not have, a counterfactual that cannot be read or is another network, and a
    counterfactual that would run exactly as the scenario. A switched-off fault or surge
    that lies wholly outside the run (its days of acceptances, plus the drain for a fault)
    is a warning: the run goes on, as a short look at a long what-if does."""
    cft = sc.counterfactual
    if cft is None:
        raise ValueError(f"scenario {sc.name!r} names no counterfactual")
    where = sc.where
    for what in cft.off:
        missing = {
            "faults": not sc.faults and "the scenario has no faults",
            "surges": not (sc.volume and sc.volume.surges) and "the scenario has no surges",
            "scans": sc.scans == ScanQuality() and "the scenario has no scan errors "
                     "(every rate in [scans] is 0)",
            "policies": False,
        }[what]
        if missing:
            raise ScenarioError(f"{where}: counterfactual.off: {what!r}: {missing}, so "
                                "switching it off changes nothing")
    field = "counterfactual.scenario" if cft.scenario is not None else "counterfactual"
    cf = sc.without_what_if()
    differ = _structure_differs(sc, cf)
    if differ:
        raise ScenarioError(f"{where}: {field}: {cf.name!r} is not the same network: "
                            f"{differ}; its differences would not be the what-if's")
    own = tuple(sc.policies), tuple(cf.policies)
    mine = tuple(policies) if policies else own[0]
    theirs = own[1] if "policies" in cft.off or not policies else tuple(policies)
    same = "both sides would be the same, so there is nothing to compare"
    if _run_key(sc, mine) == _run_key(cf, theirs):
        if _run_key(sc, own[0]) != _run_key(cf, own[1]):
            raise ScenarioError(
                f"{where}: {'counterfactual.policies' if 'policies' in cft.off else field}: "
                f"--policy {' '.join(mine)} made the scenario the same as "
                f"its counterfactual ({cft.label}): {same}. --policy goes to the scenario "
                + ("only (off has \"policies\": the counterfactual keeps its chain)"
                   if "policies" in cft.off else "and the counterfactual alike"))
        if "policies" in cft.off:
            raise ScenarioError(f"{where}: counterfactual.policies: the same chain as the "
                                f"scenario's policies ({', '.join(own[0])}): {same}")
        shared = [f"{k} {getattr(cf, k):g} (the scenario's: {getattr(sc, k):g})"
                  for k in _SHARED if getattr(cf, k) != getattr(sc, k)]
        if shared:
            raise ScenarioError(
                f"{where}: {field}: {cf.name!r} differs from the scenario only in "
                f"{', '.join(shared)}, which a counterfactual always takes from the scenario "
                f"(the same seed, scale and days): {same}. To compare runs that differ in "
                "them, run each with eccc run and compare them with eccc compare")
        raise ScenarioError(f"{where}: {field}: the counterfactual {cf.name!r} "
                            f"({cft.label}) would run exactly as the scenario: {same}")
    warnings = tuple(_outside_the_run(sc, cf, sc.days if days is None else days, mine, theirs))
    return WhatIfPlan(cf, mine, theirs, warnings)


def _run_key(sc: Scenario, policies: Sequence[str]) -> dict[str, object]:
    """What a run of ``sc`` depends on, besides the seed, scale and days both sides share."""
    from engine.policies import canonical

    data = sc.model_dump(mode="json", exclude=_NOT_A_WHAT_IF | set(_SHARED))
    # As the chain runs, not as it is spelt: "cap_rolling: limit=3" and "cap_rolling" (3 is
    # the default) build the same policy.
    data["policies"] = [canonical(p) for p in policies]
    return data


def _structure_differs(a: Scenario, b: Scenario) -> str:
    """How a counterfactual's network differs from its scenario's (regions, facilities,
    start), or ''."""
    if a.network is None or b.network is None:
        if a.network is b.network:
            return ""
        return ("the counterfactual has no network (continuous stations only)"
                if b.network is None else "the scenario has no network (continuous stations "
                "only)")
    for what, x, y in (("regions", [r.name for r in a.network.regions],
                        [r.name for r in b.network.regions]),
                       ("facilities", [f.name for f in a.network.facilities],
                        [f.name for f in b.network.facilities])):
        if x != y:
            only_a, only_b = sorted(set(x) - set(y)), sorted(set(y) - set(x))
            return (f"{what} differ (only in the scenario: {', '.join(only_a) or 'none'}; "
                    f"only in the counterfactual: {', '.join(only_b) or 'none'})")
    if a.start != b.start:
        return f"it starts on {b.start}, the scenario on {a.start}"
    return ""


def _outside_the_run(sc: Scenario, cf: Scenario, days: float, mine: Sequence[str],
                     theirs: Sequence[str]) -> list[str]:
    """A warning for each fault or surge on one side only that lies wholly outside the
    run, and a last one when without them both sides would run the same."""
    if sc.network is None or sc.volume is None:
        return []
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(sc.network.regions[0].zone)  # the model's clock starts there
    begin = datetime.combine(sc.start, time(), zone)
    accept_end = begin + timedelta(days=days)
    end = accept_end + timedelta(days=DRAIN_DAYS)
    last_day = (accept_end - timedelta(microseconds=1)).date()

    def day(d: date) -> str:
        return f"{d:%b} {d.day}"

    def span(a: date, b: date) -> str:
        if a == b:
            return day(a)
        return f"{day(a)}-{b.day}" if (a.year, a.month) == (b.year, b.month) else \
            f"{day(a)}-{day(b)}"

    run = f"the run (acceptances {span(sc.start, last_day)}"
    notes: list[str] = []
    outside: dict[str, list[object]] = {}
    for side, other in ((sc, cf), (cf, sc)):
        key = id(side)
        outside[str(key)] = []
        for f in side.faults:
            if f in other.faults:
                continue
            start = datetime.fromisoformat(f.start)
            stop = start + timedelta(hours=f.hours)
            if stop <= begin or start >= end:
                what = {"facility_closure": f"{f.facility} closure", "storm":
                        f"storm in {f.region}", "carrier_outage": "carrier outage"}[f.kind]
                notes.append(f"the {what} ({start:%Y-%m-%d %H:%M}, {f.hours:g} h) is outside "
                             f"{run} + {DRAIN_DAYS:g} days' drain)")
                outside[str(key)].append(f)
        surges = side.volume.surges if side.volume else []
        for s in surges:
            if other.volume is not None and s in other.volume.surges:
                continue
            if s.end < sc.start or s.start > last_day:
                notes.append(f"the surge ×{s.factor:g} ({span(s.start, s.end)}) is outside "
                             f"{run})")
                outside[str(key)].append(s)
    if not notes:
        return []

    def without(side: Scenario) -> Scenario:
        gone = outside[str(id(side))]
        data = side.model_dump(mode="json")
        data["faults"] = [f.model_dump(mode="json") for f in side.faults if f not in gone]
        if side.volume is not None:
            data["volume"]["surges"] = [s.model_dump(mode="json") for s in side.volume.surges
                                        if s not in gone]
        return Scenario.model_validate(data)

    if _run_key(without(sc), mine) == _run_key(without(cf), theirs):
        notes[-1] += ": both sides will be the same"
    return notes
