"""The shim and ``eccc replay`` are two drivers of one engine: same trace, same outputs.

Also the durability that follows from determinism: a restarted shim (journal
replay, with or without a snapshot) carries on exactly as one that never
stopped.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import orjson
import pytest

from eccc.replay import replay
from engine.core import Engine, EngineConfig
from engine.records import from_output, to_input
from loadtests.app import ShimSettings, create_app
from loadtests.inprocess import InProcessClient
from loadtests.notifier import Notifier

TRACE = Path(__file__).resolve().parent.parent / "scenarios" / "example_trace.jsonl"
KEY = {"X-API-Key": "k"}
END = {"kind": "wake", "at": "2027-06-01T00:00:00Z"}  # fires every held text: a drain
# (within a year of the trace: an input years after the engine's clock is refused)
POLICY_SETS = [
    ("milestones", "quiet_hours", "cap_rolling:limit=3"),
    ("every_scan", "digest:minutes=60", "cap_calendar:limit=5"),
]


def replayed(policies: tuple[str, ...]) -> list[dict[str, Any]]:
    buf = io.BytesIO()
    replay(TRACE, policies, buf)
    return [orjson.loads(line) for line in buf.getvalue().splitlines()]


def shim(tmp_path: Path, policies: tuple[str, ...], **kw: Any) -> InProcessClient:
    settings = ShimSettings(db=str(tmp_path / "shim.sqlite3"), policies=policies, api_key="k",
                            auth_token="t", **kw)
    return InProcessClient(create_app(settings))


def lines() -> list[bytes]:
    return [line for line in TRACE.read_bytes().splitlines() if line.strip()]


@pytest.mark.parametrize("policies", POLICY_SETS)
def test_trace_through_the_shim_matches_replay(tmp_path: Path,
                                               policies: tuple[str, ...]) -> None:
    expected = replayed(policies)
    got: list[dict[str, Any]] = []
    records = lines()
    with shim(tmp_path, policies) as client:
        # The first records one by one (POST /v1/events), the rest in batches.
        for line in records[:200]:
            r = client.post("/v1/events", content=line, headers=KEY)
            assert r.status_code == 200, r.text
            got.extend(r.json()["outputs"])
        for i in range(200, len(records), 700):
            body = b"\n".join(records[i : i + 700])
            r = client.post("/v1/events:batch", content=body, headers=KEY)
            assert r.status_code == 200 and not r.json()["rejected"]
            got.extend(r.json()["outputs"])
        got.extend(client.post("/v1/events", json=END, headers=KEY).json()["outputs"])
    assert len(got) == len(expected)
    assert got == expected


def test_restart_replays_the_journal_and_carries_on_identically(tmp_path: Path) -> None:
    policies = POLICY_SETS[0]
    records = lines()
    half = len(records) // 2
    with shim(tmp_path / "a", policies) as first:
        first.post("/v1/events:batch", content=b"\n".join(records[:half]), headers=KEY)
    with shim(tmp_path / "a", policies) as again:
        assert again.app.state.notifier.replayed > half  # journaled inputs include wakes
        after = again.post("/v1/events:batch", content=b"\n".join(records[half:]),
                           headers=KEY).json()["outputs"]
        ids = again.app.state.notifier.journal.message_ids()
    with shim(tmp_path / "b", policies) as straight:
        straight.post("/v1/events:batch", content=b"\n".join(records[:half]), headers=KEY)
        expected = straight.post("/v1/events:batch", content=b"\n".join(records[half:]),
                                 headers=KEY).json()["outputs"]
        expected_ids = straight.app.state.notifier.journal.message_ids()
    assert after == expected
    assert ids == expected_ids and len(ids) == len(set(ids))


@pytest.mark.parametrize("background", [False, True], ids=["inline", "forked"])
def test_snapshots_shorten_restart_and_change_nothing(tmp_path: Path, background: bool) -> None:
    policies = POLICY_SETS[0]
    records = lines()
    db = str(tmp_path / "snap.sqlite3")
    notifier = Notifier(db, policies, snapshot_every=1000, background_snapshots=background)
    for i in range(0, 2500, 500):
        notifier.accept([orjson.loads(r) for r in records[i : i + 500]])
    journaled = notifier.journal.last_seq
    notifier.close()  # waits for a snapshot still being written
    restarted = Notifier(db, policies, snapshot_every=1000)
    # Inline, the last snapshot is at most 1000 inputs old; forked, a snapshot
    # due while the previous one is still being written is skipped, so only
    # "some snapshot was used" holds whatever the machine's speed.
    assert restarted.replayed < (journaled if background else 1000)
    tail = restarted.accept([orjson.loads(r) for r in records[2500:]]).outputs
    restarted.close()
    cold = Notifier(":memory:", policies, snapshot_every=0)
    cold.accept([orjson.loads(r) for r in records[:2500]])
    assert cold.accept([orjson.loads(r) for r in records[2500:]]).outputs == tail


def test_an_engine_survives_pickling_with_the_same_behaviour() -> None:
    records = [to_input(orjson.loads(r)) for r in lines()]
    engine = Engine(EngineConfig(policies=POLICY_SETS[1]))
    for inp in records[:1500]:
        engine.feed(inp)
    copy = pickle.loads(pickle.dumps(engine))
    assert [engine.feed(i) for i in records[1500:]] == [copy.feed(i) for i in records[1500:]]


def test_a_database_refuses_other_policies(tmp_path: Path) -> None:
    db = str(tmp_path / "p.sqlite3")
    Notifier(db, ("milestones",)).close()
    with pytest.raises(ValueError, match="policies"):
        Notifier(db, ("every_scan",))


def test_wall_clock_tick_fires_held_texts(tmp_path: Path) -> None:
    notifier = Notifier(":memory:", ("every_scan", "quiet_hours"))
    notifier.accept([
        {"kind": "subscribe", "at": "2026-12-14T09:00:00-07:00", "phone": "+13035550123",
         "trackingNumber": "9400111899223456789012"},
        {"kind": "scan", "at": "2026-12-14T23:30:00-07:00", "eventCode": "10",
         "trackingNumber": "9400111899223456789012"},
    ])
    due = notifier.engine.next_wake
    assert due is not None
    assert notifier.tick(due - 1).outputs == []
    fired = [orjson.loads(o) for o in notifier.tick(due).outputs]
    assert [o["kind"] for o in fired] == ["sms"]
    assert notifier.engine.next_wake is None


def test_a_failed_commit_is_503_and_leaves_nothing_unacknowledged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    with shim(tmp_path, POLICY_SETS[0]) as client:
        journal = client.app.state.notifier.journal
        first = orjson.loads(lines()[0])
        assert client.post("/v1/events", json=first, headers=KEY).status_code == 200
        real_commit = journal.commit

        def disk_full(*args: Any) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(journal, "commit", disk_full)
        second = orjson.loads(lines()[1])
        r = client.post("/v1/events", json=second, headers=KEY)
        assert r.status_code == 503 and "journal" in r.json()["error"]
        engine = client.app.state.notifier.engine
        assert first["trackingNumber"] in engine.parcels
        assert second["trackingNumber"] not in engine.parcels  # rolled back with the journal
        monkeypatch.setattr(journal, "commit", real_commit)
        assert client.post("/v1/events", json=second, headers=KEY).status_code == 200
        assert journal.last_seq == 2


# ------------------------------------------------ issue 14: the new cases, three drivers
TN_A, TN_B, TN_C = "9400111899223400000176", "9400111899223400000282", "9205590164917312751089"
FL_PHONE, DENVER, NYC, SEATTLE = "+13055550142", "+13035550123", "+12125550199", "+12065550101"
NEW_CASES: list[dict[str, Any]] = [
    # A merchant name full of links; a Florida number with a California address.
    {"kind": "subscribe", "at": "2026-12-14T09:00:00-05:00", "trackingNumber": TN_A,
     "phone": FL_PHONE, "destinationZIP": "94105",
     "merchant": "Deals at EVIL.COM! [bit.ly/x] USPS.com.redelivery.top"},
    {"kind": "subscribe", "at": "2026-12-14T09:00:00-05:00", "trackingNumber": TN_A,
     "phone": FL_PHONE, "destinationZIP": "94105",
     "merchant": "Deals at EVIL.COM! [bit.ly/x] USPS.com.redelivery.top"},  # resent
    {"kind": "subscribe", "at": "2026-12-14T09:05:00-05:00", "trackingNumber": TN_B,
     "phone": DENVER, "merchant": "ｅｖｉｌ。ｃｏｍ Shop раураl.com"},
    {"kind": "subscribe", "at": "2026-12-14T09:06:00-05:00", "trackingNumber": TN_C,
     "phone": NYC, "destinationZIP": "10001"},
    {"kind": "scan", "at": "2026-12-14T20:30:00-05:00", "trackingNumber": TN_A,
     "eventCode": "10", "eventCity": "MIAMI", "eventState": "FL", "eventZIP": "33101"},
    {"kind": "scan", "at": "2026-12-14T22:30:00-05:00", "trackingNumber": TN_C,
     "eventCode": "10"},
    # Refused records after the held texts have come due (11:00 and 08:00 Eastern).
    {"kind": "subscribe", "at": "2026-12-15T12:00:00-05:00", "trackingNumber": TN_A,
     "phone": FL_PHONE, "destinationZIP": "ABCDE"},
    {"kind": "sms_in", "at": "2026-12-15T12:00:30-05:00", "from": "12", "body": "STOP"},
    # Revocation in other words, a provider's retry, HELP after STOP.
    {"kind": "sms_in", "at": "2026-12-15T12:01:00-05:00", "from": DENVER, "body": "Opt out",
     "messageSid": "SM0001"},
    {"kind": "sms_in", "at": "2026-12-15T12:01:15-05:00", "from": DENVER, "body": "Opt out",
     "messageSid": "SM0001"},
    {"kind": "sms_in", "at": "2026-12-15T12:02:00-05:00", "from": DENVER, "body": "help"},
    {"kind": "scan", "at": "2026-12-15T12:03:00-05:00", "trackingNumber": TN_B,
     "eventCode": "OF"},
    {"kind": "sms_in", "at": "2026-12-15T12:04:00-05:00", "from": SEATTLE,
     "body": "stop by the post office?"},
    {"kind": "sms_in", "at": "2026-12-15T12:05:00-05:00", "from": SEATTLE,
     "body": "please stop texting me"},
    {"kind": "sms_in", "at": "2026-12-15T12:06:00-05:00", "from": SEATTLE, "body": TN_C},
    # WHEN after delivery; then "<tracking number> STOP" ends that parcel.
    {"kind": "scan", "at": "2026-12-15T13:10:00-05:00", "trackingNumber": TN_C,
     "eventCode": "01", "eventCity": "NEW YORK", "eventState": "NY", "eventZIP": "10001"},
    {"kind": "sms_in", "at": "2026-12-15T13:30:00-05:00", "from": NYC, "body": f"WHEN {TN_C}"},
    {"kind": "sms_in", "at": "2026-12-15T13:31:00-05:00", "from": NYC, "body": f"{TN_C} STOP",
     "messageSid": "SM0002"},
    {"kind": "scan", "at": "2026-12-15T14:00:00-05:00", "trackingNumber": TN_C,
     "eventCode": "01"},
]
NEW_POLICIES = [("every_scan", "compliance"), ("milestones", "quiet_hours", "cap_rolling:limit=3")]


def _sim_outputs(records: list[dict[str, Any]], policies: tuple[str, ...]) -> list[Any]:
    """The simulation's driver (its event heap, Wake inputs for WakeAt, gateway and
    handset events with their receipts) fed the same records."""
    from engine.errors import InvalidInput
    from scenarios.schema import load, parse
    from sim.model import Model

    data = load("tiny").model_dump(mode="json")
    data["policies"] = list(policies)
    model = Model(parse(data), log_messages=False)
    seen: list[Any] = []
    real = model._outputs

    def keep(outs: list[Any]) -> None:
        seen.extend(outs)
        real(outs)

    model._outputs = keep  # type: ignore[method-assign]
    for rec in records:
        try:
            inp = to_input(rec)
            model.engine.validate(inp)
        except InvalidInput:
            continue
        model.push_input(inp.at, inp)
    model._drain(float("inf"))
    return [from_output(o) for o in seen]


@pytest.mark.parametrize("policies", NEW_POLICIES)
def test_new_cases_agree_in_replay_shim_and_simulation(tmp_path: Path,
                                                       policies: tuple[str, ...]) -> None:
    trace = tmp_path / "cases.jsonl"
    trace.write_bytes(b"\n".join(orjson.dumps(r) for r in NEW_CASES) + b"\n")
    buf = io.BytesIO()
    result = replay(trace, policies, buf)
    expected = [orjson.loads(line) for line in buf.getvalue().splitlines()]
    assert [b.line for b in result.bad] == [7, 8]  # refused, and nothing released for them
    got: list[dict[str, Any]] = []
    with shim(tmp_path, policies) as client:
        for rec in NEW_CASES:
            r = client.post("/v1/events", json=rec, headers=KEY)
            assert r.status_code in (200, 422), r.text
            got.extend(r.json().get("outputs", []))
        got.extend(client.post("/v1/events", json=END, headers=KEY).json()["outputs"])
    assert got == expected
    # The simulation's driver fires wake-ups as inputs of their own: same decisions.
    def decisions(outs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [o for o in outs if o["kind"] != "wake_at"]

    assert decisions(_sim_outputs(NEW_CASES, policies)) == decisions(expected)
    kinds = {(o["kind"], o.get("reason") or o.get("cause")) for o in expected}
    for wanted in (("suppressed", "duplicate_subscribe"), ("suppressed", "duplicate_message"),
                   ("reply", "reply:HELP"), ("reply", "reply:OPTOUT"),
                   ("reply", "reply:REQUEST"), ("reply", "reply:unknown"),
                   ("reply", "reply:STOP_TN"), ("redacted", "link_domain"),
                   ("redacted", "link_lookalike")):
        assert wanted in kinds, wanted
    for o in expected:
        if o["kind"] in ("sms", "reply"):
            assert "EVIL.COM" not in o["body"] and "bit.ly" not in o["body"]
    (when,) = [o for o in expected if o.get("cause") == "reply:WHEN"]
    assert "Delivered" in when["body"] and "1:10pm" in when["body"]
