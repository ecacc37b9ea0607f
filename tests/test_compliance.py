"""The compliance table as data, the compliance policy, and the legal-risk audit.

The property: with the compliance policy in the chain, every notification falls
inside every window that either clue to the person's location names (checked
here from the table and the clues directly), no person a capped state covers
gets more than its cap in its rolling hours, and the audit counts 0 under
every resolution of the zone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine.recent as recent
from engine.audit import Audit
from engine.compliance import BY_STATE, FEDERAL, RESOLUTIONS, RULES, capped, load, resolve
from engine.core import Engine, EngineConfig
from engine.errors import LocalMisuse
from engine.geo import locate
from engine.inputs import Input, Scan, Subscribe
from engine.outputs import Held, Sms
from tests.helpers import at

TN = "9400111899223456789012"
# Area codes and ZIPs of states with and without rules of their own, and far-apart zones.
PHONES = ("+13055550142", "+14055550123", "+14105550123", "+12065550101", "+12035550123",
          "+12145550123", "+14155550123", "+18085550110", "+12125550199", "+16025550123",
          "+17875550123")
ZIPS = (None, "33101", "73102", "21201", "98101", "06103", "75201", "94105", "96813",
        "10001", "85001", "00901")
CODES = ("03", "10", "07", "OF", "01", "53", "04")
START = at("2026-12-12T00:00")  # a Saturday: Texas's Sunday window is in range


def test_the_table_holds_the_rules_the_issue_names() -> None:
    assert (FEDERAL.jurisdiction, FEDERAL.start, FEDERAL.end, FEDERAL.cap) == ("US", 8, 21, 0)
    assert FEDERAL.citation == "47 CFR 64.1200(c)(1)"
    for state in ("FL", "OK"):
        rule = BY_STATE[state]
        assert (rule.start, rule.end, rule.cap, rule.cap_hours) == (8, 20, 3, 24)
    for state in ("WA", "MD"):
        assert (BY_STATE[state].start, BY_STATE[state].end) == (8, 20)
    assert BY_STATE["TX"].hours(6) == (12, 21) and BY_STATE["TX"].hours(0) == (9, 21)
    for rule in RULES:
        assert rule.citation and rule.source.startswith("http") and rule.effective.year > 1900
        assert set(rule.applies_by) <= {"area_code", "address"}


@pytest.mark.parametrize(("text", "message"), [
    ("[[rule]]\njurisdiction='FL'\nwindow=[8, 20]\ncap=3\ncap_hours=24\n"
     "applies_by=['area_code']\ncitation='x'\nsource='x'\neffective='2021-07-01'\nnote=''",
     "first rule must be the federal one"),
    ("[[rule]]\njurisdiction='US'\nwindow=[8, 21]", "missing field"),
    ("[[rule]]\njurisdiction='US'\nwindow=[21, 8]\ncap=0\ncap_hours=24\n"
     "applies_by=['area_code']\ncitation='x'\nsource='x'\neffective='2020-01-01'\nnote=''",
     "window"),
    ("[[rule]]\njurisdiction='US'\nwindow=[8, 21]\ncap=0\ncap_hours=24\n"
     "applies_by=['zip']\ncitation='x'\nsource='x'\neffective='2020-01-01'\nnote=''",
     "applies_by"),
    ("[[rule", "compliance.toml"),
])
def test_a_bad_table_is_refused_naming_rule_and_field(text: str, message: str) -> None:
    with pytest.raises(LocalMisuse, match=message):
        load(text)


def test_a_florida_number_with_a_california_address_gets_floridas_8_pm() -> None:
    """The issue's case: the ZIP's zone alone would allow 20:30 Florida time."""
    inputs: list[Input] = [
        Subscribe(at=at("2026-12-14T09:00"), tracking_number=TN, phone="+13055550142",
                  destination_zip="94105"),
        Scan(at=int(datetime(2026, 12, 14, 20, 30, tzinfo=ZoneInfo("America/New_York"))
                    .timestamp()), tracking_number=TN, event_code="10"),
    ]
    for chain in (("every_scan", "compliance"), ("every_scan", "quiet_hours")):
        out = Engine(EngineConfig(policies=chain)).handle_all(inputs)
        held = [o for o in out if isinstance(o, Held)]
        assert len(held) == 1, chain
        (sent,) = [o for o in out if isinstance(o, Sms) and o.event_at is not None]
        assert datetime.fromtimestamp(sent.at, ZoneInfo("America/Los_Angeles")).hour == 8
    audit = Audit()
    engine = Engine(EngineConfig(policies=("every_scan",)))
    for inp in inputs:
        audit.observe(engine, engine.feed(inp))
    assert audit.breaks[("both", "FL", "window")] == 1
    assert audit.breaks[("area_code", "FL", "window")] == 1
    assert audit.breaks[("address", "FL", "window")] == 0  # what the old engine looked at


@st.composite
def streams(draw: st.DrawFn) -> list[Input]:
    people = draw(st.lists(st.tuples(st.sampled_from(PHONES), st.sampled_from(ZIPS)),
                           min_size=1, max_size=3))
    tns = [f"94001118992234567890{i:02d}" for i in range(len(people))]
    inputs: list[Input] = []
    for (phone, zip_code), tn in zip(people, tns, strict=True):
        inputs.append(Subscribe(at=START, tracking_number=tn, phone=phone,
                                destination_zip=zip_code))
    for _ in range(draw(st.integers(1, 14))):
        inputs.append(Scan(at=START + draw(st.integers(60, 3 * 86400)),
                           tracking_number=draw(st.sampled_from(tns)),
                           event_code=draw(st.sampled_from(CODES))))
    return sorted(inputs, key=lambda i: i.at)


def _inside(at_: int, zone: str, hours: tuple[int, int]) -> bool:
    return hours[0] <= datetime.fromtimestamp(at_, ZoneInfo(zone)).hour < hours[1]


@pytest.mark.parametrize("chain", [
    ("every_scan", "compliance"),
    ("every_scan", "compliance:mode=drop"),
    ("milestones", "digest:minutes=90", "compliance"),
    ("every_scan", "compliance", "cap_rolling:limit=5"),
])
@given(inputs=streams())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_windows_hold_in_every_zone_the_clues_name(chain: tuple[str, ...],
                                                   inputs: list[Input]) -> None:
    engine = Engine(EngineConfig(policies=chain))
    audit = Audit()
    outputs = []
    for inp in inputs:
        out = engine.feed(inp)
        audit.observe(engine, out)
        outputs += out
    tail = engine.drain()
    audit.observe(engine, tail)
    outputs += tail
    where = {s.tracking_number: locate(s.phone, s.destination_zip) for s in inputs
             if isinstance(s, Subscribe)}
    sent: dict[str, list[int]] = defaultdict(list)
    for o in outputs:
        if not (isinstance(o, Sms) and o.event_at is not None):
            continue
        place = where[o.tracking_number or ""]
        for clue in place.clues:
            weekday = datetime.fromtimestamp(o.at, ZoneInfo(clue.zone)).weekday()
            assert _inside(o.at, clue.zone, FEDERAL.hours(weekday)), (clue, o)
            rule = BY_STATE.get(clue.state or "")
            if rule is not None:
                assert _inside(o.at, clue.zone, rule.hours(weekday)), (clue, o)
                if rule.cap:
                    recent = [t for t in sent[o.to] if t > o.at - rule.cap_hours * 3600]
                    assert len(recent) < rule.cap, (clue, o)
        sent[o.to].append(o.at)
    assert audit.total("both") == audit.total("area_code") == audit.total("address") == 0


def _sms(at_: int, to: str) -> Sms:
    return Sms(at=at_, to=to, body="x", message_id=f"m{at_}", tracking_number=None,
               encoding="GSM-7", segments=1, cause="scan:OF", event_at=at_)


@given(gaps=st.lists(st.integers(0, 30 * 3600), min_size=1, max_size=60),
       who=st.lists(st.sampled_from(PHONES), min_size=60, max_size=60),
       compact_at=st.sampled_from([1, 2, 5, 4_096]))
@settings(max_examples=150, deadline=None)
def test_audit_caps_count_each_persons_texts_in_the_rules_hours(
        gaps: list[int], who: list[str], compact_at: int) -> None:
    """The cap breaks are those a list of each person's own texts gives, with texts to
    several people interleaved, however often the audit's log lets go of its front."""
    engine = Engine()
    audit = Audit()
    texts = [_sms(START + sum(gaps[: k + 1]), to) for k, to in enumerate(who[: len(gaps)])]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(recent, "COMPACT_AT", compact_at)
        audit.observe(engine, texts)
    want: Counter[tuple[str, str, str]] = Counter()
    sent: dict[str, list[int]] = defaultdict(list)
    for o in texts:
        clues = locate(o.to, None).clues
        for by in RESOLUTIONS:
            for rule in capped(resolve(clues, by)):
                before = [t for t in sent[o.to] if t > o.at - rule.cap_hours * 3600]
                if len(before) >= rule.cap:
                    want[(by, rule.jurisdiction, "cap")] += 1
        sent[o.to].append(o.at)
    got = Counter({k: n for k, n in audit.breaks.items() if k[2] == "cap" and n})
    assert got == want
    assert audit.notifications == len(texts)


def test_audit_refuses_texts_back_in_time() -> None:
    engine = Engine()
    audit = Audit()
    audit.observe(engine, [_sms(START + 100, PHONES[0])])
    before = dict(audit.breaks)
    with pytest.raises(ValueError, match="go back"):
        audit.observe(engine, [_sms(START + 99, PHONES[1])])
    assert audit.notifications == 1 and dict(audit.breaks) == before  # nothing counted
