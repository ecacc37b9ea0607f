"""The whole model: network, volume, customers, gateway and care around one engine.

SimPy runs the physical world (sort windows, trips, delivery rounds, the care
centre). Everything that talks to the engine goes through one time-ordered
queue of events (engine inputs, gateway submissions, texts reaching handsets,
late-parcel checks), drained by the *input pump*: the single place that
orders engine inputs, so the engine sees them in time order and equal times
keep insertion order (a counter breaks ties, as SimPy's own queue does).

The pump trails the SimPy clock by ``LAG_S``: a facility accounts for a tick's
sorting at the tick's end and stamps scans across the tick, so producers may
emit up to one tick (at most an hour) in the past. Engine wake-ups
(``WakeAt``) become ``Wake`` inputs in the same queue, at most one per
distinct time.
"""

from __future__ import annotations

import heapq
import math
from datetime import date, timedelta
from typing import IO, TYPE_CHECKING, Any, Protocol

import orjson
import simpy

from engine import codes
from engine.audit import Audit
from engine.core import Engine, EngineConfig
from engine.inputs import Input, Receipt, Scan, Wake
from engine.outputs import TEXTS, Held, Output, Redacted, Reply, Sms, Suppressed, WakeAt
from engine.phones import mask
from engine.records import from_input, parse_time
from engine.retention import DEFAULT_RETENTION, RetentionConfig
from engine.tally import OutputTally
from scenarios.schema import DRAIN_DAYS, Scenario
from sim.care import CareCentre
from sim.customers import LATE_CHECK_H, Customers
from sim.dists import EPOCH_ORDINAL, Calendar, epoch_day, local_date, local_epoch, streams
from sim.followed import FollowedParcels, grace_days
from sim.gateway import Gateway
from sim.lastmile import LastMile
from sim.loads import Load, Tracked
from sim.metrics import Metrics
from sim.netstation import StationFacility
from sim.network import SortFacility, Trip
from sim.pumpqueue import (
    ACCEPTED,
    ASKED,
    GATEWAY,
    HANDSET,
    INPUT,
    LABELLED,
    LATE,
    PumpQueue,
    few_collections,
)
from sim.scans import ScanFeed, note_scan
from sim.volume import LEAD_S, Arrivals

if TYPE_CHECKING:
    from collections.abc import Callable, Generator


class MessageSink(Protocol):
    def append(self, row: tuple[Any, ...], /) -> None: ...


PUMP_S = 60
_RECORDED = (Suppressed, Held, Redacted)  # for isinstance (see engine.outputs.TEXTS)
EXCEPTION_MILESTONES = frozenset({codes.ATTEMPTED, codes.AVAILABLE_FOR_PICKUP, codes.ALERT,
                                  codes.RETURN_TO_SENDER})


