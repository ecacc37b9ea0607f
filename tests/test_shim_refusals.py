"""A refused request changes nothing: not the journal, not the outbox, not the engine.

The shim runs the engine's own validation (``Engine.validate``) before it fires
any wake-up that has come due, on every route, so a record refused with 4xx
releases no held text that no response would carry (and ``eccc replay``, which
skips the same record, agrees: tests/test_shim_differential.py).
"""

from __future__ import annotations

import pickle
from typing import Any
from urllib.parse import quote

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.records import MAX_NESTING
from loadtests.app import ShimSettings, create_app
from loadtests.guards import signature
from loadtests.inprocess import InProcessClient

BASE = "http://127.0.0.1"
KEY = {"X-API-Key": "k"}
TN = "9400111899223456789012"
PHONE = "+13035550123"
LATE = "2026-12-15T09:00:00-07:00"  # after the held text's 8 AM
SETUP = [
    {"kind": "subscribe", "at": "2026-12-14T09:00:00-07:00", "trackingNumber": TN,
     "phone": PHONE, "destinationZIP": "80202"},
    {"kind": "scan", "at": "2026-12-14T23:30:00-07:00", "trackingNumber": TN,
     "eventCode": "10"},  # held by quiet hours until 8 AM
]

bad_zip = st.text(max_size=12).filter(
    lambda z: z != "" and not (z[:5].isdigit() and len(z) in (5, 10)))
bad_phone = st.sampled_from(["12", "+442079460958", "not a phone", "+1555", ""])
refusable = st.one_of(
    bad_zip.map(lambda z: {"kind": "subscribe", "at": LATE, "trackingNumber": TN,
                           "phone": PHONE, "destinationZIP": z}),
    bad_phone.map(lambda p: {"kind": "subscribe", "at": LATE, "trackingNumber": TN,
                             "phone": p}),
    bad_phone.map(lambda p: {"kind": "sms_in", "at": LATE, "from": p, "body": "STOP"}),
    st.sampled_from(["fax", "email", "SMS"]).map(
        lambda c: {"kind": "subscribe", "at": LATE, "trackingNumber": TN, "phone": PHONE,
                   "channel": c}),
    st.just({"kind": "subscribe", "at": LATE, "trackingNumber": TN, "phone": PHONE,
             "options": ["everything"]}),
    st.just({"kind": "scan", "at": LATE, "eventCode": "10"}),
    st.just({"kind": "receipt", "at": LATE, "messageId": "x", "status": "lost"}),
    st.just({"kind": "parcel", "at": LATE}),
    st.sampled_from(["[]", '{"a":[]}']).map(lambda inner: {
        "kind": "wake", "at": LATE, "x": orjson.loads("[" * MAX_NESTING + inner
                                                      + "]" * MAX_NESTING)}),
    st.sampled_from(["2026-12-15", "noon", "9999-12-31T23:59:59-12:00"]).map(
        lambda t: {"kind": "scan", "at": t, "trackingNumber": TN, "eventCode": "10"}),
)


def state(client: InProcessClient) -> tuple[int, bytes, bytes]:
    notifier = client.app.state.notifier
    outbox = pickle.dumps(notifier.journal.outbox(0, 1000))
    return notifier.journal.last_seq, outbox, pickle.dumps(notifier.engine)


@st.composite
def refused_requests(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    route = draw(st.sampled_from(["events", "batch", "inbound", "status"]))
    if route == "events":
        return "/v1/events", {"json": draw(refusable), "headers": KEY}
    if route == "batch":
        records = draw(st.lists(refusable, min_size=1, max_size=3))
        body = b"\n".join(orjson.dumps(r) for r in records)
        return "/v1/events:batch", {"content": body, "headers": KEY}
    if route == "inbound":
        pairs = [("From", draw(bad_phone)), ("Body", "HELP"), ("MessageSid", "SM1")]
    else:
        pairs = draw(st.sampled_from([[("MessageSid", "x")], [("MessageStatus", "delivered")]]))
    url = "/v1/sms/inbound" if route == "inbound" else "/v1/sms/status"
    content = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs).encode()
    headers = {"X-Twilio-Signature": signature("t", BASE + url, pairs),
               "Content-Type": "application/x-www-form-urlencoded"}
    return url, {"content": content, "headers": headers}


