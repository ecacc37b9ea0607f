"""A Locust user that replays a trace at its recorded times, open-model.

Records go out at their intended times (the trace's own times, compressed by
``--speedup``, or fitted into ``--replay-seconds``) whether or not earlier
requests have answered: each is sent from its own greenlet. The latency each
request reports to Locust is measured from its intended send time, so
Locust's own rows are free of coordinated omission (a slow server cannot hide
behind a slowed-down client) and count each request once. The time from the
actual send to the answer (service time) and the send lag (actual minus
intended send time) go to the replay's schedule log (``loadtests.fidelity``),
reported as ``service_time_*`` and ``fidelity_*``.

With several worker processes each replays one shard (by parcel, see
``tracefeed.schedule``). With ``--batch-ms`` the records due within that
window go out as one ``/v1/events:batch`` request, as a tracking feed pushes
them. A record due while ``--max-in-flight`` requests are outstanding is
dropped and counted, as k6 counts ``dropped_iterations``.

Imports Locust: load only in a Locust process.
"""

from __future__ import annotations

import time
from pathlib import Path

import gevent
import gevent.pool
from locust import FastHttpUser, constant, task
from locust.runners import WorkerRunner

from loadtests.options import ANSWERS, SCHEDULE
from loadtests.tracefeed import Send, schedule, sends


class TraceReplayUser(FastHttpUser):
    """Sends its shard of ``--trace`` once, then idles until the shape stops."""

    concurrency = 256
    wait_time = constant(3600)

    @task
    def replay(self) -> None:
        opts = self.environment.parsed_options
        runner = self.environment.runner
        shard = runner.worker_index if isinstance(runner, WorkerRunner) else 0
        shards = max(1, opts.trace_shards)
        first, records = schedule(Path(opts.trace), shard % shards, shards)
        start = opts.start_epoch or time.time()
        window_s = opts.batch_ms / 1000.0
        pool = gevent.pool.Pool(opts.max_in_flight)
        todo = sends(records, first, start, opts.speedup, window_s)
        for send in todo:
            SCHEDULE.due(send.intended - start, len(send.lines))
        done = 0
        try:
            for send in todo:
                delay = send.intended - time.time()
                if delay > 0:
                    gevent.sleep(delay)
                done += 1
                if pool.full():
                    SCHEDULE.drop(len(send.lines))
                    continue
                pool.spawn(self._send, send, start, window_s > 0)
            pool.join()
        finally:  # the run ended first: what was never sent is dropped
            SCHEDULE.drop(sum(len(s.lines) for s in todo[done:]))

    def _send(self, send: Send, start: float, batch: bool) -> None:
        if batch:
            path, name = "/v1/events:batch", "/v1/events:batch (trace)"
            content = "application/x-ndjson"
        else:
            path, name = "/v1/events", "/v1/events (trace)"
            content = "application/json"
        opts = self.environment.parsed_options
        headers = {"X-API-Key": opts.api_key, "Content-Type": content}
        sent = time.time()
        SCHEDULE.sent(send.intended - start, sent - send.intended, len(send.lines))
        with self.client.post(path, data=b"\n".join(send.lines).decode(), headers=headers,
                              name=name, catch_response=True) as response:
            answered = time.time()
            SCHEDULE.answered(answered - sent)
            body = response.content or b""
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif batch and b'"rejected":[]' not in body:
                response.failure("some records of the batch were refused")
            elif opts.outputs_dir:
                ANSWERS.append(body)
            # Locust's figure is the latency from the intended time (open model).
            response.request_meta["response_time"] = (answered - send.intended) * 1000.0
