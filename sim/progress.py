"""Where a long run is: its size and cost before it starts, a line every few seconds.

``RunSize`` reads a scenario's volume (no model built): parcels, followed
parcels and simulated days, and from them an estimate of wall time and peak
memory. The coefficients were fitted on the 2-core VM the README targets
(``eccc bench sim --national`` prints the figures they come from); they are a
planner's guide, not a promise, and scale with the machine.

``ProgressLine`` is the sign of life when stderr is not a terminal (a job, a
pipe, a log file): every ``every_s`` wall seconds one line with the simulated
date, parcels so far, their rate, the time left and the resident memory. A
terminal gets a bar instead (``WorkBar``). Both show the share of the work done
(``WorkShare``), from which the time left comes: a run's work follows its parcels'
journeys, not its simulated days.
"""

from __future__ import annotations

import math
import os
import resource
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import IO, TYPE_CHECKING, Any

from scenarios.schema import DRAIN_DAYS, Scenario

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
# made a day ahead, those travelling (about three days of acceptances) and the closed
# ones kept for a while (the model 2 days, the engine 3), about eight days' worth in a
# long run; followed parcels cost most. Fitted (least squares) to
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
           drain_days: float = DRAIN_DAYS) -> RunSize:
        days = sc.days if days is None else days
        if sc.volume is None:
            return cls(0.0, 0.0, days, 0.0, scale)
        parcels = sc.volume.daily_parcels * scale * sum(day_factors(sc, days))
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
        return self._scale_under(wall_s, fixed, self.wall_s)

    def scale_for_memory(self, mb: float) -> float:
        """The largest scale (to two significant figures) estimated to peak under ``mb``."""
        return self._scale_under(mb, RSS_BASE_MB, self.rss_mb)

    def _scale_under(self, limit: float, fixed: float, estimate: float) -> float:
        """Both estimates are a fixed part plus one proportional to the scale: the scale
        whose estimate is ``limit``, rounded down to two significant figures (this run's
        scale when nothing smaller would do)."""
        per_scale = (estimate - fixed) / self.scale if self.scale else 0.0
        if per_scale <= 0 or limit <= fixed:
            return self.scale
        s = (limit - fixed) / per_scale
        unit = 10.0 ** (math.floor(math.log10(s)) - 1)
        return float(math.floor(s / unit) * unit)

    def lines(self, name: str, twice: bool = False,
              machine_mb: float | None = None) -> list[str]:
        """What to print before the run; ``twice``: a what-if runs its counterfactual too
        (about as long again); ``machine_mb``: the memory to warn against (default this
        machine's, ``machine_memory_mb``)."""
        wall = self.wall_s * (2 if twice else 1)
        out = [f"{name}: {self.parcels:,.0f} parcels ({self.followed:,.0f} followed by text) "
               f"over {self.days:g} days + {self.drain_days:g} days' drain at scale "
               f"{self.scale:g}{', then its counterfactual' if twice else ''}; estimated "
               f"{_duration(wall)} and {self.rss_mb:,.0f} MB peak on an idle 2-core VM"]
        if wall > WARN_S:
            fit = self.scale_for(FIT_S / (2 if twice else 1))
            out.append(f"{name}: estimated over 15 minutes; --scale {fit:g} would take about 5")
        machine_mb = machine_memory_mb() if machine_mb is None else machine_mb
        if machine_mb and self.rss_mb > MEMORY_SHARE * machine_mb:
            fit = self.scale_for_memory(MEMORY_SHARE * machine_mb)
            out.append(f"{name}: the estimated {self.rss_mb:,.0f} MB is more than "
                       f"{100 * MEMORY_SHARE:.0f}% of this machine's {machine_mb:,.0f} MB: "
                       f"the run may swap or be stopped; --scale {fit:g} would fit")
        return out


MEMORY_SHARE = 0.8  # of the machine's memory a run's estimate may take without a warning


