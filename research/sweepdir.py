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


def begin(out: Path, what: str) -> None:
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
