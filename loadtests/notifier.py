"""One engine per process, its journal, and the counters ``/metrics`` shows.

``Notifier`` is the only thing that touches the engine. ``stage`` runs to
completion on the event-loop thread with no ``await`` inside, so requests are
serialised without a lock: an input is parsed and handed to the engine, its
journal rows (input and outputs) are staged in the open ``Batch``, and the
response waits on ``durable`` (the app's outermost layer does the waiting):
one SQLite transaction commits every request staged while the event loop's
turns kept bringing more (group commit, at most ``MAX_GROUP_TURNS`` extra
turns), and only then is each acknowledged.

Tried and dropped: committing on a writer thread (SQLite releases the GIL) so
the loop stages the next batch meanwhile. On two cores it cost more CPU per
request than it saved (thread hand-offs and GIL contention): 55 -> 70-89 us.

Time is the records' own: before an input at time ``t`` the wake-ups due by
``t`` are fired as explicit ``Wake`` inputs, exactly what ``Engine.feed`` does,
but journaled one by one so that replaying the journal with ``Engine.handle``
rebuilds the same state and the same message ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from engine import phones
from engine.core import Engine, EngineConfig
from engine.errors import InvalidInput
from engine.inputs import Input, Scan, SmsIn, Subscribe, Wake
from engine.outputs import Held, Output, Redacted, Reply, Sms, Suppressed
from engine.policies import build as build_policies
from engine.records import format_time, from_input, from_output, to_input
from loadtests.journal import Batch, Journal

log = logging.getLogger("eccc.shim")
# A group commit waits while each turn of the event loop brings more inputs, at most this
# many turns (each well under a millisecond under load).
MAX_GROUP_TURNS = 2


class JournalUnavailable(RuntimeError):
    """The journal could not commit: nothing staged was acknowledged (HTTP 503)."""


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record the engine refused, by its place in the request."""

    index: int
    field: str | None
    error: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "error": self.error}


@dataclass(slots=True)
class Accepted:
    """What one request did: counts, refusals, and the outputs as JSON blobs."""

    accepted: int = 0
    seq: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    outputs: list[bytes] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)  # bodies answered inline (TwiML)



