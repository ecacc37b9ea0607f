"""Property tests (hypothesis) for the engine's invariants.

Each property drives fresh engines with realistic streams (tests/strategies.py)
and checks the outputs against rules computed here from the inputs alone:
opt-outs (CTIA), caps, quiet hours (TCPA hours, the service's QUIET window),
duplicate and late scans, determinism, and bad input.

The properties found five engine bugs (fixed); each has a regression test at
the end, built from the shrunk counterexample.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import (
    DAY,
    DEC_14_2026,
    HOUR,
    KEYWORD_BODIES,
    OPT_BODIES,
    PHONES,
    QUIET_BODIES,
    QUIET_EDGE_PHONES,
    TRACKING_NUMBERS,
    code_paths,
    digest_bursts,
    late_arrivals,
    streams,
    with_duplicates,
)

from engine import codes, templates
from engine.core import Engine, EngineConfig, message_id
from engine.errors import InvalidInput
from engine.geo import Place, locate
from engine.inputs import Input, Scan, SmsIn, Subscribe, Wake
from engine.keywords import parse
from engine.outputs import Output, Reply, Sms, Suppressed
from engine.phones import normalise
from engine.records import from_output
from engine.state import RECORD, unpack_scan

CENTRAL = ZoneInfo("America/Chicago")
CHAINS: tuple[tuple[str, ...], ...] = (
    ("every_scan",),
    ("milestones",),
    ("every_scan", "quiet_hours"),
    ("every_scan", "quiet_hours:mode=drop"),
    ("milestones", "quiet_hours", "cap_rolling:limit=3"),
    ("every_scan", "cap_calendar:limit=2"),
    ("digest:minutes=60",),
    ("digest:minutes=120", "quiet_hours"),
    ("milestones", "eta_change:threshold_days=2", "quiet_hours:exceptions=true"),
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------- helpers
def run(inputs: Iterable[Input], policies: Sequence[str]) -> list[Output]:
    return Engine(EngineConfig(policies=tuple(policies))).handle_all(inputs)


def stepwise(engine: Engine, inputs: Iterable[Input]) -> Iterator[tuple[Input, list[Output]]]:
    """``handle_all`` one input at a time (wake-ups as their own steps), so a
    check can see the state each output was decided in."""
    for inp in inputs:
        while engine.next_wake is not None and engine.next_wake <= inp.at:
            wake = Wake(at=engine.next_wake)
            yield wake, engine.handle(wake)
        yield inp, engine.handle(inp)
    while engine.next_wake is not None:
        wake = Wake(at=engine.next_wake)
        yield wake, engine.handle(wake)


def texts(outputs: Iterable[Output]) -> list[tuple[str, int, str, str, str]]:
    return [(o.kind, o.at, o.to, o.body, o.message_id) for o in outputs
            if isinstance(o, Sms | Reply)]


def notifications(outputs: Iterable[Output]) -> list[Sms]:
    """Texts that went through the policy chain (welcomes and replies do not)."""
    return [o for o in outputs if isinstance(o, Sms) and o.cause.startswith("scan:")]


def rank_of_cause(cause: str) -> int | None:
    milestone = codes.milestone_of(cause.removeprefix("scan:"))
    if milestone == codes.RETURN_TO_SENDER:
        return None
    return codes.PROGRESS[milestone]


class People:
    """Each phone's opt-out and QUIET state, as CTIA practice and the service's
    keywords say it should be, computed from the inputs alone."""

    def __init__(self) -> None:
        self.opted_out: dict[str, bool] = {}
        self.quiet_since: dict[str, int] = {}  # phone -> when QUIET took effect
        self.places: dict[tuple[str, str], Place] = {}
        # A provider retry (a message id seen before) is the same text again, not a new
        # one: the engine answers it with nothing (``duplicate_message``). The streams
        # make one when a sender repeats a word in the same second.
        self.sids: set[str] = set()
        # Subscriptions as the engine keeps them, for STOP <tn>: naming a parcel the
        # phone has no subscription to stops everything. (phone, tn) -> active.
        self.subs: dict[tuple[str, str], bool] = {}
        self.pending: set[tuple[str, str]] = set()  # tracking page, awaiting YES
        self.stopped: set[tuple[str, str]] = set()  # STOP <tn>: a checkout does not revive

    def _retry(self, inp: SmsIn) -> bool:
        return bool(inp.message_sid) and inp.message_sid in self.sids

    def stop_from(self, inp: Input) -> tuple[str, str] | None:
        """(sender, keyword) if ``inp`` is an opt-out from a phone not opted out."""
        if isinstance(inp, SmsIn) and not self._retry(inp):
            sender = normalise(inp.sender, field="from")
            command = parse(inp.body)
            if self.opted_out.get(sender, False):
                return None
            if command.verb == "opt_out" or (
                    command.verb == "stop_parcel"
                    and (sender, command.tracking_number or "") not in self.subs):
                return sender, command.word
        return None

    def _subscribe(self, key: tuple[str, str], channel: str) -> None:
        if key in self.stopped:
            if channel == "checkout":
                return  # suppressed: stopped_parcel
            if channel == "text":
                self.stopped.discard(key)
        active = self.subs.get(key, False) or channel != "tracking_page"
        self.subs[key] = active
        if not self.opted_out.get(key[0], False) and channel == "tracking_page" and not active:
            self.pending.add(key)

    def _drop_pending(self, phone: str) -> list[tuple[str, str]]:
        mine = [k for k in self.pending if k[0] == phone]
        self.pending.difference_update(mine)
        return mine

    def apply(self, inp: Input) -> None:
        if isinstance(inp, Subscribe):
            phone = normalise(inp.phone)
            self.places.setdefault((phone, inp.tracking_number),
                                   locate(phone, inp.destination_zip))
            self._subscribe((phone, inp.tracking_number), inp.channel)
        if not isinstance(inp, SmsIn) or self._retry(inp):
            return
        if inp.message_sid:  # no id: nothing to recognise a retry by
            self.sids.add(inp.message_sid)
        sender = normalise(inp.sender, field="from")
        command = parse(inp.body)
        verb = command.verb
        key = (sender, command.tracking_number or "")
        if verb == "opt_in":
            self.opted_out[sender] = False
            for k in self._drop_pending(sender):
                self.subs[k] = True
                self.stopped.discard(k)
        elif self.opted_out.get(sender, False):
            return  # every other keyword is ignored while opted out (HELP is answered)
        elif verb == "opt_out" or (verb == "stop_parcel" and key not in self.subs):
            self.opted_out[sender] = True
            self._drop_pending(sender)
        elif verb == "stop_parcel":
            del self.subs[key]
            self.pending.discard(key)
            self.stopped.add(key)
        elif verb == "track" and command.mode != "AP":
            self.stopped.discard(key)
            self.subs[key] = True
        elif verb == "quiet":
            self.quiet_since.setdefault(sender, inp.at)
        elif verb == "awake":
            self.quiet_since.pop(sender, None)

    def place(self, phone: str, tn: str | None) -> Place:
        return self.places.get((phone, tn or "")) or locate(phone, None)


# ------------------------------------------------------------------ (a)
@FAST
@given(inputs=streams(min_texts=2, max_texts=10, words=OPT_BODIES),
       policies=st.sampled_from(CHAINS))
def test_no_text_to_an_opted_out_phone(inputs: list[Input], policies: tuple[str, ...]) -> None:
    """Nothing reaches a phone after STOP (or STOPALL, CANCEL, ...) except the one
    confirmation, until it texts START/YES/UNSTOP."""
    engine = Engine(EngineConfig(policies=policies))
    people = People()
    seen: list[Output] = []
    for inp, outs in stepwise(engine, inputs):
        seen += outs
        stop = people.stop_from(inp)
        people.apply(inp)
        sent = [o for o in outs if isinstance(o, Sms | Reply)]
        if stop is not None:
            sender, word = stop
            to_sender = [o for o in sent if o.to == sender]
            assert len(to_sender) == 1, f"{word} from {sender}: want one confirmation"
            confirmation = to_sender[0]
            assert isinstance(confirmation, Reply)
            assert confirmation.cause == f"reply:{word}"
            assert confirmation.body == templates.opted_out(engine.brand)
            assert confirmation.at == inp.at
            sent.remove(confirmation)
        for o in sent:
            if o.cause in ("reply:HELP", "reply:INFO"):
                continue  # HELP is answered whatever the state (CTIA)
            assert not people.opted_out.get(o.to, False), (
                f"{o.kind} to opted-out {o.to} at {o.at}: {o.cause}")
    assert seen == run(inputs, policies)  # stepping is handle_all, one input at a time


def _corpus(expected: str) -> tuple[str, ...]:
    path = Path(__file__).resolve().parent / "revocation_corpus.txt"
    rows = [line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return tuple(text for kind, text in rows if kind == expected and "{TN}" not in text)


REVOCATIONS = _corpus("opt_out")


@FEWER
@given(inputs=streams(min_texts=2, max_texts=10, words=(*REVOCATIONS, "START", "YES", "HELP")),
       policies=st.sampled_from(CHAINS[:3]))
def test_any_revocation_in_the_corpus_stops_every_text_after_one_confirmation(
        inputs: list[Input], policies: tuple[str, ...]) -> None:
    """Every phrasing the corpus lists as a revocation (47 CFR 64.1200(a)(10): any
    reasonable means) gets one confirmation, then nothing but HELP answers until
    START."""
    test_no_text_to_an_opted_out_phone.hypothesis.inner_test(inputs, policies)  # type: ignore[attr-defined]


# ------------------------------------------------------------------ (b)
def _cap_streams(policies: tuple[str, ...]) -> st.SearchStrategy[list[Input]]:
    """Busy phones (up to 4 parcels), QUIET included: a notice held for QUIET
    meets the cap again when it comes due."""
    return streams(max_parcels=4, max_texts=3, words=KEYWORD_BODIES)


@pytest.mark.parametrize("policies", [
    ("every_scan", "cap_rolling:limit=3"),
    ("every_scan", "quiet_hours", "cap_rolling:limit=3"),
])
@FAST
@given(data=st.data())
def test_rolling_cap_is_never_exceeded(policies: tuple[str, ...], data: st.DataObject) -> None:
    """At most 3 notifications per phone in any 24 hours (every parcel counted)."""
    inputs = data.draw(_cap_streams(policies), label="inputs")
    sent: dict[str, list[int]] = defaultdict(list)
    for o in notifications(run(inputs, policies)):
        sent[o.to].append(o.at)
    for phone, times in sent.items():
        assert times == sorted(times)
        for first, fourth in zip(times, times[3:], strict=False):
            assert fourth - first >= DAY, f"{phone}: 4 texts within {fourth - first} s"


@pytest.mark.parametrize("policies", [
    ("every_scan", "cap_calendar:limit=2"),
    ("every_scan", "quiet_hours", "cap_calendar:limit=2"),
])
@FAST
@given(data=st.data())
def test_calendar_cap_is_never_exceeded(policies: tuple[str, ...], data: st.DataObject) -> None:
    """At most 2 notifications per phone per calendar day in the recipient's zone."""
    inputs = data.draw(_cap_streams(policies), label="inputs")
    people = People()
    for inp in inputs:
        people.apply(inp)
    per_day: Counter[tuple[str, object]] = Counter()
    for o in notifications(run(inputs, policies)):
        zone = ZoneInfo(people.place(o.to, o.tracking_number).zone)
        per_day[o.to, datetime.fromtimestamp(o.at, zone).date()] += 1
    for (phone, day), count in per_day.items():
        assert count <= 2, f"{phone}: {count} texts on {day}"


