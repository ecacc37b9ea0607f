"""``sim.inflight.ByArrival`` answers as the dict it replaces, whatever the order of
arrivals and departures, with pages handed to the side dict and tracking numbers of
other forms mixed in."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import inflight
from sim.inflight import ByArrival
from sim.loads import Tracked


def _parcel(i: int) -> Tracked:
    return Tracked(i, 0, 0, 0.0, 0)


class _Foreign:
    def __init__(self, tn: str) -> None:
        self.tn = tn


FOREIGN = ["EZ1000000001", "9400" + "0" * 17, "9400" + "١" * 18, "LZ" + "9" * 20, ""]

_OPS = st.lists(st.one_of(
    st.tuples(st.just("add"), st.integers(0, 200)),
    st.tuples(st.just("foreign"), st.sampled_from(FOREIGN)),
    st.tuples(st.just("del"), st.integers(0, 10_000)),
    st.tuples(st.just("get"), st.integers(0, 220))), max_size=300)


@settings(max_examples=300, deadline=None)
@given(ops=_OPS, page_bits=st.integers(1, 4), keep_below=st.integers(1, 8))
def test_answers_as_a_dict(ops: list[tuple[str, Any]], page_bits: int, keep_below: int) -> None:
    with pytest.MonkeyPatch.context() as m:
        m.setattr(inflight, "PAGE_BITS", page_bits)
        m.setattr(inflight, "PAGE", 1 << page_bits)
        m.setattr(inflight, "KEEP_BELOW", keep_below)
        _against_a_dict(ops)


def _against_a_dict(ops: list[tuple[str, Any]]) -> None:
    live = ByArrival()
    model: dict[str, Any] = {}
    for op, arg in ops:
        if op == "add":
            p = _parcel(arg)
            live[p.tn] = p
            model[p.tn] = p
        elif op == "foreign":
            f: Any = _Foreign(arg)
            live[arg] = f
            model[arg] = f
        elif op == "del":
            if model:
                tn = sorted(model)[arg % len(model)]
                del live[tn], model[tn]
        else:
            tn = _parcel(arg).tn
            assert live.get(tn) is model.get(tn)
            assert (tn in live) == (tn in model)
        assert len(live) == len(model)
    for tn, p in model.items():
        assert live[tn] is p
    assert sorted(map(id, live.values())) == sorted(map(id, model.values()))
    with pytest.raises(KeyError):
        del live["9400" + "9" * 18]
    live.clear()
    assert len(live) == 0 and list(live.values()) == []


def test_a_filled_page_down_to_stragglers_hands_them_over() -> None:
    live = ByArrival()
    parcels = [_parcel(i) for i in range(3 * inflight.PAGE)]
    for p in parcels:
        live[p.tn] = p
    assert len(live._pages) == 3
    for p in parcels[: inflight.PAGE - inflight.KEEP_BELOW + 1]:  # page 0 down to few
        del live[p.tn]
    assert 0 not in live._pages and len(live._others) == inflight.KEEP_BELOW - 1
    survivor = parcels[inflight.PAGE - 1]
    assert live[survivor.tn] is survivor
    for p in parcels[2 * inflight.PAGE:]:  # the newest page is never handed over
        del live[p.tn]
    assert 2 in live._pages and len(live) == inflight.PAGE + inflight.KEEP_BELOW - 1
