"""Subscriptions from the three channels, keywords, opt-out and opt-in."""

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import phones
from engine.core import Engine
from engine.errors import InvalidInput
from engine.inputs import SmsIn
from engine.outputs import Output, Reply, Sms, Suppressed
from tests.helpers import DENVER, MIAMI, TN, TN2, engine, notices, reasons, scan, sms_in, sub, texts


def test_checkout_subscription_is_active_and_welcomed() -> None:
    e = engine()
    out = e.handle_all([sub("2026-12-14T09:00", channel="checkout", merchant="Acme Outdoor"),
                        scan("2026-12-14T10:00", "03")])
    welcome, update = texts(out)
    assert isinstance(welcome, Sms) and welcome.cause == "welcome:checkout"
    assert "Acme Outdoor" in welcome.body and "STOP" in welcome.body
    assert update.cause == "scan:03" and update.to == DENVER
    assert "Accepted" in update.body and TN in update.body and "DENVER CO 80202" in update.body
    assert "10:00am" in update.body and "From Acme Outdoor." in update.body


def test_tracking_page_waits_for_yes() -> None:
    e = engine()
    out = e.handle_all([
        sub("2026-12-14T09:00", channel="tracking_page"),
        scan("2026-12-14T10:00", "03"),
        sms_in("2026-12-14T10:05", "yes"),
        scan("2026-12-14T11:00", "10"),
    ])
    bodies = [t.body for t in texts(out)]
    assert "Reply YES" in bodies[0]
    assert len(notices(out)) == 1 and notices(out)[0].cause == "scan:10"
    # the YES answer carries the latest status
    assert any(isinstance(t, Reply) and "Accepted" in t.body for t in texts(out))


def test_texting_a_tracking_number_answers_with_latest_status_and_subscribes() -> None:
    e = engine()
    out = e.handle_all([
        scan("2026-12-14T10:00", "03"),
        sms_in("2026-12-14T10:30", TN),
        scan("2026-12-14T11:00", "10"),
    ])
    reply = texts(out)[0]
    assert isinstance(reply, Reply) and "Accepted" in reply.body
    assert [n.cause for n in notices(out)] == ["scan:10"]


def test_unknown_parcel_by_text_says_no_news_then_updates() -> None:
    e = engine()
    out = e.handle_all([sms_in("2026-12-14T09:00", TN), scan("2026-12-14T10:00", "03")])
    assert "No tracking information yet" in texts(out)[0].body
    assert len(notices(out)) == 1


def test_already_delivered_parcel_gets_status_but_no_more_news() -> None:
    e = engine()
    out = e.handle_all([scan("2026-12-14T10:00", "OF"), scan("2026-12-14T12:00", "01"),
                        sub("2026-12-14T13:00", channel="checkout")])
    (welcome,) = texts(out)
    assert "Delivered" in welcome.body
    assert notices(out) == []


@pytest.mark.parametrize("phone", ["+1555", "hello", "+442071234567", "", "303-555-01"])
def test_bad_phone_is_refused_and_not_stored(phone: str) -> None:
    e = engine()
    with pytest.raises(InvalidInput) as info:
        e.handle(sub("2026-12-14T09:00", phone=phone))
    assert info.value.field == "phone"
    assert e.phones == {} and e.parcels == {}


def test_phone_formats_normalise_to_e164() -> None:
    e = engine()
    for raw in ["(303) 555-0123", "303.555.0123", "+1 303 555 0123", "13035550123"]:
        e.handle(sub("2026-12-14T09:00", phone=raw))
    assert list(e.phones) == [DENVER]


