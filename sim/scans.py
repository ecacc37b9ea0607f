"""Scans as the real network produces them, errors included.

Every scan of a followed parcel becomes an engine ``Scan`` input. The scan
errors the Inspector General found (docs/facts.md) are injected here, each
at a scenario rate: a missing facility scan (9% in 2023), "out for delivery"
while still at the unit (33%), "delivered" scanned early (17% in FY2019) and a
vague location ("Arrived at USPS Facility", almost all). A scan that is itself
an error is remembered so texts it causes count as misleading.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from engine.frozen import unchecked
from engine.inputs import Scan
from sim.dists import offset_min
from sim.pumpqueue import ACCEPTED, DUE

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scenarios.network import Region
    from sim.loads import Tracked
    from sim.model import Model
    from sim.network import SortFacility


# The model's scans are valid by construction: whole-second times, tracking numbers it
# made (``sim.loads``), the places of regions the scenario checked when it was loaded
# (``scenarios.network.Region``), codes from the engine's table. So they are built
# through the slots' own setters, without ``Scan``'s checks (a sixth of the cost of a
# scan on the busy side; tests/test_sim_scans.py checks every scan of a run against them).
SCAN_FIELDS = tuple(f.name for f in dataclasses.fields(Scan))
# By keyword, or in field order when unpickled (sim.pipeline).
trusted_scan = unchecked(Scan, name="trusted_scan", module=__name__)


def _scan(p: Tracked, code: str, t: int, region: Region, eta: int | None,
          vague: bool = False) -> Scan:
    """``p``'s scan ``code`` at ``t`` in ``region`` (no place wording when ``vague``)."""
    offset = offset_min(t, region.zone)
    if vague:
        return trusted_scan(at=t, tracking_number=p.tn, event_code=code, offset_min=offset,
                            city="", state="", zip="", event_id="", expected_delivery=eta)
    return trusted_scan(at=t, tracking_number=p.tn, event_code=code, offset_min=offset,
                        city=region.city, state=region.state, zip=region.zip, event_id="",
                        expected_delivery=eta)


# Scans queued as their parcel and built when due (``ScanFeed.built``), by the pump's
# entry kinds (``sim.pumpqueue``): the label and acceptance scans, and from ``DUE`` on any
# other scan without an expected date, ``kind - DUE`` = code index << 2 | at the
# destination << 1 | vague. A national day has millions of scans waiting for their time
# (sorts spread over a window, deliveries through the day), and a ``Scan`` each, with its
# time, was about 170 bytes held for hours; a queue entry is the parcel.
DUE_CODES_KEPT = (256 - DUE) >> 2  # codes that fit in an entry's kind byte


def note_scan(p: Tracked, code: str, at: int, error: bool) -> None:
    """What a followed parcel remembers of its own scans (``Model.push_scan``)."""
    p.add_scans(1)
    if error:  # a tuple: a set of one costs 216 bytes, a tuple 48
        key = (code, at)
        p.errors = (key,) if p.errors is None else (*p.errors, key)


class ScanFeed:
    """Turns network events for tracked parcels into engine inputs."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.q = model.scenario.scans
        self.rng = model.rng["scans"]
        self.count = 0
        self.errors = 0
        self._codes: list[str] = []  # event codes of due kinds, in order of first use
        self._code_index: dict[str, int] = {}

    def emit(self, p: Tracked, code: str, at: float, region: Region, *, error: bool = False,
             eta: int | None = None, facility: bool = False) -> None:
        vague = facility and self.q.vague_location > 0 and self.rng.random() < self.q.vague_location
        t = int(at)
        self.count += 1
        if error:
            self.errors += 1
        kind = -1 if eta is not None else self._due_kind(p, code, region, vague)
        if kind < 0:
            self.model.push_scan(p, _scan(p, code, t, region, eta, vague), error)
        else:
            self.model.push_due_scan(p, code, t, kind, error)

    def _due_kind(self, p: Tracked, code: str, region: Region, vague: bool) -> int:
        """The entry kind that builds this scan when due, or -1 to build it now (a region
        other than the parcel's origin or destination, or more codes than a kind holds)."""
        regions = self.model.regions
        if region is regions[p.dest]:
            where = 2
        elif region is regions[p.origin]:
            where = 0
        else:
            return -1
        i = self._code_index.get(code)
        if i is None:
            if len(self._codes) >= DUE_CODES_KEPT:
                return -1
            i = self._code_index[code] = len(self._codes)
            self._codes.append(code)
        return DUE + (i << 2 | where | vague)

    def created(self, p: Tracked, label_at: float, accept_at: float) -> None:
        """The label ("GX") and acceptance ("03") scans, at the origin. A parcel is made
        a day ahead (``sim.volume.LEAD_S``), so the model queues the parcel itself and
        builds these two when they are due (``built``): a national day has millions
        waiting, and a ``Scan`` each was ~150 bytes held for hours."""
        self.count += 2
        self.model.push_created(p, int(label_at), int(accept_at))

    def built(self, p: Tracked, kind: int, t: int) -> Scan:
        """The scan of entry ``kind`` for ``p`` at ``t``, as ``emit`` would have built it."""
        if kind < DUE:
            accepted = kind == ACCEPTED
            return _scan(p, "03" if accepted else "GX", t, self.model.regions[p.origin],
                         p.eta_day if accepted else None)
        k = kind - DUE
        region = self.model.regions[p.dest if k & 2 else p.origin]
        return _scan(p, self._codes[k >> 2], t, region, None, bool(k & 1))

    def departed(self, parcels: Sequence[Tracked], code: str, at: float, fac: SortFacility) -> None:
        region = self.model.regions[fac.region]
        rand = self.rng.random
        for p in parcels:
            self.emit(p, code, at + 600 * rand(), region, facility=True)

    def sorted(self, parcels: Sequence[Tracked], code: str, t0: float, t1: float,
               fac: SortFacility) -> None:
        region = self.model.regions[fac.region]
        rand = self.rng.random
        for p in parcels:
            if p.missing == fac.kind:
                continue
            self.emit(p, code, t0 + (t1 - t0) * rand(), region, facility=code == "10")

    def arrived_at_unit(self, parcels: Sequence[Tracked], at: float, fac: SortFacility) -> None:
        region = self.model.regions[fac.region]
        premature = self.q.premature_out_for_delivery
        rand = self.rng.random
        for p in parcels:
            self.emit(p, "07", at, region)
            if premature > 0 and rand() < premature:
                # OIG 2023: "Out for Delivery" while the parcel is still at the unit.
                self.emit(p, "OF", at + 1800 + 5400 * rand(), region, error=True)
