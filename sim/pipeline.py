"""One run in two processes, byte-identical to the run in one: the network, then the pump.

``eccc run --workers 2``. A run has two halves that meet in one place:

- the **network** (arrivals, facilities, trips, the last mile, the 8 PM count of
  late untracked parcels): SimPy processes that decide where parcels are and
  emit the followed parcels' scans;
- the **messaging** side (the input pump ``Model._drain``, the engine, the SMS
  gateway, handsets, customers, the care centre): everything downstream of
  ``Model.push_input``.

Nothing the messaging side does feeds back into the network (a text moves no
parcel; a care call neither), and the pump already trails the SimPy clock by
``Model.LAG_S``. So the network can run ahead in process A and hand its calls
into the messaging side to process B, which replays them in the order the
one-process run makes them. That order is the whole argument:

- Every call from the network into the messaging side (a scan, a new followed
  parcel, its subscription, its late check, a parcel closed or not delivered
  at the first try) is recorded as an *op*, in the order A makes it.
- Between those calls, the one-process run reaches the messaging side only at
  *sync events*: the pump's ticks (every ``PUMP_S``, where it drains) and the
  8 PM late checks (whose count of late untracked parcels is the network's,
  but whose care calls are the messaging side's). Both processes run these
  timers as the one-process run does (same processes, started in the same
  order, hence the same order among themselves at equal times: SimPy breaks
  ties by scheduling order, and each side schedules its own events in the
  one-process order). A appends a marker to its op stream at each sync event;
  B, at each of its own, first replays the ops up to the next marker. So every
  op reaches B between the same two drains (and 8 PM checks) as in one process.
- What B does between sync events (the care centre's calls and shifts) touches
  nothing an op touches (care state and care's random stream), so replaying
  an op at the next sync event rather than at its own instant changes nothing.
- Random streams are per purpose (``sim.dists.streams``) and each purpose is
  drawn on one side only: the customers' stream by ``Customers.follow``, which
  is an op replayed in B, as well as by B's own calls.
- The network's figures (volume, deliveries, facilities, scan counts) travel
  once, at the end (``network_state``), into B's model before it writes files.

Transport: a ``multiprocessing`` queue (spawn context) of pickled batches of one
simulated hour of ops each, at most ``QUEUE_BATCHES`` ahead, so A's lead and the
memory it holds stay bounded. The project's executors (``research.executors``)
run independent tasks and return their results; a pipeline needs a stream
between two processes that run at once, which they do not offer.
"""

from __future__ import annotations

import copyreg
import gc
import io
import math
import multiprocessing as mp
import operator
import pickle
import queue
import signal
import time
import traceback
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import Any

import simpy

from engine.inputs import Scan
from scenarios.schema import DRAIN_DAYS, Scenario, parse
from sim.dists import epoch_day
from sim.loads import Tracked
from sim.model import PUMP_S, Model
from sim.network import StationStats
from sim.progress import peak_rss_mb
from sim.pumpqueue import ACCEPTED, LABELLED
from sim.scans import SCAN_FIELDS, note_scan, trusted_scan

# Ops: (code, ...) tuples in the order the network makes them.
SCAN, TRACK, FOLLOW, LATE_CHECK, CLOSED, EXCEPTION = range(6)
# Markers of sync events: (TICK,), (LATE, region, late untracked count), (END,).
TICK, LATE, END = 10, 11, 12
TICK_OP = (TICK,)
BATCH_TICKS = 60          # one simulated hour of pump ticks per message
QUEUE_BATCHES = 8         # the network runs at most this many messages ahead

# What the network side owns of ``Metrics``, and what of a facility is not a figure.
NETWORK_METRICS = ("accepted", "arrived_by_hour", "delivered_by_hour", "delivered_n",
                   "returned_n", "on_time", "days_sum", "days_hist", "pending")
FACILITY_OBJECTS = frozenset({"model", "spec", "queue", "outbound", "service", "stats",
                              "_arrivals", "_done"})


# Scans are most of the traffic. A frozen dataclass unpickles through Python code that
# sets its fields one by one via ``dataclasses.fields`` (about 6 us a scan, on the busy
# side); rebuilt from a tuple through the slots' own setters (``sim.scans.trusted_scan``)
# it takes about 2.
_SCAN_GET = operator.attrgetter(*SCAN_FIELDS)


def _reduce_scan(s: Scan) -> tuple[Any, ...]:
    return trusted_scan, _SCAN_GET(s)


_DISPATCH = copyreg.dispatch_table.copy()
_DISPATCH[Scan] = _reduce_scan