def test_stop_confirms_once_then_silence_until_start() -> None:
    e = engine()
    out = e.handle_all([
        sub("2026-12-14T09:00"),
        sms_in("2026-12-14T09:30", "Stop."),
        scan("2026-12-14T10:00", "03"),
        sms_in("2026-12-14T10:10", "HELP"),
        sms_in("2026-12-14T10:20", "stop"),
        sms_in("2026-12-14T10:30", TN2),
        sms_in("2026-12-14T11:00", "START"),
        scan("2026-12-14T12:00", "10"),
    ])
    stop_time = sms_in("2026-12-14T09:30", "x").at
    start_time = sms_in("2026-12-14T11:00", "x").at
    silent = [t for t in texts(out) if stop_time < t.at < start_time]
    # HELP is answered whatever the state (CTIA); nothing else is.
    assert [t.cause for t in silent] == ["reply:HELP"]
    assert "Msg frequency varies" in silent[0].body
    confirmations = [t for t in texts(out) if t.at == stop_time]
    assert len(confirmations) == 1 and "unsubscribed" in confirmations[0].body
    assert reasons(out).count("opted_out") == 3  # the scan, STOP again, the number
    assert [n.cause for n in notices(out)] == ["scan:10"]


def test_help_names_sender_and_how_to_stop() -> None:
    out = engine().handle(sms_in("2026-12-14T09:00", "info"))
    (reply,) = texts(out)
    assert reply.body.startswith("USPS") and "STOP" in reply.body and "1-800" in reply.body


CTIA_ELEMENTS = ("USPS Text Tracking", "Msg frequency varies", "Msg&data rates may apply",
                 "HELP", "STOP")


def test_help_and_opt_in_confirmations_carry_the_ctia_elements() -> None:
    e = engine()
    out = e.handle_all([
        sub("2026-12-14T09:00"),                                  # checkout welcome
        sub("2026-12-14T09:01", tn=TN2, channel="tracking_page"),  # asks for YES
        sms_in("2026-12-14T09:02", "help"),
        sms_in("2026-12-14T09:03", "STOP"),
        sms_in("2026-12-14T09:04", "HELP"),                       # answered after STOP too
        sms_in("2026-12-14T09:05", "START"),                      # resubscribed
    ])
    bodies = {t.cause: t.body for t in texts(out)}
    for cause in ("welcome:checkout", "welcome:tracking_page", "reply:HELP", "reply:START"):
        for element in CTIA_ELEMENTS[:3]:
            assert element in bodies[cause], (cause, element)
    help_reply = bodies["reply:HELP"]
    assert "1-800-275-8777" in help_reply and "STOP" in help_reply
    assert "usps.com" not in help_reply  # no link unless the deployment allows links
    assert sum(t.cause == "reply:HELP" for t in texts(out)) == 2


def test_help_links_to_the_operator_only_when_allowed() -> None:
    from engine.core import Engine, EngineConfig
    from engine.templates import Brand

    linked = Engine(EngineConfig(brand=Brand(links=True)))
    (reply,) = texts(linked.handle(sms_in("2026-12-14T09:00", "HELP")))
    assert "usps.com/text-tracking" in reply.body


def test_when_after_delivery_says_delivered_when_and_where() -> None:
    out = engine().handle_all([
        sub("2026-12-14T09:00"),
        scan("2026-12-14T10:00", "OF", expected_delivery=20437),
        scan("2026-12-14T14:10", "01"),
        sms_in("2026-12-14T15:00", f"WHEN {TN}"),
    ])
    (answer,) = [t for t in texts(out) if t.cause == "reply:WHEN"]
    assert "Delivered" in answer.body and "2:10pm" in answer.body
    assert "DENVER" in answer.body and "Expected" not in answer.body


def test_a_retried_webhook_is_answered_once() -> None:
    e = engine()
    first = sms_in("2026-12-14T09:00", TN)
    retry_a = SmsIn(at=first.at + 15, sender=first.sender, body=first.body,
                    message_sid="SM0001")
    retry_b = SmsIn(at=first.at + 30, sender=first.sender, body=first.body,
                    message_sid="SM0001")
    out = e.handle_all([retry_a, retry_b])
    assert len(texts(out)) == 1
    assert reasons(out) == ["duplicate_message"]


def test_the_same_subscription_twice_gets_one_welcome() -> None:
    out = engine().handle_all([sub("2026-12-14T09:00", merchant="Acme"),
                               sub("2026-12-14T09:00", merchant="Acme"),
                               sub("2026-12-14T09:05", merchant="Acme")])
    assert [t.cause for t in texts(out)] == ["welcome:checkout"]
    assert reasons(out) == ["duplicate_subscribe", "duplicate_subscribe"]


