"""The shim's journal on its own: batches, replay from any position, schema checks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson
import pytest

from loadtests.journal import Batch, Journal


def _batch(first: int, n: int, phone_every: int = 0) -> Batch:
    batch = Batch(first)
    for seq in range(first, first + n):
        rec = orjson.dumps({"kind": "wake", "at": f"2026-12-01T00:00:{seq % 60:02d}Z",
                            "n": seq})
        batch.recs.append(rec)
        if phone_every and seq % phone_every == 0:
            batch.people.append((seq, "+13035550100", rec))
    return batch


def _numbers(recs: list[bytes]) -> list[int]:
    return [orjson.loads(r)["n"] for r in recs]


def test_batches_replay_from_any_position(tmp_path: Path) -> None:
    journal = Journal(str(tmp_path / "j.sqlite3"))
    first = 1
    for size in (3, 1, 5, 2):
        journal.commit(_batch(first, size, phone_every=2))
        first += size
    assert journal.last_seq == 11 and journal.commits == 4
    for start in range(0, 12):  # inside a batch too (a snapshot could sit anywhere)
        assert _numbers(list(journal.inputs_after(start, chunk=2))) == list(range(start + 1, 12))
    journal.commit(Batch(12))  # nothing staged: no transaction, nothing moves
    assert journal.commits == 4 and journal.last_seq == 11
    assert [seq for seq, *_ in journal.timeline("+13035550100", 100)] == [2, 4, 6, 8, 10]
    journal.close()
    again = Journal(str(tmp_path / "j.sqlite3"))
    assert again.last_seq == 11
    again.close()


def test_a_failed_commit_leaves_nothing(tmp_path: Path) -> None:
    journal = Journal(str(tmp_path / "j.sqlite3"))
    journal.commit(_batch(1, 3))
    clash = _batch(4, 2)
    clash.people.append((1, "+13035550100", b"{}"))
    clash.people.append((1, "+13035550100", b"{}"))  # same seq twice: the insert fails
    with pytest.raises(sqlite3.IntegrityError):
        journal.commit(clash)
    assert journal.last_seq == 3
    assert _numbers(list(journal.inputs_after(0))) == [1, 2, 3]
    journal.close()


def test_a_journal_of_the_old_layout_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE journal (seq INTEGER PRIMARY KEY, phone TEXT, rec BLOB)")
    with pytest.raises(ValueError, match=r"schema 1.*new --db"):
        Journal(str(path))


def test_an_unreadable_snapshot_is_skipped_with_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A damaged newest snapshot falls back to the older one, and says so in the log."""
    from loadtests.journal import SnapshotShelf

    shelf = SnapshotShelf(tmp_path / "snaps", keep=3)
    shelf.save(10, {"engine": "older"})
    shelf.save(20, {"engine": "newer"})
    (tmp_path / "snaps" / f"{20:015d}.pickle").write_bytes(b"not a pickle")
    with caplog.at_level("WARNING", logger="loadtests.journal"):
        snap = shelf.latest(last_seq=30)
    assert snap is not None and snap.seq == 10 and snap.engine == {"engine": "older"}
    assert "unreadable" in caplog.text and "000000000000020.pickle" in caplog.text


def test_a_journaled_input_todays_rules_refuse_does_not_stop_a_restart(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """An input accepted under an earlier version's rules (here a tracking number that
    carried a link, accepted before they were checked) stays in the journal; a restart
    goes on without it, says so, and keeps everything else."""
    from loadtests.notifier import Notifier
    db = str(tmp_path / "j.sqlite3")
    journal = Journal(db)
    batch = Batch(1)
    tn = "9400111899223456789012"
    for rec in ({"kind": "subscribe", "at": "2026-12-14T09:00:00Z", "trackingNumber": tn,
                 "phone": "+13035550123"},
                {"kind": "subscribe", "at": "2026-12-14T09:01:00Z",
                 "trackingNumber": "https://usps-redelivery.top/x", "phone": "+13035550123"},
                {"kind": "scan", "at": "2026-12-14T09:02:00Z", "trackingNumber": tn,
                 "eventCode": "03"}):
        batch.recs.append(orjson.dumps(rec))
    journal.commit(batch)
    journal.close()
    with caplog.at_level("WARNING", logger="eccc.shim"):
        notifier = Notifier(db)
    assert "journal input 2 is no longer accepted" in caplog.text
    assert notifier.replayed == 3 and set(notifier.engine.parcels) == {tn}
    assert notifier.engine.parcels[tn].code >= 0
    notifier.close()