def dumps(msg: object) -> bytes:
    """Pickle a message, scans the fast way (only here: the global table is left alone)."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(msg)
    return buf.getvalue()


class PipelineError(RuntimeError):
    """The network process failed or the two sides fell out of step."""


# ---------------------------------------------------------------- process A: the network
class _FollowedOps:
    """Stands in for ``FollowedParcels`` on the network side: records, keeps nothing."""

    def __init__(self, side: NetworkSide) -> None:
        self.side = side

    def add(self, p: Tracked) -> None:
        self.side.ops.append((TRACK, p.index, p.origin, p.dest, p.accepted_at, p.eta_day,
                              p.missing))

    def closed(self, p: Tracked, at: float) -> None:
        self.side.ops.append((CLOSED, p.tn, at, p.delivered_at, p.returned))

    def exception(self, p: Tracked) -> None:
        self.side.ops.append((EXCEPTION, p.tn))


class _CustomersOps:
    """Stands in for ``Customers`` on the network side: a subscription is an op."""

    def __init__(self, side: NetworkSide) -> None:
        self.side = side

    def follow(self, p: Tracked, label_at: float, accept_at: float) -> None:
        self.side.ops.append((FOLLOW, p.tn, label_at, accept_at))


class NetworkSide(Model):
    """Process A: the network's SimPy processes; calls into the messaging side become ops."""

    def __init__(self, scenario: Scenario, *, put: Any, **kw: Any) -> None:
        # Model builds an engine this side never uses: a built-in policy, so a
        # researcher's plug-in policy need not be importable in this process.
        super().__init__(scenario, policies=("every_scan",), log_messages=False, **kw)
        self.ops: list[tuple[Any, ...]] = []
        self.followed = _FollowedOps(self)  # type: ignore[assignment]
        self.customers = _CustomersOps(self)  # type: ignore[assignment]
        self._put = put
        self.ticks = 0
        self.batches = 0
        self.n_ops = 0
        self.put_wait_s = 0.0
        self.pickle_s = 0.0

    def push_scan(self, p: Tracked, scan: Scan, error: bool) -> None:
        self.ops.append((SCAN, scan, error))

    def push_created(self, p: Tracked, label_at: int, accept_at: int) -> None:
        # Built now and shipped as scans; the messaging side queues them as any scan.
        self.push_scan(p, self.scans.built(p, LABELLED, label_at), False)
        self.push_scan(p, self.scans.built(p, ACCEPTED, accept_at), False)

    def push_due_scan(self, p: Tracked, code: str, at: int, kind: int, error: bool) -> None:
        self.push_scan(p, self.scans.built(p, kind, at), error)

    def late_check(self, p: Tracked) -> None:
        self.ops.append((LATE_CHECK, p.tn))

    def late_untracked(self, region: int, day: Any, t: float) -> None:
        self.ops.append((LATE, region, self.metrics.take_late(region, epoch_day(day))))

    def start_messaging(self) -> None:
        self.env.process(self._ticks())

    def _ticks(self) -> Generator[simpy.Event, object, None]:
        """The pump's timeouts, marking where each drain falls among the ops."""
        env = self.env
        while True:
            yield env.timeout(PUMP_S)
            self.ops.append(TICK_OP)
            self.ticks += 1
            if self.ticks % BATCH_TICKS == 0:
                self.ship(("ops", self.ops, self.metrics.accepted))
                self.ops = []

    def ship(self, msg: tuple[Any, ...]) -> None:
        t0 = time.perf_counter()
        data = dumps(msg)
        t1 = time.perf_counter()
        self._put(data)
        self.pickle_s += t1 - t0
        self.put_wait_s += time.perf_counter() - t1
        self.batches += 1
        if msg[0] != "error":
            self.n_ops += len(msg[1])


def network_state(m: Model) -> dict[str, Any]:
    """The network's figures at the end of a run (what the files read of it)."""
    return {
        "metrics": {k: getattr(m.metrics, k) for k in NETWORK_METRICS},
        "scans": (m.scans.count, m.scans.errors),
        "facilities": [({k: v for k, v in vars(f).items() if k not in FACILITY_OBJECTS},
                        {k: getattr(f.stats, k) for k in StationStats.__slots__})
                       for f in m.facilities],
    }


def load_network_state(m: Model, state: dict[str, Any]) -> None:
    for k, v in state["metrics"].items():
        setattr(m.metrics, k, v)
    m.scans.count, m.scans.errors = state["scans"]
    for f, (fields, stats) in zip(m.facilities, state["facilities"], strict=True):
        for k, v in fields.items():
            setattr(f, k, v)
        for k, v in stats.items():
            setattr(f.stats, k, v)


