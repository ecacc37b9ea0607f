"""A network facility in station mode: c servers, FIFO, one service draw per parcel.

Parcels (untracked counts and tracked individuals alike) queue first come,
first served for one of ``servers`` and move on when served; a tracked
parcel's "10" (or "PC" at a delivery unit) scan is stamped at its service
completion, "07" at a delivery unit's arrival as in sort mode.

How (the choice, and why it is exact): a per-parcel SimPy process costs tens
of microseconds, too slow for national volumes. FIFO c-server queues have an
exact recursion instead (Kiefer-Wolfowitz): in arrival order, each parcel
starts at max(arrival, earliest time a server is free), finishes at start +
service, and that server is then free at the finish. A parcel's times depend
only on parcels that arrived before it, so the station buffers arrivals and
runs the recursion every tick over those already arrived, in arrival order,
carrying the servers' free times across batches: the result is the same as
one pass over the whole run, i.e. the same as a SimPy ``Resource`` with one
process per parcel, at about a microsecond a parcel (numpy for the draws and
the bookkeeping, a heap of c free times in the one sequential loop).
Service draws come from their own stream (``facility_service``).

Finished parcels are handed to ``outbound`` on demand (``release``: before a
trip loads or a delivery round goes out), grouped per arriving piece, each
group ready at its last parcel's completion, so trips take exactly what
finished before their cut-off.

Queueing checks: number in system on a fixed time grid (a quarter of the mean
service time, as ``sim.station``) gives L independently of the sojourn sums;
over the whole run it feeds the facility's usual Little's-law keys, and over
the measuring window (``warmup_h`` after the start to the end of acceptance)
L vs lambda W and the mean queue wait vs Erlang C for the measured lambda.
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.dists import Sampler
from sim.loads import Load, Piece, Tracked
from sim.network import SortFacility, StationStats
from sim.station import erlang_c

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

    import simpy

    from scenarios.network import Facility
    from sim.model import Model

MAX_GRID = 2_000_000


def fifo_servers(arrivals: list[float], services: list[float], free: list[float],
                 open_at: Callable[[float], float] | None = None
                 ) -> tuple[list[float], list[float]]:
    """Exact FIFO c-server recursion over ``arrivals`` (sorted) and their ``services``.

    ``free`` is a heap of the c servers' next free times, updated in place so the
    next batch continues where this one ends. ``open_at`` moves a start out of a
    closure. Returns (start, finish) per parcel.
    """
    starts = [0.0] * len(arrivals)
    dones = [0.0] * len(arrivals)
    replace = heapq.heapreplace
    for i, (a, s) in enumerate(zip(arrivals, services, strict=True)):
        f = free[0]
        st = a if a > f else f
        if open_at is not None:
            st = open_at(st)
        d = st + s
        replace(free, d)
        starts[i] = st
        dones[i] = d
    return starts, dones


class GridStats(StationStats):
    """Whole-run sums, with the area of L taken from the station's time grid."""

    def __init__(self, station: StationFacility) -> None:
        super().__init__(station.model.t_begin)
        self.station = station

    def littles_law(self, end: float) -> tuple[float, float, float]:
        self.area = self.station.grid_area(self.start, end)
        self.last_t = end
        return super().littles_law(end)


def _add_counts(grid: np.ndarray, idx: np.ndarray) -> None:
    u, c = np.unique(idx, return_counts=True)
    grid[u] += c


