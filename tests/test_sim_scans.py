"""Scans queued as their parcel and customers' opt-ins queued as what they are, built when
due (``sim.scans``, ``Customers.built``): the engine gets the same inputs, in the same
order, as when each was built the moment it was decided; the parcel counts the same scans
and errors."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from engine.inputs import SmsIn, Subscribe
from scenarios.schema import load
from sim import dists
from sim.customers import CHANNELS, Customers
from sim.loads import Tracked
from sim.model import Model
from sim.pumpqueue import ASKED, DUE
from sim.scans import DUE_CODES_KEPT, ScanFeed


def _follow_at_once(self: Customers, p: Tracked, label_at: float, accept_at: float) -> None:
    """``Customers.follow`` as it was when it built each input at once (the reference)."""
    m = self.model
    phone = self.people.meet(p.dest, int(self.rng.integers(self.people.pool[p.dest])))
    rng = self.rng
    channel = CHANNELS[self._channel()]
    option = self.option_names[self._option()]
    zip_code = m.regions[p.dest].zip
    if channel == "checkout":
        t = int(label_at) + 1
        m.push_input(t, Subscribe(at=t, tracking_number=p.tn, phone=phone,
                                  channel="checkout", options=(option,),
                                  merchant="Northwind Tea", destination_zip=zip_code))
        return
    t = int(accept_at + rng.exponential(6 * 3600))
    if channel == "text":
        m.push_input(t, SmsIn(at=t, sender=phone, body=p.tn))
        self.inbound += 1
        return
    m.push_input(t, Subscribe(at=t, tracking_number=p.tn, phone=phone,
                              channel="tracking_page", options=(option,),
                              destination_zip=zip_code))
    if rng.random() < self.spec.confirm_yes:
        t2 = t + 1 + int(self.reaction())
        m.push_input(t2, SmsIn(at=t2, sender=phone, body="YES"))
        self.inbound += 1


def _run(seed: int, *, build_now: bool, monkeypatch: Any) -> tuple[bytes, Model, Counter[int]]:
    if build_now:
        monkeypatch.setattr(ScanFeed, "_due_kind", lambda *a: -1)
        monkeypatch.setattr(Customers, "follow", _follow_at_once)
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


def test_inputs_built_when_due_are_those_built_at_once(monkeypatch: Any) -> None:
    for seed in (1, 7):
        later, m_later, kinds_later = _run(seed, build_now=False, monkeypatch=monkeypatch)
        now, m_now, kinds_now = _run(seed, build_now=True, monkeypatch=monkeypatch)
        assert later == now  # every engine input, byte for byte, in the same order
        assert sum(n for k, n in kinds_later.items() if k >= DUE) > 1_000
        assert kinds_later[ASKED] > 100
        assert not any(k >= DUE or k == ASKED for k in kinds_now)
        assert m_later.scans.count == m_now.scans.count
        assert m_later.scans.errors == m_now.scans.errors > 0
        assert m_later.tally.metrics() == m_now.tally.metrics()
        assert m_later.customers.inbound == m_now.customers.inbound


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


def test_every_scan_the_model_builds_without_checks_passes_them() -> None:
    """The model builds its scans without ``Scan``'s checks (valid by construction):
    every one of a run, scan errors and vague places included, is rebuilt through them."""
    import dataclasses

    from engine.inputs import Scan
    from engine.records import from_input, to_input
    m = Model(load("scan_quality"), seed=5, scale=0.02, days=2, log_messages=False)
    seen = Counter()
    handle = m.engine.handle

    def checked(inp: Any) -> Any:
        if type(inp) is Scan:
            again = Scan(**{f.name: getattr(inp, f.name) for f in dataclasses.fields(Scan)})
            assert again == inp and to_input(from_input(inp)) == inp
            seen["vague" if not inp.city else "placed"] += 1
        return handle(inp)

    m.engine.handle = checked  # type: ignore[method-assign]
    m.run()
    assert seen["placed"] > 100 and seen["vague"] > 0
