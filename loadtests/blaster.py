"""A minimal HTTP/1.1 load generator: asyncio + uvloop, keep-alive, closed loop.

Why not httpx or Locust for the benchmark: on a two-core machine the load
generator shares the box with the server, and a general client spends more
CPU per request than the shim does, so it would measure itself. This one
writes pre-built request bytes and reads responses by Content-Length, which
costs a few microseconds a request.

Run as ``python -m loadtests.blaster URL METHOD PATH BODIES SECONDS CONNECTIONS``;
``BODIES`` is a file of request bodies separated by a NUL-free record
separator (``\\x1e``), used in turn; prints one JSON line of results.
"""

from __future__ import annotations

import asyncio
import sys
import time
from itertools import cycle
from urllib.parse import urlsplit

import orjson

SEPARATOR = b"\x1e"


class _Connection(asyncio.Protocol):
    """One keep-alive connection; one request in flight at a time."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.waiter: asyncio.Future[int] | None = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        length = 0
        at = head.find(b"\r\ncontent-length:")
        if at >= 0:
            stop = head.find(b"\r\n", at + 2)
            length = int(head[at + 17 : stop if stop >= 0 else len(head)])
        if len(self.buffer) < end + 4 + length:
            return
        status = int(head[9:12])
        del self.buffer[: end + 4 + length]
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(status)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("connection lost"))


async def blast(url: str, method: str, path: str, bodies: list[bytes], seconds: float,
                connections: int, headers: dict[str, str]) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    requests = []
    for body in bodies or [b""]:
        head = (f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        requests.append(head + body)
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    # One shared cycle: each body is sent once before any is sent twice.
    next_request = cycle(requests).__next__
    start = time.perf_counter()
    deadline = start + seconds

    async def worker() -> None:
        nonlocal errors
        transport, conn = await loop.create_connection(_Connection, host, port)
        try:
            while time.perf_counter() < deadline:
                conn.waiter = loop.create_future()
                t0 = time.perf_counter()
                transport.write(next_request())
                try:
                    status = await conn.waiter
                except ConnectionError:
                    errors += 1
                    return
                latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            transport.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()

    def q(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 3) \
            if latencies else 0.0

    return {"requests": len(latencies), "errors": errors, "seconds": round(elapsed, 3),
            "requests_per_second": round(len(latencies) / elapsed, 1),
            "p50_ms": q(0.50), "p99_ms": q(0.99),
            "statuses": {str(k): v for k, v in sorted(statuses.items())}}


def main(argv: list[str]) -> int:
    url, method, path, bodies_file, seconds, connections = argv[:6]
    headers = dict(h.split(":", 1) for h in argv[6:])
    raw = open(bodies_file, "rb").read() if bodies_file != "-" else b""  # noqa: SIM115
    bodies = [b for b in raw.split(SEPARATOR) if b] if raw else []
    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        result = runner.run(blast(url, method, path, bodies, float(seconds), int(connections),
                                  {k.strip(): v.strip() for k, v in headers.items()}))
    sys.stdout.write(orjson.dumps(result).decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