def test_caps_bite_on_a_busy_phone() -> None:
    """The cap properties are not vacuous: a phone following two busy parcels
    gets more than 3 texts a day without a cap, and exactly the cap with one."""
    phone = "+12125550199"
    inputs: list[Input] = [Subscribe(at=DEC_14_2026 + 13 * HOUR, tracking_number=tn,
                                     phone=phone) for tn in TRACKING_NUMBERS[:2]]
    for n, code in enumerate(("03", "10", "EF", "10", "EF")):
        for tn in TRACKING_NUMBERS[:2]:
            inputs.append(Scan(at=DEC_14_2026 + 14 * HOUR + n * HOUR + len(inputs),
                               tracking_number=tn, event_code=code))
    assert len(notifications(run(inputs, ("every_scan",)))) == 10
    capped = run(inputs, ("every_scan", "cap_rolling:limit=3"))
    assert len(notifications(capped)) == 3
    assert sum(isinstance(o, Suppressed) and o.reason == "cap" for o in capped) == 7
    assert len(notifications(run(inputs, ("every_scan", "cap_calendar:limit=2")))) == 2


# ------------------------------------------------------------------ (c)
def _check_hours(inputs: list[Input], policies: tuple[str, ...], *, legal: bool) -> None:
    """Run ``inputs``; every notification is inside 8 AM-9 PM recipient local
    time (8 PM in strict states) when ``legal``, and outside 11 PM-7 AM Central
    for a phone that texted QUIET (and not AWAKE since)."""
    engine = Engine(EngineConfig(policies=policies))
    people = People()
    for inp, outs in stepwise(engine, inputs):
        people.apply(inp)
        for o in notifications(outs):
            if legal:
                place = people.place(o.to, o.tracking_number)
                local = datetime.fromtimestamp(o.at, ZoneInfo(place.zone))
                end = 20 if place.strict_hours else 21
                assert 8 <= local.hour < end, f"{o.to} texted at {local.isoformat()}"
            quiet_since = people.quiet_since.get(o.to)
            if quiet_since is None:
                continue
            central = datetime.fromtimestamp(o.at, CENTRAL)
            assert 7 <= central.hour < 23, f"QUIET {o.to} texted at {central.isoformat()}"