def test_stop_one_parcel_keeps_the_others() -> None:
    e = engine()
    out = e.handle_all([
        sub("2026-12-14T09:00", tn=TN), sub("2026-12-14T09:01", tn=TN2),
        sms_in("2026-12-14T09:30", f"STOP {TN}"),
        scan("2026-12-14T10:00", "03", tn=TN), scan("2026-12-14T10:00", "03", tn=TN2),
    ])
    assert [n.tracking_number for n in notices(out)] == [TN2]
    assert any("no more texts about" in t.body for t in texts(out))


def test_a_checkout_record_after_stop_for_its_parcel_does_not_revive_it() -> None:
    """A provider's retry (or a replay) of the checkout record after STOP <tn> is not
    the person's consent: no welcome, no texts about that parcel."""
    out = engine().handle_all([
        sub("2026-12-14T09:00", merchant="Acme"),
        sms_in("2026-12-14T09:30", f"STOP {TN}"),
        sub("2026-12-14T09:40", merchant="Acme"),
        sub("2026-12-14T09:45", merchant="Other shop", options=("all",)),
        scan("2026-12-14T10:00", "03"),
    ])
    assert [t.cause for t in texts(out)] == ["welcome:checkout", "reply:STOP_TN"]
    assert reasons(out) == ["stopped_parcel", "stopped_parcel"]


@pytest.mark.parametrize("again", [TN, f"{TN} AF"])
def test_asking_about_a_stopped_parcel_again_is_new_consent(again: str) -> None:
    out = engine().handle_all([
        sub("2026-12-14T09:00", merchant="Acme"),
        sms_in("2026-12-14T09:30", f"STOP {TN}"),
        sms_in("2026-12-14T09:40", again),
        scan("2026-12-14T10:00", "03"),
    ])
    assert [n.cause for n in notices(out)] == ["scan:03"]


def test_stop_naming_a_parcel_they_get_no_texts_about_stops_everything() -> None:
    """A mistyped number (or another parcel's): what they get is what they want stopped."""
    out = engine().handle_all([
        sub("2026-12-14T09:00", tn=TN),
        sms_in("2026-12-14T09:30", "STOP 12345678901234567890"),
        scan("2026-12-14T10:00", "03", tn=TN),
    ])
    assert notices(out) == []
    assert "unsubscribed" in texts(out)[-1].body


def test_stop_naming_two_parcels_stops_everything() -> None:
    out = engine().handle_all([
        sub("2026-12-14T09:00", tn=TN), sub("2026-12-14T09:01", tn=TN2),
        sms_in("2026-12-14T09:30", f"STOP {TN} {TN2}"),
        scan("2026-12-14T10:00", "03", tn=TN), scan("2026-12-14T10:00", "03", tn=TN2),
    ])
    assert notices(out) == []


def test_options_select_what_is_texted() -> None:
    e = engine()
    out = e.handle_all([
        sub("2026-12-14T09:00", options=("delivered",)),
        scan("2026-12-14T10:00", "03"), scan("2026-12-15T08:00", "OF"),
        scan("2026-12-15T11:00", "01"),
    ])
    assert [n.cause for n in notices(out)] == ["scan:01"]
    assert reasons(out) == ["option", "option"]


def test_dnd_and_when_keywords() -> None:
    e = engine()
    out = e.handle_all([
        scan("2026-12-14T10:00", "03", expected_delivery=20437),
        sms_in("2026-12-14T10:30", f"{TN} DND"),
        sms_in("2026-12-14T10:31", f"{TN} when", phone=MIAMI),
        scan("2026-12-15T08:00", "OF"), scan("2026-12-15T10:00", "02"),
        scan("2026-12-16T10:00", "01", expected_delivery=20438),
    ])
    when = [t for t in texts(out) if t.to == MIAMI]
    assert "Expected delivery 12/15" in when[0].body
    dnd = [n.cause for n in notices(out) if n.to == DENVER]
    assert dnd == ["scan:02", "scan:01"]
    # WHEN follows expected-delivery news only
    assert [n.cause for n in notices(out) if n.to == MIAMI] == ["scan:01"]


