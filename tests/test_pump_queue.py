"""The pump's queue (the current 15 minutes' bucket sorted, a heap for what is pushed into
them, buckets beyond) gives entries in (time, insertion) order whatever the mix of near
and far pushes and drain points."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.schema import load
from sim.model import LATE, Model
from sim.pumpqueue import BUCKET_S

_MODEL = Model(load("tiny"), days=1)
T0 = _MODEL._horizon


@settings(max_examples=150, deadline=None)
@given(
    pushes=st.lists(st.floats(0, 6 * BUCKET_S), min_size=1, max_size=60),
    drains=st.lists(st.floats(0, 8 * BUCKET_S), min_size=1, max_size=8),
    follow_ups=st.lists(st.floats(0, 2 * BUCKET_S), max_size=20),
)
def test_entries_come_out_in_time_then_insertion_order(
        pushes: list[float], drains: list[float], follow_ups: list[float]) -> None:
    m = Model(load("tiny"), days=1)
    seen: list[tuple[float, int]] = []
    extra = iter(follow_ups)

    def record(payload: Any, at: float) -> None:
        seen.append((at, payload))
        step = next(extra, None)  # what a handler pushes while the pump runs: now or later
        if step is not None:
            m._push(at + step, LATE, m._seq + 1)

    m.customers.late_check = record  # type: ignore[method-assign]
    for i, dt in enumerate(pushes):
        m._push(T0 + dt, LATE, i + 1)  # payload = its insertion number
    for until in sorted(drains):
        m._drain(T0 + until)
        assert all(at < T0 + until for at, _ in seen)
    m._drain(float("inf"))
    assert seen == sorted(seen)  # (time, insertion number) never goes backwards
    assert len(seen) == len(pushes) + min(len(follow_ups), len(seen))
    assert not m._heap and not m._far and m._ri == len(m._run)


@settings(max_examples=60, deadline=None)
@given(times=st.lists(st.one_of(st.integers(0, 8 * BUCKET_S), st.floats(0, 8 * BUCKET_S)),
                      min_size=1, max_size=40))
def test_times_come_back_as_pushed_ints_as_ints(times: list[float]) -> None:
    """Far buckets keep times as doubles: an int pushed comes out an int of the same value
    (a scan's time is an int), a float the same float."""
    m = Model(load("tiny"), days=1)
    seen: list[float] = []
    m.customers.late_check = lambda payload, at: seen.append(at)  # type: ignore[method-assign]
    t0 = int(T0)
    for i, dt in enumerate(times):
        m._push(t0 + dt, LATE, i)
    m._drain(float("inf"))
    expected = sorted(t0 + dt for dt in times)
    assert seen == expected
    assert [type(t) for t in seen] == [type(t) for t in expected]