_QUIET_STREAMS = st.one_of(
    streams(max_texts=8),
    streams(max_texts=8, phone_pool=QUIET_EDGE_PHONES, words=QUIET_BODIES),
)


@pytest.mark.parametrize("quiet", ["quiet_hours", "quiet_hours:mode=drop"])
@FAST
@given(inputs=_QUIET_STREAMS)
def test_no_text_inside_a_quiet_window(quiet: str, inputs: list[Input]) -> None:
    """With a quiet-hours policy (holding or dropping): legal hours and QUIET."""
    _check_hours(inputs, ("every_scan", quiet), legal=True)


@FAST
@given(inputs=_QUIET_STREAMS, policies=st.sampled_from(CHAINS))
def test_quiet_keyword_holds_under_every_chain(inputs: list[Input],
                                               policies: tuple[str, ...]) -> None:
    """A person's QUIET applies whatever the operator's policies."""
    _check_hours(inputs, policies, legal=False)


def test_quiet_hours_hold_then_release_at_eight() -> None:
    """Not vacuous: a 10 PM scan is held and goes out at 8:00 the next morning."""
    phone, tn = "+13035550123", TRACKING_NUMBERS[0]
    night = DEC_14_2026 + 5 * HOUR  # 22:00 in Denver
    outputs = run([Subscribe(at=DEC_14_2026, tracking_number=tn, phone=phone),
                   Scan(at=night, tracking_number=tn, event_code="10")],
                  ("every_scan", "quiet_hours"))
    (sent,) = notifications(outputs)
    assert datetime.fromtimestamp(sent.at, ZoneInfo("America/Denver")).hour == 8
    dropped = run([Subscribe(at=DEC_14_2026, tracking_number=tn, phone=phone),
                   Scan(at=night, tracking_number=tn, event_code="10")],
                  ("every_scan", "quiet_hours:mode=drop"))
    assert notifications(dropped) == []


