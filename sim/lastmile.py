"""The last mile: out for delivery in the morning, delivered through the day.

No regular delivery on Sundays and federal holidays (docs/facts.md; ``Calendar``).
At the out-for-delivery hour of each delivery day, everything the unit sorted
by then goes out. Each parcel is delivered, attempted (notice left, no access,
receptacle full: out again the next delivery day), held for pickup (picked up
later), or refused / undeliverable (returned to sender), at scenario rates.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sim.dists import Sampler, epoch_day, local_date, local_epoch
from sim.loads import Load, Piece, Tracked
from sim.network import SortFacility

if TYPE_CHECKING:
    from collections.abc import Generator

    import simpy

    from sim.model import Model

LAST_DELIVERY_H = 20.0  # carriers are back by 8 PM local


class LastMile:
    """Delivery rounds of one sorting and delivery centre."""

    def __init__(self, model: Model, unit: SortFacility) -> None:
        self.model = model
        self.unit = unit
        self.zone = unit.zone
        self.spec = model.scenario.network.delivery  # type: ignore[union-attr]
        self.rng = model.rng["delivery"]
        self.delivery = Sampler(self.spec.delivery_h, self.rng, 3600.0)
        self.pickup = Sampler(self.spec.pickup_delay_h, self.rng, 3600.0)
        s = self.spec
        attempt = s.attempted + s.no_access + s.receptacle_full
        self.p_counts = [attempt, s.available_for_pickup, s.refused + s.undeliverable]
        self.p_counts.append(max(0.0, 1.0 - sum(self.p_counts)))
        # cumulative thresholds for one tracked parcel: (upper bound, event code)
        self.outcomes: list[tuple[float, str]] = []
        acc = 0.0
        for p, code in ((s.attempted, "02"), (s.no_access, "30"), (s.receptacle_full, "54"),
                        (s.available_for_pickup, "16"), (s.refused, "04"),
                        (s.undeliverable, "05")):
            acc += p
            self.outcomes.append((acc, code))
        self.retry: list[Load] = []

    def run(self) -> Generator[simpy.Event, object, None]:
        m = self.model
        env = m.env
        day = local_date(m.t_begin, self.zone)
        while True:
            of_t = local_epoch(day, self.spec.out_for_delivery_h, self.zone)
            if of_t >= m.t_end:
                return
            if of_t >= m.t_begin and m.calendar.is_delivery_day(day):
                if env.now < of_t:
                    yield env.timeout(of_t - env.now)
                self._round(of_t, day)
            day += timedelta(days=1)

    def _round(self, of_t: float, day: object) -> None:
        self.unit.release(of_t)
        q = self.unit.outbound.get(-1)
        pieces, self.retry = self.retry, []
        if q is not None:
            pieces += q.take(of_t)
        evening = of_t + (LAST_DELIVERY_H - self.spec.out_for_delivery_h) * 3600
        mean_d = min(of_t + self.delivery.mean, evening)
        metrics = self.model.metrics
        for piece in pieces:
            if piece.count:
                n_att, n_pick, n_rts, n_ok = (int(x) for x in self.rng.multinomial(
                    piece.count, self.p_counts))
                if n_ok:
                    metrics.delivered(n_ok, piece.accepted_at, mean_d, piece, self.zone)
                if n_pick:
                    metrics.delivered(n_pick, piece.accepted_at, mean_d + self.pickup.mean,
                                      piece, self.zone)
                if n_rts:
                    metrics.returned(n_rts, piece)
                if n_att:
                    self.retry.append(Piece(n_att, piece.dest, piece.accepted_at,
                                            piece.eta_day))
            for p in piece.tracked:
                self._tracked(p, piece, of_t, evening)

    def _tracked(self, p: Tracked, piece: Load, of_t: float, evening: float) -> None:
        m = self.model
        scans = m.scans
        region = m.regions[p.dest]
        rand = self.rng.random
        t_of = of_t + 1200 * rand()
        scans.emit(p, "OF", t_of, region)
        t = min(t_of + self.delivery(), evening - 60 * rand())
        r = rand()
        code = "01"
        for bound, c in self.outcomes:
            if r < bound:
                code = c
                break
        q = m.scenario.scans
        if code == "01":
            if q.early_delivered > 0 and (scan_rng := m.rng["scans"]).random() < q.early_delivered:
                # FY2019 audit: "Delivered" scanned while still at the unit. Its time is
                # drawn from the scans' stream, as every scan error is, so that scan errors
                # leave the network's draws (and a what-if without them) unchanged.
                scans.emit(p, "01", t_of + 300 + 1500 * scan_rng.random(), region, error=True)
            else:
                scans.emit(p, "01", t, region)
            m.metrics.delivered(1, p.accepted_at, t, piece, self.zone, parcel=p)
            return
        m.followed.exception(p)
        if code in ("02", "30", "54"):
            nxt = m.calendar.add_delivery_days(local_date(t, self.zone), 1)
            scans.emit(p, code, t, region, eta=epoch_day(nxt))
            self.retry.append(p)
        elif code == "16":
            scans.emit(p, "16", t, region)
            t_pick = t + self.pickup()
            scans.emit(p, "17", t_pick, region)
            m.metrics.delivered(1, p.accepted_at, t_pick, piece, self.zone, parcel=p)
        else:
            scans.emit(p, code, t, region)
            scans.emit(p, "09", t + 3600 * (1 + rand()), region)
            m.metrics.returned(1, piece, parcel=p)
