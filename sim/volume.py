"""Volume: parcels accepted by hour and day, with the holiday surge.

Each hour, each origin region accepts Poisson(lambda) parcels, lambda being the
daily volume x scale x origin share x weekday factor x surge x the hour's share
of the local daily curve; destinations follow the regions' destination shares.
A binomial share of them is followed by text; those become individuals.

The process runs a day ahead of the clock (``LEAD_S``): a label is created
hours before acceptance (``label_lead_h``), and its scan and the checkout
subscription must not lie in the past of the simulation.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np

from sim.dists import Sampler, epoch_day, zone
from sim.loads import Load, Piece, Tracked

if TYPE_CHECKING:
    from collections.abc import Generator

    import simpy

    from sim.model import Model

LEAD_S = 86400


class Arrivals:
    """The acceptance process of every origin region."""

    def __init__(self, model: Model) -> None:
        self.model = model
        sc = model.scenario
        assert sc.volume is not None and sc.network is not None
        self.volume = sc.volume
        self.rng = model.rng["volume"]
        regions = sc.network.regions
        o = np.array([r.origin_share for r in regions], dtype=float)
        d = np.array([r.destination_share for r in regions], dtype=float)
        self.origin_share = o / o.sum()
        self.dest_share = d / d.sum()
        curve = np.array(self.volume.hourly_curve, dtype=float)
        self.curve = curve / curve.sum()
        self.p_follow = sum(sc.customers.opt_in.values())
        self.label_lead = Sampler(self.volume.label_lead_h, self.rng, 3600.0)
        self.next_index = 1
        self.service_same = sc.network.service_days_same_region
        self.service_cross = sc.network.service_days_cross_region

    def day_factor(self, day: date) -> float:
        f = self.volume.weekday_factor[day.weekday()]
        for s in self.volume.surges:
            if s.start <= day <= s.end:
                f *= s.factor
        return f

    def expected_per_day(self) -> float:
        return self.volume.daily_parcels * self.model.scale

    def run(self) -> Generator[simpy.Event, object, None]:
        m = self.model
        env = m.env
        hour = m.t_accept_begin
        while hour < m.t_accept_end:
            when = hour - LEAD_S
            if env.now < when:
                yield env.timeout(when - env.now)
            self._hour(hour)
            hour += 3600

    def _hour(self, hour: float) -> None:
        m = self.model
        rng = self.rng
        daily = self.expected_per_day()
        for o, region in enumerate(m.regions):
            local = datetime.fromtimestamp(hour, zone(region.zone))
            lam = (daily * self.origin_share[o] * self.day_factor(local.date())
                   * self.curve[local.hour])
            if lam <= 0:
                continue
            n = int(rng.poisson(lam))
            if n == 0:
                continue
            m.metrics.arrived(hour, n)
            split = rng.multinomial(n, self.dest_share)
            accept_date = local.date()
            for d in np.flatnonzero(split):
                k = int(split[d])
                followed = int(rng.binomial(k, self.p_follow)) if self.p_follow > 0 else 0
                service = self.service_same if d == o else self.service_cross
                eta_date = m.calendar.add_delivery_days(accept_date, service)
                eta = epoch_day(eta_date)
                pieces: list[Load] = [Piece(k - followed, int(d), hour + 1800, eta)]
                m.metrics.pending_add(int(d), eta, k - followed)
                for t in np.sort(hour + 3600 * rng.random(followed)):
                    pieces.append(self._tracked(o, int(d), float(t), eta))
                pieces.sort(key=lambda p: p.accepted_at)
                acc = m.acceptance[o]
                for piece in pieces:  # a post office holds them for the evening trip
                    acc.forward(piece, piece.accepted_at)

    def _tracked(self, o: int, d: int, t: float, eta: int) -> Tracked:
        m = self.model
        p = Tracked(self.next_index, o, d, t, eta)
        self.next_index += 1
        q = m.scenario.scans
        if q.missing_facility_scan > 0 and m.rng["scans"].random() < q.missing_facility_scan:
            p.missing = "rpdc" if m.rng["scans"].random() < 0.5 else "lpc"
        label = max(m.env.now, t - self.label_lead())
        m.followed.add(p)  # first: ``sim.pipeline`` ships the parcel before its scans
        m.scans.created(p, label, t)
        m.customers.follow(p, label, t)
        m.late_check(p)
        return p  # a load of one

