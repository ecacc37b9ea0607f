"""A sweep's or tune's directory while it runs: ``INCOMPLETE`` until every output is written.

``begin`` marks the directory and removes the outputs of an earlier run of it (tables,
front, report, figures), so an interrupted or failed run never leaves an older run's
report looking current; ``finish`` removes the mark once the new outputs are written.
``points/`` (finished runs) and ``study.db`` stay: they are what a rerun resumes from.
``sigterm_interrupts`` makes a job scheduler's stop end the run as Ctrl-C does.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

INCOMPLETE = "INCOMPLETE"
OUTPUTS = ("replications.csv", "points.csv", "failures.json", "front.json", "sweep.json",
           "report.html", "pareto.png", "hypervolume.png", "tune.json", "best_chains.toml")


# What each kind of directory holds from its start (a tune's study.db is made before any
# run; a sweep's points/ and plan.json; a run's summary or its INCOMPLETE mark with files).
_SIGNS = {"tune": ("study.db", "tune.json", "best_chains.toml"),
          "sweep": ("plan.json", "points"),  # sweep.json: a tune writes one too
          "run": ("summary.json", "series.csv", "distributions.json")}


def holds(out: Path) -> tuple[str, str] | None:
    """What ``out`` holds, as (kind, the file that says so): tune, sweep or run; None for
    a directory of none of them (or no directory)."""
    if not out.is_dir():
        return None
    for kind, signs in _SIGNS.items():  # a tune's directory holds plan.json and points/ too
        for sign in signs:
            if (out / sign).exists():
                return kind, sign
    return None


def other_kind(out: Path, what: str) -> str | None:
    """Why a ``what`` (sweep or tune) must not be written into ``out``: it holds another
    kind (a tune into a sweep's directory deleted the sweep's report and mixed its points/
    with the trials'); None when it is free or of the same kind (a rerun resumes)."""
    found = holds(out)
    if found is None or found[0] == what:
        return None
    kind, sign = found
    return (f"--out {out} holds a {kind} ({out / sign}); a {what} is not written into "
            f"another kind's directory: name another --out, or remove it first")


def begin(out: Path, what: str) -> None:
    problem = other_kind(out, what)
    if problem is not None:
        raise ValueError(problem)
    out.mkdir(parents=True, exist_ok=True)
    (out / INCOMPLETE).write_text(
        f"This {what} did not finish (interrupted or failed): its tables and report are "
        "missing or partial. points/ keeps every finished run; rerunning the same command "
        "resumes from there.\n", encoding="utf-8")
    for name in OUTPUTS:
        (out / name).unlink(missing_ok=True)
    for figure in out.glob("metric_*.png"):
        figure.unlink()


def finish(out: Path) -> None:
    (out / INCOMPLETE).unlink(missing_ok=True)


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
