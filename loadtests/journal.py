"""The shim's durable memory: a SQLite journal of inputs, outputs and snapshots.

Because the engine is deterministic, its state is a pure function of the
inputs it accepted, in order. So the journal stores inputs (as trace records,
one row per group commit holding its inputs as JSON lines) and the engine is
rebuilt by replaying them, starting from the newest pickled snapshot (files
beside the database). Outputs are stored too, in the same
transaction as the input that caused them, keyed by message id (``UNIQUE``,
``INSERT OR IGNORE``): after a crash and replay no message id can enter the
outbox twice.

WAL with ``synchronous=NORMAL`` survives ``kill -9`` of the process (a commit
is in the OS's page cache once ``COMMIT`` returns); ``synchronous=FULL`` adds
an fsync per commit for power loss.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
    last_seq INTEGER PRIMARY KEY,  -- inputs first_seq..last_seq, in order of acceptance
    first_seq INTEGER NOT NULL,
    recs BLOB NOT NULL             -- those inputs as trace records, one JSON object per line
);
CREATE TABLE IF NOT EXISTS people (
    seq INTEGER PRIMARY KEY,       -- an input from or about a person (subscribe, sms_in)
    phone TEXT NOT NULL,           -- E.164, for the timeline
    rec BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS people_phone ON people(phone);
CREATE TABLE IF NOT EXISTS outputs (
    cursor INTEGER PRIMARY KEY,    -- the outbox cursor a gateway worker pages by
    seq INTEGER NOT NULL,          -- the journal entry that caused it
    phone TEXT,
    message_id TEXT UNIQUE,        -- texts only; NULL for suppressions, holds
    route TEXT,                    -- 'outbox' (a worker sends it) or 'twiml' (sent inline)
    rec BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS outputs_phone ON outputs(phone) WHERE phone IS NOT NULL;
"""
SCHEMA_VERSION = "2"  # 2: inputs journaled a batch per row (1: a row per input)

# (journal seq, E.164 phone, record bytes)
PersonRow = tuple[int, str, bytes]
# (journal seq, phone or None, message id or None, route or None, record bytes)
OutputRow = tuple[int, str | None, str | None, str | None, bytes]


@dataclass(slots=True)
class Batch:
    """What one transaction journals: consecutive inputs and the outputs they caused.

    Inputs are stored as one row per batch (a trace fragment, JSON lines), so
    a commit costs one insert however many inputs share it; the few inputs
    from or about a person are also indexed by phone for the timeline.
    """

    first: int                                               # seq of recs[0]
    recs: list[bytes] = field(default_factory=list)          # trace records, in order
    people: list[PersonRow] = field(default_factory=list)
    outputs: list[OutputRow] = field(default_factory=list)

    @property
    def last(self) -> int:
        return self.first + len(self.recs) - 1


@dataclass(frozen=True, slots=True)
class Snapshot:
    seq: int
    engine: Any


class SnapshotShelf:
    """Pickled engines in files beside the database, one per journal position.

    Files, not a table: a snapshot is written by a forked child while the
    server goes on committing, and a big blob in SQLite would hold the write
    lock against it. Written to a temporary name, fsynced, then renamed, so a
    file that exists is whole.
    """

    def __init__(self, folder: Path, keep: int = 2) -> None:
        self.folder = folder
        self.keep = keep

    def _files(self) -> list[tuple[int, Path]]:
        if not self.folder.is_dir():
            return []
        found = [(int(f.stem), f) for f in self.folder.glob("*.pickle") if f.stem.isdigit()]
        return sorted(found, reverse=True)

    def save(self, seq: int, engine: object) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in self.folder.glob("*.tmp*"):  # left by a writer killed mid-way
            stale.unlink(missing_ok=True)
        target = self.folder / f"{seq:015d}.pickle"
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        with tmp.open("wb") as fh:
            pickle.dump(engine, fh, protocol=pickle.HIGHEST_PROTOCOL)
            fh.flush()
            os.fsync(fh.fileno())
            size = fh.tell()
        os.replace(tmp, target)
        for _, old in self._files()[self.keep :]:
            old.unlink(missing_ok=True)
        return size

    def latest(self, last_seq: int) -> Snapshot | None:
        for seq, path in self._files():
            if seq > last_seq:
                continue  # cannot happen unless the journal lost a tail: replay instead
            try:
                with path.open("rb") as fh:
                    return Snapshot(seq, pickle.load(fh))
            except Exception as exc:  # a damaged file: fall back to an older one, or full replay
                log.warning("snapshot %s unreadable (%s: %s); trying an older one or a "
                            "replay of the journal", path, type(exc).__name__, exc)
                continue
        return None


