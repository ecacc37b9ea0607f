"""Replay a trace (``ECCC_TRACE``) at its recorded times, time-compressed, open-model.

    ECCC_TRACE=trace.jsonl python -m locust -f loadtests/locustfile_trace.py --headless \
        --host http://127.0.0.1:8080

(``eccc loadtest --shape trace FILE`` does this for you.)
"""

from __future__ import annotations

from loadtests.replay_user import TraceReplayUser
from loadtests.shapes import TraceShape

__all__ = ["TraceReplayUser", "TraceShape"]

if __name__ == "__main__":
    from locust import run_single_user

    run_single_user(TraceReplayUser)