@FAST
@given(inputs=streams(), policies=st.sampled_from(CHAINS))
def test_no_news_older_than_the_scans_in(inputs: list[Input], policies: tuple[str, ...]) -> None:
    """A text never tells a status behind the furthest scan already in for its
    parcel, and once the parcel is delivered only the delivery (or an alert) is
    news: a text held by quiet hours or a digest that later scans made untrue
    is dropped, not sent."""
    engine = Engine(EngineConfig(policies=policies))
    furthest: dict[str, int] = {}
    delivered: set[str] = set()
    returned: set[str] = set()
    for inp, outs in stepwise(engine, inputs):
        for o in notifications(outs):
            tn = o.tracking_number or ""
            milestone = codes.milestone_of(o.cause.removeprefix("scan:"))
            if tn in delivered:
                assert milestone in (codes.DELIVERED, codes.ALERT), f"{o.cause} after delivery"
            if tn in returned:
                assert milestone in (codes.RETURN_TO_SENDER, codes.ALERT), f"{o.cause} after 09"
            rank = rank_of_cause(o.cause)
            if rank is not None:
                assert rank >= furthest.get(tn, -1), f"{o.cause} behind {furthest[tn]}"
        if isinstance(inp, Scan):
            milestone = codes.milestone_of(inp.event_code)
            if milestone == codes.DELIVERED:
                delivered.add(inp.tracking_number)
            if milestone == codes.RETURN_TO_SENDER:
                returned.add(inp.tracking_number)
            rank = rank_of_cause(f"scan:{inp.event_code}")
            if rank is not None:
                furthest[inp.tracking_number] = max(rank, furthest.get(inp.tracking_number, -1))


