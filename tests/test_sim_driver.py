"""The sim driver around the engine: scan times from the engine, receipts, replies,
and ``run_scenario`` as a pure function of (scenario, seed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.inputs import Receipt, SmsIn
from engine.outputs import Reply, Sms
from research.sweep import run_point
from scenarios.schema import ScenarioError, load, parse
from sim.loads import Tracked
from sim.model import Model
from sim.run import run_scenario

PHONE = "+13035550123"


def tiny(**customers: Any) -> Model:
    data = load("tiny").model_dump(mode="json")
    data["customers"].update(customers)
    return Model(parse(data), log_messages=False)


def queued(m: Model) -> list[Any]:
    """Payloads waiting in the model's input queue, in time order."""
    return [entry[3] for entry in sorted(m._heap + m._run[m._ri:])]


def parcel(m: Model) -> Tracked:
    p = Tracked(0, 0, 0, m.t_begin, 0)
    m.by_tn[p.tn] = p
    return p


def sms(p: Tracked, cause: str, event_at: int | None) -> Sms:
    return Sms(at=1_000, to=PHONE, body="x", message_id="m1", tracking_number=p.tn,
               encoding="GSM-7", segments=1, cause=cause, event_at=event_at)


def test_latency_and_misleading_texts_use_the_scan_the_text_tells_of() -> None:
    m = tiny()
    p = parcel(m)
    p.errors = (("OF", 900),)  # a premature "out for delivery" scan at t=900
    m._handset(1_060.0, sms(p, "scan:OF", 900), 1_050.0)
    assert m.metrics.misleading == 1
    lat = m.metrics.latency
    assert (lat["scan_to_decision"].n, lat["scan_to_decision"].total) == (1, 100.0)
    assert (lat["scan_to_handset"].n, lat["scan_to_handset"].total) == (1, 160.0)
    # the same code from an honest scan later is not misleading
    m._handset(1_070.0, sms(p, "scan:OF", 950), 1_060.0)
    assert m.metrics.misleading == 1
    # a welcome text tells of no scan: no scan latency
    m._handset(1_080.0, sms(p, "welcome", None), 1_070.0)
    assert m.metrics.latency["scan_to_handset"].n == 2
    assert m.metrics.latency["submit_to_handset"].n == 3


def test_a_text_that_dies_in_the_gateway_queue_is_receipted_expired() -> None:
    m = tiny()
    validity = m.scenario.gateway.validity_s
    p = parcel(m)
    m.gateway.submit(validity + 10.0, sms(p, "scan:10", 0), 0, 0.0)
    assert m.gateway.expired == 1
    receipts = [x for x in queued(m) if isinstance(x, Receipt)]
    assert [r.status for r in receipts] == ["expired"]


def test_anyone_may_ask_when_whatever_their_options() -> None:
    """The options someone chose live in the engine's subscription only; the model's
    parcel keeps none, so whether they ask cannot depend on them."""
    m = tiny(status_question=1.0, help_request=0.0, quiet_request=0.0,
             fatigue={"base": 0.0})
    assert not hasattr(parcel(m), "option")
    p = parcel(m)
    phone = m.customers.people.meet(0, 0)
    m.customers.on_handset(2_000.0, phone, p, True)
    asked = [x for x in queued(m) if isinstance(x, SmsIn)]
    assert [x.body for x in asked] == [f"{p.tn} WHEN"]
    assert m.customers.status_questions == 1 and m.customers.inbound == 1


def test_help_and_quiet_replies() -> None:
    m = tiny(status_question=0.0, help_request=1.0, quiet_request=0.0, fatigue={"base": 0.0})
    p = parcel(m)
    phone = m.customers.people.meet(0, 0)
    m.customers.on_handset(2_000.0, phone, p, True)
    m.customers.on_handset(3_000.0, phone, p, False)  # replies answer notifications only
    assert [x.body for x in queued(m) if isinstance(x, SmsIn)] == ["HELP"]

    m = tiny(status_question=0.0, help_request=0.0, quiet_request=1.0, fatigue={"base": 0.0})
    p = parcel(m)
    phone = m.customers.people.meet(0, 0)
    for t in (2_000.0, 3_000.0):
        m.customers.on_handset(t, phone, p, True)
    assert [x.body for x in queued(m) if isinstance(x, SmsIn)] == ["QUIET"]  # once a person
    assert m.customers.quiet_requests == 1