@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Loading a snapshot or replaying a journal allocates millions of objects that all
    live on: the cycle collector would scan them again and again (9/10 of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _encoded(rec: dict[str, Any]) -> bytes:
    """A record as the journal keeps it; refused if it cannot be encoded."""
    try:
        return orjson.dumps(rec)
    except orjson.JSONEncodeError as exc:
        raise InvalidInput(f"the record cannot be journaled: {exc}") from None


def person(inp: Input) -> str | None:
    """The E.164 phone an input is from or about (None for scans, receipts, wakes).

    Checking here, before any wake-up fires, means a bad phone is refused with
    the engine untouched (times were bounded when the input was built).
    """
    if type(inp) is Subscribe:
        return phones.normalise(inp.phone)
    if type(inp) is SmsIn:
        return phones.normalise(inp.sender, field="from")
    return None


class Notifier:
    """The engine, made durable. Build with ``open``; feed with ``accept``."""

    def __init__(self, db: str = ":memory:", policies: tuple[str, ...] = ("every_scan",), *,
                 snapshot_every: int = 200_000, synchronous: str = "NORMAL",
                 background_snapshots: bool = False) -> None:
        build_policies(policies)  # a bad --policy is refused before the database is touched
        self.policies = policies
        # In memory there is nothing to restart from: no snapshots.
        self.snapshot_every = snapshot_every if db != ":memory:" else 0
        self.background_snapshots = background_snapshots
        self._snapshot_child = 0
        self.journal = Journal(db, synchronous=synchronous)
        stored = self.journal.check_meta("policies", ",".join(policies))
        if stored is not None:
            raise ValueError(f"database {db} was built with policies {stored!r}; "
                             f"start with the same --policy list or a new --db")
        self.inputs_by_kind: Counter[str] = Counter()
        self.outputs_by_kind: Counter[tuple[str, str]] = Counter()
        self.rejected_by_field: Counter[str] = Counter()
        self.engine, self.replayed = self._rebuild()
        self._snapshot_seq = self.journal.last_seq
        # Staged for the next group commit: applied to the engine, not yet durable.
        self._seq = self.journal.last_seq
        self._batch = Batch(self._seq + 1)
        self._waiters: list[asyncio.Future[None]] = []
        self._turns = 0

    # ------------------------------------------------------------ restart
    def _rebuild(self) -> tuple[Engine, int]:
        """Newest snapshot, then every journaled input after it, in order."""
        with _gc_paused():
            return self._rebuild_now()

    def _rebuild_now(self) -> tuple[Engine, int]:
        snap = self.journal.latest_snapshot()
        if snap is not None:
            engine: Engine = snap.engine
            start = snap.seq
        else:
            engine = Engine(EngineConfig(policies=self.policies))
            start = 0
        replayed = 0
        for seq, rec in enumerate(self.journal.inputs_after(start), start + 1):
            try:
                engine.handle(to_input(orjson.loads(rec)))
            except InvalidInput as exc:
                # Accepted under an earlier version's rules and refused by these (a
                # tracking number carrying a link, a mistyped year): it stays in the
                # journal, the engine goes on without it, and the log says so.
                log.warning("journal input %d is no longer accepted and was not applied: %s",
                            seq, exc)
            replayed += 1
        if replayed or start:
            log.info("rebuilt engine: snapshot at %d, replayed %d inputs", start, replayed)
        return engine, replayed

    def close(self) -> None:
        self._reap(block=True)
        self.journal.close()

    # -------------------------------------------------------------- inputs
    def stage(self, records: list[Any], *, inline_to: str | None = None,
              raws: list[bytes] | None = None) -> Accepted:
        """Parse and apply ``records`` (decoded JSON) in order; stage their journal rows.

        Bad records are refused one by one (with their index and field); the
        good ones are applied, as ``eccc replay`` does. Nothing is durable
        until ``flush`` (or ``durable``): acknowledge only after that.
        ``raws``, when given, are the records as received, one line of JSON
        each: they are journaled as they came instead of encoded again.
        """
        result = Accepted()
        batch = self._batch
        marks = len(batch.recs), len(batch.people), len(batch.outputs), self._seq
        seq = self._seq
        engine = self.engine
        try:
            for index, rec in enumerate(records):
                try:
                    inp = to_input(rec)  # refuses a record nested too deep to journal
                    # Encoded before the engine sees it: a record that cannot be written
                    # back is the sender's error, refused with the engine untouched
                    # (after ``handle`` it would be an engine failure and a rebuild).
                    blob = _encoded(rec) if raws is None else raws[index]
                    phone = None if type(inp) is Scan else person(inp)
                    engine.validate(inp)  # before a wake-up fires: a refusal moves nothing
                except InvalidInput as exc:
                    self._refuse(result, index, exc)
                    continue
                due = engine.next_wake
                if due is not None and due <= inp.at:
                    seq = self._fire_due(inp.at, seq, batch, result)
                try:
                    outputs = engine.handle(inp)
                except InvalidInput as exc:
                    self._refuse(result, index, exc)
                    continue
                seq += 1
                batch.recs.append(blob)
                if phone is not None:
                    batch.people.append((seq, phone, blob))
                self.inputs_by_kind[inp.kind] += 1
                if outputs:
                    self._collect(outputs, seq, batch, result, inline_to)
                result.accepted += 1
        except Exception:
            # An engine bug, not bad input: drop this request's rows, make the
            # earlier requests' rows durable, and rebuild the engine from them.
            del batch.recs[marks[0]:], batch.people[marks[1]:], batch.outputs[marks[2]:]
            self._seq = marks[3]
            log.exception("engine failed on a request; rebuilding from the journal")
            self.flush(snapshot=False)  # the engine is suspect: no snapshot of it
            self.engine, _ = self._rebuild()
            raise
        self._seq = result.seq = seq
        return result

    def accept(self, records: list[Any], *, inline_to: str | None = None) -> Accepted:
        """``stage`` then ``flush``: applied and durable when this returns."""
        result = self.stage(records, inline_to=inline_to)
        self.flush()
        return result

    def accept_input(self, inp: Input, *, inline: bool = False) -> Accepted:
        """A typed input from a webhook; replies to its sender go back inline if ``inline``."""
        return self.stage([from_input(inp)], inline_to=person(inp) if inline else None)

    async def durable(self, seq: int) -> None:
        """Wait until everything staged up to journal position ``seq`` is committed.

        Group commit: the first waiter schedules one flush for the end of this
        turn of the event loop; every request staged before it runs shares the
        transaction, so under load a commit costs each request a fraction.
        Each waiter has its own future, so one cancelled request cannot fail
        the others.
        """
        if seq <= self.journal.last_seq:
            return
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        if not self._waiters:
            self._turns = 0
            loop.call_soon(self._flush_soon, loop, self._seq)
        self._waiters.append(waiter)
        await waiter

    def _flush_soon(self, loop: asyncio.AbstractEventLoop, seen: int) -> None:
        """Commit at the end of a turn of the event loop, unless that turn staged more:
        then wait another turn (up to ``MAX_GROUP_TURNS``), so that under load one
        transaction carries several turns' requests. An idle shim commits at once."""
        if self._seq != seen and self._turns < MAX_GROUP_TURNS:
            self._turns += 1
            loop.call_soon(self._flush_soon, loop, self._seq)
            return
        with contextlib.suppress(JournalUnavailable):
            self.flush()

    def flush(self, *, snapshot: bool = True) -> None:
        """Commit the staged rows in one transaction and wake whoever waits for them."""
        waiters, self._waiters = self._waiters, []
        batch, self._batch = self._batch, Batch(self._seq + 1)
        try:
            self.journal.commit(batch)
        except Exception as exc:
            # The engine is now ahead of the journal: put it back to what is
            # durable, so nothing unacknowledged survives in memory.
            log.exception("journal commit failed; rebuilding the engine from the journal")
            self.engine, _ = self._rebuild()
            self._seq = self.journal.last_seq
            self._batch = Batch(self._seq + 1)
            error = JournalUnavailable(f"journal commit failed: {exc}")
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(error)
            raise error from exc
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
        if snapshot and self.snapshot_every and self.journal.last_seq - self._snapshot_seq >= \
                self.snapshot_every:
            self.snapshot()

    def tick(self, now: int) -> Accepted:
        """Wall-clock mode: fire the wake-ups due by ``now``, durably."""
        result = Accepted()
        self._seq = result.seq = self._fire_due(now, self._seq, self._batch, result)
        self.flush()
        return result

    def _fire_due(self, at: int, seq: int, batch: Batch, result: Accepted) -> int:
        engine = self.engine
        due = engine.next_wake
        while due is not None and due <= at:
            outputs = engine.handle(Wake(at=due))
            seq += 1
            batch.recs.append(orjson.dumps({"kind": "wake", "at": format_time(due)}))
            self.inputs_by_kind["wake"] += 1
            self._collect(outputs, seq, batch, result, None)
            due = engine.next_wake
        return seq

    def _refuse(self, result: Accepted, index: int, exc: InvalidInput) -> None:
        result.rejected.append(Rejected(index, exc.field, str(exc)))
        self.rejected_by_field[exc.field or "record"] += 1

    def _collect(self, outputs: list[Output], seq: int, batch: Batch,
                 result: Accepted, inline_to: str | None) -> None:
        counts = self.outputs_by_kind
        orows = batch.outputs
        for o in outputs:
            blob = orjson.dumps(from_output(o))
            result.outputs.append(blob)
            if isinstance(o, Sms | Reply):
                counts[(o.kind, "")] += 1
                route = "outbox"
                if inline_to is not None and type(o) is Reply and o.to == inline_to:
                    route = "twiml"
                    result.replies.append(o.body)
                orows.append((seq, o.to, o.message_id, route, blob))
            elif isinstance(o, Suppressed | Held | Redacted):
                counts[(o.kind, o.reason)] += 1
                orows.append((seq, o.to, None, None, blob))
            else:
                counts[(o.kind, "")] += 1

    def snapshot(self) -> None:
        """Pickle the engine as of the last committed input (restart replays only what
        came after). In the background when allowed: a forked child holds a
        copy-on-write image of the engine and writes it while this process serves on
        (pickling a national day's engine takes seconds)."""
        seq = self.journal.last_seq
        if self._snapshot_child and not self._reap(block=False):
            return  # the previous one is still being written
        self._snapshot_seq = seq
        if not (self.background_snapshots and hasattr(os, "fork")):
            size = self.journal.save_snapshot(seq, self.engine)
            log.info("snapshot at %d: %d bytes", seq, size)
            return
        with warnings.catch_warnings():
            # Python 3.12+ warns about fork() with threads running (the checkpointer).
            # The child only pickles and writes a file, then _exit()s: no locks taken.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:
            code = 1
            try:
                self.journal.save_snapshot(seq, self.engine)
                code = 0
            finally:
                os._exit(code)
        self._snapshot_child = pid
        log.info("snapshot at %d: writing in process %d", seq, pid)

    def _reap(self, *, block: bool) -> bool:
        """Whether the snapshot child (if any) has finished."""
        if not self._snapshot_child:
            return True
        try:
            pid, status = os.waitpid(self._snapshot_child, 0 if block else os.WNOHANG)
        except ChildProcessError:
            pid, status = self._snapshot_child, 0
        if pid == 0:
            return False
        if status != 0:
            log.error("snapshot process %d failed (status %d)", pid, status)
        self._snapshot_child = 0
        return True
