"""The HTTP shim: a Starlette app around one ``Notifier`` (engine + journal).

A thin shell: routes parse, authenticate and translate; every decision about
texts is the engine's. Refusals are JSON ``{"error", "field"}`` with a 4xx
status; the SMS webhooks answer in the provider's TwiML.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from engine.errors import InvalidInput
from engine.inputs import RECEIPT_STATUSES, Receipt, SmsIn
from engine.phones import mask, normalise
from loadtests import views
from loadtests.docs_page import docs_asset, docs_page
from loadtests.guards import (
    HttpError,
    Secrets,
    check_api_key,
    check_signature,
    header,
    read_body,
)
from loadtests.metrics import Requests, render
from loadtests.notifier import Accepted, JournalUnavailable, Notifier
from loadtests.openapi import openapi

log = logging.getLogger("eccc.shim")
# Keys this app adds to a request's ASGI scope.
DURABLE = "eccc.durable"   # the journal position the response must wait for
ROUTE = "eccc.route"       # the route's name, for /metrics
Handler = Callable[[Request], Awaitable[Response]]
# Provider delivery statuses that settle a text (those the engine takes as receipts);
# the rest (queued, sending, sent, accepted...) are progress and change nothing.
FINAL_STATUSES = {status: status for status in RECEIPT_STATUSES}
# The engine's names for an inbound text's fields, as the provider's form spells them.
FORM_FIELDS = {"from": "From", "sender": "From", "body": "Body", "messageSid": "MessageSid"}


@dataclass(frozen=True, slots=True, kw_only=True)
class ShimSettings:
    db: str = ":memory:"
    policies: tuple[str, ...] = ("every_scan",)
    api_key: str | None = None
    auth_token: str | None = None
    public_url: str | None = None      # the base URL the SMS provider signs
    clock: str = "record"              # "record": time is the records' own; "wall": timer
    max_body: int = 64 * 1024
    max_batch_body: int = 16 * 1024 * 1024
    max_batch: int = 20_000
    snapshot_every: int = 200_000
    background_snapshots: bool = False  # fork to write snapshots (eccc serve turns it on)
    synchronous: str = "NORMAL"
    open_metrics: bool = False         # /metrics without the API key (a private scrape network)


def json_response(body: Any, status: int = 200) -> Response:
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    return Response(data, status, media_type="application/json")


def _accepted_body(result: Accepted) -> bytes:
    rejected = orjson.dumps([r.as_dict() for r in result.rejected])
    return (b'{"accepted":%d,"seq":%d,"rejected":%s,"outputs":[%s]}'
            % (result.accepted, result.seq, rejected, b",".join(result.outputs)))


def twiml(replies: list[str]) -> Response:
    if not replies:
        body = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    else:
        messages = "".join(f"<Message>{escape(r)}</Message>" for r in replies)
        body = f'<?xml version="1.0" encoding="UTF-8"?><Response>{messages}</Response>'
    return Response(body, 200, media_type="application/xml")


def create_app(settings: ShimSettings | None = None) -> Acknowledged:
    """Build the app and its notifier (which replays the journal right away)."""
    settings = settings or ShimSettings()
    keys = Secrets.resolve(settings.api_key, settings.auth_token)
    api_key = keys.api_key.encode()
    notifier = Notifier(settings.db, settings.policies, snapshot_every=settings.snapshot_every,
                        synchronous=settings.synchronous,
                        background_snapshots=settings.background_snapshots)
    requests = Requests()

    def now() -> int:
        """Webhooks carry no time: the wall clock in wall mode (or before any record),
        else the engine's own, so a text joins the records' timeline."""
        if settings.clock == "wall" or not notifier.engine.now:
            return max(int(time.time()), notifier.engine.now)
        return notifier.engine.now

    def guarded(route: str, handler: Handler, *, key: bool = True) -> Handler:
        async def endpoint(request: Request) -> Response:
            request.scope[ROUTE] = route
            try:
                if key:
                    check_api_key(request, api_key)
                response = await handler(request)
            except HttpError as exc:
                body: dict[str, Any] = {"error": exc.error, "field": exc.field}
                if exc.detail is not None:
                    body["detail"] = exc.detail
                response = json_response(body, exc.status)
            except JournalUnavailable as exc:
                response = json_response({"error": str(exc), "field": None}, 503)
            except Exception:
                log.exception("unexpected error on %s", route)
                response = json_response({"error": "internal error", "field": None}, 500)
            return response
        return endpoint

    async def post_event(request: Request) -> Response:
        need_media_type(request, EVENT_TYPES)
        body = _json_body(await read_body(request, settings.max_body))
        rec = _decode(body)
        if not isinstance(rec, dict):
            raise HttpError(422, "the body must be one JSON object (a trace record)",
                            field="body")
        raw = body.strip()
        result = notifier.stage([rec], raws=None if b"\n" in raw else [raw])
        request.scope[DURABLE] = result.seq
        if result.rejected:
            bad = result.rejected[0]
            raise HttpError(422, bad.error, field=bad.field)
        return json_response(_accepted_body(result))

    async def post_batch(request: Request) -> Response:
        need_media_type(request, BATCH_TYPES)
        body = _json_body(await read_body(request, settings.max_batch_body))
        records, raws = _decode_batch(body, settings.max_batch)
        result = notifier.stage(records, raws=raws)
        request.scope[DURABLE] = result.seq
        if records and not result.accepted:
            first = result.rejected[0]
            raise HttpError(422, f"no record accepted; record {first.index}: {first.error}",
                            field=first.field, detail=[r.as_dict() for r in result.rejected])
        return json_response(_accepted_body(result))

    async def sms_inbound(request: Request) -> Response:
        params = await _signed_form(request)
        form = dict(params)
        try:
            inp = SmsIn(at=now(), sender=form.get("From", ""), body=form.get("Body", ""),
                        message_sid=form.get("MessageSid", ""))
        except InvalidInput as exc:  # named as the provider's form names it
            raise HttpError(422, str(exc), field=FORM_FIELDS.get(exc.field or "", exc.field)
                            ) from None
        try:
            result = notifier.accept_input(inp, inline=True)
        except InvalidInput as exc:  # the sender's number, checked before staging
            raise HttpError(422, str(exc), field="From") from None
        request.scope[DURABLE] = result.seq
        if result.rejected:
            raise HttpError(422, result.rejected[0].error, field="From")
        if log.isEnabledFor(logging.INFO):  # numbers in logs are masked, always
            log.info("text from %s answered with %d replies",
                     mask(normalise(inp.sender, field="From")), len(result.replies))
        return twiml(result.replies)

    async def sms_status(request: Request) -> Response:
        form = dict(await _signed_form(request))
        # The provider names the text by its own SID. A gateway worker that sends
        # with StatusCallback=.../v1/sms/status?messageId=<the engine's id> gets the
        # receipt matched to the engine's text; without it, MessageSid must be the
        # engine's id (a provider or simulator that reuses our ids).
        by_query = bool(request.query_params.get("messageId"))
        sid = request.query_params.get("messageId") or form.get("MessageSid", "")
        status = form.get("MessageStatus", "")
        if not sid:
            raise HttpError(422, "missing MessageSid", field="MessageSid")
        if not status:
            raise HttpError(422, "missing MessageStatus", field="MessageStatus")
        final = FINAL_STATUSES.get(status.lower())
        if final is None:
            return Response(status_code=204)  # progress (queued, sent...): nothing to record
        try:  # an id over the engine's bound, as any record field, is the sender's error
            receipt = Receipt(at=now(), message_id=sid, status=final)
        except InvalidInput as exc:
            raise HttpError(422, str(exc), field="messageId" if by_query else "MessageSid"
                            ) from None
        result = notifier.accept_input(receipt)
        request.scope[DURABLE] = result.seq
        if result.rejected:
            raise HttpError(422, result.rejected[0].error, field=result.rejected[0].field)
        return Response(status_code=204)

    async def _signed_form(request: Request) -> list[tuple[str, str]]:
        body = await read_body(request, settings.max_body)
        try:
            params = parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                               max_num_fields=100)
        except (UnicodeDecodeError, ValueError) as exc:
            raise HttpError(400, f"malformed form body ({exc})", field="body") from None
        check_signature(request, keys.auth_token, params, settings.public_url)
        return params

    async def get_parcel(request: Request) -> Response:
        return json_response(views.parcel(notifier.engine, request.path_params["trackingNumber"]))

    async def get_timeline(request: Request) -> Response:
        limit = _int_param(request, "limit", 200, 1, 5000)
        return json_response(views.timeline(notifier.journal, request.path_params["phone"],
                                            limit))

    async def get_outbox(request: Request) -> Response:
        after = _int_param(request, "after", 0, 0, 2**62)
        limit = _int_param(request, "limit", 100, 1, 1000)
        return json_response(views.outbox(notifier.journal, after, limit))

    async def healthz(request: Request) -> Response:
        return json_response(b'{"status":"ok"}')

    async def metrics(request: Request) -> Response:
        return Response(render(notifier, requests), 200,
                        media_type="text/plain; version=0.0.4; charset=utf-8")

    async def get_openapi(request: Request) -> Response:
        return json_response(openapi())

    routes = [
        Route("/v1/events", guarded("events", post_event), methods=["POST"]),
        Route("/v1/events:batch", guarded("events_batch", post_batch), methods=["POST"]),
        Route("/v1/sms/inbound", guarded("sms_inbound", sms_inbound, key=False),
              methods=["POST"]),
        Route("/v1/sms/status", guarded("sms_status", sms_status, key=False), methods=["POST"]),
        Route("/v1/parcels/{trackingNumber}", guarded("parcel", get_parcel), methods=["GET"]),
        Route("/v1/recipients/{phone}/timeline", guarded("timeline", get_timeline),
              methods=["GET"]),
        Route("/v1/outbox", guarded("outbox", get_outbox), methods=["GET"]),
        Route("/healthz", guarded("healthz", healthz, key=False), methods=["GET"]),
        Route("/metrics", guarded("metrics", metrics, key=not settings.open_metrics),
              methods=["GET"]),
        Route("/openapi.json", guarded("openapi", get_openapi, key=False), methods=["GET"]),
        Route("/docs", guarded("docs", docs_page, key=False), methods=["GET"]),
        Route("/docs/{asset}", guarded("docs", docs_asset, key=False), methods=["GET"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ticker = asyncio.create_task(_wall_clock(notifier)) if settings.clock == "wall" else None
        try:
            yield
        finally:
            if ticker is not None:
                ticker.cancel()
            notifier.close()

    async def no_route(request: Request, exc: Exception) -> Response:
        """Unknown paths and methods get the same JSON refusal as everything else."""
        assert isinstance(exc, HTTPException)
        response = json_response({"error": exc.detail, "field": "path"}, exc.status_code)
        if exc.headers:  # a 405's Allow: the methods the path takes (RFC 9110, 15.5.6)
            response.headers.update(exc.headers)
        return response

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: no_route})
    app.state.notifier = notifier
    app.state.secrets = keys
    return Acknowledged(app, notifier, requests)


class Acknowledged:
    """The outermost layer: no response leaves before what its request staged is durable.

    A handler that hands inputs to the engine marks its request with the
    journal position it staged up to (``scope[DURABLE]``); its response is
    held here until the group commit has that position, then sent, or
    replaced by a 503 if the commit failed (nothing of it was acknowledged).
    Waiting here, at the top, rather than inside the handler keeps the
    suspension off the framework's stack of middleware frames, each of which
    would be left and re-entered per request. Also times every request.
    """

    def __init__(self, app: Starlette, notifier: Notifier, requests: Requests) -> None:
        self.app = app
        self.notifier = notifier
        self.requests = requests
        self.state = app.state
        self.routes = app.routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        held: list[Message] = []
        status = 500

        async def hold(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            if DURABLE in scope:
                held.append(message)
            else:
                await send(message)

        await self.app(scope, receive, hold)
        if held:
            try:
                await self.notifier.durable(scope[DURABLE])
            except JournalUnavailable as exc:
                status = 503
                body = orjson.dumps({"error": str(exc), "field": None})
                held = [{"type": "http.response.start", "status": 503,
                         "headers": [(b"content-type", b"application/json"),
                                     (b"content-length", b"%d" % len(body))]},
                        {"type": "http.response.body", "body": body}]
            for message in held:
                await send(message)
        self.requests.observe(scope.get(ROUTE, "unmatched"), status,
                              time.perf_counter() - start)


async def _wall_clock(notifier: Notifier) -> None:
    """Wall-clock mode: fire held texts when their time comes, checked each second."""
    while True:
        due = notifier.engine.next_wake
        wait = 1.0 if due is None else min(1.0, max(0.0, due - time.time()))
        await asyncio.sleep(wait)
        try:
            notifier.tick(int(time.time()))
        except Exception:
            log.exception("wall-clock tick failed")


# What the record routes read, by Content-Type (parameters such as charset aside). A
# request without one is read as JSON (curl --data-binary, the bench's load generator);
# one that names another type (text/plain, a form) is refused with 415.
EVENT_TYPES = (b"application/json",)
# The batch route reads a JSON array or JSON lines whichever type names it.
BATCH_TYPES = (b"application/json", b"application/x-ndjson", b"application/ndjson",
               b"application/jsonl")
_BOM = b"\xef\xbb\xbf"


def need_media_type(request: Request, accepted: tuple[bytes, ...]) -> None:
    """415 unless the Content-Type, when there is one, is one ``accepted`` (or a
    ``+json`` type of one's own, RFC 6839)."""
    given = header(request, b"content-type")
    if given is None:
        return
    media = given.split(b";", 1)[0].strip().lower()
    if not media or media in accepted or (media.startswith(b"application/")
                                          and media.endswith(b"+json")):
        return
    raise HttpError(415, f"Content-Type {given.decode('latin-1')[:100]!r} is not read "
                    f"here: send {' or '.join(t.decode() for t in accepted)}",
                    field="Content-Type")


def _json_body(body: bytes) -> bytes:
    """The body without a leading UTF-8 byte order mark (as ``eccc replay`` reads a
    trace); 400 if nothing is left but white space."""
    if body[:3] == _BOM:
        body = body[3:]
    if not body.strip():
        raise HttpError(400, "the body is empty: send a JSON record (or, for a batch, a "
                        "JSON array or JSON lines)", field="body")
    return body


def _decode(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise HttpError(400, f"malformed JSON ({exc})", field="body") from None


def _decode_batch(body: bytes, max_batch: int) -> tuple[list[Any], list[bytes] | None]:
    """A JSON array, or JSON lines (one record per line, as in a trace file).

    Returns the records and, for JSON lines, each record's line as received.
    """
    text = body.lstrip()
    if text[:1] == b"[":
        records = _decode(text)
        if not isinstance(records, list):
            raise HttpError(422, "the body must be a JSON array or JSON lines", field="body")
        if len(records) > max_batch:
            raise HttpError(413, f"batch over {max_batch} records", field="batch")
        return records, None
    lines = [(n, line.strip()) for n, line in enumerate(text.split(b"\n"), start=1)]
    lines = [(n, line) for n, line in lines if line]
    if len(lines) > max_batch:
        raise HttpError(413, f"batch over {max_batch} records", field="batch")
    records = []
    for number, line in lines:
        try:
            records.append(orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            raise HttpError(400, f"line {number}: malformed JSON ({exc})", field="body") from None
    return records, [line for _, line in lines]


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19):
        # int() also takes " 1", "+5", "1_0" and "１０": a query says digits or nothing
        raise HttpError(422, f"{name} must be a whole number written in digits, got {raw!r}",
                        field=name)
    value = int(raw)
    if not low <= value <= high:
        raise HttpError(422, f"{name} must be between {low} and {high}", field=name)
    return value
