"""The care centre's call queue (sim.care.CallQueue) keeps SimPy's order exactly,
without re-sorting the whole queue on each call."""

from __future__ import annotations

from dataclasses import dataclass, field

import simpy
from hypothesis import given, settings
from hypothesis import strategies as st
from simpy.resources.resource import SortedQueue

from sim.care import CallQueue, CarePhones


@dataclass(eq=False)
class Req:
    key: tuple[int, float, bool]
    n: int = field(default=0)


ops = st.lists(st.one_of(
    st.tuples(st.just("add"), st.integers(0, 2), st.integers(0, 4), st.booleans()),
    st.tuples(st.just("remove"), st.integers(0, 50)),
    st.tuples(st.just("pop"), st.integers(0, 50)),
), max_size=80)


@settings(max_examples=300, deadline=None)
@given(ops)
def test_same_order_as_simpys_sorted_queue(steps: list[tuple[object, ...]]) -> None:
    ours, theirs = CallQueue(), SortedQueue()
    made = 0
    for step in steps:
        if step[0] == "add":
            _, priority, t, flag = step
            r = Req((int(priority), float(t), bool(flag)), made)  # type: ignore[call-overload]
            made += 1
            ours.append(r)
            theirs.append(r)
        elif theirs:
            i = int(step[1]) % len(theirs)  # type: ignore[call-overload]
            if step[0] == "remove":
                r = theirs[i]
                ours.remove(r)
                theirs.remove(r)
            else:
                assert ours.pop(i) is theirs.pop(i)
        assert [id(x) for x in ours] == [id(x) for x in theirs]


def _served(resource: type[simpy.PriorityResource], seed: int) -> list[tuple[int, float]]:
    """Callers with random priorities and patience on 2 lines: who is served, when."""
    import random

    rng = random.Random(seed)
    env = simpy.Environment()
    res = resource(env, capacity=2)
    served: list[tuple[int, float]] = []

    def caller(n: int, at: float, priority: int, patience: float):  # type: ignore[no-untyped-def]
        yield env.timeout(at)
        req = res.request(priority=priority)
        got = yield req | env.timeout(patience)
        if req not in got:
            req.cancel()
            return
        served.append((n, env.now))
        yield env.timeout(rng.choice([1.0, 2.0, 3.0]))
        res.release(req)

    for n in range(300):
        env.process(caller(n, float(rng.randrange(0, 100)), rng.choice([0, 1, 1, 1]),
                           rng.choice([0.5, 5.0, 50.0])))
    env.run()
    return served


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_care_lines_serve_the_same_callers_at_the_same_times(seed: int) -> None:
    assert _served(CarePhones, seed) == _served(simpy.PriorityResource, seed)