class StationFacility(SortFacility):
    """``mode = "station"``: a continuous G/G/c queue inside the network."""

    def __init__(self, model: Model, spec: Facility, region: int) -> None:
        super().__init__(model, spec, region)
        assert spec.servers is not None and spec.service_s is not None
        c = spec.servers
        if spec.scale_capacity and model.scale != 1.0:
            c = max(1, round(c * model.scale))
        self.servers = c
        self.service = Sampler(spec.service_s, model.rng["facility_service"])
        mean = self.service.mean
        self.cap_h = c * 3600.0 / mean if mean > 0 else 0.0  # parcels/h at full load
        self.closed = sorted(model.closures.get(self.name, []))
        span = model.t_end - model.t_begin
        self.open_s = span - sum(max(0.0, min(b, model.t_end) - max(a, model.t_begin))
                                 for a, b in self.closed)
        self.stats = GridStats(self)
        self._free = [model.t_begin] * c  # heap: when each server is next free
        self._arrivals: list[tuple[np.ndarray, Load]] = []  # buffered, may lie ahead
        self._done: list[tuple[np.ndarray, np.ndarray, list[Load]]] = []
        self.busy_s = 0.0
        # Number in system on the grid t_begin + j * step, j = 0..J; cell J + 1 holds
        # events after t_end.
        self.step = max(mean / 4, span / MAX_GRID) if mean > 0 else 60.0
        self.grid_n = int(span // self.step) + 2
        self._in = np.zeros(self.grid_n, np.int64)
        self._out = np.zeros(self.grid_n, np.int64)
        # The measuring window for the queueing checks (by arrival time).
        self.w0 = model.t_accept_begin + spec.warmup_h * 3600
        self.w1 = model.t_accept_end
        self.w_arrivals = 0
        self.w_queue_wait_s = 0.0
        self.w_sojourn_s = 0.0
        self.w_busy_s = 0.0

    # ------------------------------------------------------------ arrivals
    def arrive(self, piece: Load, t: float) -> None:
        piece.arrived_at = t
        self._arrivals.append((np.full(piece.size, t), piece))
        if self.kind == "sdc" and piece.tracked:
            self.model.scans.arrived_at_unit(piece.tracked, t, self)

    def arrive_spread(self, piece: Load, times: np.ndarray) -> None:
        k = piece.count
        if k:
            self._arrivals.append((np.sort(times[:k]), Piece(k, piece.dest, piece.accepted_at,
                                                             piece.eta_day)))
        for p, t in zip(piece.tracked, times[k:].tolist(), strict=True):
            self._arrivals.append((np.array([t]), p))
            if self.kind == "sdc":
                self.model.scans.arrived_at_unit([p], t, self)

    # ------------------------------------------------------------ service
    def run(self) -> Generator[simpy.Event, object, None]:
        env = self.model.env
        tick = self.model.tick_s
        while env.now < self.model.t_end:
            yield env.timeout(tick)
            self._process(env.now)

    def _due(self, now: float) -> tuple[np.ndarray, np.ndarray, list[Load]]:
        """Buffered arrivals up to ``now``: times, owner index, owners."""
        times: list[np.ndarray] = []
        owners: list[Load] = []
        keep: list[tuple[np.ndarray, Load]] = []
        for ts, piece in self._arrivals:  # each ``ts`` is sorted
            if not len(ts):  # an empty load (nothing in it arrives)
                continue
            if ts[-1] <= now:
                times.append(ts)
                owners.append(piece)
                continue
            n = int(np.searchsorted(ts, now, side="right"))
            if n:  # untracked, partly still on the road (a load of one is never split)
                assert isinstance(piece, Piece)
                times.append(ts[:n])
                owners.append(Piece(n, piece.dest, piece.accepted_at, piece.eta_day))
                piece.count -= n
                ts = ts[n:]
            keep.append((ts, piece))
        self._arrivals = keep
        if not times:
            return np.zeros(0), np.zeros(0, np.int64), owners
        owner = np.repeat(np.arange(len(owners)), [len(t) for t in times])
        return np.concatenate(times), owner, owners

    def _open_at(self, t: float) -> float:
        for a, b in self.closed:
            if a <= t < b:
                t = b
        return t

    def _process(self, now: float) -> None:
        if not self._arrivals:
            return
        arr, owner, owners = self._due(now)
        n = len(arr)
        if n == 0:
            return
        order = np.argsort(arr, kind="stable")  # FIFO; ties keep arrival order
        arr, owner = arr[order], owner[order]
        svc = self.service.many(n)
        starts, dones = fifo_servers(arr.tolist(), svc.tolist(), self._free,
                                     self._open_at if self.closed else None)
        start = np.asarray(starts)
        done = np.asarray(dones)
        self._account(arr, start, done, svc)
        code = "PC" if self.kind == "sdc" else "10"
        scans = self.model.scans
        tracked = np.array([bool(p.tracked) for p in owners])
        for i in np.flatnonzero(tracked[owner]).tolist():
            scans.sorted(owners[owner[i]].tracked, code, dones[i], dones[i], self)
        by_done = np.argsort(done, kind="stable")
        self._done.append((done[by_done], owner[by_done], owners))

    def _account(self, arr: np.ndarray, start: np.ndarray, done: np.ndarray,
                 svc: np.ndarray) -> None:
        m = self.model
        n = len(arr)
        sojourn = done - arr
        st = self.stats
        st.arrivals += n
        st.departures += n
        st.wait_sum += float(sojourn.sum())
        self.busy_s += float(svc.sum())
        self.processed += n
        w = (arr >= self.w0) & (arr < self.w1)
        if w.any():
            self.w_arrivals += int(w.sum())
            self.w_queue_wait_s += float((start - arr)[w].sum())
            self.w_sojourn_s += float(sojourn[w].sum())
            self.w_busy_s += float(svc[w].sum())
        last = self.grid_n - 1
        _add_counts(self._in, np.clip(np.ceil((arr - m.t_begin) / self.step), 0, last)
                    .astype(np.int64))
        _add_counts(self._out, np.clip(np.ceil((done - m.t_begin) / self.step), 0, last)
                    .astype(np.int64))
        h = np.floor((done - m.t_begin) / 3600).astype(np.int64)
        h = h[(h >= 0) & (h < m.hours)]
        u, c = np.unique(h, return_counts=True)
        for hour, k in zip(u.tolist(), c.tolist(), strict=True):
            self.processed_by_hour[hour] += k

    def release(self, until: float) -> None:
        self._process(self.model.env.now)
        out: list[tuple[float, int, Load]] = []
        keep = []
        for done, owner, owners in self._done:
            k = int(np.searchsorted(done, until, side="right"))
            if k == 0:
                keep.append((done, owner, owners))
                continue
            d, o = done[:k], owner[:k]
            u, counts = np.unique(o, return_counts=True)
            ready = np.zeros(len(owners))
            np.maximum.at(ready, o, d)
            for j, c in zip(u.tolist(), counts.tolist(), strict=True):
                src = owners[j]
                part = src if isinstance(src, Tracked) else Piece(c, src.dest, src.accepted_at,
                                                                  src.eta_day)
                out.append((float(ready[j]), len(out), part))
            if k < len(done):
                keep.append((done[k:], owner[k:], owners))
        self._done = keep
        out.sort()
        for ready_at, _, part in out:
            self.forward(part, ready_at)

    # ------------------------------------------------------------ checks
    def _in_system(self) -> np.ndarray:
        return np.cumsum(self._in) - np.cumsum(self._out)

    def grid_area(self, a: float, b: float) -> float:
        """Integral of the number in system over [a, b), from the grid."""
        j0 = max(0, math.ceil((a - self.model.t_begin) / self.step))
        j1 = min(self.grid_n - 1, math.ceil((b - self.model.t_begin) / self.step))
        return float(self._in_system()[j0:j1].sum()) * self.step

    def summary(self) -> dict[str, Any]:
        """Station keys for ``summary.json`` (raw sums beside every ratio)."""
        def r(x: float, nd: int = 6) -> float:
            return float(round(float(x), nd))

        window_h = max(0.0, self.w1 - self.w0) / 3600
        area_h = self.grid_area(self.w0, self.w1) / 3600  # parcel-hours
        n = self.w_arrivals
        lam = n / window_h if window_h else 0.0
        mu = 3600.0 / self.service.mean if self.service.mean else math.inf
        wq = self.w_queue_wait_s / 3600 / n if n else 0.0
        _, wq_c = erlang_c(lam, mu, self.servers) if lam else (0.0, 0.0)
        sojourn_h = self.w_sojourn_s / 3600
        key = f"facility_{self.name}"
        return {
            f"{key}_servers": self.servers,
            f"{key}_service_mean_h": r(self.service.mean / 3600, 8),
            f"{key}_busy_sum_h": r(self.busy_s / 3600),
            f"{key}_station_window_h": r(window_h),
            f"{key}_station_arrivals": n,
            f"{key}_station_arrival_rate_per_h": r(lam),
            f"{key}_station_utilisation": r(self.w_busy_s / 3600 / (self.servers * window_h))
            if window_h else 0.0,
            f"{key}_station_queue_area_h": r(area_h),
            f"{key}_station_queue_mean": r(area_h / window_h) if window_h else 0.0,
            f"{key}_station_sojourn_sum_h": r(sojourn_h),
            f"{key}_station_wait_sum_h": r(self.w_queue_wait_s / 3600),
            f"{key}_station_wait_mean_h": r(wq, 8),
            f"{key}_station_wait_erlang_c_h": r(wq_c, 8) if math.isfinite(wq_c) else -1.0,
            f"{key}_station_wait_error": r(abs(wq - wq_c) / wq_c)
            if wq_c and math.isfinite(wq_c) else 0.0,
            f"{key}_station_littles_law_error": r(abs(area_h - sojourn_h) / area_h)
            if area_h else 0.0,
        }

    def diagnostics(self, s: dict[str, Any]) -> list[str]:
        k = f"facility_{self.name}"
        lam = s[f"{k}_station_arrival_rate_per_h"]
        window = s[f"{k}_station_window_h"]
        l_w = s[f"{k}_station_queue_mean"]
        lam_w = s[f"{k}_station_sojourn_sum_h"] / window if window else 0.0
        if not s[f"{k}_station_arrivals"]:
            return [f"  {self.name:<22} station c={self.servers}: no arrivals in the measuring "
                    f"window (warmup_h {self.spec.warmup_h} h to the end of acceptance)"]
        return [
            f"  {self.name:<22} station c={self.servers}, mean service "
            f"{self.service.mean:.4g} s, window {window:.0f} h: lambda={lam:.2f}/h "
            f"rho={s[f'{k}_station_utilisation']:.3f}",
            f"  {'':<22} Wq sim {3600 * s[f'{k}_station_wait_mean_h']:.3f} s vs Erlang C "
            f"{3600 * s[f'{k}_station_wait_erlang_c_h']:.3f} s "
            f"({100 * s[f'{k}_station_wait_error']:.2f}%); grid L={l_w:.3f} "
            f"lambda*W={lam_w:.3f} ({100 * s[f'{k}_station_littles_law_error']:.3f}%)",
        ]
