"""The policies researchers ask for: a weekly budget, a backoff digest, actionable only."""

import pytest

from engine.errors import LocalMisuse
from engine.outputs import Held
from engine.policies import build
from engine.policies.digest import BackoffDigest
from tests.helpers import TN, TN2, at, engine, notices, reasons, scan, sub

TN3 = "9400111899223456789036"
DAY = ["03", "10", "EF", "10", "EF", "07", "PC", "OF", "01"]


def test_weekly_budget_counts_a_rolling_week_across_parcels() -> None:
    e = engine("milestones", "weekly_budget:limit=3")
    out = e.handle_all([
        sub("2026-12-14T08:00"), sub("2026-12-14T08:01", tn=TN2), sub("2026-12-14T08:02", tn=TN3),
        scan("2026-12-14T09:00", "03"), scan("2026-12-15T09:00", "03", tn=TN2),
        scan("2026-12-16T09:00", "03", tn=TN3),
        scan("2026-12-20T09:00", "10"),   # day 6: the budget of 3 is spent
        scan("2026-12-21T09:30", "07"),   # 7 days and 30 min after the first: one freed
        scan("2026-12-21T10:00", "10", tn=TN2),  # ...and spent again
    ])
    assert [(n.tracking_number, n.cause) for n in notices(out)] == [
        (TN, "scan:03"), (TN2, "scan:03"), (TN3, "scan:03"), (TN, "scan:07")]
    assert reasons(out) == ["budget", "budget"]


def test_weekly_budget_lets_exceptions_and_delivered_through_when_asked() -> None:
    scans = [sub("2026-12-14T08:00"), scan("2026-12-14T09:00", "03"),
             scan("2026-12-14T10:00", "10"), scan("2026-12-15T10:00", "OF"),
             scan("2026-12-15T14:00", "02"), scan("2026-12-16T14:00", "01")]
    strict = engine("milestones", "weekly_budget:limit=2").handle_all(scans)
    assert [n.cause for n in notices(strict)] == ["scan:03", "scan:10"]
    loose = engine("milestones", "weekly_budget:limit=2,exceptions=true").handle_all(scans)
    assert [n.cause for n in notices(loose)] == ["scan:03", "scan:10", "scan:02", "scan:01"]
    assert reasons(loose) == ["budget"]  # out for delivery is neither


@pytest.mark.parametrize(("texts", "window"), [
    (0, 0), (1, 30), (2, 60), (3, 120), (5, 480), (6, 720), (40, 720)])
def test_backoff_window_grows_with_texts_sent(texts: int, window: int) -> None:
    assert BackoffDigest(minutes=30, factor=2, max_minutes=720).window_minutes(texts) == window


def test_backoff_digest_sends_at_once_then_backs_off() -> None:
    e = engine("backoff_digest:minutes=30,factor=2,max_minutes=120")
    out = e.handle_all([
        sub("2026-12-14T08:00"),
        scan("2026-12-14T09:00", "03"),   # nothing sent in 24 h: at once
        scan("2026-12-14T09:10", "10"),   # one text before: 30-min window, to 09:40
        scan("2026-12-14T09:20", "EF"),   # same window: coalesced with the 10
        scan("2026-12-14T10:00", "10"),   # two texts before: 60 min, to 11:00
        scan("2026-12-14T11:30", "EF"),   # three: 120 min (the maximum), to 13:30
        scan("2026-12-16T09:00", "07"),   # a quiet day later: at once again
    ])
    assert [(n.cause, n.at) for n in notices(out)] == [
        ("scan:03", at("2026-12-14T09:00")), ("scan:EF", at("2026-12-14T09:40")),
        ("scan:10", at("2026-12-14T11:00")), ("scan:EF", at("2026-12-14T13:30")),
        ("scan:07", at("2026-12-16T09:00"))]
    assert reasons(out) == ["superseded"]
    assert [o.until for o in out if isinstance(o, Held)] == [
        at("2026-12-14T09:40"), at("2026-12-14T09:40"), at("2026-12-14T11:00"),
        at("2026-12-14T13:30")]


def test_backoff_counts_the_person_not_the_parcel() -> None:
    e = engine("backoff_digest:minutes=45")
    out = e.handle_all([sub("2026-12-14T08:00"), sub("2026-12-14T08:01", tn=TN2),
                        scan("2026-12-14T09:00", "03"), scan("2026-12-14T09:05", "03", tn=TN2)])
    assert [(n.tracking_number, n.at) for n in notices(out)] == [
        (TN, at("2026-12-14T09:00")), (TN2, at("2026-12-14T09:50"))]


def test_actionable_texts_only_what_the_person_can_act_on() -> None:
    day = [scan(f"2026-12-14T{9 + i:02d}:00", c) for i, c in enumerate(DAY)]
    out = engine("actionable").handle_all([sub("2026-12-14T08:30"), *day])
    assert [n.cause for n in notices(out)] == ["scan:OF", "scan:01"]
    assert reasons(out) == ["not_actionable"] * 7
    out = engine("actionable:delivered=false").handle_all([sub("2026-12-14T08:30"), *day])
    assert [n.cause for n in notices(out)] == ["scan:OF"]


def test_actionable_exceptions_pickup_and_repeats() -> None:
    out = engine("actionable").handle_all([
        sub("2026-12-14T08:30"), scan("2026-12-14T09:00", "OF"), scan("2026-12-14T09:30", "OF"),
        scan("2026-12-14T15:00", "02"), scan("2026-12-15T09:00", "OF"),
        scan("2026-12-15T15:00", "16"), scan("2026-12-16T10:00", "17")])
    assert [n.cause for n in notices(out)] == ["scan:OF", "scan:02", "scan:OF", "scan:16",
                                               "scan:17"]
    assert reasons(out) == ["not_actionable"]  # the repeated out-for-delivery


def test_actionable_texts_a_moved_date_by_its_threshold() -> None:
    d = 20437  # days since the epoch
    inputs = [sub("2026-12-14T08:30"),
              scan("2026-12-14T09:00", "03", expected_delivery=d),      # first date: not a move
              scan("2026-12-14T10:00", "OF"),                           # told: date d
              scan("2026-12-14T11:00", "OF", expected_delivery=d + 1),  # moved one day
              scan("2026-12-14T12:00", "OF", expected_delivery=d + 3)]  # three from d
    out = engine("actionable").handle_all(inputs)
    assert [n.cause for n in notices(out)] == ["scan:OF", "scan:OF", "scan:OF"]
    out = engine("actionable:threshold_days=2").handle_all(inputs)
    assert [n.cause for n in notices(out)] == ["scan:OF", "scan:OF"]
    assert notices(out)[1].at == at("2026-12-14T12:00")
    out = engine("actionable:first_eta=true").handle_all(inputs[:2])
    assert [n.cause for n in notices(out)] == ["scan:03"]


@pytest.mark.parametrize("spec", [
    "weekly_budget:limit=0", "weekly_budget:days=0", "backoff_digest:factor=0",
    "backoff_digest:minutes=60,max_minutes=30", "actionable:threshold_days=0"])
def test_new_policies_refuse_bad_parameters(spec: str) -> None:
    with pytest.raises(LocalMisuse, match=spec.partition(":")[0]):
        build([spec])