def _network_main(spec: dict[str, Any], kw: dict[str, Any], q: Any) -> None:
    """Process A's entry point (spawned): run the network to the end, shipping ops."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends us
    m: NetworkSide | None = None
    try:
        w0, c0 = time.perf_counter(), time.process_time()
        m = NetworkSide(parse(spec), put=q.put, **kw)
        m.start()
        m.advance(m.t_end)
        m.ops.append((END,))
        stats = {"cpu_s": time.process_time() - c0, "wall_s": time.perf_counter() - w0,
                 "put_wait_s": m.put_wait_s, "pickle_s": m.pickle_s,
                 "batches": m.batches + 1, "ops": m.n_ops + len(m.ops),
                 "peak_rss_mb": peak_rss_mb()}
        m.ship(("end", m.ops, network_state(m), stats))
    except BaseException:
        q.put(pickle.dumps(("error", traceback.format_exc())))
    q.close()
    q.join_thread()


# ---------------------------------------------------------------- process B: messaging
class MessagingSide(Model):
    """Process B: the pump, engine, gateway, customers and care, fed by the network's ops."""

    def __init__(self, scenario: Scenario, *, proc: Any, q: Any, **kw: Any) -> None:
        super().__init__(scenario, **kw)
        self._proc = proc
        self._q = q
        self._ops: list[tuple[Any, ...]] = []
        self._i = 0
        self.network: dict[str, Any] = {}  # process A's figures, at the end
        self.wait_s = 0.0
        self.unpickle_s = 0.0

    def start_network(self) -> None:
        """The network runs in the other process."""

    def late_untracked(self, region: int, day: Any, t: float) -> None:
        self.customers.late_untracked(self._sync(LATE, region), t)

    def _drain(self, until: float) -> None:
        if until != math.inf:  # a pump tick (``finish`` drains the rest with inf)
            self._sync(TICK)
        super()._drain(until)

    def finish(self) -> None:
        self._sync(END)
        super().finish()

    def _sync(self, kind: int, region: int = -1) -> int:
        """Replay the network's ops up to its next marker, which must be ``kind``."""
        live = self.followed.live
        push = self.push_input
        while True:
            ops = self._ops
            for i in range(self._i, len(ops)):
                op = ops[i]
                code = op[0]
                if code == SCAN:
                    scan = op[1]
                    p = live.get(scan.tracking_number)
                    if p is not None:  # else folded: its count is no longer read
                        note_scan(p, scan.event_code, scan.at, op[2])
                    push(scan.at, scan)
                elif code == TRACK:
                    p = Tracked(op[1], op[2], op[3], op[4], op[5])
                    p.missing = op[6]
                    self.followed.add(p)
                elif code == FOLLOW:
                    self.customers.follow(live[op[1]], op[2], op[3])
                elif code == LATE_CHECK:
                    self.late_check(live[op[1]])
                elif code == CLOSED:
                    p = live[op[1]]
                    p.delivered_at, p.returned = op[3], op[4]
                    self.followed.closed(p, op[2])
                elif code == EXCEPTION:
                    p = live.get(op[1])
                    if p is not None:
                        p.exception = True
                else:
                    self._i = i + 1
                    if code != kind or (code == LATE and op[1] != region):
                        raise PipelineError(f"the two processes fell out of step: expected "
                                            f"marker {kind}/{region}, got {op}")
                    return int(op[2]) if code == LATE else 0
            self._ops, self._i = self._next_batch(), 0

    def _next_batch(self) -> list[tuple[Any, ...]]:
        t0 = time.perf_counter()
        while True:
            try:
                data = self._q.get(timeout=0.5)
                break
            except queue.Empty:
                if not self._proc.is_alive():
                    raise PipelineError(f"the network process ended without finishing "
                                        f"(exit code {self._proc.exitcode})") from None
        t1 = time.perf_counter()
        # A batch is thousands of objects born at once, none of them garbage: collecting
        # while they are made would walk them (and the rest of the heap) again and again.
        enabled = gc.isenabled()
        gc.disable()
        try:
            msg = pickle.loads(data)
        finally:
            if enabled:
                gc.enable()
        self.wait_s += t1 - t0
        self.unpickle_s += time.perf_counter() - t1
        if msg[0] == "error":
            raise PipelineError(f"the network process failed:\n{msg[1]}")
        if msg[0] == "ops":
            self.metrics.accepted = msg[2]  # for the progress line; final figure at the end
            ops: list[tuple[Any, ...]] = msg[1]
            return ops
        _, ops, state, stats = msg
        load_network_state(self, state)
        self.network = stats
        return ops


@contextmanager
def pipelined(scenario: Scenario, *, seed: int | None = None, scale: float | None = None,
              days: float | None = None, drain_days: float = DRAIN_DAYS,
              **kw: Any) -> Iterator[MessagingSide]:
    """A model whose network runs in a second process; ``run`` it as a ``Model``.

    ``kw`` goes to the messaging side (policies, trace, messages, ...). The
    network process starts here and is ended on the way out, finished or not.
    """
    ctx = mp.get_context("spawn")
    q = ctx.Queue(maxsize=QUEUE_BATCHES)
    net_kw = {"seed": seed, "scale": scale, "days": days, "drain_days": drain_days}
    proc = ctx.Process(target=_network_main, name="eccc-network", daemon=True,
                       args=(scenario.model_dump(mode="json"), net_kw, q))
    proc.start()
    try:
        yield MessagingSide(scenario, proc=proc, q=q, seed=seed, scale=scale, days=days,
                            drain_days=drain_days, **kw)
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join(timeout=10)
        q.close()
        q.cancel_join_thread()
