"""A Locust user that replays a trace at its recorded times, open-model.

Records go out at their intended times (the trace's own times, compressed by
``ECCC_SPEEDUP``, or fitted into ``ECCC_DURATION``) whether or not earlier
requests have answered: each is sent from its own greenlet. Besides Locust's
own timing (from the moment a request is sent), every request is reported a
second time as ``TRACE intended-time latency``, measured from when it should
have gone out, so a slow server cannot hide behind a slowed-down client
(coordinated omission). With several worker processes each replays one
shard (line number modulo ``ECCC_TRACE_SHARDS``). With ``ECCC_TRACE_BATCH_MS``
records due within that window go out as one ``/v1/events:batch`` request,
as a tracking feed pushes them (see ``loadtests.tracefeed``).

Imports Locust: load only in a Locust process.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import gevent
import gevent.pool
from locust import FastHttpUser, constant, task
from locust.runners import WorkerRunner

from loadtests.guards import API_KEY_ENV
from loadtests.tracefeed import schedule, sends

INTENDED = "intended-time latency"


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
        window_s = float(os.environ.get("ECCC_TRACE_BATCH_MS", "0")) / 1000.0
        key = os.environ.get(API_KEY_ENV, "")
        pool = gevent.pool.Pool(2000)
        for send in sends(records, first, start, speedup, window_s):
            delay = send.intended - time.time()
            if delay > 0:
                gevent.sleep(delay)
            pool.spawn(self._send, send.lines, send.intended, key, window_s > 0)
        pool.join()

    def _send(self, lines: list[bytes], intended: float, key: str, batch: bool) -> None:
        if batch:
            path, name = "/v1/events:batch", "/v1/events:batch (trace)"
            headers = {"X-API-Key": key, "Content-Type": "application/x-ndjson"}
        else:
            path, name = "/v1/events", "/v1/events (trace)"
            headers = {"X-API-Key": key, "Content-Type": "application/json"}
        with self.client.post(path, data=b"\n".join(lines).decode(), headers=headers,
                              name=name, catch_response=True) as response:
            size = len(response.content or b"")
            error = None if response.status_code == 200 else f"HTTP {response.status_code}"
            if error is None and batch and b'"rejected":[]' not in (response.content or b""):
                error = "some records of the batch were refused"
            if error is not None:
                response.failure(error)
        self.environment.events.request.fire(
            request_type="TRACE", name=INTENDED,
            response_time=(time.time() - intended) * 1000.0, response_length=size,
            exception=None if error is None else RuntimeError(error), context={})
