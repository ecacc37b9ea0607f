"""Scans as the real network produces them, errors included.

Every scan of a followed parcel becomes an engine ``Scan`` input. The scan
errors the Inspector General found (docs/facts.md) are injected here, each
at a scenario rate: a missing facility scan (9% in 2023), "out for delivery"
while still at the unit (33%), "delivered" scanned early (17% in FY2019) and a
vague location ("Arrived at USPS Facility", almost all). A scan that is itself
an error is remembered so texts it causes count as misleading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.inputs import Scan
from sim.dists import offset_min

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scenarios.network import Region
    from sim.loads import Tracked
    from sim.model import Model
    from sim.network import SortFacility


def _scan(p: Tracked, code: str, t: int, region: Region, eta: int | None,
          vague: bool = False) -> Scan:
    """``p``'s scan ``code`` at ``t`` in ``region`` (no place wording when ``vague``)."""
    return Scan(at=t, tracking_number=p.tn, event_code=code,
                offset_min=offset_min(t, region.zone),
                city="" if vague else region.city, state="" if vague else region.state,
                zip="" if vague else region.zip, expected_delivery=eta)


def note_scan(p: Tracked, scan: Scan, error: bool) -> None:
    """What a followed parcel remembers of its own scans (``Model.push_scan``)."""
    p.add_scans(1)
    if error:  # a tuple: a set of one costs 216 bytes, a tuple 48
        key = (scan.event_code, scan.at)
        p.errors = (key,) if p.errors is None else (*p.errors, key)


class ScanFeed:
    """Turns network events for tracked parcels into engine inputs."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.q = model.scenario.scans
        self.rng = model.rng["scans"]
        self.count = 0
        self.errors = 0

    def emit(self, p: Tracked, code: str, at: float, region: Region, *, error: bool = False,
             eta: int | None = None, facility: bool = False) -> None:
        vague = facility and self.q.vague_location > 0 and self.rng.random() < self.q.vague_location
        scan = _scan(p, code, int(at), region, eta, vague)
        self.count += 1
        if error:
            self.errors += 1
        self.model.push_scan(p, scan, error)

    def created(self, p: Tracked, label_at: float, accept_at: float) -> None:
        """The label ("GX") and acceptance ("03") scans, at the origin. A parcel is made
        a day ahead (``sim.volume.LEAD_S``), so the model queues the parcel itself and
        builds these two when they are due (``built``): a national day has millions
        waiting, and a ``Scan`` each was ~150 bytes held for hours."""
        self.count += 2
        self.model.push_created(p, int(label_at), int(accept_at))

    def built(self, p: Tracked, accepted: bool, t: int) -> Scan:
        """The label or acceptance scan of ``p`` at ``t``, as ``emit`` would have built it."""
        return _scan(p, "03" if accepted else "GX", t, self.model.regions[p.origin],
                     p.eta_day if accepted else None)

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