class Model(PumpQueue):
    LAG_S = 3600 + PUMP_S

    def __init__(self, scenario: Scenario, *, seed: int | None = None,
                 scale: float | None = None,
                 days: float | None = None, policies: tuple[str, ...] | None = None,
                 drain_days: float = DRAIN_DAYS, trace: IO[bytes] | None = None,
                 log_messages: bool = True, messages: MessageSink | None = None,
                 retention: RetentionConfig | None = DEFAULT_RETENTION) -> None:
        if scenario.network is None or scenario.volume is None:
            raise ValueError(f"scenario {scenario.name!r} has no network; see sim.station")
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.scale = scenario.scale if scale is None else scale
        self.days = scenario.days if days is None else days
        self.policies = tuple(policies or scenario.policies)
        self.rng = streams(self.seed)
        net = scenario.network
        self.regions = net.regions
        first_zone = self.regions[0].zone
        self.t_accept_begin = float(local_epoch(scenario.start, 0, first_zone))
        self.t_accept_end = self.t_accept_begin + self.days * 86400
        self.t_begin = self.t_accept_begin
        self.t_end = self.t_accept_end + drain_days * 86400
        self.hours = math.ceil((self.t_end - self.t_begin) / 3600)
        self.tick_s = net.tick_min * 60
        self.env = simpy.Environment(initial_time=self.t_begin - LEAD_S)
        last = local_date(self.t_end, first_zone) + timedelta(days=30)
        self.calendar = Calendar(scenario.start, last, net.delivery.sunday_delivery)
        self._faults()
        if retention is DEFAULT_RETENTION:  # the scenario's (its defaults are the engine's)
            kept = scenario.retention
            retention = RetentionConfig.of_days(kept.after_close_days, kept.silent_days)
        self.engine = Engine(EngineConfig(policies=self.policies, retention=retention))
        self.audit = Audit()  # the legal-risk audit (engine.audit), as `eccc replay --audit`
        self.trace = trace
        # Where message-log rows go: a sink (``sim.messagelog.MessageLog`` streams them to
        # disk), else a list when asked to log (small runs, tests), else nowhere.
        self.messages: list[tuple[Any, ...]] = []
        self._log: Callable[[tuple[Any, ...]], None] | None = (
            messages.append if messages is not None
            else self.messages.append if log_messages else None)
        self.metrics = Metrics(self)
        self.scans = ScanFeed(self)
        self.customers = Customers(self)
        self.gateway = Gateway(self)
        self.care = CareCentre(self)
        self.followed = FollowedParcels(grace_days(self.scenario.gateway.validity_s))
        self.by_tn = self.followed.live  # followed parcels in flight, by tracking number
        self._init_queue(self.t_begin - LEAD_S)
        self._wakes: set[int] = set()
        self._gw_sample = self.t_begin + 3600
        self._progress: Callable[[Model, float], None] | None = None
        self.engine_inputs = 0
        self._build_network()
        self.arrivals = Arrivals(self)
        self.customers.size_pools(self.arrivals.expected_per_day() * self.days
                                  * self.arrivals.p_follow)
        # Texts per recipient counted by person (a flat array), not in a dict by number.
        self.tally = OutputTally(self.customers.people)

    # ------------------------------------------------------------------ setup
    def _faults(self) -> None:
        self.closures: dict[str, list[tuple[float, float]]] = {}
        self.carrier_outages: list[tuple[float, float]] = []
        self.storms: list[tuple[int, float, float, float]] = []
        names = [r.name for r in self.regions]
        for f in self.scenario.faults:
            a = float(parse_time(f.start)[0])
            b = a + f.hours * 3600
            if f.kind == "facility_closure":
                assert f.facility is not None
                self.closures.setdefault(f.facility, []).append((a, b))
            elif f.kind == "carrier_outage":
                self.carrier_outages.append((a, b))
            else:
                assert f.region is not None
                self.storms.append((names.index(f.region), a, b, f.factor))

    def storm_factor(self, region: int, at: float) -> float:
        f = 1.0
        for r, a, b, factor in self.storms:
            if r == region and a <= at < b:
                f *= factor
        return f

    def _build_network(self) -> None:
        net = self.scenario.network
        assert net is not None
        names = [r.name for r in self.regions]
        self.facilities = [(StationFacility if f.mode == "station" else SortFacility)(
            self, f, names.index(f.region)) for f in net.facilities]
        self.facility_index = {f.name: i for i, f in enumerate(self.facilities)}
        kind: dict[str, list[SortFacility]] = {k: [] for k in ("acceptance", "rpdc", "lpc", "sdc")}
        for r in range(len(self.regions)):
            for k in kind:
                kind[k].append(next(f for f in self.facilities
                                    if f.region == r and f.kind == k))
        self.acceptance, self.rpdc, self.lpc, self.sdc = (
            kind["acceptance"], kind["rpdc"], kind["lpc"], kind["sdc"])
        self.trips = []
        for r in range(len(self.regions)):
            self.trips.append(Trip(self, self.acceptance[r], self.rpdc[r],
                                   net.legs["acceptance_to_rpdc"], "SF"))
            for d in range(len(self.regions)):
                self.trips.append(Trip(self, self.rpdc[r], self.lpc[d], net.legs["rpdc_to_lpc"],
                                       "EF"))
            self.trips.append(Trip(self, self.lpc[r], self.sdc[r], net.legs["lpc_to_sdc"], "EF"))
        self.last_mile = [LastMile(self, unit) for unit in self.sdc]

    def next_hop(self, fac: SortFacility, piece: Load) -> int:
        if fac.kind == "acceptance":
            return self.facility_index[self.rpdc[fac.region].name]
        if fac.kind == "rpdc":
            return self.facility_index[self.lpc[piece.dest].name]
        if fac.kind == "lpc":
            return self.facility_index[self.sdc[piece.dest].name]
        return -1

    # ------------------------------------------------------------------ queue
    def push_input(self, at: float, inp: Input) -> None:
        self._push(at, INPUT, inp)

    def push_scan(self, p: Tracked, scan: Scan, error: bool) -> None:
        """A followed parcel's scan (``sim.scans``): the parcel counts it, the engine gets it."""
        note_scan(p, scan.event_code, scan.at, error)
        self.push_input(scan.at, scan)

    def push_due_scan(self, p: Tracked, code: str, at: int, kind: int, error: bool) -> None:
        """A followed parcel's scan queued as the parcel, built by the pump when due
        (``ScanFeed.built``): the same ``Scan`` in the same place in the order."""
        note_scan(p, code, at, error)
        self._push_due(at, kind, p)

    def push_created(self, p: Tracked, label_at: int, accept_at: int) -> None:
        """``p``'s label and acceptance scans (``ScanFeed.created``): queued as the parcel,
        built by the pump when due, the same ``Scan``s in the same order as if pushed now."""
        p.add_scans(2)
        self._push_due(label_at, LABELLED, p)
        self._push_due(accept_at, ACCEPTED, p)

    def push_asked(self, at: int, how: int, p: Tracked, phone: str) -> None:
        """A customer's subscription or text about ``p`` (``Customers.follow``), queued
        as what it is and built by the pump when due: the same input in the same place."""
        self._push_due(at, ASKED, (how, p, phone))

    def _push_due(self, at: int, kind: int, payload: Any) -> None:
        """Queue an input to be built when due (``_built``). One behind the pump's clock
        (``_push`` would move it to the clock and count it) is built now, so it keeps its
        own time, as in the two-process run, which builds every input at once."""
        if at < self._clock:
            self.push_input(at, self._built(kind, payload, at))
        else:
            self._push(at, kind, payload)

    def _built(self, kind: int, payload: Any, at: int) -> Input:
        """The input a queue entry of ``kind`` (``sim.pumpqueue``) stands for, at ``at``."""
        if kind == ASKED:
            how, p, phone = payload
            return self.customers.built(how, p, phone, at)
        return self.scans.built(payload, kind, at)

    def push_gateway(self, at: float, msg: Sms | Reply, attempt: int, first_at: float) -> None:
        self._push(at, GATEWAY, (msg, attempt, first_at))

    def push_handset(self, at: float, msg: Sms | Reply, submitted: float) -> None:
        self._push(at, HANDSET, (msg, submitted))

    def late_check(self, p: Tracked) -> None:
        self._push(self.customers.late_check_at(p), LATE, p)

    # ------------------------------------------------------------------ pump
    def _drain(self, until: float) -> None:
        heap = self._heap
        pop = heapq.heappop
        engine = self.engine
        trace = self.trace
        run, i = self._run, self._ri
        n = len(run)
        while True:
            # The next entry: the run's or the heap's, whichever is first in (time, counter).
            if i < n:
                entry = run[i]
                if heap and heap[0] < entry:
                    entry = heap[0]
                    if entry[0] >= until:
                        break
                    pop(heap)
                else:
                    if entry[0] >= until:
                        break
                    i += 1
            elif heap:
                entry = heap[0]
                if entry[0] >= until:
                    break
                pop(heap)
            else:
                # Both spent: past the horizon, the next bucket becomes the run.
                if self._horizon < until and self._load_bucket():
                    run, i = self._run, 0
                    n = len(run)
                    continue
                break
            self._ri = i
            at, _, kind, payload = entry
            self._clock = at
            while at >= self._gw_sample:  # the gateway's queue on each hour boundary
                self.metrics.gateway_queue_sample(self._gw_sample)
                self._gw_sample += 3600
            if kind == INPUT or kind >= LABELLED:
                if kind != INPUT:
                    payload = self._built(kind, payload, int(at))
                elif type(payload) is Wake:
                    self._wakes.discard(payload.at)
                if trace is not None:
                    trace.write(orjson.dumps(from_input(payload)) + b"\n")
                self.engine_inputs += 1
                self._outputs(engine.handle(payload))
            elif kind == GATEWAY:
                msg, attempt, first_at = payload
                self.gateway.submit(at, msg, attempt, first_at)
            elif kind == HANDSET:
                self._handset(at, *payload)
            else:
                self.customers.late_check(payload, at)

    def _outputs(self, outs: list[Output]) -> None:
        if not outs:
            return
        self.tally.add(outs)
        log = self._log
        for o in outs:
            if isinstance(o, TEXTS):
                if isinstance(o, Sms):
                    self.audit.note(self.engine, o)
                self.metrics.text_decided(o.at, o.segments)
                self.push_gateway(o.at, o, 0, o.at)
                if log is not None:
                    log((o.at, mask(o.to), o.tracking_number or "", o.kind, o.cause, o.segments,
                         o.encoding, ""))
            elif isinstance(o, WakeAt):
                if o.at not in self._wakes:
                    self._wakes.add(o.at)
                    self.push_input(o.at, Wake(at=o.at))
            elif log is not None:
                assert isinstance(o, _RECORDED)
                log((o.at, mask(o.to), o.tracking_number or "", o.kind, o.cause, 0, "",
                     o.reason))

    def _handset(self, at: float, msg: Sms | Reply, submitted: float) -> None:
        t = math.ceil(at)
        self.push_input(t, Receipt(at=t, message_id=msg.message_id, status="delivered"))
        notification = type(msg) is Sms
        # Only a notification marks its parcel; a reply (to a late YES, say) needs none.
        p = self.followed.get(msg.tracking_number) if notification and msg.tracking_number else None
        # The engine says which scan a text tells of (``Sms.event_at``): exact even when a
        # held text is released after a later scan with the same code.
        scan_at = msg.event_at if type(msg) is Sms else None
        if p is not None and notification and msg.cause.startswith("scan:"):
            code = msg.cause[5:]
            p.last_texted_at = at
            if code == "OF" and not p.of_texted:
                self.followed.of_texted(p, at)
            if p.errors is not None and scan_at is not None and (code, scan_at) in p.errors:
                self.metrics.misleading += 1
            if codes.milestone_of(code) in EXCEPTION_MILESTONES and not p.exception_texted:
                end = local_epoch(date.fromordinal(p.eta_day + EPOCH_ORDINAL + 1), 0,
                                  self.regions[p.dest].zone)
                if at < end:
                    p.exception_texted = True
        self.metrics.text_delivered(scan_at, msg.at, submitted, at)
        self.customers.on_handset(at, msg.to, p, notification)

    def _pump(self) -> Generator[simpy.Event, object, None]:
        env = self.env
        next_hour = self.t_begin + 3600
        while True:
            yield env.timeout(PUMP_S)
            self._drain(env.now - self.LAG_S)
            if env.now >= next_hour:
                self.metrics.care_queue_sample(next_hour)
                self.followed.retire(env.now - self.LAG_S)
                next_hour += 3600
            if self._progress is not None:
                self._progress(self, env.now)

    def _late_untracked(self, region: int) -> Generator[simpy.Event, object, None]:
        """8 PM local each day: untracked parcels promised today and not delivered."""
        env = self.env
        zone = self.regions[region].zone
        day = local_date(self.t_begin, zone)
        while True:
            t = local_epoch(day, LATE_CHECK_H, zone)
            if t >= self.t_end:
                return
            if env.now < t:
                yield env.timeout(t - env.now)
            self.late_untracked(region, day, t)
            day += timedelta(days=1)

    def late_untracked(self, region: int, day: date, t: float) -> None:
        self.customers.late_untracked(self.metrics.take_late(region, epoch_day(day)), t)

    # ------------------------------------------------------------------ run
    def run(self, progress: bool | Callable[[Model, float], None] = False) -> None:
        """Run to the end. ``progress``: True for a bar on stderr filled by the share of the
        work (``sim.progress.WorkBar``), or a callable told ``(model, simulated now)`` once a
        simulated minute (``sim.progress.ProgressLine``)."""
        if callable(progress):
            self.watch(progress)
        elif progress:
            from sim.progress import WorkBar

            self.watch(WorkBar())
        with few_collections():  # once for the whole run (``advance`` and ``finish`` nest)
            self.start()
            self.advance(self.t_end)
            self.finish()

    def watch(self, progress: Callable[[Model, float], None]) -> None:
        """Tell ``progress`` ``(model, simulated now)`` once a simulated minute, also when
        driven by ``start`` and ``advance`` (the benchmarks)."""
        self._progress = progress

    def start(self) -> None:
        """Set the world's processes going (``run`` is start, advance, finish).

        In this order (SimPy breaks ties at equal times by scheduling order): the
        network, the 8 PM late checks, then care and the pump. ``sim.pipeline`` runs
        the first two in one process and the last two in another, in the same order."""
        self.start_network()
        for r in range(len(self.regions)):
            self.env.process(self._late_untracked(r))
        self.start_messaging()

    def start_network(self) -> None:
        env = self.env
        env.process(self.arrivals.run())
        for f in self.facilities:
            if f.kind != "acceptance":
                env.process(f.run())
        for trip in self.trips:
            env.process(trip.run())
        for lm in self.last_mile:
            env.process(lm.run())

    def start_messaging(self) -> None:
        self.env.process(self.care.run_shifts())
        self.env.process(self._pump())

    def advance(self, until: float) -> None:
        """Simulate up to ``until`` (at most the end); benchmarks time one day this way."""
        until = min(until, self.t_end)
        if until > self.env.now:
            with few_collections():
                self.env.run(until=until)

    def finish(self) -> None:
        """After the end: what the network set in motion (late texts, receipts)."""
        with few_collections():
            self._drain(math.inf)
        self.followed.finish()
        close = getattr(self._progress, "close", None)
        if close is not None:
            close()
