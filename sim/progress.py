"""Where a long run is: its size and cost before it starts, a line every few seconds.

``RunSize`` reads a scenario's volume (no model built): parcels, followed
parcels and simulated days, and from them an estimate of wall time and peak
memory. The coefficients were fitted on the 2-core VM the README targets
(``eccc bench sim --national`` prints the figures they come from); they are a
planner's guide, not a promise, and scale with the machine.

``ProgressLine`` is the sign of life when stderr is not a terminal (a job, a
pipe, a log file): every ``every_s`` wall seconds one line with the simulated
date, parcels so far, their rate, the time left and the resident memory. A
terminal gets a tqdm bar instead (``Model.run``).
"""

from __future__ import annotations

import math
import resource
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, TYPE_CHECKING

from scenarios.schema import Scenario

if TYPE_CHECKING:
    from sim.model import Model

# Cost model for an idle 2-core VM (docs/scale.md): a fixed cost per simulated day
# (ticks, trips, the hourly pump) and a cost per parcel and per followed parcel, fitted
# to one national day at 1%, 10% and 100% (9.3 s, 67 s, 878 s): linear, so it leans to
# the large end, overestimating small runs. Checked against this code's runs (CPU s, the
# VM's other core busy): --days 1 --scale 1 900 s (estimate 884), holiday_peak --scale
# 0.02 294 s (286), the shipped holiday_peak and its counterfactual 120 s (about 120).
WALL_S_PER_SIM_DAY = 0.5
WALL_S_PER_PARCEL = 30e-6
WALL_S_PER_FOLLOWED = 260e-6
# Memory: the interpreter, model and report, plus what is held at the peak: the parcels
# made a day ahead, those travelling (about three days of acceptances), the surge's
# backlog, and the closed ones kept for a while (the model 2 days, the engine 3), about
# eight days' worth in a long run; followed parcels cost most. Fitted (least squares) to
# this code's holiday_peak runs (peak RSS): --scale 0.1 --days 1 219 MB (estimate 227),
# --scale 0.1 1,078 MB (1,073), --scale 0.02 279 MB (303), the shipped scenario with its
# counterfactual 176 MB (148).
RSS_BASE_MB = 110.0
RSS_MB_PER_PARCEL_IN_FLIGHT = 2.0e-6
RSS_MB_PER_FOLLOWED_IN_FLIGHT = 1.11e-3
IN_FLIGHT_DAYS = 7.85
WARN_S = 15 * 60
FIT_S = 5 * 60


@dataclass(frozen=True)
class RunSize:
    """A run's size and its estimated cost, before it starts."""

    parcels: float
    followed: float
    days: float
    drain_days: float
    scale: float

    @classmethod
    def of(cls, sc: Scenario, scale: float, days: float | None = None,
           drain_days: float = 4.0) -> RunSize:
        days = sc.days if days is None else days
        if sc.volume is None:
            return cls(0.0, 0.0, days, 0.0, scale)
        vol = sc.volume
        total = 0.0
        whole = math.ceil(days)
        for i in range(whole):
            day = sc.start + timedelta(days=i)
            f = vol.weekday_factor[day.weekday()]
            for s in vol.surges:
                if s.start <= day <= s.end:
                    f *= s.factor
            total += f * min(1.0, days - i)
        parcels = vol.daily_parcels * scale * total
        p_follow = sum(sc.customers.opt_in.values())
        return cls(parcels, parcels * p_follow, days, drain_days, scale)

    @property
    def wall_s(self) -> float:
        return (WALL_S_PER_SIM_DAY * (self.days + self.drain_days)
                + WALL_S_PER_PARCEL * self.parcels + WALL_S_PER_FOLLOWED * self.followed)

    @property
    def rss_mb(self) -> float:
        share = min(1.0, IN_FLIGHT_DAYS / self.days) if self.days else 1.0
        return (RSS_BASE_MB + RSS_MB_PER_PARCEL_IN_FLIGHT * self.parcels * share
                + RSS_MB_PER_FOLLOWED_IN_FLIGHT * self.followed * share)

    def scale_for(self, wall_s: float) -> float:
        """The largest scale (to two significant figures) estimated to fit ``wall_s``."""
        fixed = WALL_S_PER_SIM_DAY * (self.days + self.drain_days)
        per_scale = (self.wall_s - fixed) / self.scale if self.scale else 0.0
        if per_scale <= 0 or wall_s <= fixed:
            return self.scale
        s = (wall_s - fixed) / per_scale
        unit = 10.0 ** (math.floor(math.log10(s)) - 1)
        return float(math.floor(s / unit) * unit)

    def lines(self, name: str, twice: bool = False) -> list[str]:
        """What to print before the run; ``twice``: a what-if runs its counterfactual too
        (about as long again)."""
        wall = self.wall_s * (2 if twice else 1)
        out = [f"{name}: {self.parcels:,.0f} parcels ({self.followed:,.0f} followed by text) "
               f"over {self.days:g} days + {self.drain_days:g} days' drain at scale "
               f"{self.scale:g}{', then its counterfactual' if twice else ''}; estimated "
               f"{_duration(wall)} and {self.rss_mb:,.0f} MB peak on an idle 2-core VM"]
        if wall > WARN_S:
            fit = self.scale_for(FIT_S / (2 if twice else 1))
            out.append(f"{name}: estimated over 15 minutes; --scale {fit:g} would take about 5")
        return out


def rss_mb() -> float:
    """Resident memory now (Linux /proc), else the peak so far."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            pages = int(fh.read().split()[1])
        return pages * resource.getpagesize() / 2**20
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def peak_rss_mb() -> float:
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def _duration(s: float) -> str:
    s = max(0.0, s)
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} h"


class ProgressLine:
    """A line on ``stream`` every ``every_s`` wall seconds while the model runs."""

    def __init__(self, stream: IO[str] | None = None, every_s: float = 5.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.every_s = every_s
        self._t0 = time.monotonic()
        self._next = self._t0 + every_s
        self.sim_now = math.nan
        self.share = 0.0

    def __call__(self, m: Model, sim_now: float) -> None:
        self.sim_now = sim_now
        span = m.t_end - m.t_begin
        self.share = min(1.0, max(0.0, (sim_now - m.t_begin) / span)) if span else 1.0
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + self.every_s
        self.stream.write(self.line(m, now - self._t0) + "\n")
        self.stream.flush()

    def line(self, m: Model, wall: float) -> str:
        parcels = m.metrics.accepted
        left = wall * (1 - self.share) / self.share if self.share > 0 else math.inf
        eta = _duration(left) if math.isfinite(left) else "?"
        return (f"{m.scenario.name}: {self.simulated()} ({100 * self.share:.0f}%) "
                f"{parcels:,} parcels, {parcels / wall if wall else 0:,.0f}/s, "
                f"{m.engine_inputs:,} engine inputs, about {eta} left, "
                f"RSS {rss_mb():,.0f} MB")

    def simulated(self) -> str:
        if math.isnan(self.sim_now):
            return "not started"
        return datetime.fromtimestamp(self.sim_now, UTC).strftime("%Y-%m-%d %H:%M UTC")
