"""The HTTP shim in memory: routes, authentication, signatures and bad input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from loadtests.app import ShimSettings, create_app
from loadtests.guards import signature
from loadtests.inprocess import InProcessClient

KEY = {"X-API-Key": "test-key"}
TOKEN = "test-token"
TN = "9400111899223456789012"
PHONE = "+13035550123"
BASE = "http://127.0.0.1"


def scan(at: str, code: str, tn: str = TN) -> dict[str, Any]:
    return {"kind": "scan", "at": at, "trackingNumber": tn, "eventCode": code,
            "eventCity": "DENVER", "eventState": "CO", "eventZIP": "80202"}


SUBSCRIBE = {"kind": "subscribe", "at": "2026-12-14T09:00:00-07:00", "trackingNumber": TN,
             "phone": PHONE, "channel": "checkout", "options": ["all"]}


def make(tmp_path: Path, **kw: Any) -> InProcessClient:
    settings = ShimSettings(db=str(tmp_path / "shim.sqlite3"), api_key="test-key",
                            auth_token=TOKEN, **kw)
    return InProcessClient(create_app(settings), BASE)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[InProcessClient]:
    with make(tmp_path) as c:
        yield c


def signed(client: InProcessClient, path: str, params: dict[str, str],
           token: str = TOKEN) -> Any:
    sig = signature(token, BASE + path, params.items())
    return client.post(path, data=params, headers={"X-Twilio-Signature": sig})


def seq(client: InProcessClient) -> int:
    n: int = client.app.state.notifier.journal.last_seq
    return n


def test_event_is_journaled_and_answered_with_outputs(client: InProcessClient) -> None:
    r = client.post("/v1/events", json=SUBSCRIBE, headers=KEY)
    assert r.status_code == 200
    body = r.json()
    assert body["accepted"] == 1 and body["seq"] == 1
    assert [o["kind"] for o in body["outputs"]] == ["sms"]
    r = client.post("/v1/events", json=scan("2026-12-14T10:00:00-07:00", "OF"), headers=KEY)
    (text,) = r.json()["outputs"]
    assert text["cause"] == "scan:OF" and text["to"] == PHONE
    assert seq(client) == 2


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}, {"Authorization": "Bearer x"}])
def test_ingest_needs_the_api_key(client: InProcessClient, headers: dict[str, str]) -> None:
    for path in ("/v1/events", "/v1/events:batch"):
        r = client.post(path, json=SUBSCRIBE, headers=headers)
        assert r.status_code == 401 and r.json()["field"] == "X-API-Key"
    for path in ("/v1/outbox", f"/v1/parcels/{TN}", f"/v1/recipients/{PHONE}/timeline"):
        assert client.get(path, headers=headers).status_code == 401
    assert seq(client) == 0
    assert client.post("/v1/events", json=SUBSCRIBE,
                       headers={"Authorization": "Bearer test-key"}).status_code == 200


def test_webhooks_need_a_valid_signature_and_change_nothing_without(
        client: InProcessClient) -> None:
    params = {"From": PHONE, "To": "28777", "Body": "STOP", "MessageSid": "SM1"}
    assert client.post("/v1/sms/inbound", data=params).status_code == 403
    bad = signature("other-token", BASE + "/v1/sms/inbound", params.items())
    r = client.post("/v1/sms/inbound", data=params, headers={"X-Twilio-Signature": bad})
    assert r.status_code == 403 and r.json()["field"] == "X-Twilio-Signature"
    tampered = {**params, "Body": "HELP"}
    good_for_stop = signature(TOKEN, BASE + "/v1/sms/inbound", params.items())
    r = client.post("/v1/sms/inbound", data=tampered,
                    headers={"X-Twilio-Signature": good_for_stop})
    assert r.status_code == 403
    assert seq(client) == 0 and not client.app.state.notifier.engine.phones


def test_stop_by_text_is_answered_in_twiml_and_silences_later_scans(
        client: InProcessClient) -> None:
    client.post("/v1/events", json=SUBSCRIBE, headers=KEY)
    r = signed(client, "/v1/sms/inbound", {"From": PHONE, "To": "28777", "Body": "stop",
                                          "MessageSid": "SM1"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    assert r.text.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    r = client.post("/v1/events", json=scan("2026-12-14T10:00:00-07:00", "OF"), headers=KEY)
    assert [(o["kind"], o.get("reason")) for o in r.json()["outputs"]] == [
        ("suppressed", "opted_out")]
    # A reply answered inline is not also queued for the gateway worker.
    causes = [m["cause"] for m in client.get("/v1/outbox", headers=KEY).json()["messages"]]
    assert causes == ["welcome:checkout"]
    # Something the engine has no reply for gets an empty TwiML response.
    r = signed(client, "/v1/sms/inbound", {"From": PHONE, "Body": "hello"})
    assert r.text.endswith("<Response/>")


def test_delivery_status_webhook_becomes_a_receipt(client: InProcessClient) -> None:
    mid = client.post("/v1/events", json=SUBSCRIBE, headers=KEY).json()["outputs"][0]["messageId"]
    assert signed(client, "/v1/sms/status",
                  {"MessageSid": mid, "MessageStatus": "sent"}).status_code == 204
    assert seq(client) == 1  # progress is not an input
    assert signed(client, "/v1/sms/status",
                  {"MessageSid": mid, "MessageStatus": "delivered"}).status_code == 204
    assert seq(client) == 2
    r = signed(client, "/v1/sms/status", {"MessageSid": mid})
    assert r.status_code == 422 and r.json()["field"] == "MessageStatus"


def test_status_callback_url_names_the_engines_text(client: InProcessClient) -> None:
    # A real provider names the text by its own SID; the gateway worker puts the
    # engine's id in the StatusCallback URL, which the signature covers too.
    mid = client.post("/v1/events", json=SUBSCRIBE, headers=KEY).json()["outputs"][0]["messageId"]
    path = f"/v1/sms/status?messageId={mid}"
    assert signed(client, path, {"MessageSid": "SM0a1b2c", "MessageStatus": "undelivered"}
                  ).status_code == 204
    journal = client.app.state.notifier.journal
    (last,) = journal.inputs_after(journal.last_seq - 1)
    receipt = orjson.loads(last)
    assert receipt["kind"] == "receipt"
    assert (receipt["messageId"], receipt["status"]) == (mid, "undelivered")
    # The query is signed: the same form posted to another messageId is refused.
    sig = signature(TOKEN, BASE + path, {"MessageSid": "SM0a1b2c",
                                         "MessageStatus": "delivered"}.items())
    r = client.post("/v1/sms/status?messageId=other", headers={"X-Twilio-Signature": sig},
                    data={"MessageSid": "SM0a1b2c", "MessageStatus": "delivered"})
    assert r.status_code == 403


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/v1/sms/status", {"MessageSid": "S" * 201, "MessageStatus": "delivered"}, "MessageSid"),
    ("/v1/sms/status?messageId=" + "m" * 250, {"MessageSid": "S", "MessageStatus": "failed"},
     "messageId"),
    ("/v1/sms/inbound", {"MessageSid": "S" * 201, "From": "+13035550123", "Body": "HI"},
     "MessageSid"),
    ("/v1/sms/inbound", {"MessageSid": "S", "From": "+13035550123", "Body": "x" * 1601},
     "Body"),
])
def test_webhook_fields_past_the_engines_bounds_get_422_naming_them(
        client: InProcessClient, path: str, params: dict[str, str], field: str) -> None:
    r = signed(client, path, params)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field and "at most" in r.json()["error"]
    assert seq(client) == 0


BAD_RECORDS = [
    ({"kind": "parcel", "at": "2026-12-14T09:00:00Z"}, "kind"),
    ({"kind": "scan", "at": 1797000000, "trackingNumber": TN, "eventCode": "OF"}, "at"),
    ({"kind": "scan", "at": "2026-12-14T09:00:00", "trackingNumber": TN, "eventCode": "OF"},
     "at"),
    ({"kind": "scan", "at": "2026-12-14T09:00:00Z", "trackingNumber": 94, "eventCode": "OF"},
     "trackingNumber"),
    ({"kind": "scan", "at": "2026-12-14T09:00:00Z", "trackingNumber": TN}, "eventCode"),
    ({**SUBSCRIBE, "phone": "+44 20 7946 0958"}, "phone"),
    ({**SUBSCRIBE, "phone": "not a phone"}, "phone"),
    ({**SUBSCRIBE, "options": "all"}, "options"),
    ({**SUBSCRIBE, "options": ["everything"]}, "options"),
    ({**SUBSCRIBE, "channel": "fax"}, "channel"),
    ({**SUBSCRIBE, "destinationZIP": "ABCDE"}, "destinationZIP"),
    ({"kind": "sms_in", "at": "2026-12-14T09:00:00Z", "from": "12", "body": "HI"}, "from"),
    ({"kind": "receipt", "at": "2026-12-14T09:00:00Z", "messageId": "x", "status": "lost"},
     "status"),
]


@pytest.mark.parametrize(("record", "field"), BAD_RECORDS)
def test_bad_records_get_422_naming_the_field(client: InProcessClient, record: dict[str, Any],
                                              field: str) -> None:
    r = client.post("/v1/events", json=record, headers=KEY)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field and r.json()["error"]
    assert seq(client) == 0


def test_malformed_bodies(client: InProcessClient) -> None:
    for body, status in ((b"{nope", 400), (b"[1, 2]", 422), (b'"text"', 422), (b"", 400)):
        r = client.post("/v1/events", content=body, headers=KEY)
        assert r.status_code == status, (body, r.text)
        assert r.json()["field"] == "body"
    r = client.post("/v1/events:batch", content=b'{"kind":"scan"}\n{oops', headers=KEY)
    assert r.status_code == 400 and "line 2" in r.json()["error"]
    assert client.post("/v1/events:batch", content=b'{"a":1}', headers=KEY).status_code == 422
    r = client.post("/v1/sms/inbound", content=b"\xff\xfe", headers={"X-Twilio-Signature": "x"})
    assert r.status_code == 400
    assert seq(client) == 0


def test_an_empty_body_is_refused_alike_on_both_record_routes(
        client: InProcessClient) -> None:
    """The batch route used to answer an empty body 200 with nothing accepted."""
    for path in ("/v1/events", "/v1/events:batch"):
        for body in (b"", b" \r\n\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n"):
            r = client.post(path, content=body, headers=KEY)
            assert r.status_code == 400, (path, body, r.text)
            assert r.json()["field"] == "body" and "empty" in r.json()["error"]
    # An empty JSON array is a well-formed batch of no records.
    r = client.post("/v1/events:batch", content=b"[]", headers=KEY)
    assert r.status_code == 200 and r.json()["accepted"] == 0
    assert seq(client) == 0


def test_a_leading_byte_order_mark_is_dropped_as_eccc_replay_drops_it(
        client: InProcessClient) -> None:
    bom = b"\xef\xbb\xbf"
    record = orjson.dumps(SUBSCRIBE)
    assert client.post("/v1/events", content=bom + record, headers=KEY).status_code == 200
    later = orjson.dumps(scan("2026-12-14T10:00:00-07:00", "OF"))
    for body in (bom + b"[" + later + b"]", bom + later + b"\n" + later):
        r = client.post("/v1/events:batch", content=body, headers=KEY)
        assert r.status_code == 200 and r.json()["accepted"] >= 1, r.text
    assert seq(client) >= 4
    # The journal keeps the record, not the mark.
    notifier = client.app.state.notifier
    assert all(not blob.startswith(bom) for blob in notifier.journal.inputs_after(0))


@pytest.mark.parametrize(("path", "media", "status"), [
    ("/v1/events", "application/json", 200),
    ("/v1/events", "application/json; charset=utf-8", 200),
    ("/v1/events", "Application/JSON", 200),
    ("/v1/events", "application/vnd.eccc.record+json", 200),
    ("/v1/events", "text/plain", 415),
    ("/v1/events", "application/x-www-form-urlencoded", 415),
    ("/v1/events", "application/x-ndjson", 415),
    ("/v1/events", "multipart/form-data; boundary=x", 415),
    ("/v1/events:batch", "application/json", 200),
    ("/v1/events:batch", "application/x-ndjson", 200),
    ("/v1/events:batch", "application/ndjson", 200),
    ("/v1/events:batch", "text/plain; charset=utf-8", 415),
    ("/v1/events:batch", "application/x-www-form-urlencoded", 415),
])
def test_a_record_route_reads_only_json_media_types(
        client: InProcessClient, path: str, media: str, status: int) -> None:
    """JSON sent as text/plain or as a form used to be read all the same; a request
    without a Content-Type still is (curl --data-binary, the bench's load generator)."""
    r = client.post(path, content=orjson.dumps(SUBSCRIBE),
                    headers={**KEY, "Content-Type": media})
    assert r.status_code == status, r.text
    if status == 415:
        assert r.json()["field"] == "Content-Type" and "application/json" in r.json()["error"]
        assert seq(client) == 0
    assert client.post(path, content=orjson.dumps(SUBSCRIBE), headers=KEY).status_code == 200


def test_oversized_bodies_and_batches_get_413(tmp_path: Path) -> None:
    with make(tmp_path, max_body=1000, max_batch_body=5000, max_batch=3) as client:
        r = client.post("/v1/events", content=b"{" + b" " * 2000 + b"}", headers=KEY)
        assert r.status_code == 413 and r.json()["field"] == "body"
        r = client.post("/v1/events:batch", json=[SUBSCRIBE] * 4, headers=KEY)
        assert r.status_code == 413 and r.json()["field"] == "batch"
        lines = b"\n".join(orjson.dumps(SUBSCRIBE) for _ in range(4))
        assert client.post("/v1/events:batch", content=lines, headers=KEY).status_code == 413
        assert seq(client) == 0


def test_batch_as_array_and_as_json_lines_agree_and_report_bad_records(tmp_path: Path) -> None:
    records = [SUBSCRIBE, scan("2026-12-14T10:00:00-07:00", "OF"),
               {"kind": "nope", "at": "2026-12-14T11:00:00-07:00"},
               scan("2026-12-14T13:00:00-07:00", "01")]
    with make(tmp_path / "a") as a, make(tmp_path / "b") as b:
        ra = a.post("/v1/events:batch", json=records, headers=KEY).json()
        lines = b"\n".join(orjson.dumps(r) for r in records) + b"\n"
        rb = b.post("/v1/events:batch", content=lines, headers=KEY).json()
    assert ra == rb
    assert ra["accepted"] == 3 and ra["rejected"] == [
        {"index": 2, "field": "kind", "error": ra["rejected"][0]["error"]}]
    assert [o["cause"] for o in ra["outputs"]] == ["welcome:checkout", "scan:OF", "scan:01"]


def test_parcel_view_masks_phones_and_404s_unknown(client: InProcessClient) -> None:
    client.post("/v1/events:batch", json=[SUBSCRIBE, scan("2026-12-14T10:00:00-07:00", "OF")],
                headers=KEY)
    view = client.get(f"/v1/parcels/{TN}", headers=KEY).json()
    assert view["eventCode"] == "OF" and view["milestone"] == "out_for_delivery"
    assert view["subscribers"][0]["phone"] == "+1303*****23"
    assert PHONE not in orjson.dumps(view).decode()
    r = client.get("/v1/parcels/9400000000000000000000", headers=KEY)
    assert r.status_code == 404


def test_timeline_and_outbox_paging(client: InProcessClient) -> None:
    client.post("/v1/events:batch", json=[
        SUBSCRIBE, scan("2026-12-14T10:00:00-07:00", "OF"),
        scan("2026-12-14T13:00:00-07:00", "01")], headers=KEY)
    signed(client, "/v1/sms/inbound", {"From": PHONE, "Body": "HELP"})
    timeline = client.get("/v1/recipients/(303) 555-0123/timeline", headers=KEY).json()
    kinds = [(e["direction"], e["record"]["kind"]) for e in timeline["entries"]]
    assert kinds == [("in", "subscribe"), ("out", "sms"), ("out", "sms"), ("out", "sms"),
                     ("in", "sms_in"), ("out", "reply")]
    assert client.get("/v1/recipients/12/timeline", headers=KEY).status_code == 422
    page = client.get("/v1/outbox?after=0&limit=2", headers=KEY).json()
    assert len(page["messages"]) == 2
    rest = client.get(f"/v1/outbox?after={page['next']}", headers=KEY).json()
    assert [m["cause"] for m in rest["messages"]] == ["scan:01"]
    for query in ("after=x", "after=-1", "limit=0", "limit=100000", "limit=%2B5",
                  "limit=%201", "limit=1_0", "limit=%EF%BC%91%EF%BC%90"):
        assert client.get(f"/v1/outbox?{query}", headers=KEY).status_code == 422


def test_openapi_describes_every_route(client: InProcessClient) -> None:
    doc = client.get("/openapi.json").json()
    served = {r.path.replace("{trackingNumber}", "{trackingNumber}")  # type: ignore[attr-defined]
              for r in client.app.routes}
    assert served == set(doc["paths"])


def test_health_and_metrics(client: InProcessClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    client.post("/v1/events:batch", json=[SUBSCRIBE, {"kind": "x", "at": "2026-12-14T09:00:00Z"}],
                headers=KEY)
    assert client.get("/metrics").status_code == 401  # counts are the operator's business
    text = client.get("/metrics", headers={"Authorization": f"Bearer {KEY['X-API-Key']}"}).text
    assert 'eccc_inputs_total{kind="subscribe"} 1' in text
    assert 'eccc_inputs_rejected_total{field="kind"} 1' in text
    assert 'eccc_outputs_total{kind="sms",reason=""} 1' in text
    assert 'eccc_http_request_seconds_count{route="events_batch"} 1' in text
    assert "eccc_journal_commits_total 1" in text  # the batch was one transaction


def test_metrics_can_be_opened_for_a_private_scraper(tmp_path: Path) -> None:
    with make(tmp_path, open_metrics=True) as open_client:
        assert open_client.get("/metrics").status_code == 200
        assert open_client.get("/v1/outbox").status_code == 401  # nothing else opens


def test_signature_matches_the_providers_published_example() -> None:
    # The worked example in the provider's webhook-security documentation.
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
              "From": "+12349013030", "To": "+18005551212"}
    assert signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
                     params.items()) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_unknown_routes_and_methods_get_json(client: InProcessClient) -> None:
    r = client.get("/v1/nothing")
    assert r.status_code == 404 and r.json()["field"] == "path"
    assert client.get("/v1/events", headers=KEY).status_code == 405


