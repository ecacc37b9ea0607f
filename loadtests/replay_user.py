"""A Locust user that replays a trace at its recorded times, open-model.

Records go out at their intended times (the trace's own times, compressed by
``ECCC_SPEEDUP``, or fitted into ``ECCC_DURATION``) whether or not earlier
requests have answered: each is sent from its own greenlet. Besides Locust's
own timing (from the moment a request is sent), every request is reported a
second time as ``TRACE intended-time latency``, measured from when it should
have gone out, so a slow server cannot hide behind a slowed-down client
(coordinated omission). With several worker processes each replays one
shard (line number modulo ``ECCC_TRACE_SHARDS``).

Imports Locust: load only in a Locust process.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import gevent
import gevent.pool
import orjson
from locust import FastHttpUser, constant, task
from locust.runners import WorkerRunner

from engine.errors import InvalidInput
from engine.records import parse_time
from loadtests.guards import API_KEY_ENV

INTENDED = "intended-time latency"


def schedule(path: Path, shard: int, shards: int) -> tuple[int, list[tuple[int, bytes]]]:
    """(first time in the whole trace, this shard's (at, line) in file order)."""
    first: int | None = None
    mine: list[tuple[int, bytes]] = []
    for number, line in enumerate(path.read_bytes().splitlines()):
        if not line.strip():
            continue
        try:
            at = parse_time(orjson.loads(line).get("at"))[0]
        except (orjson.JSONDecodeError, InvalidInput, AttributeError):
            at = first or 0  # a bad record goes out with its neighbours; the shim refuses it
        first = at if first is None else min(first, at)
        if number % shards == shard:
            mine.append((at, line))
    return first or 0, mine


class TraceReplayUser(FastHttpUser):
    """Sends its shard of ``ECCC_TRACE`` once, then idles until the shape stops."""

    concurrency = 256
    wait_time = constant(3600)

    @task
    def replay(self) -> None:
        runner = self.environment.runner
        shard = runner.worker_index if isinstance(runner, WorkerRunner) else 0
        shards = int(os.environ.get("ECCC_TRACE_SHARDS", "1"))
        first, records = schedule(Path(os.environ["ECCC_TRACE"]), shard % shards, shards)
        if not records:
            return
        last = max(at for at, _ in records)
        speedup = float(os.environ.get("ECCC_SPEEDUP", "0")) or max(
            1.0, (last - first) / (0.9 * float(os.environ.get("ECCC_DURATION", "30"))))
        start = float(os.environ.get("ECCC_TRACE_START", "0")) or time.time()
        headers = {"X-API-Key": os.environ.get(API_KEY_ENV, ""),
                   "Content-Type": "application/json"}
        pool = gevent.pool.Pool(2000)
        for at, line in records:
            intended = start + (at - first) / speedup
            delay = intended - time.time()
            if delay > 0:
                gevent.sleep(delay)
            pool.spawn(self._send, line, intended, headers)
        pool.join()

    def _send(self, line: bytes, intended: float, headers: dict[str, str]) -> None:
        with self.client.post("/v1/events", data=line.decode(), headers=headers,
                              name="/v1/events (trace)", catch_response=True) as response:
            ok = response.status_code == 200
            size = len(response.content or b"")
            if not ok:
                response.failure(f"HTTP {response.status_code}")
        self.environment.events.request.fire(
            request_type="TRACE", name=INTENDED,
            response_time=(time.time() - intended) * 1000.0, response_length=size,
            exception=None if ok else RuntimeError(f"HTTP {response.status_code}"),
            context={})