def test_ap_replies_with_past_events_without_subscribing() -> None:
    e = engine()
    out = e.handle_all([scan("2026-12-14T10:00", "03"), scan("2026-12-14T12:00", "10"),
                        sms_in("2026-12-14T13:00", f"{TN} AP"), scan("2026-12-14T14:00", "EF")])
    replies = [t for t in texts(out) if isinstance(t, Reply)]
    assert ["Accepted" in replies[0].body, "Processed" in replies[1].body] == [True, True]
    assert notices(out) == []


def test_receipts_mark_unreachable_phones() -> None:
    from engine.inputs import Receipt

    e = engine()
    out = e.handle_all([sub("2026-12-14T09:00")])
    welcome = texts(out)[0]
    inputs = [Receipt(at=welcome.at + 1, message_id=welcome.message_id, status="failed")]
    e.handle_all(inputs)
    ids = []
    for n, code in enumerate(["03", "10"]):
        o = e.handle(scan(f"2026-12-14T1{n}:00", code))
        ids += [t.message_id for t in texts(o)]
    for mid in ids:
        e.handle(Receipt(at=welcome.at + 99999, message_id=mid, status="undelivered"))
    out = e.handle(scan("2026-12-14T15:00", "EF"))
    assert [o.reason for o in out if isinstance(o, Suppressed)] == ["unreachable"]
    # an inbound text proves the phone works again
    out = e.handle_all([sms_in("2026-12-14T16:00", "hi"), scan("2026-12-14T17:00", "10")])
    assert len(notices(out)) == 1
    assert e.unknown_receipts == 0


def test_asking_when_keeps_the_chosen_updates() -> None:
    e = engine()
    out = e.handle_all([
        sub("2026-12-14T09:00", options=("delivered",)),
        sms_in("2026-12-14T09:30", f"{TN} when"),
        sms_in("2026-12-14T09:40", TN),
        scan("2026-12-14T10:00", "03", expected_delivery=20437),
        scan("2026-12-15T11:00", "01"),
    ])
    # "when" adds expected-delivery news; the bare number changes nothing
    assert [n.cause for n in notices(out)] == ["scan:03", "scan:01"]
    assert notices(out)[1].event_at == scan("2026-12-15T11:00", "01").at


def test_expired_receipts_do_not_make_a_phone_unreachable() -> None:
    from engine.inputs import Receipt

    e = engine()
    for n in range(4):
        out = e.handle(scan(f"2026-12-14T1{n}:00", ["03", "10", "EF", "10"][n]))
        out += e.handle(sub(f"2026-12-14T1{n}:01")) if n == 0 else []
        for t in texts(out):
            e.handle(Receipt(at=t.at + 5, message_id=t.message_id, status="expired"))
    out = e.handle(scan("2026-12-14T15:00", "EF"))
    assert len(notices(out)) == 1


def test_phone_memo_stays_bounded_and_keeps_learning(monkeypatch: pytest.MonkeyPatch) -> None:
    """A full memo forgets its oldest numbers instead of refusing new ones (so a national
    day does not parse every later number again), and answers stay the same."""
    from engine import phones

    monkeypatch.setattr(phones, "_MEMO", {})
    monkeypatch.setattr(phones, "_MEMO_LIMIT", 8)
    raws = [f"(303) 555-01{i:02d}" for i in range(20)]
    first = [phones.normalise(r) for r in raws]
    assert len(phones._MEMO) <= 8
    assert raws[-1] in phones._MEMO  # the newest is remembered
    assert raws[0] not in phones._MEMO  # the oldest was forgotten
    assert [phones.normalise(r) for r in raws] == first


