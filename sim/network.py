"""The postal network: sort windows, trips with cut-offs, and the last mile.

Mail moves as loads (``Load``, ``sim.loads``): a ``Piece`` is a count of parcels nobody follows
by text; a followed parcel (``Tracked``) travels as itself, a load of one, so the
millions in flight on a national day carry no wrapper. Counts make a national day
cheap (a facility's work per tick is a few list operations, whatever the
volume); individuals carry the scans that feed the engine. Path of a parcel
from region o to region d (docs/facts.md: post office -> RPDC -> LPC -> S&DC)::

    acceptance(o) --SF--> rpdc(o) [10] --EF--> lpc(d) [10] --EF--> sdc(d) [07, PC] -> OF -> 01

That is GX, 03, SF, 10, EF, 10, EF, 07, PC, OF, 01: eleven scans, the figure
docs/facts.md gives for a parcel with all activity chosen.

Timing convention: a facility sorts in ticks inside its windows and accounts
for a tick's work at the tick's end (departure time), so the station's own
bookkeeping satisfies Little's law exactly up to end effects; the scans of the
sorted parcels carry times spread over the tick, at most one tick in the past,
which the model's input pump allows for (``Model.LAG_S``).
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from scenarios.network import Facility, Leg
from sim.dists import Sampler, local_date, local_epoch
from sim.loads import Load, Outbound, Piece

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

    import simpy

    from sim.model import Model




class StationStats:
    """Time-integral bookkeeping for Little's law: L = lambda W."""

    __slots__ = ("area", "arrivals", "departures", "last_t", "n", "start", "wait_sum")

    def __init__(self, start: float) -> None:
        self.start = start
        self.last_t = start
        self.n = 0
        self.area = 0.0
        self.arrivals = 0
        self.departures = 0
        self.wait_sum = 0.0

    def _advance(self, t: float) -> None:
        self.area += self.n * (t - self.last_t)
        self.last_t = t

    def arrive(self, t: float, k: int) -> None:
        self._advance(t)
        self.n += k
        self.arrivals += k

    def depart(self, t: float, k: int, wait: float) -> None:
        self._advance(t)
        self.n -= k
        self.departures += k
        self.wait_sum += k * wait

    def littles_law(self, end: float) -> tuple[float, float, float]:
        """(L, lambda*W, relative error) over [start, end]."""
        self._advance(end)
        span = end - self.start
        if span <= 0 or self.departures == 0:
            return 0.0, 0.0, 0.0
        big_l = self.area / span
        lam = self.arrivals / span
        w = self.wait_sum / self.departures
        err = abs(big_l - lam * w) / big_l if big_l > 0 else 0.0
        return big_l, lam * w, err


