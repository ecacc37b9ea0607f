"""The OpenAPI 3.0 document served at ``/openapi.json``, written by hand.

Hand-written because the record format is the contract (docs/trace-format.md):
the schemas below say what the engine accepts. tests/test_shim_contract.py checks
the document against the OpenAPI specification (openapi-spec-validator) and its
record schemas against the trace format's JSON Schema, then fuzzes the app from it
with schemathesis (every response's status, content type and body must be the
documented ones); tests/test_shim_fuzz.py adds realistic hand-built values. The
shim shows the document at ``/docs`` (Swagger UI, served offline).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from engine.inputs import CHANNELS, OPTIONS, RECEIPT_STATUSES
from loadtests.docs_page import ASSETS

_TIME = {"type": "string", "format": "date-time", "example": "2026-12-14T09:31:00-07:00"}
_PHONE = {"type": "string", "example": "+13035550123"}
_ERROR = {"description": "refused", "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/Error"}}}}
# Answers every route can give: a method the path does not take (405, with Allow), an
# unexpected failure (500); and every route that hands inputs to the engine: the journal
# could not commit them, so nothing was acknowledged (503).
_METHOD = {"description": "method not allowed (the Allow header lists the path's)",
           "headers": {"Allow": {"schema": {"type": "string"}}},
           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_FAILED = {"description": "unexpected failure; nothing was acknowledged",
           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_UNAVAILABLE = {"description": "the journal could not commit; nothing was acknowledged",
                "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Error"}}}}
_KEY: list[dict[str, list[str]]] = [{"apiKey": []}]
_SIGNED: list[dict[str, list[str]]] = [{"providerSignature": []}]


def _record(kind: str, required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": ["kind", "at", *required],
            "properties": {"kind": {"type": "string", "enum": [kind]}, "at": _TIME, **props}}


SCHEMAS: dict[str, Any] = {
    "Scan": _record(
        "scan", ["trackingNumber", "eventCode"],
        trackingNumber={"type": "string", "minLength": 1}, eventCode={"type": "string"},
        eventCity={"type": "string"}, eventState={"type": "string"},
        eventZIP={"type": "string"}, eventId={"type": "string"},
        expectedDelivery={"type": "string", "format": "date"}),
    "Subscribe": _record(
        "subscribe", ["trackingNumber", "phone"],
        trackingNumber={"type": "string", "minLength": 1}, phone=_PHONE,
        channel={"type": "string", "enum": list(CHANNELS)},
        options={"type": "array", "items": {"type": "string", "enum": list(OPTIONS)}},
        merchant={"type": "string"}, destinationZIP={"type": "string"}),
    "SmsIn": _record("sms_in", ["from"], **{"from": _PHONE, "body": {"type": "string"},
                                            "messageSid": {"type": "string"}}),
    "Receipt": _record("receipt", ["messageId", "status"], messageId={"type": "string"},
                       status={"type": "string", "enum": list(RECEIPT_STATUSES)}),
    "Wake": _record("wake", []),
    "Record": {"oneOf": [{"$ref": f"#/components/schemas/{n}"}
                         for n in ("Scan", "Subscribe", "SmsIn", "Receipt", "Wake")]},
    "Accepted": {"type": "object", "properties": {
        "accepted": {"type": "integer"}, "seq": {"type": "integer"},
        "rejected": {"type": "array", "items": {"type": "object"}},
        "outputs": {"type": "array", "items": {"type": "object"}}}},
    "Error": {"type": "object", "required": ["error"], "properties": {
        "error": {"type": "string"}, "field": {"type": "string", "nullable": True}}},
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _form(required: list[str], names: list[str]) -> dict[str, Any]:
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": required,
        "properties": {n: {"type": "string"} for n in names}}}}}


def _ok(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {"description": description}
    return {**body, **_json(schema)} if schema else body


_ACCEPTED = {"$ref": "#/components/schemas/Accepted"}
PATHS: dict[str, Any] = {
    "/v1/events": {"post": {
        "summary": "One trace record; the response carries the engine's outputs.",
        "security": _KEY, "requestBody": {"required": True, **_json(
            {"$ref": "#/components/schemas/Record"})},
        "responses": {"200": _ok("accepted and journaled", _ACCEPTED), "400": _ERROR,
                      "401": _ERROR, "408": _ERROR, "413": _ERROR, "415": _ERROR,
                      "422": _ERROR, "503": _UNAVAILABLE}}},
    "/v1/events:batch": {"post": {
        "summary": "Many records, as a JSON array or JSON lines, journaled in one transaction.",
        "security": _KEY, "requestBody": {"required": True, "content": {
            "application/json": {"schema": {"type": "array", "items": {
                "$ref": "#/components/schemas/Record"}}},
            # JSON lines: one record per line (the schema says what each line holds).
            "application/x-ndjson": {"schema": {"type": "array", "items": {
                "$ref": "#/components/schemas/Record"}}}}},
        "responses": {"200": _ok("some or all accepted", _ACCEPTED), "400": _ERROR,
                      "401": _ERROR, "408": _ERROR, "413": _ERROR, "415": _ERROR,
                      "422": _ERROR, "503": _UNAVAILABLE}}},
    "/v1/sms/inbound": {"post": {
        "summary": "Provider webhook for a text to the short code; answers in TwiML.",
        "security": _SIGNED,
        "requestBody": _form(["From"], ["From", "To", "Body", "MessageSid"]),
        "responses": {"200": {"description": "TwiML with the reply, if any",
                              "content": {"application/xml": {"schema": {"type": "string"}}}},
                      "400": _ERROR, "403": _ERROR, "408": _ERROR, "413": _ERROR,
                      "415": _ERROR, "422": _ERROR, "503": _UNAVAILABLE}}},
    "/v1/sms/status": {"post": {
        "summary": "Provider delivery-status webhook (becomes an engine Receipt).",
        "security": _SIGNED,
        "parameters": [{"name": "messageId", "in": "query", "schema": {"type": "string"},
                        "description": "the engine's message id, when the gateway worker "
                                       "put it in the StatusCallback URL (else MessageSid "
                                       "is taken as the engine's id)"}],
        "requestBody": _form(["MessageSid", "MessageStatus"], ["MessageSid", "MessageStatus"]),
        "responses": {"204": {"description": "recorded (or progress ignored)"},
                      "400": _ERROR, "403": _ERROR, "408": _ERROR, "413": _ERROR,
                      "415": _ERROR, "422": _ERROR, "503": _UNAVAILABLE}}},
    "/v1/parcels/{trackingNumber}": {"get": {
        "summary": "Status and subscribers of one parcel (phones masked).", "security": _KEY,
        "parameters": [{"name": "trackingNumber", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {"200": _ok("the parcel", {"type": "object"}), "401": _ERROR,
                      "404": _ERROR}}},
    "/v1/recipients/{phone}/timeline": {"get": {
        "summary": "One person's touch points: subscriptions, texts, replies, suppressions.",
        "security": _KEY,
        "parameters": [{"name": "phone", "in": "path", "required": True, "schema": _PHONE},
                       {"name": "limit", "in": "query", "schema": {
                           "type": "integer", "minimum": 1, "maximum": 5000}}],
        "responses": {"200": _ok("the timeline", {"type": "object"}), "401": _ERROR,
                      "422": _ERROR}}},
    "/v1/outbox": {"get": {
        "summary": "Texts for a gateway worker to send, in issue order after a cursor.",
        "security": _KEY,
        "parameters": [{"name": "after", "in": "query", "schema": {"type": "integer",
                                                                    "minimum": 0}},
                       {"name": "limit", "in": "query", "schema": {
                           "type": "integer", "minimum": 1, "maximum": 1000}}],
        "responses": {"200": _ok("a page of texts", {"type": "object"}), "401": _ERROR,
                      "422": _ERROR}}},
    "/healthz": {"get": {"summary": "Liveness.", "responses": {"200": _ok("alive")}}},
    "/metrics": {"get": {
        "summary": "Prometheus text format (API key, e.g. as a bearer token, unless the shim "
                   "runs with --open-metrics).", "security": _KEY,
        "responses": {"200": {"description": "metrics", "content": {
            "text/plain": {"schema": {"type": "string"}}}}, "401": _ERROR}}},
    "/openapi.json": {"get": {"summary": "This document.", "responses": {"200": _ok("it")}}},
    "/docs": {"get": {"summary": "This document in Swagger UI (served offline).",
                      "responses": {"200": {"description": "the page", "content": {
                          "text/html": {"schema": {"type": "string"}}}}}}},
    "/docs/{asset}": {"get": {
        "summary": "The page's Swagger UI files (from the swagger-ui-bundle package).",
        "parameters": [{"name": "asset", "in": "path", "required": True,
                        "schema": {"type": "string", "enum": list(ASSETS)}}],
        "responses": {"200": {"description": "the file", "content": {
            media.split(";")[0]: {"schema": {"type": "string"}}
            for media in ASSETS.values()}}, "404": _ERROR}}},
}


def _every_answer(paths: dict[str, Any]) -> dict[str, Any]:
    """Each operation with the answers any route can give (405, 500) added."""
    return {path: {method: {**op, "responses": {**op["responses"], "405": _METHOD,
                                                "500": _FAILED}}
                   for method, op in ops.items()}
            for path, ops in paths.items()}


@cache
def openapi() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "eccc-sim notification shim", "version": "1"},
        "paths": _every_answer(PATHS),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "providerSignature": {"type": "apiKey", "in": "header",
                                      "name": "X-Twilio-Signature"},
            },
        },
    }