@settings(max_examples=400, deadline=None)
@given(raw=st.one_of(
    st.from_regex(r"\+1[0-9]{10}", fullmatch=True),
    st.from_regex(r"\+[2-9][0-9]{7,12}", fullmatch=True),
    st.from_regex(r"\(?[0-9]{3}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}", fullmatch=True),
))
def test_phone_validation_is_the_library_s(raw: str) -> None:
    """A number is accepted exactly when phonenumbers calls it valid and it is in a served
    region (normalise asks the region once; the answer must be is_valid_number's)."""
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        want = None
    else:
        ok = (phonenumbers.is_valid_number(number)
              and phonenumbers.region_code_for_number(number) in phones.SERVED_REGIONS)
        want = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if ok \
            else None
    try:
        got: str | None = phones.normalise(raw)
    except InvalidInput:
        got = None
    assert got == want


_NANP_EXAMPLES = sorted({
    phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]
    for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE,
                 phonenumbers.PhoneNumberType.TOLL_FREE)
    if (n := phonenumbers.example_number_for_type(region, kind)) is not None
})


def test_a_new_us_number_is_checked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new US number costs one check of the number patterns (valid for the US), and
    its region is not looked up: the cost of a new subscriber's number."""
    calls: list[str] = []
    valid_for, region_of = phonenumbers.is_valid_number_for_region, \
        phonenumbers.region_code_for_number

    def spy_valid(number: phonenumbers.PhoneNumber, region: str) -> bool:
        calls.append(f"valid:{region}")
        return bool(valid_for(number, region))

    def spy_region(number: phonenumbers.PhoneNumber) -> str | None:
        calls.append("region")
        return region_of(number)  # type: ignore[no-any-return]

    monkeypatch.setattr(phonenumbers, "is_valid_number_for_region", spy_valid)
    monkeypatch.setattr(phonenumbers, "region_code_for_number", spy_region)
    monkeypatch.setattr(phones, "_MEMO", {})
    assert phones.normalise("+13035550187") == "+13035550187"
    assert calls == ["valid:US"]
    calls.clear()
    assert phones.normalise("+14165550187") == "+14165550187"  # Canada: the general way
    assert calls == ["valid:US", "region", "valid:CA"]


@pytest.mark.parametrize("raw", _NANP_EXAMPLES)
def test_the_region_of_a_plus_one_number_is_the_library_s(raw: str) -> None:
    """A +1 number valid for the US is taken as a US number without asking for its region;
    every other one is asked for: accepted or refused as region_code_for_number says,
    and a refusal names that region."""
    number = phonenumbers.parse(raw, "US")
    region = phonenumbers.region_code_for_number(number)
    assert phonenumbers.is_valid_number(number)
    if region in phones.SERVED_REGIONS:
        assert phones.normalise(raw) == raw
    else:
        with pytest.raises(InvalidInput, match=f"is in {region};"):
            phones.normalise(raw)


@settings(max_examples=500, deadline=None)
@given(raw=st.one_of(st.from_regex(r"\+1[0-9]{10}", fullmatch=True),
                     st.from_regex(r"\+1[0-9]{9,11}", fullmatch=True),
                     st.text(alphabet="+1234567890٣²", min_size=12, max_size=12)))
def test_e164_shortcut_builds_what_parse_builds(raw: str) -> None:
    """The shortcut for numbers already in E.164 gives exactly phonenumbers.parse's object
    (or the same refusal) for anything of that shape, including non-ASCII digits."""
    try:
        want: object = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException as exc:
        want = exc.error_type
    try:
        got: object = phones._parsed(raw)
    except phonenumbers.NumberParseException as exc:
        got = exc.error_type
    assert got == want