# ------------------------------------------------------------------ (d)
def _clean_and_duplicated() -> st.SearchStrategy[tuple[list[Input], list[Input]]]:
    return streams(unknown=True).flatmap(lambda c: with_duplicates(c).map(lambda d: (c, d)))


@pytest.mark.parametrize("policies", [
    ("every_scan",),
    ("milestones", "quiet_hours", "cap_rolling:limit=3"),
    ("digest:minutes=60",),
])
@FEWER
@given(case=_clean_and_duplicated())
def test_duplicate_scans_change_no_text(policies: tuple[str, ...],
                                        case: tuple[list[Input], list[Input]]) -> None:
    """A scan sent again (same record, or same event under another id and place
    wording), right after or much later, makes no text and changes no text."""
    clean, duplicated = case
    assert len(duplicated) > len(clean)
    assert texts(run(duplicated, policies)) == texts(run(clean, policies))


# ------------------------------------------------------------------ (e)
def _bursts() -> st.SearchStrategy[tuple[list[Input], list[Scan], list[Scan]]]:
    return digest_bursts().flatmap(
        lambda pb: st.permutations(pb[1]).map(lambda shuffled: (pb[0], pb[1], shuffled)))


@FAST
@given(case=_bursts())
def test_digest_tells_the_newest_scan_whatever_the_arrival_order(
    case: tuple[list[Input], list[Scan], list[Scan]],
) -> None:
    """Scans of one digest window arriving in any order give the same texts:
    one per subscriber, about the newest scan."""
    prefix, burst, shuffled = case
    policies = ("digest:minutes=120",)

    def burst_texts(outputs: list[Output]) -> list[tuple[str, str | None, str, str, str]]:
        return sorted((o.to, o.tracking_number, o.cause, o.body, o.message_id)
                      for o in notifications(outputs))

    in_order = burst_texts(run([*prefix, *burst], policies))
    assert burst_texts(run([*prefix, *shuffled], policies)) == in_order
    newest = burst[-1]
    subscribers = sorted({normalise(s.phone) for s in prefix if isinstance(s, Subscribe)})
    assert [t[0] for t in in_order] == subscribers
    for to, tn, cause, _, mid in in_order:
        assert cause == f"scan:{newest.event_code}"
        assert mid == message_id(to, tn, f"{cause}@{newest.at}")


def _assert_never_backwards(outputs: list[Output]) -> None:
    told: dict[tuple[str, str | None], int] = {}
    for o in notifications(outputs):
        rank = rank_of_cause(o.cause)
        if rank is None:
            continue
        key = (o.to, o.tracking_number)
        assert rank >= told.get(key, -1), f"{o.to} told {o.cause} after rank {told[key]}"
        told[key] = rank


def _scans_in(history: bytes) -> list[tuple[int, int]]:
    """(event time, code index) of each scan a parcel's history holds, in order."""
    return [unpack_scan(history[i : i + RECORD])[::2] for i in range(0, len(history), RECORD)]


def _clean_and_late(**path_options: bool) -> st.SearchStrategy[
        tuple[list[Input], list[Input]]]:
    return streams(**path_options).flatmap(lambda c: late_arrivals(c).map(lambda late: (c, late)))


@FAST
@given(case=_clean_and_late(unknown=True), policies=st.sampled_from(CHAINS))
def test_late_scans_never_text_a_status_backwards(
    case: tuple[list[Input], list[Input]], policies: tuple[str, ...],
) -> None:
    """However late scans arrive, nobody is told a status behind one they were
    told (alerts and return to sender aside)."""
    for stream in case:
        _assert_never_backwards(run(stream, policies))


@FAST
@given(case=_clean_and_late(unknown=True),
       policies=st.sampled_from(CHAINS))