def test_reply_chances_cannot_sum_above_one() -> None:
    data = load("tiny").model_dump(mode="json")
    data["customers"].update(status_question=0.6, help_request=0.3, quiet_request=0.2)
    with pytest.raises(ScenarioError, match="customers: status_question"):
        parse(data, "x.toml")


@pytest.fixture(scope="module")
def tiny_run() -> tuple[dict[str, Any], dict[str, Any]]:
    return run_scenario(load("tiny"), 3, days=1)


def test_run_scenario_writes_nothing_and_carries_its_sums(
        tiny_run: tuple[dict[str, Any], dict[str, Any]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s, d = run_scenario(load("tiny").model_dump(mode="json"), 3, days=1)  # dict form too
    assert list(tmp_path.iterdir()) == []
    assert (s, d) == tiny_run
    assert s["seed"] == 3 and s["help_requests"] > 0 and s["quiet_requests"] > 0
    assert s["cost_usd"] == round(s["cost_fixed_usd"] + s["cost_segments_usd"], 2)
    hist = d["texts_per_recipient"]
    assert sum(hist["counts"]) == s["recipients_texted"]
    assert max(hist["values"]) == s["texts_per_recipient_max"]
    assert s["parcels_tracked_delivered"] <= s["parcels_tracked"]
    assert s["ofd_text_before_delivery_share"] == round(
        s["ofd_text_before_delivery"] / s["parcels_tracked_delivered"], 4)
    span = s["run_span_h"]
    for fac in ("denver_rpdc", "miami_sdc"):
        big_l = s[f"facility_{fac}_queue_area_h"] / span
        assert s[f"facility_{fac}_queue_mean"] == pytest.approx(big_l, abs=0.01)
        assert s[f"facility_{fac}_wait_mean_h"] == pytest.approx(
            s[f"facility_{fac}_wait_sum_h"] / s[f"facility_{fac}_processed"], abs=1e-4)


def test_run_point_is_run_scenario(tiny_run: tuple[dict[str, Any], dict[str, Any]]) -> None:
    data = load("tiny").model_dump(mode="json")
    data["days"] = 1
    assert run_point(data, 3) == {"summary": tiny_run[0], "distributions": tiny_run[1]}


def test_run_scenario_takes_policies() -> None:
    s, _ = run_scenario(load("tiny"), 3, policies=("every_scan",), days=0.5)
    assert s["policies"] == "every_scan"


def test_a_parcel_is_folded_at_the_utc_midnight_its_grace_after_it_closed() -> None:
    from sim.followed import FollowedParcels, grace_days

    assert grace_days(4 * 3600) == 2 and grace_days(86_400) == 3
    f = FollowedParcels(grace_days=2)
    p = Tracked(7, 0, 0, 0.0, 0)
    f.add(p)
    p.delivered_at = 5 * 86_400 + 80_000.0  # late on UTC day 5
    f.closed(p, p.delivered_at)
    f.retire(8 * 86_400 - 1)
    assert p.tn in f.live  # still in day 7
    f.retire(8 * 86_400)
    assert p.tn not in f.live and f.delivered == 1


def test_only_a_notification_needs_its_parcel_after_the_fold() -> None:
    m = tiny()
    phone = m.customers.people.meet(0, 0)
    gone = Tracked(1, 0, 0, m.t_begin, 0).tn  # never followed here: as if folded
    reply = Reply(at=1_000, to=phone, body="x", message_id="r1", tracking_number=gone,
                  encoding="GSM-7", segments=1, cause="reply:YES")
    m._handset(1_010.0, reply, 1_000.0)
    assert m.followed.texts_after_fold == 0  # an answer to a YES needs no parcel
    note = Sms(at=1_000, to=phone, body="x", message_id="n1", tracking_number=gone,
               encoding="GSM-7", segments=1, cause="scan:01", event_at=900)
    m._handset(1_010.0, note, 1_000.0)
    assert m.followed.texts_after_fold == 1


def test_texts_per_recipient_kept_by_person_are_those_counted_by_number() -> None:
    """The model counts each recipient's texts by person (a flat array in ``People``):
    the same totals, and so the same metrics, as the tally by phone number of the same
    outputs."""
    from engine.outputs import Output
    from engine.tally import OutputTally

    m = Model(load("tiny"), seed=5, log_messages=False)
    by_number = OutputTally()
    handle = m.engine.handle

    def tallied(inp: Any) -> list[Output]:
        outs = handle(inp)
        by_number.add(outs)
        return outs

    m.engine.handle = tallied  # type: ignore[method-assign]
    m.run()
    assert m.tally.recipients is m.customers.people
    assert sorted(m.tally.recipients.totals()) == sorted(by_number.recipients.totals())
    assert m.tally.metrics() == by_number.metrics()
    assert m.tally.metrics()["recipients_texted"] > 10


_FLAG_SETS = st.lists(st.one_of(
    st.tuples(st.sampled_from(["exception", "exception_texted", "returned", "of_texted",
                               "of_first"]), st.booleans()),
    st.tuples(st.just("missing"), st.sampled_from(["", "rpdc", "lpc"])),
    st.tuples(st.just("scans"), st.integers(0, 125))), max_size=12)


@settings(max_examples=300, deadline=None)
@given(_FLAG_SETS, st.integers(0, 65_535), st.integers(0, 65_535))
def test_a_followed_parcels_flags_read_back_as_fields(
        sets: list[tuple[str, Any]], origin: int, dest: int) -> None:
    """``Tracked`` keeps its five booleans, the missing scan's facility and its count
    of scans in one int, its two regions in another: whatever is set, in any order,
    each reads back as the last value set, as plain fields would."""
    p = Tracked(7, origin, dest, 100.0, 20_000)
    want: dict[str, Any] = {"exception": False, "exception_texted": False,
                            "returned": False, "of_texted": False, "of_first": False,
                            "missing": "", "scans": 0}
    for name, value in sets:
        setattr(p, name, value)
        want[name] = value
    p.scans += 1
    p.add_scans(1)
    want["scans"] += 2
    assert {name: getattr(p, name) for name in want} == want
    assert (p.origin, p.dest) == (origin, dest)
    twin = Tracked(8, origin, dest, 100.0, 20_000)
    twin.flags = 0
    for name in want:
        setattr(twin, name, getattr(p, name))
    # Equal values share one int object (Python shares only -5 to 256 on its own).
    assert twin.flags is p.flags and twin.route is p.route
    with pytest.raises(ValueError, match="missing scan"):
        p.missing = "sdc"
    with pytest.raises(ValueError, match="regions"):
        Tracked(7, 65_536, dest, 100.0, 20_000)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.integers(0, 10 * 3600), max_size=3),
       close_at=st.integers(0, 10 * 3600), close_step=st.integers(0, 3),
       outcome=st.sampled_from(["delivered", "returned", "never"]))
def test_out_for_delivery_text_first_is_the_first_text_no_later_than_the_delivery(
        texts: list[int], close_at: int, close_step: int, outcome: str) -> None:
    """``of_text_first`` counts a delivered parcel whose first "out for delivery" text
    came no later than its delivery, as comparing the two times at the fold did, whether
    the text came before or after the delivery was known, or the parcel was returned or
    never closed."""
    from sim.followed import FollowedParcels

    f = FollowedParcels(grace_days=0)
    p = Tracked(7, 0, 0, 0.0, 0)
    f.add(p)
    first: float | None = None
    steps = sorted(texts)
    for k in range(len(steps) + 1):
        if k == close_step and outcome == "delivered":
            p.delivered_at = float(close_at)
            f.closed(p, float(close_at))
        elif k == close_step and outcome == "returned":
            p.returned = True
            f.closed(p, float(close_at))
        if k < len(steps) and not p.of_texted:  # the handset's test: the first text only
            f.of_texted(p, float(steps[k]))
            first = float(steps[k]) if first is None else first
    f.finish()
    want = outcome == "delivered" and close_step <= len(steps) and first is not None and (
        first <= close_at)
    assert f.of_text_first == int(want)
    assert not f._of_waiting