@pytest.mark.parametrize("answer", ["yes", "stop"])
def test_pending_subscriptions_from_an_older_snapshot_still_work(answer: str) -> None:
    """Phones' pending subscriptions are tuples now; a snapshot written before held lists.
    Restored, YES still activates them and STOP still drops them."""
    import pickle

    def run(as_list: bool) -> tuple[list[Output], list[object]]:
        e = engine()
        e.handle(sub("2026-12-14T09:00", channel="tracking_page"))
        e.handle(sub("2026-12-14T09:01", tn=TN2, channel="tracking_page"))
        assert len(e.phones[DENVER].pending) == 2
        if as_list:
            e.phones[DENVER].pending = list(e.phones[DENVER].pending)  # type: ignore[assignment]
        e = pickle.loads(pickle.dumps(e))
        out = e.handle(sms_in("2026-12-14T10:05", answer))
        out += e.handle(scan("2026-12-14T11:00", "03"))
        return out, list(e.phones[DENVER].pending)

    assert run(as_list=True) == run(as_list=False)
    out, pending = run(as_list=False)
    assert pending == []
    if answer == "yes":
        assert [n.cause for n in notices(out)] == ["scan:03"]
    else:
        assert notices(out) == []


def test_subscription_lists_from_an_older_snapshot_still_work() -> None:
    """Parcels' and phones' subscriptions are tuples now; a snapshot written before held
    lists. Restored, a new subscription joins them, STOP <tracking number> drops one, and
    scans text the rest, as from a snapshot with tuples."""
    import pickle

    def run(as_list: bool) -> tuple[list[Output], list[str], list[int]]:
        e = engine()
        e.handle(sub("2026-12-14T09:00"))
        e.handle(sub("2026-12-14T09:01", tn=TN2))
        e.handle(sub("2026-12-14T09:02", phone=MIAMI))
        if as_list:
            for holder in [*e.parcels.values(), *e.phones.values()]:
                holder.subs = list(holder.subs or ())  # type: ignore[assignment]
        e = pickle.loads(pickle.dumps(e))
        out = e.handle(sms_in("2026-12-14T09:30", f"STOP {TN}"))
        out += e.handle(sub("2026-12-14T09:31", tn=TN2, phone=MIAMI))
        out += e.handle(scan("2026-12-14T11:00", "03"))
        out += e.handle(scan("2026-12-14T11:00", "03", tn=TN2))
        return (out, [s.tracking_number for s in e.phones[DENVER].subs],
                [len(e.parcels[t].subs or ()) for t in (TN, TN2)])

    assert run(as_list=True) == run(as_list=False)
    out, denver, per_parcel = run(as_list=False)
    assert denver == [TN2]
    assert per_parcel == [1, 2]  # TN: Miami only; TN2: Denver and Miami
    assert sorted((n.to, n.tracking_number) for n in notices(out)) == sorted(
        [(MIAMI, TN), (DENVER, TN2), (MIAMI, TN2)])


