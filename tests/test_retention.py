"""Retention: the engine forgets closed parcels and idle phones, and nothing else changes."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from engine.core import Engine, EngineConfig
from engine.inputs import Input, Receipt
from engine.outputs import Output
from engine.records import from_output
from engine.retention import RetentionConfig
from scenarios.schema import load
from sim.messagelog import read_rows
from sim.model import Model
from sim.run import run_to_dir
from tests.helpers import DENVER, MIAMI, TN, TN2, reasons, scan, sms_in, sub, texts

DEFAULT = RetentionConfig()


def _engine(retention: RetentionConfig | None = DEFAULT) -> Engine:
    return Engine(EngineConfig(policies=("every_scan",), retention=retention))


def _life(late_scan: bool = True) -> list[Input]:
    """Two people, two parcels delivered on the 14th; later inputs cross day boundaries.

    With ``late_scan``, a stray delivered scan for a forgotten parcel on the 20th (else
    one for a parcel nobody follows, at the same time)."""
    return [
        sub("2026-12-13T08:00", tn=TN), sub("2026-12-13T08:05", phone=MIAMI, tn=TN2),
        scan("2026-12-13T09:00", "OF", tn=TN), scan("2026-12-13T09:00", "OF", tn=TN2),
        scan("2026-12-14T10:00", "01", tn=TN), scan("2026-12-14T10:00", "01", tn=TN2),
        sms_in("2026-12-14T12:00", "STOP", phone=MIAMI),
        sms_in("2026-12-15T12:00", "HELP"),
        scan("2026-12-20T09:00", "01", tn=TN if late_scan else "9400000000000000000001"),
        sms_in("2026-12-21T09:00", "HELP"),         # the phone comes back
        sub("2026-12-21T10:00", phone=MIAMI, tn=TN),  # the opted-out phone, a new parcel
    ]


def _feed(e: Engine, inp: Input) -> list[Output]:
    """Feed ``inp``, then a delivery receipt for every text it made (a prompt gateway)."""
    out = e.feed(inp)
    for o in texts(out):
        out += e.feed(Receipt(at=inp.at, message_id=o.message_id, status="delivered"))
    return out


def _run(e: Engine, inputs: list[Input]) -> list[bytes]:
    out: list[Output] = []
    for inp in inputs:
        out.extend(_feed(e, inp))
    return [repr(from_output(o)).encode() for o in out]


def test_closed_parcel_and_idle_phone_are_forgotten_opt_out_kept() -> None:
    e = _engine()
    inputs = _life()
    out = []
    for inp in inputs[:8]:
        out.extend(_feed(e, inp))
    assert e.forgotten_parcels == 0
    _feed(e, inputs[8])  # the 20th: both parcels closed over 3 days ago
    assert TN2 not in e.parcels and e.forgotten_parcels == 2
    assert e.parcels[TN].subs is None, "the late scan found an unknown parcel: a new record"
    assert DENVER not in e.phones, "no subscription, no preference: forgotten"
    assert e.phones[MIAMI].opted_out, "an opt-out is never forgotten"
    assert e.scans_forgotten_parcel == 1
    help_again = texts(_feed(e, inputs[9]))
    first_help = [o for o in texts(out) if o.cause == "reply:HELP"]
    assert help_again and first_help
    assert help_again[0].message_id != first_help[0].message_id, "ids are never reused"
    assert reasons(_feed(e, inputs[10])) == ["opted_out"]


def test_forgetting_changes_no_output() -> None:
    """Same inputs with and without retention: the same outputs, text for text, unless
    an input is about a forgotten parcel (the stray scan: no one is told any more)."""
    inputs = _life(late_scan=False)
    assert _run(_engine(), inputs) == _run(_engine(None), inputs)
    with_stray = _life()
    kept, forgot = _run(_engine(None), with_stray), _run(_engine(), with_stray)
    assert len(kept) == len(forgot) + 1  # the stray scan's text, told to no one now
    assert [o for o in kept if b"12/20" not in o] == forgot


def test_snapshot_restart_forgets_the_same() -> None:
    inputs = _life()
    whole = _engine()
    expected = _run(whole, inputs)
    for cut in range(1, len(inputs)):
        e = _engine()
        first = _run(e, inputs[:cut])
        restored = pickle.loads(pickle.dumps(e))
        assert first + _run(restored, inputs[cut:]) == expected, cut
        assert restored.forgotten_parcels == whole.forgotten_parcels


def test_held_text_keeps_its_parcel() -> None:
    e = Engine(EngineConfig(policies=("digest:minutes=1440",), retention=RetentionConfig(
        after_close_s=0, silent_s=0)))
    _feed(e, sub("2026-12-13T08:00"))
    _feed(e, scan("2026-12-13T16:00", "01"))  # 23:00 UTC, held a day by the digest
    assert e.next_wake is not None
    _feed(e, sms_in("2026-12-13T18:00", "HELP", phone=MIAMI))  # crosses midnight UTC
    assert e.forgotten_parcels == 0 and TN in e.parcels, "a parcel with a held text is kept"
    released = _feed(e, sms_in("2026-12-14T17:00", "HELP", phone=MIAMI))
    assert [o.cause for o in texts(released)].count("scan:01") == 1
    _feed(e, sms_in("2026-12-15T18:00", "HELP", phone=MIAMI))
    assert TN not in e.parcels and DENVER not in e.phones


def test_sim_outputs_identical_with_and_without_retention(tmp_path: Path) -> None:
    sc = load("tiny")
    logs = []
    for retention in (DEFAULT, None):
        m = Model(sc, days=2, retention=retention)
        m.run()
        logs.append(m.messages)
        if retention is not None:
            assert m.engine.forgotten_parcels > 100 and m.engine.forgotten_phones > 10
            forgotten = m.engine.forgotten_parcels
        else:
            assert m.engine.forgotten_parcels == 0
    assert logs[0] == logs[1] and forgotten


def test_replay_of_the_trace_forgets_as_the_sim_did(tmp_path: Path) -> None:
    from eccc.replay import replay

    sc = load("tiny")  # its two days: one day's parcels close too late to be forgotten
    run_to_dir(sc, out=tmp_path, trace=True)
    m = Model(sc)
    m.run()
    result = replay(tmp_path / "trace.jsonl", tuple(sc.policies))
    assert result.engine is not None
    assert result.engine.forgotten_parcels == m.engine.forgotten_parcels > 0
    assert len(read_rows(tmp_path)) == len(m.messages)


def test_a_subscription_awaiting_yes_keeps_its_parcel() -> None:
    """A tracking-page subscription never confirmed: a YES days after delivery still gets
    the parcel's status, with retention as without (found on a fortnight's run)."""
    inputs = [
        sub("2026-12-13T08:00", channel="tracking_page"),
        scan("2026-12-13T09:00", "OF"), scan("2026-12-13T15:00", "01"),
        sms_in("2026-12-17T09:00", "HELP", phone=MIAMI),  # sweeps on the way
        sms_in("2026-12-18T09:00", "YES"),
    ]
    with_retention = _run(_engine(), inputs)
    assert with_retention == _run(_engine(None), inputs)
    assert any(b"reply:YES" in o and b"Delivered" in o for o in with_retention)


@pytest.mark.parametrize("policy", ["compliance", "weekly_budget", "backoff_digest"])
def test_policies_forget_the_phones_and_subscriptions_the_engine_forgot(policy: str) -> None:
    """A policy's memory per phone (send times) and per subscription (digest windows)
    goes when the engine forgets them, so it follows the people texted lately, and the
    outputs are those of a run without retention."""
    sc = load("tiny")
    logs = []
    for retention in (DEFAULT, None):
        m = Model(sc, days=2, retention=retention, policies=("milestones", policy))
        m.run()
        logs.append(m.messages)
        p = next(q for q in m.engine.policies if q.name == policy)
        held = {id(phone) for phone in m.engine.phones.values()}
        subs = {id(sub) for parcel in m.engine.parcels.values() for sub in parcel.subs or ()}
        sent: dict[object, object] = getattr(p, "_sent", {})
        recent = getattr(p, "_recent", {})  # engine.recent, or one per cap length: the logs
        for window in recent.values() if isinstance(recent, dict) else [recent]:
            sent.update(dict.fromkeys(window._keys))
        closes: dict[object, object] = getattr(p, "_closes", {})
        if retention is not None:
            # A phone the weekly budget still counts is kept (test below): in 2 days, only
            # those it never counted go.
            assert m.engine.forgotten_phones > (0 if policy == "weekly_budget" else 10) and sent
            assert [ph for ph in sent if id(ph) not in held] == [], "forgotten phones"
            assert [sub for sub in closes if id(sub) not in subs] == [], "forgotten subs"
    assert logs[0] == logs[1]


def test_a_scenario_sets_the_engines_retention() -> None:
    """``[retention]`` in a scenario file: the planner's memory lever (the closed parcels
    the engine keeps are most of a long run's memory after those in transit)."""
    from scenarios.schema import ScenarioError, parse

    sc = load("tiny")
    assert Model(sc, days=1).engine.retention == RetentionConfig(), "the defaults agree"
    short = sc.model_copy(update={"retention": sc.retention.model_copy(
        update={"after_close_days": 0.5, "silent_days": 10})})
    m = Model(short, days=3)
    assert m.engine.retention == RetentionConfig(after_close_s=43_200, silent_s=864_000)
    m.run()
    kept = Model(sc, days=3)
    kept.run()
    assert m.engine.forgotten_parcels > kept.engine.forgotten_parcels > 0
    data = sc.model_dump(mode="json")
    data["retention"] = {"after_close_days": 5, "silent_days": 2}
    with pytest.raises(ScenarioError, match="retention"):
        parse(data)
    data["retention"] = {"after_close_days": -1}
    with pytest.raises(ScenarioError, match="after_close_days"):
        parse(data)


