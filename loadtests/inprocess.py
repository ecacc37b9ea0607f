"""A synchronous client that drives the ASGI app in memory (no socket).

httpx's ``ASGITransport`` on a private event loop: tests and debugging get
plain ``client.post(...)`` calls without a server, and without Starlette's
``TestClient`` (deprecated with plain httpx, and warnings are errors here).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from starlette.types import ASGIApp


class InProcessClient:
    """``get``/``post`` like httpx.Client, against an app in this process."""

    def __init__(self, app: ASGIApp, base_url: str = "http://127.0.0.1",
                 headers: dict[str, str] | None = None) -> None:
        self.app = app
        self._runner = asyncio.Runner()
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url=base_url, headers=headers)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._runner.run(self._client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self._runner.run(self._client.aclose())
        self._runner.close()

    def __enter__(self) -> InProcessClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