def test_a_number_the_engine_holds_is_not_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every phone the engine holds was made by ``normalise``, which gives an E.164
    number back unchanged: such a number is used as it is; others are parsed."""
    parsed: list[str] = []
    real = phones.normalise

    def counting(raw: str, *, field: str = "phone") -> str:
        parsed.append(raw)
        return real(raw, field=field)

    inputs = [sub("2026-12-14T09:00"), sms_in("2026-12-14T09:05", "WHEN"),
              sub("2026-12-14T09:06", tn=TN2), sub("2026-12-14T09:07", phone=MIAMI),
              sms_in("2026-12-14T09:08", "STOP", phone=MIAMI), scan("2026-12-14T11:00", "03")]
    with monkeypatch.context() as m:  # every number parsed, as before the shortcut
        m.setattr(Engine, "_e164", lambda _self, raw, field="phone": real(raw, field=field))
        every_time = engine().handle_all(inputs)
    monkeypatch.setattr(phones, "normalise", counting)
    assert engine().handle_all(inputs) == every_time
    assert parsed == [DENVER, DENVER, MIAMI, MIAMI]  # each new number: the check, the handler
    assert real(DENVER) == DENVER and real(MIAMI) == MIAMI


def test_subscriptions_share_their_terms_and_change_them_apart() -> None:
    """Subscriptions with the same options, channel, merchant and place share one
    ``Terms``; new options for one give it other terms and leave the others as they
    were."""
    e = engine()
    e.handle(sub("2026-12-14T09:00", options=("delivered",)))
    e.handle(sub("2026-12-14T09:01", tn=TN2, options=("delivered",)))
    a, b = e.phones[DENVER].subs
    assert a.terms is b.terms
    e.handle(sub("2026-12-14T09:05", options=("expected_delivery",)))
    a, b = e.phones[DENVER].subs
    assert a.terms is not b.terms
    assert a.options != b.options
    assert (a.channel, a.merchant, a.zone, a.strict, a.clues) == (
        b.channel, b.merchant, b.zone, b.strict, b.clues)


@pytest.mark.parametrize("shared_terms", [False, True])
def test_subscriptions_from_a_snapshot_with_their_own_terms_still_work(
        monkeypatch: pytest.MonkeyPatch, shared_terms: bool) -> None:
    """A snapshot written before the terms were shared holds each subscription's
    options, channel, merchant, zone, strictness and clues as its own fields, and one
    written before ``active`` and ``last_milestone`` were packed holds those apart (both
    kinds are tried). Restored, it answers exactly as a snapshot written now."""
    import pickle

    from engine.state import Sub

    def old_state(self: Sub) -> tuple[None, dict[str, object]]:
        t = self.terms
        fields: dict[str, object] = {
            "phone": self.phone, "tracking_number": self.tracking_number,
            "active": self.active, "last_milestone": self.last_milestone,
            "last_eta": self.last_eta}
        if shared_terms:
            fields["terms"] = t
        else:
            fields.update(options=t.options, channel=t.channel, merchant=t.merchant,
                          zone=t.zone, strict=t.strict, clues=t.clues)
        return None, fields

    def run(old: bool) -> tuple[list[Output], list[tuple[object, ...]]]:
        e = engine()
        e.handle(sub("2026-12-14T09:00"))
        e.handle(sub("2026-12-14T09:01", tn=TN2, channel="tracking_page"))
        e.handle(sub("2026-12-14T09:02", phone=MIAMI))
        with monkeypatch.context() as m:
            if old:
                m.setattr(Sub, "__getstate__", old_state, raising=False)
            blob = pickle.dumps(e)
        e = pickle.loads(blob)
        out = e.handle(sms_in("2026-12-14T09:30", "YES"))
        out += e.handle(sms_in("2026-12-14T09:31", f"DND {TN}", phone=MIAMI))
        out += e.handle(scan("2026-12-14T11:00", "03"))
        out += e.handle(scan("2026-12-14T11:00", "03", tn=TN2))
        return out, [(s.tracking_number, s.options, s.channel, s.merchant, s.zone.key,
                      s.strict, s.clues, s.active) for p in e.phones.values() for s in p.subs]

    assert run(old=True) == run(old=False)


def test_one_subscription_is_kept_bare_and_read_as_a_tuple() -> None:
    """A parcel's or phone's only subscription is kept as itself (a tuple of one costs
    48 bytes) and read as a tuple of one; a second makes a tuple, and dropping back to
    one keeps it bare again."""
    from engine.state import Sub

    e = engine()
    e.handle(sub("2026-12-14T09:00"))
    parcel, phone = e.parcels[TN], e.phones[DENVER]
    assert type(parcel._subs) is Sub and type(phone._subs) is Sub
    assert parcel.subs == phone.subs and len(phone.subs) == 1
    e.handle(sub("2026-12-14T09:01", tn=TN2))
    e.handle(sub("2026-12-14T09:02", phone=MIAMI))
    assert len(phone.subs) == 2 and len(parcel.subs or ()) == 2
    e.handle(sms_in("2026-12-14T09:30", f"STOP {TN}"))
    assert type(parcel._subs) is Sub and type(phone._subs) is Sub
    assert [s.tracking_number for s in phone.subs] == [TN2]
    assert [s.phone.e164 for s in parcel.subs or ()] == [MIAMI]


def test_subscriptions_from_a_snapshot_with_tuples_of_one_still_work(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A snapshot written when every parcel and phone held its subscriptions as a tuple
    (``subs``) loads into the bare form and answers as one written now."""
    import pickle

    from engine.state import Parcel, Phone

    def old_state(self: Parcel | Phone) -> tuple[None, dict[str, object]]:
        slots = {k: getattr(self, k) for k in type(self).__slots__ if k != "_subs"}
        return None, {**slots, "subs": self.subs}

    def run(old: bool) -> tuple[list[Output], list[object]]:
        e = engine()
        e.handle(sub("2026-12-14T09:00"))
        e.handle(sub("2026-12-14T09:01", tn=TN2))
        e.handle(sub("2026-12-14T09:02", phone=MIAMI))
        with monkeypatch.context() as m:
            if old:
                m.setattr(Parcel, "__getstate__", old_state, raising=False)
                m.setattr(Phone, "__getstate__", old_state, raising=False)
            blob = pickle.dumps(e)
        assert (b"\x8c\x05_subs" in blob) is not old  # the field's name, pickled
        e = pickle.loads(blob)
        out = e.handle(sms_in("2026-12-14T09:30", f"STOP {TN2}"))
        out += e.handle(sub("2026-12-14T09:31", tn=TN2, phone=MIAMI))
        out += e.handle(scan("2026-12-14T11:00", "03"))
        out += e.handle(scan("2026-12-14T11:00", "03", tn=TN2))
        holders = [*e.parcels.values(), *e.phones.values()]
        return out, [type(h._subs).__name__ for h in holders]

    assert run(old=True) == run(old=False)


