"""Replay a trace at its recorded times, time-compressed, open-model.

    python -m locust -f loadtests/locustfile_trace.py --headless \
        --host http://127.0.0.1:8080 --api-key KEY --trace trace.jsonl --speedup 60

Locust's rows are timed from each record's intended send time; the schedule
fidelity (send lag, late and dropped records, achieved rate) and the service
time are in ``--summary-json``; ``--max-lag-ms`` fails a replay the load
generator could not keep up with. ``eccc loadtest --shape trace FILE`` and
``eccc loadtest --from-run RUN_DIR`` do this for you.
"""

from __future__ import annotations

from loadtests import options  # noqa: F401  (the arguments and the verdict)
from loadtests.replay_user import TraceReplayUser
from loadtests.shapes import TraceShape

__all__ = ["TraceReplayUser", "TraceShape"]

if __name__ == "__main__":
    from locust import run_single_user

    run_single_user(TraceReplayUser)