def test_late_scans_end_in_the_same_status(
    case: tuple[list[Input], list[Input]], policies: tuple[str, ...],
) -> None:
    """Once every scan is in, a parcel's status does not depend on arrival order.

    Late scans re-derive the status from the whole history, so alerts, unknown
    codes and premature (regressed) scans are all allowed here.
    """
    clean, late = case
    ends = []
    for stream in (clean, late):
        engine = Engine(EngineConfig(policies=policies))
        engine.handle_all(stream)
        ends.append({tn: (p.code, p.max_rank, _scans_in(p.history))
                     for tn, p in engine.parcels.items()})
    assert ends[0] == ends[1]


# ------------------------------------------------------------------ (f)
def _as_bytes(outputs: list[Output]) -> bytes:
    return b"".join(orjson.dumps(from_output(o)) + b"\n" for o in outputs)


@FAST
@given(inputs=streams(unknown=True, max_texts=8), policies=st.sampled_from(CHAINS))
def test_two_engines_give_the_same_bytes(inputs: list[Input], policies: tuple[str, ...]) -> None:
    first = _as_bytes(run(inputs, policies))
    assert first  # every stream has a subscription, which always has an answer
    assert _as_bytes(run(inputs, policies)) == first


# ------------------------------------------------------------------ (g)
def _bad_inputs(at: int) -> list[Input]:
    tn = TRACKING_NUMBERS[-1]
    return [
        *(Subscribe(at=at, tracking_number=tn, phone=p) for p in
          ("+1555", "hello", "+442071234567")),
        Subscribe(at=at, tracking_number=tn, phone="+13035550123", destination_zip="ABCDE"),
        SmsIn(at=at, sender="hello", body="STOP"),
    ]


@FEWER
@given(inputs=streams(), data=st.data())
def test_bad_input_changes_nothing(inputs: list[Input], data: st.DataObject) -> None:
    """A bad subscription (or text from a non-number) raises InvalidInput, adds
    no phone or parcel, and changes no later output."""
    cut = data.draw(st.integers(1, len(inputs)), label="cut")
    # a bad input may come later than the last good one, past held texts' due
    # times: it must not fire (and lose) them either
    at = inputs[cut - 1].at + data.draw(st.integers(0, 2 * DAY), label="delay")
    engine = Engine(EngineConfig(policies=("milestones", "quiet_hours")))
    outputs: list[Output] = []
    for inp in inputs[:cut]:
        outputs += engine.feed(inp)
    for bad in _bad_inputs(at):
        phones, parcels = list(engine.phones), list(engine.parcels)
        with pytest.raises(InvalidInput):
            engine.feed(bad)
        assert list(engine.phones) == phones
        assert list(engine.parcels) == parcels
    for inp in inputs[cut:]:
        outputs += engine.feed(inp)
    outputs += engine.drain()
    assert outputs == run(inputs, ("milestones", "quiet_hours"))


# ------------------------------------------------------- the strategies
def test_strategy_assumptions() -> None:
    """Each test phone's home ZIP and area code agree on zone and strictness (so
    "the recipient's zone" is one zone per phone); tracking numbers are 22
    digits; code paths use only known codes unless asked for an unknown one."""
    for phone, zip_code in PHONES.items():
        home, number = locate(phone, zip_code), locate(phone, None)
        assert (home.state, home.zone, home.strict_hours) == (number.state, number.zone,
                                                              number.strict_hours)
    assert locate("+13055550142", None).strict_hours
    assert locate("+12065550101", None).strict_hours
    assert all(len(tn) == 22 and tn.isdigit() for tn in TRACKING_NUMBERS)


@settings(max_examples=50, deadline=None)
@given(path=code_paths())
def test_code_paths_use_known_codes(path: list[str]) -> None:
    assert path
    assert all(code in codes.EVENTS for code in path)


# ------------------------------------------------------ known engine bugs
def test_fixed_bad_input_after_a_wakeup_loses_no_text() -> None:
    """``feed`` fires the wake-ups due before a bad input, then the input raises
    and the texts those wake-ups released are lost: neither sent nor reported."""
    tn, phone = TRACKING_NUMBERS[0], "+13035550123"
    head: list[Input] = [Subscribe(at=DEC_14_2026, tracking_number=tn, phone=phone),
                         Scan(at=DEC_14_2026 + 5 * HOUR, tracking_number=tn, event_code="10")]
    tail: list[Input] = [Scan(at=DEC_14_2026 + 17 * HOUR, tracking_number=tn, event_code="EF")]
    engine = Engine(EngineConfig(policies=("every_scan", "quiet_hours")))
    outputs = [o for inp in head for o in engine.feed(inp)]  # 10 held to 8:00 Denver
    with pytest.raises(InvalidInput):
        engine.feed(Subscribe(at=DEC_14_2026 + 16 * HOUR, tracking_number=tn, phone="+1555"))
    outputs += [o for inp in tail for o in engine.feed(inp)] + engine.drain()
    assert texts(outputs) == texts(run(head + tail, ("every_scan", "quiet_hours")))


