"""Continuous multi-server stations (M/M/c and friends), checked against theory.

A station is a SimPy ``Resource`` with ``c`` servers fed by Poisson arrivals;
each customer is a process that queues, is served for a drawn time and
leaves. ``erlang_c`` gives the M/M/c probability of waiting and mean wait
(docs/facts.md, queueing references), so ``validate_mmc`` can compare the
simulated mean wait with the formula, and Little's law (L = lambda W) is
checked from the time-integral of the number in the system.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import simpy

from scenarios.schema import Scenario, Station
from sim.dists import Sampler, streams
from sim.network import StationStats

# The most samples of L a station takes (as sim.netstation.MAX_GRID).
MAX_GRID = 2_000_000

if TYPE_CHECKING:
    from collections.abc import Generator

    import numpy as np


def erlang_c(lam: float, mu: float, c: int) -> tuple[float, float]:
    """(P(wait), mean wait in queue) for M/M/c with arrival rate ``lam``, service rate
    ``mu`` per server. Computed with the stable Erlang B recursion."""
    a = lam / mu
    rho = a / c
    if rho >= 1:
        return 1.0, math.inf
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    p_wait = b / (1 - rho * (1 - b))
    return p_wait, p_wait / (c * mu - lam)


class ContinuousStation:
    """One station: Poisson arrivals, ``c`` servers, FIFO."""

    def __init__(self, env: simpy.Environment, spec: Station, rng: np.random.Generator,
                 until: float) -> None:
        self.env = env
        self.spec = spec
        self.res = simpy.Resource(env, capacity=spec.servers)
        self.service = Sampler(spec.service_h, rng)
        self.rng = rng
        self.until = until
        self.warmup = spec.warmup_h
        self.stats = StationStats(self.warmup)
        self.waits = 0.0
        self.sojourn = 0.0
        self.served = 0
        self.samples = 0
        self.sampled_sum = 0

    def sampler(self) -> Generator[simpy.Event, object, None]:
        """Count customers in the system at regular instants: an estimate of L that
        does not come from the same bookkeeping as W (PASTA-free: fixed grid)."""
        env = self.env
        # At most MAX_GRID samples (a service of 1e-9 h was 1e13 of them: a hang).
        step = max(self.service.mean / 4, self.until / MAX_GRID)
        yield env.timeout(self.warmup)
        res = self.res
        while env.now < self.until:
            self.sampled_sum += len(res.users) + len(res.queue)
            self.samples += 1
            yield env.timeout(step)

    def arrivals(self) -> Generator[simpy.Event, object, None]:
        env = self.env
        mean_gap = 1.0 / self.spec.arrival_rate_per_h
        expo = self.rng.exponential
        while True:
            yield env.timeout(float(expo(mean_gap)))
            if env.now >= self.until:
                return
            env.process(self.customer())

    def customer(self) -> Generator[simpy.Event, object, None]:
        env = self.env
        arrived = env.now
        counted = arrived >= self.warmup
        if counted:
            self.stats.arrive(arrived, 1)
        with self.res.request() as req:
            yield req
            wait = env.now - arrived
            yield env.timeout(self.service())
        if counted:
            self.stats.depart(env.now, 1, env.now - arrived)
            self.waits += wait
            self.sojourn += env.now - arrived
            self.served += 1


def run_stations(sc: Scenario, *, seed: int, days: float | None = None
                 ) -> tuple[dict[str, Any], list[str]]:
    """Run every station of ``sc`` (time unit: hours) and compare with Erlang C."""
    hours = 24 * (sc.days if days is None else days)
    rng = streams(seed)["station"]
    env = simpy.Environment()
    stations = [ContinuousStation(env, spec, rng, hours) for spec in sc.stations]
    for st in stations:
        env.process(st.arrivals())
        env.process(st.sampler())
    env.run()  # arrivals stop at ``hours``; the run ends when the last customer leaves
    s: dict[str, Any] = {"scenario": sc.name, "seed": seed, "days": hours / 24}
    lines = ["Station checks: simulated mean wait vs Erlang C; Little's law L = lambda W"]
    for i, st in enumerate(stations):
        spec = st.spec
        mu = 1.0 / spec.service_h.mean_value()
        _, wq = erlang_c(spec.arrival_rate_per_h, mu, spec.servers)
        sim_wq = st.waits / st.served if st.served else 0.0
        # Little's law: L sampled on a fixed grid vs lambda x mean time in system.
        big_l = st.sampled_sum / st.samples if st.samples else 0.0
        lam_w = spec.arrival_rate_per_h * (st.sojourn / st.served if st.served else 0.0)
        law_err = abs(big_l - lam_w) / big_l if big_l else 0.0
        key = f"station_{i}"
        s.update({
            f"{key}_arrival_rate_per_h": spec.arrival_rate_per_h, f"{key}_servers": spec.servers,
            f"{key}_service_mean_h": mu and round(1 / mu, 6),
            f"{key}_served": st.served,
            f"{key}_wait_mean_h": round(sim_wq, 6), f"{key}_wait_erlang_c_h": round(wq, 6),
            f"{key}_wait_error": round(abs(sim_wq - wq) / wq, 6) if wq else 0.0,
            f"{key}_littles_law_error": round(law_err, 6),
            f"{key}_utilisation": round(spec.arrival_rate_per_h / (mu * spec.servers), 6),
        })
        lines.append(f"  station {i}: lambda={spec.arrival_rate_per_h} mu={mu:.4g} "
                     f"c={spec.servers}: Wq sim {sim_wq:.5f} h vs Erlang C {wq:.5f} h "
                     f"({100 * s[f'{key}_wait_error']:.2f}%); L={big_l:.4f} "
                     f"lambda*W={lam_w:.4f} ({100 * law_err:.3f}%)")
    return dict(sorted(s.items())), lines
