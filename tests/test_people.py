"""The recipients as slots (sim.people): a phone number names one known person, and
the fatigue counts kept in arrays are those a list per person gave."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

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
       prunes=st.lists(st.integers(0, 4 * 86400), max_size=6))
def test_counts_in_24_hours_are_exact_whenever_the_day_old_times_are_let_go(
        gaps: list[int], prunes: list[int]) -> None:
    times = [float(sum(gaps[: k + 1])) for k in range(len(gaps))]
    people = People(regions(), [5, 3])
    phone = people.meet(0, 1)
    got = []
    events = sorted([(t, 1) for t in times] + [(float(p), 0) for p in prunes])
    for t, kind in events:  # prunes at their times, before a notification at the same time
        if kind:
            got.append(people.notified(1, t, phone))
        else:
            people._next_prune = 0.0  # as if a day had passed since the last
            people.prune(t)
    want = _n24_by_list(times)
    assert got == want
    assert people.max24_values() == [max(want)]
    assert people.max24[1] == max(want)


def test_prune_lets_go_of_those_not_notified_for_a_day_only() -> None:
    people = People(regions(), [5, 3])
    phones = [people.meet(0, i) for i in range(3)]
    people.notified(0, 1_000.0, phones[0])
    people.notified(1, 50_000.0, phones[1])
    people.notified(2, 90_000.0, phones[2])
    people.prune(1_000.0 + 86_400)   # 0's only notification is a day old: gone
    assert list(people.recent) == phones[1:]
    people.prune(87_400.0 + 80_000)  # 1's is a day old, but within a day of the last prune
    assert list(people.recent) == phones[1:]
    people.prune(87_400.0 + 86_400)  # a day after the last prune: 1 goes, 2 stays
    assert list(people.recent) == phones[2:]


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