def test_fixed_quiet_texted_while_a_notice_is_held() -> None:
    """A notice held by quiet hours resumes after the quiet policy, so a QUIET
    texted meanwhile is not applied: 8:00 in San Juan is 6:00 Central."""
    tn, phone = TRACKING_NUMBERS[0], "+17875550123"
    outputs = run([Subscribe(at=DEC_14_2026, tracking_number=tn, phone=phone),
                   Scan(at=DEC_14_2026 + 6 * HOUR, tracking_number=tn, event_code="10"),
                   SmsIn(at=DEC_14_2026 + 7 * HOUR, sender=phone, body="QUIET")],
                  ("every_scan", "quiet_hours"))
    (sent,) = notifications(outputs)
    assert datetime.fromtimestamp(sent.at, CENTRAL).hour >= 7


def test_fixed_final_status_depends_on_arrival_order() -> None:
    """When the newest scan is an alert and arrives first, the earlier OF joins
    the history but not ``max_rank``, so a later premature 07 scan counts as
    progress (and is texted) instead of a regression."""
    tn, phone = TRACKING_NUMBERS[0], "+12125550199"
    t = DEC_14_2026 + 14 * HOUR
    sub = Subscribe(at=t - HOUR, tracking_number=tn, phone=phone)
    processed = Scan(at=t, tracking_number=tn, event_code="10")
    out_for_delivery = Scan(at=t + HOUR, tracking_number=tn, event_code="OF")
    alert = Scan(at=t + 2 * HOUR, tracking_number=tn, event_code="05")
    premature = Scan(at=t + 3 * HOUR, tracking_number=tn, event_code="07")
    ends = []
    for order in ([processed, out_for_delivery, alert], [alert, processed, out_for_delivery]):
        engine = Engine()
        outputs = engine.handle_all([sub, *order, premature])
        parcel = engine.parcels[tn]
        ends.append((parcel.code, parcel.max_rank, [o.cause for o in notifications(outputs)
                                                     if o.cause == "scan:07"]))
    assert ends[0] == ends[1]


def test_fixed_held_news_after_return_to_sender() -> None:
    """A held out-for-delivery text goes out after the parcel was returned to
    sender: ``_stale`` treats only delivery as final, and the 09 scan lowered
    ``max_rank`` to 1, so the rank test passes too. (After a delivered scan the
    same held text is dropped as stale.)"""
    tn, phone = TRACKING_NUMBERS[0], "+12125550199"
    t = DEC_14_2026 + 15 * HOUR  # 10:00 in New York
    outputs = run([Subscribe(at=t - HOUR, tracking_number=tn, phone=phone,
                             options=("day_of_delivery",)),
                   Scan(at=t, tracking_number=tn, event_code="OF"),
                   Scan(at=t + 20 * 60, tracking_number=tn, event_code="09")],
                  ("digest:minutes=60",))
    assert [o.cause for o in notifications(outputs)] == []


def test_fixed_quiet_hold_after_a_cap_bypasses_it() -> None:
    """With no quiet-hours policy the engine appends one (for QUIET) after the
    cap. Notices pass the cap at night (nothing sent yet, so nothing counted),
    wait for 7 AM Central, then resume after the cap: four texts at 8:00 New
    York time to one phone with a cap of 2 a day."""
    phone = "+12125550199"
    inputs: list[Input] = [Subscribe(at=DEC_14_2026, tracking_number=tn, phone=phone)
                           for tn in TRACKING_NUMBERS[:4]]
    inputs.append(SmsIn(at=DEC_14_2026 + 60, sender=phone, body="QUIET"))
    inputs += [Scan(at=DEC_14_2026 + 8 * HOUR + n * 60, tracking_number=tn, event_code="03")
               for n, tn in enumerate(TRACKING_NUMBERS[:4])]  # 2 AM Central
    assert len(notifications(run(inputs, ("every_scan", "cap_calendar:limit=2")))) <= 2