@given(request=refused_requests())
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_refused_request_changes_nothing(request: tuple[str, dict[str, Any]]) -> None:
    settings_ = ShimSettings(policies=("every_scan", "quiet_hours"), api_key="k",
                             auth_token="t")
    with InProcessClient(create_app(settings_)) as client:
        for rec in SETUP:
            assert client.post("/v1/events", json=rec, headers=KEY).status_code == 200
        assert client.app.state.notifier.engine.next_wake is not None
        before = state(client)
        url, kwargs = request
        r = client.post(url, **kwargs)
        assert 400 <= r.status_code < 500, r.text
        assert state(client) == before
        # The held text goes out with the next good record, at its own time.
        ok = {"kind": "scan", "at": LATE, "trackingNumber": TN, "eventCode": "07"}
        kinds = [o["kind"] for o in client.post("/v1/events", json=ok, headers=KEY)
                 .json()["outputs"]]
        assert kinds[:1] == ["sms"]


def test_a_bad_zip_after_a_due_wake_up_is_refused_before_the_held_text_moves() -> None:
    """The issue's case: the shim used to release, journal and outbox the held text,
    then answer 422 with no outputs."""
    settings_ = ShimSettings(policies=("every_scan", "quiet_hours"), api_key="k",
                             auth_token="t")
    with InProcessClient(create_app(settings_)) as client:
        for rec in SETUP:
            client.post("/v1/events", json=rec, headers=KEY)
        bad = {"kind": "subscribe", "at": LATE, "trackingNumber": TN, "phone": PHONE,
               "destinationZIP": "ABCDE"}
        r = client.post("/v1/events", json=bad, headers=KEY)
        assert r.status_code == 422 and r.json()["field"] == "destinationZIP"
        causes = [m["cause"] for m in client.get("/v1/outbox", headers=KEY).json()["messages"]]
        assert causes == ["welcome:checkout"]  # the held scan text has not moved


def test_a_compressed_body_is_refused_by_name() -> None:
    """gzip used to be read as text ('str is not valid UTF-8') or ignored."""
    import gzip

    settings_ = ShimSettings(policies=("every_scan",), api_key="k", auth_token="t")
    with InProcessClient(create_app(settings_)) as client:
        body = gzip.compress(orjson.dumps({"kind": "wake", "at": LATE}))
        r = client.post("/v1/events", content=body,
                        headers={**KEY, "Content-Encoding": "gzip"})
        assert r.status_code == 415 and r.json()["field"] == "Content-Encoding"
        assert client.app.state.notifier.journal.last_seq == 0


def test_a_body_that_stalls_is_refused_in_time() -> None:
    """A client that sends half a body and stalls gets 408 instead of holding on."""
    import asyncio

    import pytest
    from starlette.requests import Request

    from loadtests.guards import HttpError, read_body

    async def stall() -> dict[str, Any]:
        await asyncio.sleep(3600)
        return {"type": "http.request", "body": b"", "more_body": False}

    request = Request({"type": "http", "headers": [(b"content-length", b"100")]}, stall)
    with pytest.raises(HttpError) as refused:
        asyncio.run(read_body(request, 1000, timeout_s=0.05))
    assert refused.value.status == 408 and refused.value.field == "body"


def _deep(levels: int) -> bytes:
    """A wake record whose unknown field ``x`` nests ``levels`` arrays (the record is one
    more level): orjson reads it whatever the depth and writes at most 254."""
    return b'{"kind":"wake","at":"2026-12-16T14:00:01Z","x":' + b"[" * levels + \
        b"]" * levels + b"}"


GOOD = b'{"kind":"subscribe","at":"2026-12-14T09:00:00-07:00","trackingNumber":"%s",' \
    b'"phone":"%s"}' % (TN.encode(), PHONE.encode())


def test_a_record_nested_too_deep_is_refused_by_field_and_its_batch_kept() -> None:
    """The probe's case: 256 levels in an unknown field were read, applied, then failed
    to encode for the journal: 500, an engine rebuild, and the batch's good records
    lost. Now the record is refused by name before the engine sees it, the rest kept."""
    settings_ = ShimSettings(policies=("every_scan",), api_key="k", auth_token="t")
    for separator, wrap in ((b",", True), (b"\n", False)):  # a JSON array, JSON lines
        with InProcessClient(create_app(settings_)) as client:
            notifier = client.app.state.notifier
            engine = notifier.engine
            body = separator.join([GOOD, _deep(256), _deep(MAX_NESTING - 1)])
            r = client.post("/v1/events:batch", content=b"[%s]" % body if wrap else body,
                            headers=KEY)
            assert r.status_code == 200, r.text
            answer = r.json()
            assert answer["accepted"] == 2  # the good record, and one at the limit
            assert [(x["index"], x["field"]) for x in answer["rejected"]] == [(1, "x")]
            assert str(MAX_NESTING) in answer["rejected"][0]["error"]
            assert notifier.engine is engine  # no rebuild
            assert notifier.journal.last_seq == answer["seq"] == 2
            kinds = [orjson.loads(b)["kind"] for b in notifier.journal.inputs_after(0)]
            assert kinds == ["subscribe", "wake"]