class SortFacility:
    """A facility whose machines sort ``capacity_per_hour`` inside its windows."""

    def __init__(self, model: Model, spec: Facility, region: int) -> None:
        self.model = model
        self.spec = spec
        self.name = spec.name
        self.kind = spec.kind
        self.region = region
        self.zone = model.regions[region].zone
        cap = spec.capacity_per_hour or 0.0  # None only for stations (sim.netstation)
        self.cap_h = cap * (model.scale if spec.scale_capacity else 1.0)
        self.queue: deque[Load] = deque()
        self.outbound: dict[int, Outbound] = {}  # by next hop (-1: the last mile)
        self.stats = StationStats(model.t_begin)
        self.processed = 0
        self.open_s = 0.0
        self.processed_by_hour = [0] * model.hours

    def open_intervals(self) -> list[tuple[float, float]]:
        """Sort windows as epoch intervals over the run, minus closures."""
        m = self.model
        out: list[tuple[float, float]] = []
        day = local_date(m.t_begin, self.zone) - timedelta(days=1)
        a: float
        b: float
        while True:
            first = local_epoch(day, 0, self.zone)
            if first > m.t_end:
                break
            for start, end in self.spec.windows:
                a = local_epoch(day, start, self.zone)
                b = local_epoch(day, end, self.zone)
                if b > m.t_begin and a < m.t_end:
                    out.append((max(a, m.t_begin), min(b, m.t_end)))
            day += timedelta(days=1)
        out.sort()
        for c0, c1 in m.closures.get(self.name, []):
            cut: list[tuple[float, float]] = []
            for a, b in out:
                if b <= c0 or a >= c1:
                    cut.append((a, b))
                    continue
                if a < c0:
                    cut.append((a, c0))
                if b > c1:
                    cut.append((c1, b))
            out = cut
        return out

    def arrive(self, piece: Load, t: float) -> None:
        piece.arrived_at = t
        self.queue.append(piece)
        self.stats.arrive(t, piece.size)
        if self.kind == "sdc" and piece.tracked:
            self.model.scans.arrived_at_unit(piece.tracked, t, self)

    def run(self) -> Generator[simpy.Event, object, None]:
        env = self.model.env
        tick = self.model.tick_s
        budget = 0.0
        for a, b in self.open_intervals():
            if env.now < a:
                yield env.timeout(a - env.now)
            while env.now < b - 1e-6:
                dt = min(tick, b - env.now)
                yield env.timeout(dt)
                self.open_s += dt
                budget += self.cap_h * dt / 3600.0
                budget = self._sort(budget, env.now, dt) if self.queue else 0.0

    def _sort(self, budget: float, now: float, dt: float) -> float:
        n_avail = int(budget)
        queue = self.queue
        done_total = 0
        code = "PC" if self.kind == "sdc" else "10"
        while queue and n_avail > 0:
            head = queue[0]
            if head.size <= n_avail:
                done = queue.popleft()
            else:  # a count (a load of one always fits)
                assert isinstance(head, Piece)
                done = head.split(n_avail)
            k = done.size
            n_avail -= k
            done_total += k
            self.stats.depart(now, k, now - done.arrived_at)
            if done.tracked:
                self.model.scans.sorted(done.tracked, code, max(now - dt, done.arrived_at),
                                        now, self)
            self.forward(done, now)
        self.processed += done_total
        h = int((now - 1 - self.model.t_begin) // 3600)
        if 0 <= h < self.model.hours:
            self.processed_by_hour[h] += done_total
        return budget - done_total if queue else 0.0

    def arrive_spread(self, piece: Load, times: np.ndarray) -> None:
        """A trip whose parcels each drew a transit time: ``times`` for the piece's
        untracked parcels, then one per tracked parcel. Untracked ones join the queue
        by the minute as counts; tracked ones one by one."""
        k = piece.count
        if k:
            slots, counts = np.unique(np.ceil(times[:k] / 60.0) * 60.0, return_counts=True)
            for t, n in zip(slots.tolist(), counts.tolist(), strict=True):
                self._arrive_at(Piece(n, piece.dest, piece.accepted_at, piece.eta_day), t)
        for p, t in zip(piece.tracked, times[k:].tolist(), strict=True):
            self._arrive_at(p, t)

    def _arrive_at(self, piece: Load, t: float) -> None:
        env = self.model.env
        env.timeout(t - env.now).callbacks.append(lambda _ev: self.arrive(piece, t))

    def release(self, until: float) -> None:
        """Make sure everything done by ``until`` is in ``outbound`` (a sort facility
        forwards as it sorts; a station overrides this)."""

    def forward(self, piece: Load, ready_at: float) -> None:
        nxt = self.model.next_hop(self, piece)
        q = self.outbound.get(nxt)
        if q is None:
            q = self.outbound[nxt] = Outbound()
        q.times.append(ready_at)
        q.loads.append(piece)


class Trip:
    """Trucks from one facility to the next on a schedule: at each departure they
    carry what was sorted before the cut-off; one transit draw per trip."""

    def __init__(self, model: Model, origin: SortFacility, dest: SortFacility, leg: Leg,
                 scan_code: str) -> None:
        self.model = model
        self.origin = origin
        self.dest = dest
        self.leg = leg
        self.scan_code = scan_code
        transit = leg.transit_h
        if origin.region != dest.region and leg.transit_cross_region_h is not None:
            transit = leg.transit_cross_region_h
        self.transit = Sampler(transit, model.rng["network"], 3600.0)
        self.cutoff_s = leg.cutoff_min * 60
        self.per_parcel = (Sampler(transit, model.rng["parcel_transit"], 3600.0)
                           if leg.transit_per_parcel else None)

    def departures(self) -> list[float]:
        m = self.model
        zone = self.origin.zone
        out = []
        day = local_date(m.t_begin, zone)
        while True:
            if local_epoch(day, 0, zone) > m.t_end:
                break
            for h in self.leg.departures:
                t = local_epoch(day, h, zone)
                if m.t_begin <= t < m.t_end:
                    out.append(t)
            day += timedelta(days=1)
        return sorted(out)

    def run(self) -> Generator[simpy.Event, object, None]:
        env = self.model.env
        for dep in self.departures():
            if env.now < dep:
                yield env.timeout(dep - env.now)
            cutoff = dep - self.cutoff_s
            self.origin.release(cutoff)
            q = self.origin.outbound.get(self.dest_key)
            if q is None:
                continue
            load = q.take(cutoff)
            if not load:
                continue
            if self.per_parcel is not None:
                self._spread(load, dep)
                continue
            transit = self.transit() * self.model.storm_factor(self.origin.region, dep)
            for piece in load:
                if piece.tracked:
                    self.model.scans.departed(piece.tracked, self.scan_code, dep, self.origin)
            env.timeout(transit).callbacks.append(self._unloader(load))

    def _spread(self, load: list[Load], dep: float) -> None:
        """``transit_per_parcel``: every parcel of the trip its own transit draw."""
        assert self.per_parcel is not None
        factor = self.model.storm_factor(self.origin.region, dep)
        for piece in load:
            if piece.tracked:
                self.model.scans.departed(piece.tracked, self.scan_code, dep, self.origin)
            times = dep + self.per_parcel.many(piece.size) * factor
            self.dest.arrive_spread(piece, times)

    def _unloader(self, load: list[Load]) -> Callable[[simpy.Event], None]:
        """The truck arrives: its pieces join the destination's queue."""
        dest = self.dest

        def unload(ev: simpy.Event) -> None:
            for p in load:
                dest.arrive(p, ev.env.now)

        return unload

    @property
    def dest_key(self) -> int:
        return self.model.facility_index[self.dest.name]
