"""The recipients as slots (sim.people): a phone number names one known person, and
the fatigue counts kept in arrays are those a list per person gave."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine.recent as recent
from sim.people import People


def regions() -> list[Any]:
    return [SimpleNamespace(area_codes=["303", "720"]), SimpleNamespace(area_codes=["801"])]


def test_a_phone_names_the_person_drawn_and_nobody_else() -> None:
    people = People(regions(), [5, 3])
    assert people.meet(0, 3) == "+17202000003"  # area code by i % 2, number 2,000,000 + i
    assert people.meet(1, 2) == "+18012000002"
    assert people.slot("+17202000003") == 3
    assert people.slot("+18012000002") == 5 + 2
    assert people.region_of[3] == 0 and people.region_of[7] == 1
    for phone in ("+13032000003",   # the right number under the wrong area code
                  "+13032000000",   # in the pool, never drawn
                  "+17202000005",   # past the pool
                  "+16172000001",   # no region's area code
                  "+1720200000x", "+172020000031", "303200000312", "",
                  "+1720200000\u0663"):  # an Arabic-Indic 3: int() reads it, no person has it
        assert people.slot(phone) == -1, phone


def _n24_by_list(times: list[float]) -> list[int]:
    """What the model did before: one list per person, trimmed at each notification."""
    recent: list[float] = []
    out = []
    for at in times:
        recent.append(at)
        while recent[0] <= at - 86400:
            del recent[0]
        out.append(len(recent))
    return out


@settings(max_examples=200, deadline=None)
@given(gaps=st.lists(st.integers(0, 3 * 86400), min_size=1, max_size=40),
       who=st.lists(st.integers(0, 7), min_size=40, max_size=40),
       compact_at=st.sampled_from([1, 2, 3, 4_096]))
def test_counts_in_24_hours_are_exact_for_everyone_at_once(
        gaps: list[int], who: list[int], compact_at: int) -> None:
    """Notifications to several people, interleaved in time order: each count is what a
    list of that person's own times gives, however often the log lets go of its front."""
    times = [float(sum(gaps[: k + 1])) for k in range(len(gaps))]
    people = People(regions(), [5, 3])
    got: dict[int, list[int]] = {}
    mine: dict[int, list[float]] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(recent, "COMPACT_AT", compact_at)
        for t, slot in zip(times, who, strict=False):
            got.setdefault(slot, []).append(people.notified(slot, t))
            mine.setdefault(slot, []).append(t)
    for slot, own in mine.items():
        want = _n24_by_list(own)
        assert got[slot] == want
        assert people.max24[slot] == max(want)
    assert sorted(people.max24_values()) == sorted(max(_n24_by_list(v)) for v in mine.values())


def test_the_log_keeps_the_last_day_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recent, "COMPACT_AT", 2)
    people = People(regions(), [5, 3])
    people.notified(0, 1_000.0)
    people.notified(1, 50_000.0)
    people.notified(2, 80_000.0)
    assert list(people.in_day[:3]) == [1, 1, 1]
    people.notified(1, 1_000.0 + 86_400)  # 0's is a day old: let go, 1 counts two
    assert list(people.in_day[:3]) == [0, 2, 1]
    people.notified(3, 200_000.0)  # all but this one are a day old
    assert list(people.in_day[:4]) == [0, 0, 0, 1]
    assert len(people._day._at) - people._day._head == 1 and people._day._head < 2  # front gone
    assert list(people.max24[:4]) == [1, 2, 1, 1]


def test_a_notification_back_in_time_is_refused() -> None:
    people = People(regions(), [5, 3])
    people.notified(0, 5_000.0)
    with pytest.raises(ValueError, match="go back"):
        people.notified(1, 4_999.0)
    assert people.notified(1, 5_000.0) == 1  # the same time is fine


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.one_of(
    st.tuples(st.integers(0, 1), st.integers(0, 4)),             # a known person
    st.sampled_from(["+16172000001", "+13032000004", "x"])),      # a number that is nobody's
    max_size=60))
def test_texts_per_recipient_by_slot_are_the_counts_by_number(texts: list[Any]) -> None:
    """The tally's recipients kept by slot give the totals a count by number gives."""
    from engine.tally import ByNumber

    people = People(regions(), [5, 3])
    by_number = ByNumber()
    for t in texts:
        to = people.meet(t[0], t[1] % people.pool[t[0]]) if isinstance(t, tuple) else t
        people.count(to)
        by_number.count(to)
    assert sorted(people.totals()) == sorted(by_number.totals())
