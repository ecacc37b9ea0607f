"""Frequency policies, alone and composed."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import LocalMisuse
from engine.outputs import Held, WakeAt
from engine.policies import REGISTRY, build, parse_spec
from tests.helpers import MIAMI, TN2, at, engine, notices, reasons, scan, sms_in, sub

DAY = ["03", "10", "EF", "10", "EF", "07", "PC", "OF", "01"]


def day_of_scans(start_hour: int = 9, day: str = "2026-12-14") -> list:  # type: ignore[type-arg]
    return [scan(f"{day}T{start_hour + i:02d}:00", c) for i, c in enumerate(DAY)]


def test_every_scan_texts_every_scan() -> None:
    out = engine("every_scan").handle_all([sub("2026-12-14T08:30"), *day_of_scans()])
    assert len(notices(out)) == len(DAY)


def test_milestones_one_text_per_status_change() -> None:
    out = engine("milestones").handle_all([sub("2026-12-14T08:30"), *day_of_scans()])
    assert [n.cause for n in notices(out)] == ["scan:03", "scan:10", "scan:07", "scan:OF",
                                               "scan:01"]
    assert reasons(out) == ["same_milestone"] * 4


def test_rolling_cap_counts_a_24h_window() -> None:
    e = engine("every_scan", "cap_rolling:limit=3")
    out = e.handle_all([sub("2026-12-14T08:30"), sub("2026-12-14T08:31", tn=TN2),
                        *day_of_scans(), scan("2026-12-15T09:30", "10", tn=TN2)])
    sent = notices(out)
    assert len(sent) == 4  # three on day one, one a day later
    assert sent[3].at - sent[0].at >= 24 * 3600
    assert reasons(out).count("cap") == len(DAY) - 3


def test_calendar_cap_resets_at_local_midnight() -> None:
    e = engine("every_scan", "cap_calendar:limit=2")
    out = e.handle_all([sub("2026-12-14T08:30"), scan("2026-12-14T21:00", "03"),
                        scan("2026-12-14T22:00", "10"), scan("2026-12-14T23:00", "EF"),
                        scan("2026-12-15T00:30", "10")])
    assert [n.cause for n in notices(out)] == ["scan:03", "scan:10", "scan:10"]
    assert reasons(out) == ["cap"]


def test_quiet_hours_hold_until_eight_local_and_release_on_wake() -> None:
    e = engine("every_scan", "quiet_hours")
    out = e.handle_all([sub("2026-12-14T08:30"), scan("2026-12-14T22:00", "10")])
    held = [o for o in out if isinstance(o, Held)]
    assert held and held[0].until == at("2026-12-15T08:00")
    assert any(isinstance(o, WakeAt) and o.at == at("2026-12-15T08:00") for o in out)
    (sent,) = notices(out)
    assert sent.at == at("2026-12-15T08:00")


def test_strict_states_end_at_eight_pm() -> None:
    # a Florida area code presumes Florida law even with a Colorado ZIP
    e = engine("every_scan", "quiet_hours")
    out = e.handle_all([sub("2026-12-14T08:30", phone=MIAMI, destination_zip="80202"),
                        scan("2026-12-14T20:30", "10")])
    assert [o.reason for o in out if isinstance(o, Held)] == ["quiet_hours"]
    e2 = engine("every_scan", "quiet_hours")
    out2 = e2.handle_all([sub("2026-12-14T08:30", destination_zip="80202"),
                          scan("2026-12-14T20:30", "10")])
    assert notices(out2)[0].at == at("2026-12-14T20:30")


def test_quiet_drop_mode_and_exceptions_through() -> None:
    out = engine("every_scan", "quiet_hours:mode=drop").handle_all(
        [sub("2026-12-14T08:30"), scan("2026-12-14T22:00", "10")])
    assert notices(out) == [] and reasons(out) == ["quiet_hours"]
    out = engine("every_scan", "quiet_hours:exceptions=true").handle_all(
        [sub("2026-12-14T08:30"), scan("2026-12-14T22:00", "02"), scan("2026-12-14T22:05", "OF")])
    assert [n.cause for n in notices(out)] == ["scan:02", "scan:OF"]
    assert notices(out)[0].at == at("2026-12-14T22:00")
    assert notices(out)[1].at == at("2026-12-15T08:00")


def test_person_quiet_window_is_central_time() -> None:
    e = engine("every_scan", "quiet_hours")
    # 22:30 Denver is 23:30 Central: inside QUIET, outside the legal window's end (21:00)
    # 06:30 Central is 05:30 Denver; the text waits for 8:00 Denver either way.
    out = e.handle_all([sub("2026-12-14T08:30"), sms_in("2026-12-14T08:40", "QUIET"),
                        scan("2026-12-14T20:30", "10")])
    (sent,) = notices(out)
    assert sent.at == at("2026-12-14T20:30")  # 21:30 Central: allowed
    out = e.handle_all([sms_in("2026-12-15T10:00", "awake"), scan("2026-12-15T20:50", "EF")])
    assert notices(out)[0].at == at("2026-12-15T20:50")


def test_held_texts_that_went_stale_are_dropped() -> None:
    e = engine("every_scan", "quiet_hours")
    out = e.handle_all([sub("2026-12-14T08:30"), scan("2026-12-14T22:00", "OF"),
                        scan("2026-12-14T23:00", "01")])
    # both held overnight; the delivered one is sent, the out-for-delivery is superseded
    assert [n.cause for n in notices(out)] == ["scan:01"]
    assert reasons(out) == ["superseded"]
    e = engine("every_scan", "quiet_hours:exceptions=true", "digest:minutes=600")
    out = e.handle_all([sub("2026-12-14T08:30"), scan("2026-12-14T22:00", "10"),
                        scan("2026-12-14T23:00", "02"), scan("2026-12-15T06:00", "01")])
    assert "stale" in reasons(out) or "superseded" in reasons(out)
    assert [n.cause for n in notices(out)][-1] == "scan:01"


def test_stale_when_delivered_while_held() -> None:
    e = engine("every_scan", "digest:minutes=30", "quiet_hours")
    out = e.feed(sub("2026-12-14T08:30", options=("day_of_delivery",)))
    out += e.feed(scan("2026-12-14T22:00", "OF"))
    # the digest releases the OF at 22:30 into quiet hours, held until 8:00...
    out += e.feed(scan("2026-12-15T06:00", "07", tn=TN2))
    assert notices(out) == [] and [o.reason for o in out if isinstance(o, Held)] == [
        "digest", "quiet_hours"]
    # ...and the parcel is delivered at 7:00 (not news for this person's option)
    out = e.feed(scan("2026-12-15T07:00", "01")) + e.drain()
    assert reasons(out) == ["option", "stale"]
    assert notices(out) == []


def test_digest_coalesces_a_burst_into_the_newest() -> None:
    e = engine("digest:minutes=60")
    out = e.handle_all([sub("2026-12-14T08:30"), scan("2026-12-14T09:00", "03"),
                        scan("2026-12-14T09:20", "10"), scan("2026-12-14T09:40", "EF")])
    (sent,) = notices(out)
    assert sent.cause == "scan:EF" and sent.at == at("2026-12-14T10:00")
    assert reasons(out) == ["superseded", "superseded"]


def test_eta_change_threshold() -> None:
    e = engine("milestones", "eta_change:threshold_days=2")
    out = e.handle_all([sub("2026-12-14T08:30", options=("all",)),
                        scan("2026-12-14T09:00", "03", expected_delivery=20437),
                        scan("2026-12-14T10:00", "10", expected_delivery=20438),
                        scan("2026-12-14T11:00", "10", expected_delivery=20439)])
    assert [n.cause for n in notices(out)] == ["scan:03", "scan:10"]
    assert reasons(out) == ["eta_below_threshold"]
    e = engine("milestones", "eta_change:threshold_days=2")
    out = e.handle_all([sub("2026-12-14T08:30"),
                        scan("2026-12-14T09:00", "03", expected_delivery=20437),
                        scan("2026-12-14T09:30", "10"),
                        scan("2026-12-14T10:00", "10", expected_delivery=20438),
                        scan("2026-12-14T11:00", "10", expected_delivery=20439)])
    assert [n.cause for n in notices(out)] == ["scan:03", "scan:10", "scan:10"]
    assert reasons(out) == ["eta_below_threshold"]


def test_composition_milestones_quiet_cap() -> None:
    e = engine("milestones", "quiet_hours", "cap_rolling:limit=3")
    out = e.handle_all([sub("2026-12-14T08:30"), *day_of_scans(start_hour=14)])
    sent = notices(out)
    assert len(sent) <= 3
    for n in sent:
        hour = (n.at - at("2026-12-14T00:00")) // 3600 % 24
        assert 8 <= hour < 21


def test_policy_specs_and_errors() -> None:
    assert parse_spec("cap_rolling:limit=3,hours=12") == ("cap_rolling", {"limit": 3, "hours": 12})
    assert parse_spec("quiet_hours:exceptions=true") == ("quiet_hours", {"exceptions": True})
    with pytest.raises(LocalMisuse, match="'limit' is given twice"):
        parse_spec("cap_rolling:limit=3, limit=4")
    assert set(REGISTRY) >= {"every_scan", "milestones", "eta_change", "quiet_hours",
                             "cap_rolling", "cap_calendar", "digest"}
    with pytest.raises(LocalMisuse, match="known policies"):
        build(["nope"])
    with pytest.raises(LocalMisuse, match="limit"):
        build(["cap_rolling:limit=0"])
    with pytest.raises(LocalMisuse, match=r"unknown parameter 'lmit' \(did you mean 'limit'\?\); "
                       r"cap_rolling takes: limit, hours"):
        build(["cap_rolling:lmit=3"])
    with pytest.raises(LocalMisuse, match=r"unknown policy 'milestone' \(did you mean "):
        build(["milestone"])
    with pytest.raises(LocalMisuse, match="key=value"):
        build(["cap_rolling:3"])


def test_researchers_policy_plugs_in() -> None:
    from engine.codes import AVAILABLE_FOR_PICKUP
    from engine.policies import Drop, Policy, register
    from engine.state import Notice

    @register
    class NoPickups(Policy):
        name = "test_no_pickups"

        def check(self, notice: Notice, now: int) -> Drop | None:
            return Drop("no_pickups") if notice.milestone == AVAILABLE_FOR_PICKUP else None

    try:
        out = engine("test_no_pickups").handle_all([sub("2026-12-14T08:30"),
                                                    scan("2026-12-14T09:00", "03"),
                                                    scan("2026-12-14T12:00", "16")])
        assert reasons(out) == ["no_pickups"]
        assert [n.cause for n in notices(out)] == ["scan:03"]
    finally:
        del REGISTRY["test_no_pickups"]


def test_exceptions_through_still_respect_a_persons_quiet() -> None:
    # found by the property tests (seed 11): an attempt at 22:00 Denver is 23:00
    # Central; "exceptions through" lifts the legal window, not the person's QUIET
    e = engine("every_scan", "quiet_hours:exceptions=true")
    out = e.handle_all([sub("2026-12-14T08:30"), sms_in("2026-12-14T08:40", "QUIET"),
                        scan("2026-12-14T20:30", "OF"), scan("2026-12-14T22:00", "02")])
    assert [(n.cause, n.at) for n in notices(out)] == [
        ("scan:OF", at("2026-12-14T20:30")), ("scan:02", at("2026-12-15T06:00"))]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20 * 3600), st.booleans(), st.sampled_from([0, 1, 2])),
                max_size=30),
       st.integers(1, 4), st.integers(1, 12), st.integers(0, 30), st.sampled_from([1, 2, 4_096]))
def test_rolling_cap_against_the_window_it_describes(
        steps: list[tuple[int, bool, int]], limit: int, hours: int, old_at: int,
        compact_at: int) -> None:
    """A text is capped when the ``limit``-th newest send to its phone is within
    ``hours`` of now, for each of three phones texted in any order, however often the
    log lets go of its front. A snapshot written when each phone kept its latest
    ``limit`` send times (a tuple, a list or one bare int), restored at any step, gives
    the same verdicts; a forgotten phone leaves nothing behind."""
    import pickle
    from types import SimpleNamespace

    import engine.recent as recent
    from engine.policies.caps import RollingCap
    from engine.state import Phone

    phones = [Phone(f"+1303555012{k}") for k in range(3)]
    notices: list[Any] = [SimpleNamespace(sub=SimpleNamespace(phone=p)) for p in phones]
    sends: list[list[int]] = [[], [], []]
    now = 1_800_000_000
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(recent, "COMPACT_AT", compact_at)
        cap = RollingCap(limit=limit, hours=hours)
        for i, (gap, send, who) in enumerate(steps):
            now += gap
            if i == old_at:  # as a snapshot of the earlier code would hold it
                kept: dict[Phone, object] = {}
                for k, p in enumerate(phones):
                    latest = cap.times(p)[-limit:]
                    if latest:
                        kept[p] = latest[0] if len(latest) == 1 else [tuple, list][k % 2](latest)
                old = RollingCap.__new__(RollingCap)
                old.__setstate__({"limit": limit, "hours": hours, "_sent": kept})
                cap, phones = pickle.loads(pickle.dumps((old, phones)))  # as in a snapshot
                notices = [SimpleNamespace(sub=SimpleNamespace(phone=p)) for p in phones]
            mine = sends[who]
            want = len(mine) >= limit and mine[-limit] > now - hours * 3600
            assert (cap.check(notices[who], now) is not None) == want
            if send:
                cap.sent(notices[who], now)
                mine.append(now)
            got = cap.times(phones[who])
            assert list(got) == mine[len(mine) - len(got):]
        cap.forget([], phones[:1])
        assert cap.times(phones[0]) == () and cap._recent.count(phones[0]) == 0
        assert all(p is not phones[0] for p in cap._recent._keys)


def test_compliance_caps_from_a_snapshot_of_send_times_give_the_same_verdicts() -> None:
    """A snapshot written before the compliance policy counted in windows (engine.recent)
    kept each phone's send times; restored, a Florida number at its cap of 3 a day is
    capped until the first of them is a day old, as with the policy that sent them."""
    from types import SimpleNamespace

    from engine.geo import locate
    from engine.policies.law import Compliance
    from engine.state import Phone

    phone = Phone("+13055550142")
    notice: Any = SimpleNamespace(sub=SimpleNamespace(
        phone=phone, terms=SimpleNamespace(clues=locate(phone.e164, "33101").clues)))
    noon = 1_797_440_400  # 2026-12-16 17:00 UTC, noon in Miami
    live = Compliance()
    times = [noon, noon + 600, noon + 1200]
    for t in times:
        assert live.check(notice, t) is None
        live.sent(notice, t)
    old = Compliance.__new__(Compliance)
    old.__setstate__({"mode": "hold", "caps": True, "by": "both", "_sent": {phone: list(times)}})
    verdicts = []
    for t in (noon + 3600, noon + 86_400, noon + 86_400 + 600):  # in time order, as the engine
        verdicts.append(live.check(notice, t))
        assert old.check(notice, t) == verdicts[-1]
    assert verdicts[0] is not None  # capped at first: the comparison means something
    assert verdicts[1] is None  # then the first text left the window


def test_weekly_budget_from_a_snapshot_of_send_times_gives_the_same_verdicts() -> None:
    """A snapshot written before the budget counted in a window (engine.recent) kept each
    phone's latest ``limit`` send times as a list; restored, it answers as the live one."""
    from types import SimpleNamespace

    from engine.policies.budget import WeeklyBudget
    from engine.state import Phone

    phone = Phone("+13035550123")
    notice: Any = SimpleNamespace(sub=SimpleNamespace(phone=phone), milestone=0)
    live = WeeklyBudget(limit=2, days=1)
    for t in (1_000, 2_000, 3_000):
        live.sent(notice, t)
    old = WeeklyBudget.__new__(WeeklyBudget)
    old.__setstate__({"limit": 2, "days": 1, "exceptions": False, "_sent": {phone: [2_000, 3_000]}})
    verdicts = []
    for t in (4_000, 1_000 + 86_400, 2_000 + 86_400, 3_000 + 86_400):  # in time order
        verdicts.append(live.check(notice, t))
        assert old.check(notice, t) == verdicts[-1]
    assert verdicts[:2] != [None, None] and verdicts[-1] is None


