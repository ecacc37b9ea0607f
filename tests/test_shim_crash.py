"""``kill -9`` the real server in the middle of a stream of inputs, then restart it.

The durability promise: no acknowledged input is lost (above all no
acknowledged STOP), and no message id is issued twice.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from engine.core import Engine, EngineConfig
from engine.outputs import Reply, Sms
from engine.phones import normalise
from engine.records import to_input
from loadtests.notifier import Notifier
from loadtests.process import ShimProcess

TRACE = Path(__file__).resolve().parent.parent / "scenarios" / "example_trace.jsonl"
POLICIES = ("milestones", "quiet_hours", "cap_rolling:limit=3")


def stream() -> list[bytes]:
    """The example trace, with every third subscriber texting STOP right after subscribing."""
    out: list[bytes] = []
    subscribed = 0
    for line in TRACE.read_bytes().splitlines():
        out.append(line)
        rec = orjson.loads(line)
        if rec["kind"] == "subscribe":
            subscribed += 1
            if subscribed % 3 == 0:
                out.append(orjson.dumps({"kind": "sms_in", "at": rec["at"],
                                         "from": rec["phone"], "body": "STOP"}))
    return out


def last_word(records: list[bytes], phone: str) -> str:
    """The last opt-in or opt-out word this phone texted (YES opts back in)."""
    word = ""
    for line in records:
        rec = orjson.loads(line)
        if rec["kind"] == "sms_in" and rec["from"] == phone:
            body = rec["body"].strip().upper()
            if body in ("STOP", "YES", "START", "UNSTOP"):
                word = body
    return word


def post_all(url: str, headers: dict[str, str], records: list[bytes],
             acked: dict[int, list[dict[str, Any]]], start: int, stop: threading.Event) -> None:
    """Post one at a time; remember what the server acknowledged, and its outputs."""
    with httpx.Client(base_url=url, headers=headers, timeout=5.0) as client:
        for i in range(start, len(records)):
            if stop.is_set():
                return
            try:
                r = client.post("/v1/events", content=records[i])
            except httpx.HTTPError:
                return  # the server died: this one is not acknowledged
            if r.status_code == 200:
                acked[i] = r.json()["outputs"]


@pytest.mark.slow
def test_kill_9_mid_stream_loses_no_acknowledged_input(tmp_path: Path) -> None:
    records = stream()
    db = str(tmp_path / "crash.sqlite3")
    acked: dict[int, list[dict[str, Any]]] = {}
    stop = threading.Event()
    shim = ShimProcess(db=db, policies=POLICIES, log=tmp_path / "serve.log",
                       extra=("--snapshot-every", "500")).start()
    try:
        sender = threading.Thread(target=post_all,
                                  args=(shim.url, shim.headers, records, acked, 0, stop))
        sender.start()
        deadline = time.monotonic() + 20
        while len(acked) < 1200 and sender.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        shim.kill()  # mid-stream: the sender is still posting
        sender.join(10)
    finally:
        shim.kill()
    first_run = len(acked)
    assert 0 < first_run < len(records)
    resume = max(acked) + 1  # resend what was not acknowledged, as a client would

    with ShimProcess(db=db, policies=POLICIES, log=tmp_path / "serve.log") as again:
        post_all(again.url, again.headers, records, acked, resume, stop)
    assert len(acked) >= len(records) - 1

    with contextlib.closing(sqlite3.connect(db)) as con:
        batches = con.execute(
            "SELECT first_seq, last_seq, recs FROM batches ORDER BY last_seq").fetchall()
    journal = [rec for _, _, recs in batches for rec in bytes(recs).split(b"\n")]
    # Batches tile the journal: consecutive, no gap, no overlap, one record per position.
    assert [first for first, _, _ in batches] == [1] + [last + 1 for _, last, _ in batches[:-1]]
    assert len(journal) == batches[-1][1]
    journaled = set(journal)
    lost = [i for i in acked if orjson.dumps(orjson.loads(records[i])) not in journaled]
    assert lost == []

    # No message id twice: not in the outbox, not across acknowledged responses.
    issued = [o["messageId"] for i in sorted(acked) for o in acked[i] if "messageId" in o]
    assert len(issued) == len(set(issued))
    notifier = Notifier(db, POLICIES)
    ids = notifier.journal.message_ids()
    assert len(ids) == len(set(ids)) and set(issued) <= set(ids)

    # Every acknowledged STOP holds after the restart (unless the person opted back in).
    stops = [orjson.loads(records[i])["from"] for i in acked
             if orjson.loads(records[i]).get("body") == "STOP"]
    stops = [p for p in stops if last_word(records, p) == "STOP"]
    assert stops
    assert all(notifier.engine.phones[normalise(p)].opted_out for p in stops)

    # The outbox is exactly what the journal implies, replayed from scratch.
    engine = Engine(EngineConfig(policies=POLICIES))
    replay_ids: list[str] = []
    for rec in journal:
        for o in engine.handle(to_input(orjson.loads(rec))):
            if isinstance(o, Sms | Reply):
                replay_ids.append(o.message_id)
    assert replay_ids == ids
    notifier.close()


def test_a_shim_that_refuses_its_database_says_why(tmp_path: Path) -> None:
    """``eccc loadtest --db FILE`` with a file that is not SQLite: the shim's own
    error line (naming the database) is in the message, not only in its log."""
    db = tmp_path / "notes.txt"
    db.write_text("not a database\n")
    shim = ShimProcess(db=str(db), policies=POLICIES, log=tmp_path / "serve.log")
    with pytest.raises(RuntimeError, match=r"exited with 2 \(database .*notes\.txt: "
                                           r"cannot be used as the journal"):
        shim.start()
    assert db.read_text() == "not a database\n"  # refused, not overwritten