@pytest.mark.parametrize(("policy", "reason"), [
    ("weekly_budget:limit=2", "budget"), ("cap_rolling:limit=2,hours=168", "cap"),
    ("compliance", "state_cap")])
def test_forgetting_a_phone_never_lifts_its_cap_or_budget(policy: str, reason: str) -> None:
    """Someone texted twice about a parcel delivered on the 14th is forgotten with it
    three days later, unless a policy still counts those texts: then a parcel on the 19th
    is capped as it would be had the engine forgotten nothing."""
    miami = MIAMI  # Florida: a state cap of 3 in 24 hours (engine/data/compliance.toml)
    tn3 = "9400111899223456789099"
    inputs: list[Input] = [
        sub("2026-12-13T17:00", phone=miami, tn=TN),
        scan("2026-12-13T18:00", "10", tn=TN), scan("2026-12-14T17:00", "OF", tn=TN),
        scan("2026-12-14T19:00", "01", tn=TN),
        sms_in("2026-12-18T18:00", "HELP", phone=DENVER),  # sweeps on the 18th: 3 days on
        sub("2026-12-19T17:00", phone=miami, tn=tn3),
        scan("2026-12-19T18:00", "OF", tn=tn3), scan("2026-12-19T20:00", "01", tn=tn3),
    ]
    if policy == "compliance":  # a 24-hour state cap, texts inside Florida's 8 AM-8 PM
        inputs = [  # (times are Denver's: the sweep at 00:00 UTC is 17:00 here)
            sub("2026-12-13T17:45", phone=miami, tn=TN),
            scan("2026-12-13T17:50", "10", tn=TN), scan("2026-12-13T17:53", "OF", tn=TN),
            scan("2026-12-13T17:56", "01", tn=TN),
            sms_in("2026-12-14T17:00", "HELP", phone=DENVER),
            sub("2026-12-14T17:05", phone=miami, tn=tn3),
            scan("2026-12-14T17:10", "OF", tn=tn3), scan("2026-12-14T17:15", "01", tn=tn3),
        ]
    runs = []
    for retention in (RetentionConfig(after_close_s=0 if policy == "compliance" else 3 * 86400),
                      None):
        e = Engine(EngineConfig(policies=("milestones", policy), retention=retention))
        outs: list[Output] = []
        for inp in inputs:
            got = e.feed(inp)
            for text in texts(got):  # delivered: nothing left in flight keeps the phone
                got += e.feed(Receipt(at=text.at + 1, message_id=text.message_id,
                                      status="delivered"))
            outs += got
        outs += e.drain()
        runs.append([from_output(o) for o in outs])
        if retention is not None:
            assert e.forgotten_parcels >= 1, "the first parcel was forgotten"
        assert reason in reasons(outs), "the second parcel's texts are capped"
    assert runs[0] == runs[1], "the same texts as an engine that forgets nothing"


def test_replay_takes_the_retention_of_the_run_that_wrote_the_trace(tmp_path: Path) -> None:
    from eccc.replay import replay

    sc = load("tiny")
    short = sc.model_copy(update={"retention": sc.retention.model_copy(
        update={"after_close_days": 0.5})})
    run_to_dir(short, out=tmp_path, days=2, trace=True)
    m = Model(short, days=2)
    m.run()
    same = replay(tmp_path / "trace.jsonl", tuple(sc.policies),
                  retention=RetentionConfig(after_close_s=43_200))
    default = replay(tmp_path / "trace.jsonl", tuple(sc.policies))
    assert same.engine is not None and default.engine is not None
    assert same.engine.forgotten_parcels == m.engine.forgotten_parcels
    assert default.engine.forgotten_parcels < m.engine.forgotten_parcels


def test_replay_refuses_a_retention_out_of_order(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from eccc.cli import main

    for flags in (["--after-close-days", "-1"], ["--after-close-days", "40"],
                  ["--silent-days", "inf"], ["--after-close-days", "nan"]):
        assert main(["replay", "scenarios/example_trace.jsonl", *flags]) == 2
        assert "--after-close-days and --silent-days must be finite" in capsys.readouterr().err