def test_a_method_a_route_does_not_take_is_answered_with_allow(
        client: InProcessClient) -> None:
    """405 used to come without Allow (the JSON handler dropped Starlette's headers)."""
    for route in client.app.routes:
        path = route.path.replace("{trackingNumber}", TN).replace("{phone}", "+13035550123"
                                                                 ).replace("{asset}", "x")
        wrong = "DELETE" if "DELETE" not in route.methods else "PATCH"
        r = client.request(wrong, path, headers=KEY)
        assert r.status_code == 405 and r.json()["field"] == "path", path
        allowed = {m.strip() for m in r.headers["allow"].split(",")}
        assert allowed == set(route.methods), path


def test_times_past_what_the_trace_format_can_print_are_refused(
        client: InProcessClient) -> None:
    r = client.post("/v1/events", json=scan("9999-12-31T23:59:59-12:00", "OF"), headers=KEY)
    assert r.status_code == 422 and r.json()["field"] == "at"


def test_logs_show_masked_numbers_only(client: InProcessClient,
                                       caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="eccc.shim"):
        signed(client, "/v1/sms/inbound", {"From": PHONE, "Body": "HELP"})
    assert "+1303*****23" in caplog.text and PHONE not in caplog.text


def test_concurrent_requests_share_a_commit_and_each_waits_for_it(tmp_path: Path) -> None:
    import asyncio

    import httpx

    app = create_app(ShimSettings(db=str(tmp_path / "shim.sqlite3"), api_key="test-key",
                                  auth_token=TOKEN))
    journal = app.state.notifier.journal

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE, headers=KEY) as c:
            scans = [scan(f"2026-12-14T09:{m:02d}:00-07:00", "10", tn=f"94001118992234567{m:05d}")
                     for m in range(50)]
            return await asyncio.gather(*(c.post("/v1/events", json=s) for s in scans))

    responses = asyncio.run(run())
    assert [r.status_code for r in responses] == [200] * 50
    seqs = sorted(r.json()["seq"] for r in responses)
    assert seqs == list(range(1, 51))
    # Every response came after its input was committed, and they shared transactions.
    assert journal.last_seq == 50 and journal.commits < 10, journal.commits
    app.state.notifier.close()