def test_a_snapshot_of_held_texts_that_kept_their_due_time_still_loads(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A held ``Notice`` no longer keeps ``due`` (its heap entry has it, and nothing read
    it); a snapshot written when it did loads and releases the same texts."""
    import pickle

    from engine.state import Notice

    def run(old: bool) -> list[Any]:
        e = engine("every_scan", "quiet_hours")
        e.handle(sub("2026-12-14T08:30"))
        e.handle(sub("2026-12-14T08:31", tn=TN2))
        e.handle(scan("2026-12-14T22:00", "10"))
        e.handle(scan("2026-12-14T22:30", "10", tn=TN2))
        e.handle(scan("2026-12-14T23:00", "OF"))
        held = e._held
        assert len(held) == 3
        with monkeypatch.context() as m:
            if old:
                def old_state(self: Notice) -> tuple[None, dict[str, object]]:
                    slots = {k: getattr(self, k) for k in type(self).__slots__}
                    return None, {**slots, "due": held[0][0]}
                m.setattr(Notice, "__getstate__", old_state, raising=False)
            blob = pickle.dumps(e)
        assert (b"\x8c\x03due" in blob) is old  # the field's name, pickled
        restored: Any = pickle.loads(blob)
        return restored.drain()

    old, new = run(old=True), run(old=False)
    assert old == new
    assert [n.cause for n in notices(new)] == ["scan:10", "scan:OF"]
    assert reasons(new) == ["superseded"]


@pytest.mark.parametrize("spec", ["cap_rolling:limit=abc", "cap_rolling:limit=1.5",
                                  "cap_rolling:limit=nan", "cap_rolling:limit=1e300",
                                  "cap_rolling:limit=true"])
def test_a_policy_parameter_of_the_wrong_kind_is_named(spec: str) -> None:
    """It used to reach the policy and fail inside it ("'<' not supported between
    instances of 'str' and 'int'")."""
    from engine.errors import LocalMisuse
    from engine.policies import build

    with pytest.raises(LocalMisuse, match="limit must be a whole number"):
        build([spec])


def test_quiet_windows_that_never_meet_drop_the_text_instead_of_holding_it_for_ever() -> None:
    """A Los Angeles phone with a New York address: 8-10 AM windows three hours apart."""
    out = engine("every_scan", "quiet_hours:start=8,strict_end=10,end=10").handle_all([
        sub("2026-12-14T05:00", phone="+12135550123", destination_zip="10001"),
        scan("2026-12-14T07:00", "10")])
    assert notices(out) == [] and reasons(out) == ["no_quiet_window"]
    assert not [o for o in out if isinstance(o, Held)]


@given(start=st.integers(0, 22), width=st.integers(1, 14), strict=st.booleans(),
       quiet=st.booleans(), zones=st.lists(st.sampled_from(
           ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
            "Pacific/Honolulu", "America/Anchorage", "America/Puerto_Rico"]),
           min_size=1, max_size=3, unique=True),
       minute=st.integers(0, 3 * 24 * 60))
@settings(max_examples=300, deadline=None)
def test_quiet_hours_next_allowed_is_the_first_allowed_minute(
        start: int, width: int, strict: bool, quiet: bool, zones: list[str],
        minute: int) -> None:
    """Against a minute-by-minute search: the first minute inside every zone's window and
    outside QUIET's night (11 PM-7 AM Central), or None if none in a week."""
    from zoneinfo import ZoneInfo

    from engine.policies.quiet import QuietHours
    end = min(24, start + width)
    policy = QuietHours(start=start, end=end, strict_end=end)
    tzs = tuple(ZoneInfo(z) for z in zones)
    t0 = at("2026-11-02T00:00:00+00:00") + 60 * minute  # after the autumn change, before spring's

    def fine(t: int) -> bool:
        from datetime import datetime
        for z in tzs:
            if not start <= datetime.fromtimestamp(t, z).hour < end:
                return False
        central = datetime.fromtimestamp(t, ZoneInfo("America/Chicago")).hour
        return not quiet or 7 <= central < 23

    expected = next((t0 + 60 * k for k in range(7 * 24 * 60) if fine(t0 + 60 * k)), None)
    assert policy.next_allowed(t0, tzs[0], strict, quiet, zones=tzs) == expected


def test_quiet_drop_mode_still_holds_for_a_persons_own_quiet() -> None:
    """mode=drop drops outside the legal window; a text inside it but in the person's
    QUIET night is held (a person's own QUIET always holds)."""
    out = engine("every_scan", "quiet_hours:mode=drop").handle_all([
        sub("2026-12-14T08:30"), sms_in("2026-12-14T08:40", "QUIET"),
        scan("2026-12-15T06:30", "10")])  # before the legal window (8:00): dropped
    assert reasons(out) == ["quiet_hours"]
    out = engine("every_scan", "quiet_hours:mode=drop,start=6").handle_all([
        sub("2026-12-14T08:30"), sms_in("2026-12-14T08:40", "QUIET"),
        scan("2026-12-14T22:30", "10")])  # after the legal window (21:00): dropped
    assert reasons(out) == ["quiet_hours"]
    out = engine("every_scan", "quiet_hours:mode=drop,start=6,end=24,strict_end=24").handle_all([
        sub("2026-12-14T08:30"), sms_in("2026-12-14T08:40", "QUIET"),
        scan("2026-12-14T22:30", "10")])  # lawful at 22:30 Denver, QUIET (23:30 Central)
    (sent,) = notices(out)
    assert reasons(out) == [] and sent.at == at("2026-12-15T06:00")  # 7:00 Central


@pytest.mark.parametrize("spec", ["digest:minutes=43201", "backoff_digest:max_minutes=99999999",
                                  "cap_rolling:hours=8785", "weekly_budget:days=367",
                                  "backoff_digest:reset_hours=9000"])
def test_a_hold_or_window_beyond_reach_is_refused_when_the_chain_is_built(spec: str) -> None:
    with pytest.raises(LocalMisuse, match="must be from 1 to"):
        build([spec])