def machine_memory_mb() -> float:
    """This machine's physical memory in MB, or 0 where the system does not say."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (AttributeError, ValueError, OSError):
        return 0.0


def day_factors(sc: Scenario, days: float) -> list[float]:
    """Each acceptance day's volume as a share of ``daily_parcels``: its weekday
    factor, the surges over it, and the part of a last partial day."""
    assert sc.volume is not None
    vol = sc.volume
    out = []
    for i in range(math.ceil(days)):
        day = sc.start + timedelta(days=i)
        f = vol.weekday_factor[day.weekday()]
        for s in vol.surges:
            if s.start <= day <= s.end:
                f *= s.factor
        out.append(f * min(1.0, days - i))
    return out


# The work a day's parcels make (engine inputs, the pump's entries), as the share done by
# each hour after the acceptance day's first local midnight: subscriptions decided the day
# before, acceptance, the nights' sorts, the third day's last mile, a tail of late and
# returned parcels. Read off the engine inputs of one-day holiday_peak runs at 10% and 100%
# (their progress lines); the work share it gives stays within 0.03-0.04 of the share of
# engine inputs handled along holiday_peak's fortnight and baseline's week, about 0.1 on
# runs of one to three days at small scales (docs/scale.md).
WORK_AFTER_ACCEPTANCE = (
    (-24.0, 0.0), (0.0, 0.025), (8.0, 0.07), (12.0, 0.107), (16.0, 0.18), (24.0, 0.40),
    (30.0, 0.50), (52.0, 0.63), (56.0, 0.71), (60.0, 0.83), (64.0, 0.88), (80.0, 0.945),
    (110.0, 1.0),
)
PRIOR_WEIGHT = 0.02  # the estimate before the run counts as this much work seen


def _work_done(hours: float) -> float:
    """``WORK_AFTER_ACCEPTANCE`` at ``hours``, linear between its points."""
    points = WORK_AFTER_ACCEPTANCE
    if hours <= points[0][0]:
        return 0.0
    for (h0, w0), (h1, w1) in pairwise(points):
        if hours < h1:
            return w0 + (w1 - w0) * (hours - h0) / (h1 - h0)
    return 1.0


class WorkShare:
    """The share of a run's work done by a simulated instant: each acceptance day's
    parcels weighted by ``WORK_AFTER_ACCEPTANCE``. Work follows the parcels, not the
    clock: a fortnight's surge days and a one-day run's first three days carry most of
    it, the drain little (the CPU of tiny, baseline and holiday_peak runs follows their
    engine inputs, not their simulated days). Without a volume, simulated time."""

    def __init__(self, sc: Scenario, scale: float, days: float, t_accept_begin: float,
                 t_end: float) -> None:
        self.t_begin = t_accept_begin
        self.span = t_end - t_accept_begin
        self.estimate_s = RunSize.of(sc, scale, days, max(0.0, self.span / 86400 - days)).wall_s
        self.factors = day_factors(sc, days) if sc.volume is not None else []
        self._total = self._parcels(t_end)  # a short drain leaves some work past the end

    @classmethod
    def of(cls, m: Model) -> WorkShare:
        return cls(m.scenario, m.scale, m.days, m.t_accept_begin, m.t_end)

    def __call__(self, at: float) -> float:
        if self._total <= 0:
            return self.clock(at)
        return min(1.0, self._parcels(at) / self._total)

    def clock(self, at: float) -> float:
        """The share of the simulated time (the work's share without a volume)."""
        return min(1.0, max(0.0, (at - self.t_begin) / self.span)) if self.span > 0 else 1.0

    def _parcels(self, at: float) -> float:
        hours = (at - self.t_begin) / 3600
        return sum(f * _work_done(hours - 24 * i) for i, f in enumerate(self.factors))

    def left_s(self, done: float, wall_s: float, since: tuple[float, float] = (0.0, 0.0)
               ) -> float:
        """Wall seconds left with ``done`` of the work done after ``wall_s``: the pace
        since ``since`` (work done, wall seconds: when the work began, so that building
        the model is not taken for slow work), leaning on the estimate made before the
        run while little is done (``PRIOR_WEIGHT``)."""
        if done >= 1.0:
            return 0.0
        work0, wall0 = since
        pace = (wall_s - wall0 + PRIOR_WEIGHT * self.estimate_s) / (done - work0 + PRIOR_WEIGHT)
        return max(0.0, (1.0 - done) * pace)


class WorkBar:
    """The bar on a terminal: a tqdm bar filled by the share of the work
    (``WorkShare``), so its rate and time left follow the work, not simulated time."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.work: WorkShare | None = None
        self._bar: Any = None
        self._shown = 0  # tenths of a percent

    def __call__(self, m: Model, sim_now: float) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self.work = WorkShare.of(m)
            self._bar = tqdm(total=1000, desc=m.scenario.name, file=self.stream,
                             bar_format="{desc}: {percentage:3.0f}% of the work |{bar}| "
                                        "[{elapsed}<{remaining}]")
        assert self.work is not None
        n = int(1000 * self.work(sim_now))
        if n > self._shown:
            self._bar.set_description_str(f"{m.scenario.name} at {_utc_minute(sim_now)}",
                                          refresh=False)
            self._bar.update(n - self._shown)
            self._shown = n

    def close(self) -> None:
        if self._bar is not None:
            self._bar.update(1000 - self._shown)
            self._bar.close()
            self._bar = None


def _utc_minute(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


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

    def __init__(self, stream: IO[str] | None = None, every_s: float = 5.0,
                 label: str | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.every_s = every_s
        self.label = label  # what the line starts with; the scenario's name by default
        self._t0 = time.monotonic()
        self._next = self._t0 + every_s
        self.sim_now = math.nan
        self.share = 0.0  # of the simulated time
        self.work: WorkShare | None = None
        self._began: tuple[float, float] | None = None  # work done, wall s: when it began

    def __call__(self, m: Model, sim_now: float) -> None:
        if self.work is None:
            self.work = WorkShare.of(m)
        self.sim_now = sim_now
        self.share = self.work.clock(sim_now)
        now = time.monotonic()
        if self._began is None and sim_now >= m.t_begin:
            self._began = (self.work(sim_now), now - self._t0)
        if now < self._next:
            return
        self._next = now + self.every_s
        self.stream.write(self.line(m, now - self._t0) + "\n")
        self.stream.flush()

    def line(self, m: Model, wall: float) -> str:
        """The simulated date and share of simulated time; the share of the work (where
        the time left comes from: ``WorkShare``), parcels, rate, inputs, memory."""
        assert self.work is not None  # made at the first call, which comes first
        parcels = m.metrics.accepted
        done = self.work(self.sim_now)
        began = self._began if self._began is not None else (done, wall)
        eta = _duration(self.work.left_s(done, wall, began)) if done > 0 else "?"
        return (f"{self.label or m.scenario.name}: {self.simulated()} "
                f"({100 * self.share:.0f}% simulated, "
                f"{100 * done:.0f}% of the work) "
                f"{parcels:,} parcels, {parcels / wall if wall else 0:,.0f}/s, "
                f"{m.engine_inputs:,} engine inputs, about {eta} left, "
                f"RSS {rss_mb():,.0f} MB")

    def simulated(self) -> str:
        if math.isnan(self.sim_now):
            return "not started"
        return _utc_minute(self.sim_now)
