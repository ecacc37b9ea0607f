"""The customer-care centre: agents by shift, calls that wait, abandon or are answered.

A SimPy ``PriorityResource`` with as many slots as the largest shift. Off-duty
agents are modelled by the shift keeper holding slots at a higher priority
than calls: going off shift, an agent finishes the call in hand first (the
keeper's request waits like a call would). A caller waits up to a patience
time (exponential by default) and then hangs up (abandons).

The queue of waiting calls is SimPy's sorted queue with the same order, kept by
binary search (``CallQueue``): SimPy re-sorts the whole queue on every request
and scans it on every hang-up, which at national volume (tens of thousands
waiting after a late day) made each new call cost milliseconds.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort_right
from datetime import timedelta
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import simpy

from sim.dists import Sampler, local_date, local_epoch

if TYPE_CHECKING:
    from collections.abc import Generator

    from sim.model import Model

CALL, SHIFT = 1, 0  # priorities: lower is served first
_KEY = attrgetter("key")  # a request's (priority, time, not preempt)


class CallQueue(simpy.resources.resource.SortedQueue):
    """``SortedQueue`` in O(log n) a request: SimPy appends and sorts stably, which puts
    a request after every one with a key not above its own: ``insort_right``. A
    removal (a caller hangs up) looks among the requests with its key only."""

    def append(self, item: Any) -> None:
        if self.maxlen is not None and len(self) >= self.maxlen:
            raise RuntimeError("Cannot append event. Queue is full.")
        insort_right(self, item, key=_KEY)

    def remove(self, item: Any) -> None:
        key = item.key
        for i in range(bisect_left(self, key, key=_KEY), bisect_right(self, key, key=_KEY)):
            if self[i] is item:
                del self[i]
                return
        raise ValueError("CallQueue.remove(x): x not in queue")


class CarePhones(simpy.PriorityResource):
    """The centre's lines: SimPy's priority resource with ``CallQueue``."""

    PutQueue = CallQueue


class CareCentre:
    def __init__(self, model: Model) -> None:
        self.model = model
        spec = model.scenario.care
        self.spec = spec
        self.env = model.env
        factor = model.scale if spec.scale_agents else 1.0
        self.shifts = [(s.start_h, s.end_h, max(1, round(s.agents * factor)) if s.agents else 0)
                       for s in spec.shifts]
        self.max_agents = max(1, sum(a for _, _, a in self.shifts))  # all shifts overlapping
        self.res = CarePhones(self.env, capacity=self.max_agents)
        rng = model.rng["care"]
        self.service = Sampler(spec.service_s, rng)
        self.patience = Sampler(spec.patience_s, rng)
        self.contacts = 0
        self.answered = 0
        self.abandoned = 0
        self.wait_sum = 0.0
        self.busy_s = 0.0
        self.contacts_by_hour = [0] * model.hours
        self.abandoned_by_hour = [0] * model.hours
        self._held: list[simpy.resources.resource.PriorityRequest] = []
        self._edge_list = self._edges()
        self.open_delay = Sampler(spec.open_delay_h, rng, 3600.0)

    def agents_at(self, t: float) -> int:
        local = local_date(t, self.spec.zone)
        hour = (t - local_epoch(local, 0, self.spec.zone)) / 3600
        return sum(a for s, e, a in self.shifts if s <= hour < e)

    def _edges(self) -> list[float]:
        m = self.model
        edges: list[float] = []
        day = local_date(m.t_begin, self.spec.zone) - timedelta(days=1)
        while local_epoch(day, 0, self.spec.zone) < m.t_end + 3 * 86400:
            for s, e, _ in self.shifts:
                edges += [local_epoch(day, s, self.spec.zone), local_epoch(day, e, self.spec.zone)]
            day += timedelta(days=1)
        return sorted(set(edges))

    def next_open(self, t: float) -> float:
        """``t`` if agents are on duty then, else the start of the next staffed shift."""
        if self.agents_at(t) > 0:
            return t
        i = bisect_right(self._edge_list, t)
        while i < len(self._edge_list):
            edge = self._edge_list[i]
            if self.agents_at(edge + 1) > 0:
                return edge
            i += 1
        return t

    def queue_len(self) -> int:
        return sum(1 for r in self.res.queue if r.priority == CALL)

    def run_shifts(self) -> Generator[simpy.Event, object, None]:
        """Keep ``max_agents - on duty`` slots held; re-check at every shift edge."""
        m = self.model
        edges = [t for t in self._edge_list if m.t_begin < t < m.t_end]
        for t in [m.t_begin, *edges]:
            if self.env.now < t:
                yield self.env.timeout(t - self.env.now)
            off = self.max_agents - self.agents_at(t + 1)
            while len(self._held) > off:
                held = self._held.pop()
                if held.triggered:
                    self.res.release(held)
                else:
                    held.cancel()
            while len(self._held) < off:
                req = self.res.request(priority=SHIFT)
                self._held.append(req)

    def contact(self, at: float) -> None:
        """Someone wants to call at ``at``: they call then if the centre is staffed,
        else soon after it opens (``open_delay_h``)."""
        opens = self.next_open(at)
        if opens != at:
            at = opens + self.open_delay()
        self.env.process(self._call(max(at, self.env.now)))

    def _call(self, at: float) -> Generator[simpy.Event, object, None]:
        env = self.env
        if env.now < at:
            yield env.timeout(at - env.now)
        m = self.model
        h = int((env.now - m.t_begin) // 3600)
        self.contacts += 1
        if 0 <= h < m.hours:
            self.contacts_by_hour[h] += 1
        arrived = env.now
        req = self.res.request(priority=CALL)
        patience = env.timeout(self.patience())
        got = yield req | patience
        if req not in got:  # type: ignore[operator]
            req.cancel()
            self.abandoned += 1
            if 0 <= h < m.hours:
                self.abandoned_by_hour[h] += 1
            return
        self.answered += 1
        self.wait_sum += env.now - arrived
        service = self.service()
        self.busy_s += service
        yield env.timeout(service)
        self.res.release(req)