def test_a_number_already_in_e164_is_kept_as_one_string(monkeypatch: pytest.MonkeyPatch) -> None:
    """A number given in E.164 comes back as the very string given (the memo and the
    engine then hold one string, not two equal ones); any other form is rewritten."""
    monkeypatch.setattr(phones, "_MEMO", {})
    raw = "".join(["+1303", "5550123"])  # built at run time: not a shared constant
    assert phones.normalise(raw) is raw
    assert phones.normalise(raw) is raw  # from the memo
    other = "(303) 555-0124"
    assert phones.normalise(other) == "+13035550124"


def test_phones_from_a_snapshot_with_their_flags_apart_still_work(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A snapshot written before a phone's opt-out, QUIET and failed receipts were packed
    in one int holds them as fields of their own. Restored, it answers as one written
    now: the opted-out phone stays out, the quiet one quiet, the failures counted."""
    import pickle

    from engine.inputs import Receipt
    from engine.state import Phone
    from tests.helpers import at

    def old_state(self: Phone) -> tuple[None, dict[str, object]]:
        slots = {k: getattr(self, k) for k in type(self).__slots__ if k != "_state"}
        return None, {**slots, "opted_out": self.opted_out, "quiet": self.quiet,
                      "fails": self.fails}

    def run(old: bool) -> tuple[list[Output], list[tuple[str, bool, bool, int]]]:
        e = engine("every_scan", "quiet_hours")
        e.handle(sub("2026-12-14T09:00"))
        e.handle(sub("2026-12-14T09:01", tn=TN2, phone=MIAMI))
        e.handle(sms_in("2026-12-14T09:02", "QUIET"))
        (welcome,) = texts(e.handle(sms_in("2026-12-14T09:03", "HELP", phone=MIAMI)))
        e.handle(Receipt(at=at("2026-12-14T09:10"), message_id=welcome.message_id,
                         status="failed"))
        e.handle(sms_in("2026-12-14T09:20", f"STOP {TN}"))
        with monkeypatch.context() as m:
            if old:
                m.setattr(Phone, "__getstate__", old_state, raising=False)
            blob = pickle.dumps(e)
        assert (b"\x8c\x09opted_out" in blob) is old  # the field's name, pickled
        e = pickle.loads(blob)
        out = e.handle(scan("2026-12-14T22:30", "03"))
        out += e.handle(scan("2026-12-14T22:30", "03", tn=TN2))
        out += e.handle(sms_in("2026-12-14T22:40", "START"))
        return out, [(p.e164, p.opted_out, p.quiet, p.fails) for p in e.phones.values()]

    old, new = run(old=True), run(old=False)
    assert old == new
    assert (DENVER, False, True, 0) in new[1] and (MIAMI, False, False, 1) in new[1]
