"""Scans queued as their parcel and built when due (``sim.scans``): the engine gets the
same inputs, in the same order, as when each ``Scan`` was built the moment the network
decided it; the parcel counts the same scans and errors."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from scenarios.schema import load
from sim import dists
from sim.loads import Tracked
from sim.model import Model
from sim.scans import DUE, DUE_CODES_KEPT, ScanFeed


def _run(seed: int, *, build_now: bool, monkeypatch: Any) -> tuple[bytes, Model, Counter[int]]:
    if build_now:
        monkeypatch.setattr(ScanFeed, "_due_kind", lambda *a: -1)
    trace = io.BytesIO()
    m = Model(load("tiny"), seed=seed, trace=trace, log_messages=False)
    kinds: Counter[int] = Counter()
    push = m._push

    def counted(at: float, kind: int, payload: Any) -> None:
        kinds[kind] += 1
        push(at, kind, payload)

    m._push = counted  # type: ignore[method-assign]
    m.run()
    monkeypatch.undo()
    return trace.getvalue(), m, kinds


def test_scans_built_when_due_are_those_built_at_once(monkeypatch: Any) -> None:
    for seed in (1, 7):
        later, m_later, kinds_later = _run(seed, build_now=False, monkeypatch=monkeypatch)
        now, m_now, kinds_now = _run(seed, build_now=True, monkeypatch=monkeypatch)
        assert later == now  # every engine input, byte for byte, in the same order
        assert sum(n for k, n in kinds_later.items() if k >= DUE) > 1_000
        assert not any(k >= DUE for k in kinds_now)
        assert m_later.scans.count == m_now.scans.count
        assert m_later.scans.errors == m_now.scans.errors > 0
        assert m_later.tally.metrics() == m_now.tally.metrics()


def test_a_due_kind_names_code_place_and_wording(monkeypatch: Any) -> None:
    """``built`` reads back what ``_due_kind`` packed: each code, origin or destination,
    vague or not; a region that is neither, or a code beyond the kind byte, is built now."""
    m = Model(load("tiny"), seed=3, log_messages=False)
    feed = m.scans
    p = Tracked(0, 0, len(m.regions) - 1, m.t_begin, 20_000)
    assert p.origin != p.dest
    t = int(m.t_begin) + 3_600
    for code in ("SF", "10", "OF", "01", "17"):
        for region in (p.origin, p.dest):
            for vague in (False, True):
                kind = feed._due_kind(p, code, m.regions[region], vague)
                assert DUE <= kind < 256
                scan = feed.built(p, kind, t)
                r = m.regions[region]
                assert (scan.event_code, scan.at, scan.tracking_number) == (code, t, p.tn)
                assert (scan.city, scan.state, scan.zip) == (
                    ("", "", "") if vague else (r.city, r.state, r.zip))
                assert scan.offset_min == dists.offset_min(t, r.zone)
                assert scan.expected_delivery is None
    elsewhere = m.regions[p.dest].model_copy()  # equal, but not the parcel's region
    assert feed._due_kind(p, "10", elsewhere, False) == -1
    for i in range(DUE_CODES_KEPT):
        feed._due_kind(p, f"C{i}", m.regions[p.dest], False)
    assert feed._due_kind(p, "ZZ", m.regions[p.dest], False) == -1


def test_one_int_per_utc_offset() -> None:
    """Every scan carries its UTC offset in minutes: one shared object per offset."""
    t = 1_765_000_000
    a = dists.offset_min(t, "America/New_York")
    b = dists.offset_min(t + 3_600, "America/New_York")
    assert a == b == -300 and a is b
    assert dists.offset_min(t, "America/Los_Angeles") == -480
