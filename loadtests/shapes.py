"""Load shapes: a holiday surge compressed in time, and a trace replay's users.

Shapes only say how many users run when; what each user sends is in
``actors`` and ``replay_user``. Settings come from the environment, as
``eccc loadtest`` sets them: ECCC_DURATION (s), ECCC_USERS (peak users),
ECCC_TRACE_SHARDS (trace users, one per worker process).

Imports Locust: load only in a Locust process.
"""

from __future__ import annotations

import os
from typing import Final

from locust import LoadTestShape

# Daily volume of a December peak, relative to the busiest day (docs/facts.md,
# 2019 and 2016: ~20.5M/day ordinary, >28M/day Dec 16-21, ~30M on Dec 22),
# then the fall-off before Christmas. One entry per compressed day, Dec 1..24.
SEASON: Final = (0.68,) * 15 + (0.93,) * 6 + (1.0, 0.8, 0.5)
RAMP_S: Final = 2.0  # users arrive over this long at the start, not all at once


def surge_level(fraction: float) -> float:
    """Relative load at ``fraction`` (0..1) of the compressed season, linearly between days."""
    x = min(max(fraction, 0.0), 1.0) * (len(SEASON) - 1)
    i = int(x)
    if i >= len(SEASON) - 1:
        return SEASON[-1]
    return SEASON[i] + (SEASON[i + 1] - SEASON[i]) * (x - i)


class SurgeShape(LoadTestShape):
    """The season's 24 days in ``ECCC_DURATION`` seconds, peaking at ``ECCC_USERS``."""

    def tick(self) -> tuple[int, float] | None:
        duration = float(os.environ.get("ECCC_DURATION", "30"))
        peak = int(os.environ.get("ECCC_USERS", "40"))
        t: float = self.get_run_time()  # type: ignore[no-untyped-call]
        if t >= duration:
            return None
        level = surge_level(t / duration) * min(1.0, (t + 0.5) / RAMP_S)
        return max(1, round(peak * level)), float(max(1, peak))


class TraceShape(LoadTestShape):
    """One trace-replay user per shard for ``ECCC_DURATION`` seconds (plus a drain)."""

    def tick(self) -> tuple[int, float] | None:
        duration = float(os.environ.get("ECCC_DURATION", "30"))
        shards = int(os.environ.get("ECCC_TRACE_SHARDS", "1"))
        t: float = self.get_run_time()  # type: ignore[no-untyped-call]
        if t >= duration + 2.0:
            return None
        return shards, float(shards)