def test_a_single_record_nested_too_deep_is_refused_however_it_is_written() -> None:
    settings_ = ShimSettings(policies=("every_scan",), api_key="k", auth_token="t")
    with InProcessClient(create_app(settings_)) as client:
        notifier = client.app.state.notifier
        engine = notifier.engine
        for body in (_deep(256), _deep(256).replace(b",", b",\n"), _deep(MAX_NESTING)):
            r = client.post("/v1/events", content=body, headers=KEY)
            assert r.status_code == 422 and r.json()["field"] == "x", r.text
        assert notifier.engine is engine and notifier.journal.last_seq == 0
        # Everything the shim accepts, it can journal and answer: the limit is orjson's
        # to write with room to spare.
        assert orjson.loads(orjson.dumps(orjson.loads(_deep(MAX_NESTING - 1))))
        assert client.post("/v1/events", content=_deep(MAX_NESTING - 1),
                           headers=KEY).status_code == 200


def _nested(value: Any, levels: int, as_object: bool) -> Any:
    for _ in range(levels):
        value = {"k": value} if as_object else [value]
    return value


stray_values = st.builds(
    # Integers as JSON carries them into orjson (it reads wider ones as floats).
    _nested, st.one_of(st.none(), st.integers(-2**63, 2**64 - 1), st.text(max_size=4),
                       st.just([]), st.just({})),
    st.one_of(st.integers(0, 4), st.integers(MAX_NESTING - 3, MAX_NESTING + 3),
              st.integers(250, 300)),
    st.booleans())


@given(extra=stray_values, lines=st.booleans())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_whatever_a_stray_field_holds_costs_no_rebuild_and_no_good_record(
        extra: Any, lines: bool) -> None:
    """A field the engine does not read is the sender's business up to a bound: past it
    the record alone is refused (422, by field), never a 500 or an engine rebuild."""
    settings_ = ShimSettings(policies=("every_scan",), api_key="k", auth_token="t")
    with InProcessClient(create_app(settings_)) as client:
        notifier = client.app.state.notifier
        engine = notifier.engine
        odd = b'{"kind":"wake","at":"2026-12-16T14:00:01Z","x":%s}' % _dumps_deep(extra)
        body = (GOOD + b"\n" + odd) if lines else b"[%s,%s]" % (GOOD, odd)
        r = client.post("/v1/events:batch", content=body, headers=KEY)
        assert r.status_code == 200, r.text
        assert r.json()["accepted"] >= 1 and notifier.engine is engine
        assert [x["field"] for x in r.json()["rejected"]] in ([], ["x"])
        r = client.post("/v1/events", content=odd, headers=KEY)
        assert r.status_code in (200, 422) and notifier.engine is engine, r.text


def _dumps_deep(value: Any) -> bytes:
    """JSON for ``value`` however deep (orjson writes at most 254 levels)."""
    if isinstance(value, list):
        return b"[" + b",".join(_dumps_deep(v) for v in value) + b"]"
    if isinstance(value, dict):
        return b"{" + b",".join(orjson.dumps(k) + b":" + _dumps_deep(v)
                                for k, v in value.items()) + b"}"
    return orjson.dumps(value)


def test_eccc_replay_refuses_the_same_deep_record_as_the_shim(tmp_path: Any) -> None:
    """The bound is the trace format's (``engine.records``): a trace replays as the shim
    takes it, and a wake nested too deep fires nothing in either."""
    from eccc.replay import replay

    trace = tmp_path / "t.jsonl"
    trace.write_bytes(b"\n".join([GOOD, _deep(256), _deep(MAX_NESTING),
                                  _deep(MAX_NESTING - 1)]) + b"\n")
    result = replay(trace)
    assert result.inputs == 2 and [b.line for b in result.bad] == [2, 3]
    assert all("'x'" in b.message for b in result.bad)
