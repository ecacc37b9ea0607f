"""The shim's HTTP contract, checked with the field's tools.

- The OpenAPI document is valid OpenAPI 3.0 (openapi-spec-validator), and its record
  schemas agree with the trace format's JSON Schema.
- schemathesis generates requests from the document (valid and invalid ones), sends
  them to the app in this process and checks each response against the document:
  no 5xx, documented status codes and content types, bodies matching their schemas.
- ``/docs`` is Swagger UI served from the installed package, with no CDN.
- ``/metrics`` parses with prometheus_client's own text parser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from prometheus_client.parser import text_string_to_metric_families
from schemathesis import checks as st_checks
from swagger_ui_bundle import swagger_ui_path

from loadtests.app import ShimSettings, create_app
from loadtests.docs_page import ASSETS
from loadtests.guards import signature
from loadtests.inprocess import InProcessClient
from loadtests.openapi import openapi

ROOT = Path(__file__).resolve().parents[1]
BASE = "http://127.0.0.1"
KEY = "contract-key"
TOKEN = "contract-token"
TRACE = json.loads((ROOT / "docs" / "trace-v1.schema.json").read_text(encoding="utf-8"))


def test_the_openapi_document_is_valid_openapi() -> None:
    validate(openapi())  # raises OpenAPIValidationError with the offending path


@pytest.mark.parametrize(("record", "kind"), [("Scan", "scan"), ("Subscribe", "subscribe"),
                                              ("SmsIn", "sms_in"), ("Receipt", "receipt"),
                                              ("Wake", "wake")])
def test_the_record_schemas_are_the_trace_formats(record: str, kind: str) -> None:
    mine = openapi()["components"]["schemas"][record]
    theirs = TRACE["$defs"][kind]
    assert mine["required"] == theirs["required"]
    assert set(mine["properties"]) == set(theirs["properties"])
    for name, prop in theirs["properties"].items():
        enum = prop.get("enum") or prop.get("items", {}).get("enum")
        if enum:
            got = mine["properties"][name].get("enum") or mine["properties"][name].get(
                "items", {}).get("enum")
            assert got == enum, name


@pytest.fixture(scope="module")
def client() -> Any:
    app = create_app(ShimSettings(db=":memory:", policies=("milestones", "quiet_hours"),
                                  api_key=KEY, auth_token=TOKEN))
    with InProcessClient(app, BASE) as c:
        yield c


# Checks that need no second request (the others would re-send over the network).
CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance,
          st_checks.content_type_conformance, st_checks.response_schema_conformance,
          st_checks.response_headers_conformance]
schema = schemathesis.openapi.from_dict(openapi())


@schemathesis.serializer("application/x-ndjson")
def _json_lines(ctx: Any, value: Any) -> bytes:
    """A batch as JSON lines (a generated non-list is sent as one line)."""
    rows = value if isinstance(value, list) else [value]
    return b"\n".join(json.dumps(row).encode() for row in rows)


def _send(client: InProcessClient, case: Any) -> Any:
    """The case as the shim's callers send it: with the API key, and webhooks signed."""
    kw = case.as_transport_kwargs(base_url=BASE, headers={"X-API-Key": KEY})
    url = kw.pop("url")
    headers = dict(kw.pop("headers", None) or {})
    content = None
    if isinstance(kw.get("data"), dict):  # a form: sign it as the SMS provider would
        pairs = [(str(k), str(v)) for k, v in kw.pop("data").items()]
        content = urlencode(pairs).encode()
        full = url + ("?" + urlencode(kw["params"]) if kw.get("params") else "")
        headers["X-Twilio-Signature"] = signature(TOKEN, full, pairs)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif "json" in kw:
        content = json.dumps(kw.pop("json")).encode()
        headers.setdefault("Content-Type", "application/json")
    elif kw.get("data") is not None:
        data = kw.pop("data")
        content = data.encode() if isinstance(data, str) else data
    path = urlsplit(url).path
    return client.request(kw.pop("method"), path, params=kw.get("params"), headers=headers,
                          content=content)


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_schemathesis_finds_no_response_off_the_contract(client: InProcessClient,
                                                         case: Any) -> None:
    response = _send(client, case)
    case.validate_response(response, checks=CHECKS)


def test_docs_page_is_swagger_ui_served_offline(client: InProcessClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "SwaggerUIBundle" in page.text and 'url: "openapi.json"' in page.text
    links = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert links and all("//" not in link for link in links)  # nothing from another host
    for link in links:
        asset = client.get("/" + link)
        assert asset.status_code == 200, link
        assert asset.headers["content-type"] == ASSETS[link.removeprefix("docs/")]
        assert asset.content == (swagger_ui_path / link.removeprefix("docs/")).read_bytes()
    assert "SwaggerUIBundle" in client.get("/docs/swagger-ui-bundle.js").text
    missing = client.get("/docs/../openapi.json")
    assert missing.status_code in (200, 404)  # normalised by the client, never a file read
    assert client.get("/docs/index.html").status_code == 404  # only the page's own files


def test_metrics_parse_with_prometheus_client(client: InProcessClient) -> None:
    scan = {"kind": "scan", "at": "2026-12-14T09:31:00-07:00",
            "trackingNumber": "9400111899223456789012", "eventCode": "OF"}
    assert client.post("/v1/events", json=scan, headers={"X-API-Key": KEY}).status_code == 200
    assert client.post("/v1/events", json={"kind": "nope"},
                       headers={"X-API-Key": KEY}).status_code == 422
    client.get("/healthz")
    text = client.get("/metrics", headers={"Authorization": f"Bearer {KEY}"}).text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert {"eccc_inputs", "eccc_inputs_rejected", "eccc_outputs", "eccc_journal_seq",
            "eccc_journal_commits", "eccc_engine_parcels", "eccc_http_responses",
            "eccc_http_request_seconds"} <= set(families)
    assert families["eccc_http_request_seconds"].type == "histogram"
    assert families["eccc_inputs"].type == "counter"
    samples = families["eccc_http_request_seconds"].samples
    for route in {s.labels["route"] for s in samples}:
        buckets = [s for s in samples if s.name.endswith("_bucket")
                   and s.labels["route"] == route]
        counts = [s.value for s in buckets]
        assert counts == sorted(counts)  # cumulative
        assert buckets[-1].labels["le"] == "+Inf"
        total = next(s.value for s in samples if s.name.endswith("_count")
                     and s.labels["route"] == route)
        assert buckets[-1].value == total
    events = [s for s in families["eccc_http_responses"].samples
              if s.labels["route"] == "events"]
    assert {s.labels["status"] for s in events} >= {"200", "422"}
    scans = [s for s in families["eccc_inputs"].samples if s.labels.get("kind") == "scan"]
    assert scans and scans[0].value >= 1


def test_the_document_lists_the_refusals_the_shim_gives() -> None:
    """405 (with Allow), 415 and 500/503 used to be answered but not documented."""
    for path, ops in openapi()["paths"].items():
        for method, op in ops.items():
            statuses = set(op["responses"])
            assert {"405", "500"} <= statuses, (path, method)
            assert "Allow" in op["responses"]["405"]["headers"]
            if method == "post":  # they read a body and hand inputs to the engine
                assert {"408", "413", "415", "503"} <= statuses, path
