"""The message log, streamed to ``messages.csv.gz`` as the engine decides.

Every engine decision about a text (sent, suppressed, held) is one CSV row,
recipient masked. Rows are written in batches as they come, gzip-compressed,
and never held for the whole run, so the log costs no memory that grows with
the horizon. The gzip header carries no file name and no time, so the same
run gives the same bytes.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path
from typing import Any

from engine.records import format_time

HEADER = ("at", "to", "tracking_number", "kind", "cause", "segments", "encoding", "reason")
NAME = "messages.csv.gz"
BATCH = 4096


class MessageLog:
    """``append(row)`` with ``row[0]`` the decision time (epoch seconds)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._raw = path.open("wb")
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0,
                                 compresslevel=5)
        self._text = io.TextIOWrapper(self._gz, encoding="utf-8", newline="")
        self._csv = csv.writer(self._text)
        self._csv.writerow(HEADER)
        self._rows: list[tuple[Any, ...]] = []
        self.count = 0

    def append(self, row: tuple[Any, ...]) -> None:
        self._rows.append(row)
        if len(self._rows) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        rows = self._rows
        self.count += len(rows)
        # Decision times repeat (a scan's texts, a release): format each second once.
        last_t = -1
        last_s = ""
        out = []
        for row in rows:
            t = int(row[0])
            if t != last_t:
                last_t, last_s = t, format_time(t)
            out.append((last_s, *row[1:]))
        self._csv.writerows(out)
        self._rows = []

    def close(self) -> None:
        if self._raw.closed:
            return
        self._flush()
        self._text.close()  # closes the gzip stream, which writes its trailer
        self._raw.close()


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a run's message log (``messages.csv.gz``, or an older ``messages.csv``)."""
    if path.is_dir():
        path = path / NAME if (path / NAME).exists() else path / "messages.csv"
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
