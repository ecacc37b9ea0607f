"""Load shapes: a holiday surge compressed in time, and a trace replay's users.

Shapes only say how many users run when, and when the run ends (so Locust's
``--run-time`` is not used with them); what each user sends is in ``actors``
and ``replay_user``. Their settings are Locust arguments (``loadtests.options``):
``--season-seconds`` and ``--peak-users`` for the surge; for a replay, the
trace's span over ``--speedup`` plus ``--drain-seconds``.

Imports Locust: load only in a Locust process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from locust import LoadTestShape

from loadtests.options import replay_shards, replay_speedup
from loadtests.tracefeed import span

# Daily volume of a December peak, relative to the busiest day (docs/facts.md,
# 2019 and 2016: ~20.5M/day ordinary, >28M/day Dec 16-21, ~30M on Dec 22),
# then the fall-off before Christmas. One entry per compressed day, Dec 1..24.
SEASON: Final = (0.68,) * 15 + (0.93,) * 6 + (1.0, 0.8, 0.5)
RAMP_S: Final = 2.0  # users arrive over this long at the start, not all at once
ACTORS: Final = 4  # user classes of the surge, Locust spreads users evenly over them


def surge_level(fraction: float) -> float:
    """Relative load at ``fraction`` (0..1) of the compressed season, linearly between days."""
    x = min(max(fraction, 0.0), 1.0) * (len(SEASON) - 1)
    i = int(x)
    if i >= len(SEASON) - 1:
        return SEASON[-1]
    return SEASON[i] + (SEASON[i + 1] - SEASON[i]) * (x - i)


def surge_users(t: float, seconds: float, peak: int) -> int:
    """Users at ``t`` seconds into a season of ``seconds``: at least one per actor."""
    level = surge_level(t / seconds) * min(1.0, (t + 0.5) / RAMP_S)
    return max(ACTORS, round(peak * level))


class SurgeShape(LoadTestShape):
    """The season's 24 days in ``--season-seconds``, peaking at ``--peak-users``."""

    def tick(self) -> tuple[int, float] | None:
        opts: Any = self.runner.environment.parsed_options  # type: ignore[union-attr]
        t: float = self.get_run_time()  # type: ignore[no-untyped-call]
        if t >= opts.season_seconds:
            return None
        return surge_users(t, opts.season_seconds, opts.peak_users), float(max(1, opts.peak_users))


class TraceShape(LoadTestShape):
    """One trace-replay user per shard until the last record is due, plus a drain."""

    length: float | None = None

    def tick(self) -> tuple[int, float] | None:
        environment: Any = self.runner.environment  # type: ignore[union-attr]
        opts = environment.parsed_options
        if self.length is None:
            first, last = span(Path(opts.trace))
            self.length = (last - first) / replay_speedup(environment)
        t: float = self.get_run_time()  # type: ignore[no-untyped-call]
        if t >= 1.0 + self.length + opts.drain_seconds:
            return None
        shards = replay_shards(environment)
        return shards, float(shards)
