"""What stands between the internet and the engine: keys, signatures, size limits.

- Ingest and admin routes need the shim's API key (``X-API-Key`` or
  ``Authorization: Bearer``), compared in constant time.
- SMS webhooks need the provider's signature (docs/facts.md, the
  X-Twilio-Signature scheme): base64(HMAC-SHA1(auth token, full URL + each POST parameter's name
  and value, sorted by name, concatenated)).
- Bodies are read with a hard cap, so an oversized request costs at most the
  cap in memory and gets 413 before any parsing.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.requests import Request

API_KEY_ENV = "ECCC_API_KEY"
AUTH_TOKEN_ENV = "ECCC_SMS_AUTH_TOKEN"


class HttpError(Exception):
    """A refusal with its HTTP status; the app turns it into a JSON body."""

    def __init__(self, status: int, error: str, *, field: str | None = None,
                 detail: object = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.field = field
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Secrets:
    api_key: str
    auth_token: str

    @classmethod
    def resolve(cls, api_key: str | None = None, auth_token: str | None = None) -> Secrets:
        """Flags first, then the environment; a random secret if neither (never open)."""
        return cls(
            api_key=api_key or os.environ.get(API_KEY_ENV) or secrets.token_urlsafe(24),
            auth_token=auth_token or os.environ.get(AUTH_TOKEN_ENV) or secrets.token_urlsafe(24),
        )


def header(request: Request, name: bytes) -> bytes | None:
    """One request header by its lower-case name, straight from the ASGI scope
    (Starlette's ``Headers`` object costs more than the rest of a key check)."""
    for key, value in request.scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def check_api_key(request: Request, expected: bytes) -> None:
    given = header(request, b"x-api-key")
    if given is None:
        auth = header(request, b"authorization") or b""
        if auth[:7].lower() == b"bearer ":
            given = auth[7:].strip()
    if not given:
        raise HttpError(401, "missing API key (X-API-Key header)", field="X-API-Key")
    if not hmac.compare_digest(given, expected):
        raise HttpError(401, "wrong API key", field="X-API-Key")


def signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The provider's webhook signature of ``url`` and the POST ``params``."""
    payload = url + "".join(k + v for k, v in sorted(params, key=lambda kv: kv[0]))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def check_signature(request: Request, auth_token: str, params: list[tuple[str, str]],
                    public_url: str | None) -> None:
    """403 unless X-Twilio-Signature matches; ``public_url`` is the base the
    provider was told (behind a proxy the request URL differs)."""
    given = request.headers.get("x-twilio-signature")
    if not given:
        raise HttpError(403, "missing X-Twilio-Signature", field="X-Twilio-Signature")
    url = str(request.url)
    if public_url:
        url = public_url.rstrip("/") + request.url.path
        if request.url.query:
            url += "?" + request.url.query
    expected = signature(auth_token, url, params)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise HttpError(403, "bad X-Twilio-Signature", field="X-Twilio-Signature")


BODY_TIMEOUT_S = 30.0  # a body not received whole by then is a slow or stalled client


async def read_body(request: Request, limit: int, timeout_s: float = BODY_TIMEOUT_S) -> bytes:
    """The body, or 413 as soon as it passes ``limit`` bytes (declared or streamed), 415
    for a compressed one, 408 when it has not arrived whole within ``timeout_s`` (a
    client that stalls mid-body holds a connection and nothing else)."""
    encoding = header(request, b"content-encoding")
    if encoding is not None and encoding.strip().lower() not in (b"", b"identity"):
        raise HttpError(415, f"Content-Encoding {encoding.decode('latin-1')!r} is not "
                        "supported: send the body uncompressed", field="Content-Encoding")
    try:
        async with asyncio.timeout(timeout_s):
            return await _read_body(request, limit)
    except TimeoutError:
        raise HttpError(408, f"body not received within {timeout_s:g} s",
                        field="body") from None


async def _read_body(request: Request, limit: int) -> bytes:
    declared = header(request, b"content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HttpError(400, "bad Content-Length", field="Content-Length")
        if int(declared) > limit:
            raise HttpError(413, f"body over {limit} bytes", field="body")
    # The ASGI receive channel directly: Starlette's stream() adds an async
    # generator per request on the hottest path, for nothing we need.
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] != "http.request":
            raise HttpError(400, "client went away before the body ended", field="body")
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise HttpError(413, f"body over {limit} bytes", field="body")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
