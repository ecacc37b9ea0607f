"""Property-based fuzz of the shim, generated from its own OpenAPI document.

For every operation in ``/openapi.json``, hypothesis builds requests from the
declared schemas (well-formed records, signed webhooks, in-range queries) and
from deliberate breakage of them (wrong types, junk JSON, stray fields, bad
signatures). The property: never a 5xx, and a refusal is always JSON naming
what was wrong.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loadtests.app import ShimSettings, create_app
from loadtests.guards import signature
from loadtests.inprocess import InProcessClient
from loadtests.openapi import openapi

BASE = "http://127.0.0.1"
KEY = "fuzz-key"
TOKEN = "fuzz-token"
DOC = openapi()
SCHEMAS = DOC["components"]["schemas"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=10)
times = st.one_of(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1),
                 timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7)),
                                            timezone(timedelta(hours=5, minutes=30))]))
    .map(lambda t: t.isoformat()),
    st.sampled_from(["2026-12-14T09:31:00-07:00", "2026-12-14", "0001-01-01T00:00:00+14:00",
                     "9999-12-31T23:59:59-12:00", "", "noon"]),
)
phones = st.sampled_from(["+13035550123", "(303) 555-0142", "+14165550199", "+442079460958",
                          "12", "", "+1 800 FLOWERS"]) | st.text(max_size=16)
tracking = st.sampled_from(["9400111899223456789012", "9400111899223456789029"]) | \
    st.text(max_size=30)


def from_schema(schema: dict[str, Any], broken: bool = False) -> st.SearchStrategy[Any]:
    """Values valid (or nearly) under a small JSON-schema subset; ``broken`` lets
    any field take any JSON value instead."""
    if "$ref" in schema:
        return from_schema(SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]], broken)
    if "oneOf" in schema:
        return st.one_of([from_schema(s, broken) for s in schema["oneOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        fields = {name: field_strategy(name, sub, broken) for name, sub in props.items()}
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {k: v for k, v in fields.items() if k in required},
            optional={k: v for k, v in fields.items() if k not in required})
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), broken), max_size=4)
    if kind == "integer":
        return st.integers(schema.get("minimum", -10), schema.get("maximum", 10**6))
    if kind == "string":
        return st.text(max_size=24)
    return json_values


def field_strategy(name: str, schema: dict[str, Any],
                   broken: bool = False) -> st.SearchStrategy[Any]:
    """Realistic values for the fields the engine cares about (any JSON if ``broken``)."""
    special = {"at": times, "phone": phones, "from": phones, "From": phones,
               "trackingNumber": tracking, "expectedDelivery": times,
               "eventCode": st.sampled_from(["OF", "01", "10", "zz"]),
               "body": st.sampled_from(["STOP", "YES", "HELP", "9400111899223456789012 AA"]),
               "Body": st.sampled_from(["STOP", "YES", "HELP", "9400111899223456789012 AA"])}
    valid = special.get(name, from_schema(schema))
    return st.one_of(valid, json_values) if broken else valid


def valid_or_broken(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    return st.one_of(from_schema(schema), from_schema(schema, broken=True), json_values)


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in DOC["paths"].items()
            for method, op in item.items()]


@st.composite
def requests(draw: st.DrawFn, path: str, method: str, op: dict[str, Any]) -> dict[str, Any]:
    url = path
    for param in op.get("parameters", []):
        if param["in"] == "path":
            value = draw(phones | tracking if param["name"] == "phone" else tracking)
            url = url.replace("{" + param["name"] + "}", quote(str(value), safe="") or "x")
    query = {}
    for param in op.get("parameters", []):
        if param["in"] == "query" and draw(st.booleans()):
            query[param["name"]] = draw(from_schema(param["schema"]).map(str) | st.text(max_size=6))
    headers = {"X-API-Key": draw(st.sampled_from([KEY, KEY, KEY, "wrong"]))}
    body = op.get("requestBody", {}).get("content", {})
    content: bytes | None = None
    if "application/x-www-form-urlencoded" in body:
        schema = body["application/x-www-form-urlencoded"]["schema"]
        form = draw(st.fixed_dictionaries({}, optional={
            n: field_strategy(n, s, broken=draw(st.booleans())).map(str)
            for n, s in schema["properties"].items()}))
        form.update(draw(st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=1)))
        pairs = [(k, str(v)) for k, v in form.items()]
        content = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs).encode()
        sig = signature(TOKEN, BASE + url, pairs)
        headers["X-Twilio-Signature"] = draw(st.sampled_from([sig, sig, sig, "bad"]))
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif "application/json" in body:
        value = draw(valid_or_broken(body["application/json"]["schema"]))
        content = json.dumps(value).encode()
        if draw(st.integers(0, 9)) == 0:
            content = content[: draw(st.integers(0, len(content)))]  # truncated JSON
        headers["Content-Type"] = "application/json"
    return {"method": method.upper(), "url": url, "params": query, "headers": headers,
            "content": content}


@pytest.fixture(scope="module")
def client() -> Any:
    settings_ = ShimSettings(db=":memory:", policies=("milestones", "quiet_hours"),
                             api_key=KEY, auth_token=TOKEN)
    with InProcessClient(create_app(settings_), BASE) as c:
        yield c


@pytest.mark.parametrize(("path", "method", "op"), operations(),
                         ids=[f"{m.upper()} {p}" for p, m, _ in operations()])
def test_no_request_built_from_the_schema_gets_a_5xx(client: InProcessClient, path: str,
                                                     method: str, op: dict[str, Any]) -> None:
    statuses: list[int] = []

    @settings(max_examples=60, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(requests(path, method, op))
    def check(request: dict[str, Any]) -> None:
        r = client.request(request["method"], request["url"], params=request["params"],
                           headers=request["headers"], content=request["content"])
        assert r.status_code < 500, (request, r.text)
        statuses.append(r.status_code)
        if r.status_code >= 400:
            problem = r.json()
            assert problem["error"] and "field" in problem

    check()
    # Not only refusals: some generated inputs got through to the engine.
    if "requestBody" in op:
        assert any(200 <= s < 300 for s in statuses), sorted(set(statuses))
