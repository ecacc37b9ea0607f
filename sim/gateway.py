"""The SMS gateway and the carriers behind it.

A FIFO queue in front of a send-rate limit (100 messages/s on a US short
code, docs/facts.md), computed by the Lindley recursion: a message is submitted at
max(its arrival, the previous submission + 1/rate), or after the end of a
carrier outage. Messages reach the model in time order (the model's input
pump), so the recursion is exact and costs O(1) per message however long the
queue. A queued text older than the validity period is dropped (expired); a
failed one is retried after ``retry_after_s`` up to ``retries`` times. The
final outcome comes back to the engine as a delivery ``Receipt``.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

from engine.inputs import Receipt
from sim.dists import Sampler

if TYPE_CHECKING:
    from engine.outputs import Reply, Sms
    from sim.model import Model


class Gateway:
    def __init__(self, model: Model) -> None:
        self.model = model
        spec = model.scenario.gateway
        self.spec = spec
        rate = spec.rate_per_s * (model.scale if spec.scale_rate else 1.0)
        self.interval = 1.0 / rate
        self.rng = model.rng["gateway"]
        self.delay = Sampler(spec.carrier_delay_s, self.rng)
        self.outages = sorted(model.carrier_outages)
        self.next_free = 0.0
        self._starts: deque[float] = deque()
        self.submitted = 0
        self.delivered = 0
        self.failed = 0
        self.expired = 0
        self.retried = 0

    def _after_outages(self, t: float) -> float:
        for a, b in self.outages:
            if a <= t < b:
                t = b
        return t

    def submit(self, at: float, msg: Sms | Reply, attempt: int, first_at: float) -> None:
        """Called by the pump in time order: queue, rate-limit, send or drop."""
        start = self._after_outages(max(at, self.next_free))
        if start - first_at > self.spec.validity_s:
            self.expired += 1
            t = math.ceil(max(at, first_at + self.spec.validity_s))
            # "expired": the text died in our queue, which says nothing about the phone.
            self.model.push_input(t, Receipt(at=t, message_id=msg.message_id, status="expired"))
            return
        self.next_free = start + self.interval
        self._starts.append(start)
        self.submitted += 1
        delay = self.delay()
        if self.rng.random() < self.spec.failure:
            if attempt < self.spec.retries:
                self.retried += 1
                self.model.push_gateway(start + max(1.0, self.spec.retry_after_s), msg,
                                        attempt + 1, first_at)
                return
            self.failed += 1
            t = int(start + delay) + 1
            self.model.push_input(t, Receipt(at=t, message_id=msg.message_id, status="failed"))
            return
        self.delivered += 1
        self.model.push_handset(start + delay, msg, start)

    def queue_len(self, t: float) -> int:
        """Messages that arrived by ``t`` and are not yet submitted."""
        starts = self._starts
        while starts and starts[0] <= t:
            starts.popleft()
        return len(starts)
