"""The engine's bounded memories (texts awaiting a receipt, provider ids of texts
received, tombstones of forgotten parcels) forget oldest first, in one pass."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import inbound, outbox
from engine.inputs import Receipt, SmsIn
from engine.outbox import trim_oldest
from tests.helpers import DENVER, at, engine, reasons, texts


@given(n=st.integers(0, 60), keep=st.integers(0, 70), deleted=st.sets(st.integers(0, 59)))
def test_trim_oldest_keeps_the_newest(n: int, keep: int, deleted: set[int]) -> None:
    d = {i: str(i) for i in range(n)}
    for i in sorted(deleted):  # holes anywhere, as receipts leave them
        d.pop(i, None)
    want = list(d)[max(0, len(d) - keep):]
    trim_oldest(d, keep)
    assert list(d) == want


@given(times=st.lists(st.integers(0, 20), max_size=40), now=st.integers(0, 25))
def test_tombstones_pruned_as_one_at_a_time_would(times: list[int], now: int) -> None:
    e = engine()
    assert e.retention is not None
    tomb = {f"tn{i % 30}": t for i, t in enumerate(times)}  # re-set keys keep their place
    e._tombstones = dict(tomb)
    horizon = now - e.retention.after_close_s
    while tomb:  # the old way: oldest first, stop at the first one still young
        tn = next(iter(tomb))
        if tomb[tn] > horizon:
            break
        del tomb[tn]
    e._prune_tombstones(now)
    assert e._tombstones == tomb and list(e._tombstones) == list(tomb)


def test_texts_awaiting_receipts_stay_bounded_newest_kept(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox, "IN_FLIGHT_LIMIT", 16)
    e = engine()
    sent = []
    for i in range(40):  # HELP answers, no receipts coming back
        out = e.handle(SmsIn(at=at("2026-12-14T09:00") + i, sender=DENVER, body="HELP"))
        sent += texts(out)
    assert 14 <= len(e._in_flight) <= 16
    assert list(e._in_flight) == [t.message_id for t in sent][-len(e._in_flight):]
    later = at("2026-12-14T10:00")
    e.handle(Receipt(at=later, message_id=sent[-1].message_id, status="delivered"))
    assert e.unknown_receipts == 0
    e.handle(Receipt(at=later, message_id=sent[0].message_id, status="delivered"))
    assert e.unknown_receipts == 1


def test_provider_ids_stay_bounded_a_recent_retry_still_answered_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbound, "SIDS_KEPT", 16)
    e = engine()
    t0 = at("2026-12-14T09:00")
    for i in range(40):
        e.handle(SmsIn(at=t0 + i, sender=DENVER, body="HELP", message_sid=f"SM{i:04d}"))
    assert 14 <= len(e._sids) <= 16
    retry = e.handle(SmsIn(at=t0 + 50, sender=DENVER, body="HELP", message_sid="SM0039"))
    assert reasons(retry) == ["duplicate_message"]
    old = e.handle(SmsIn(at=t0 + 51, sender=DENVER, body="HELP", message_sid="SM0000"))
    assert texts(old), "a retry older than the window is answered again (it is forgotten)"