class Journal:
    """One SQLite connection, used only from the event-loop thread."""

    def __init__(self, path: str, *, synchronous: str = "NORMAL") -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, one per request.
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._open(path, synchronous)
        except sqlite3.Error as exc:  # not a SQLite file, a directory, a read-only place...
            with contextlib.suppress(AttributeError):
                self.db.close()
            raise ValueError(f"database {path}: cannot be used as the journal ({exc})") from None

    def _open(self, path: str, synchronous: str) -> None:
        self.shelf = SnapshotShelf(Path(path + ".snapshots")) if path != ":memory:" else None
        self._stop = threading.Event()
        self._checkpointer: threading.Thread | None = None
        if path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
            # Checkpoints (WAL -> database, with an fsync) run in a thread of
            # their own, off the event loop; sqlite3 releases the GIL meanwhile.
            self.db.execute("PRAGMA wal_autocheckpoint=0")
            self._checkpointer = threading.Thread(
                target=self._checkpoint, args=(path,), name="journal-checkpoint", daemon=True)
        self.db.execute(f"PRAGMA synchronous={synchronous}")
        self.db.executescript(SCHEMA)
        old = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal'").fetchone()
        version = "1" if old else self.check_meta("schema", SCHEMA_VERSION)
        if version is not None:
            self.db.close()
            raise ValueError(f"database {path} has journal schema {version}, this version "
                             f"writes {SCHEMA_VERSION}: start with a new --db")
        row = self.db.execute("SELECT COALESCE(MAX(last_seq), 0) FROM batches").fetchone()
        self.last_seq: int = row[0]
        self.commits = 0  # transactions since start (journal rows / commits = group size)
        if self._checkpointer is not None:
            self._checkpointer.start()

    def _checkpoint(self, path: str, every_s: float = 0.5) -> None:
        with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
            db.execute("PRAGMA busy_timeout=1000")
            while not self._stop.wait(every_s):
                with contextlib.suppress(sqlite3.Error):
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def close(self) -> None:
        self._stop.set()
        if self._checkpointer is not None:
            self._checkpointer.join(5)
        self.db.close()

    # ------------------------------------------------------------ settings
    def check_meta(self, key: str, value: str) -> str | None:
        """Record ``value`` under ``key`` the first time; return the stored one if it differs."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES (?, ?)", (key, value))
            return None
        stored: str = row[0]
        return None if stored == value else stored

    # -------------------------------------------------------------- writing
    def commit(self, batch: Batch) -> None:
        """Write one batch atomically, then advance ``last_seq``.

        The caller acknowledges only after this returns: that is the durability promise.
        """
        if not batch.recs:
            return
        db = self.db
        db.execute("BEGIN")
        try:
            db.execute("INSERT INTO batches (last_seq, first_seq, recs) VALUES (?, ?, ?)",
                       (batch.last, batch.first, b"\n".join(batch.recs)))
            if batch.people:
                db.executemany("INSERT INTO people (seq, phone, rec) VALUES (?, ?, ?)",
                               batch.people)
            if batch.outputs:
                db.executemany(
                    "INSERT OR IGNORE INTO outputs (seq, phone, message_id, route, rec) "
                    "VALUES (?, ?, ?, ?, ?)", batch.outputs)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.commits += 1
        self.last_seq = batch.last

    # ------------------------------------------------------------ snapshots
    def save_snapshot(self, seq: int, engine: object) -> int:
        """Pickle the engine as of journal entry ``seq`` (no-op in memory)."""
        return self.shelf.save(seq, engine) if self.shelf is not None else 0

    def latest_snapshot(self) -> Snapshot | None:
        """The newest readable snapshot not ahead of the journal."""
        return self.shelf.latest(self.last_seq) if self.shelf is not None else None

    def inputs_after(self, seq: int, chunk: int = 64) -> Iterator[bytes]:
        """Journaled records after ``seq``, in order (for replay on restart)."""
        last = seq
        while True:
            rows = self.db.execute(
                "SELECT last_seq, first_seq, recs FROM batches WHERE last_seq > ? "
                "ORDER BY last_seq LIMIT ?", (last, chunk)).fetchall()
            if not rows:
                return
            for _, first_seq, recs in rows:
                lines = bytes(recs).split(b"\n")
                yield from lines[last - first_seq + 1 :] if first_seq <= last else lines
            last = rows[-1][0]

    def outbox(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        """Texts for the gateway worker, in issue order, after ``after``."""
        return self.db.execute(
            "SELECT cursor, rec FROM outputs WHERE cursor > ? AND route = 'outbox' "
            "ORDER BY cursor LIMIT ?", (after, limit)).fetchall()

    def timeline(self, phone: str, limit: int) -> list[tuple[int, int, str, bytes]]:
        """Everything by or to ``phone``: (seq, order, 'in'|'out', record), in order."""
        return self.db.execute(
            "SELECT seq, 0 AS ord, 'in', rec FROM people WHERE phone = ? "
            "UNION ALL SELECT seq, cursor AS ord, 'out', rec FROM outputs WHERE phone = ? "
            "ORDER BY seq, ord LIMIT ?", (phone, phone, limit)).fetchall()

    def message_ids(self) -> list[str]:
        """Every text id issued (tests use it to prove none was issued twice)."""
        rows: Iterable[tuple[str]] = self.db.execute(
            "SELECT message_id FROM outputs WHERE message_id IS NOT NULL ORDER BY cursor")
        return [r[0] for r in rows]
