"""engine.recent: counts per key in a sliding window, by dict or by slot, the same."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.recent import RecentCounts, SlotCounts


def _in_window(seen: list[tuple[int, int]], key: int, t: int, length: int) -> tuple[int, ...]:
    return tuple(s for s, k in seen if k == key and s > t - length)


@settings(max_examples=200, deadline=None)
@given(events=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 4)), max_size=60),
       length=st.integers(1, 80), drop_at=st.integers(0, 60))
def test_counts_by_dict_and_by_slot_are_those_of_a_list_per_key(
        events: list[tuple[int, int]], length: int, drop_at: int) -> None:
    """Each key's count is that of its own list of times in the window, kept in a dict
    (keys dropped by identity, with their events) or in an array by slot (the keys of
    the log in an array too, and dropped from it)."""
    keys = [f"k{i}" for i in range(5)]
    by_dict: RecentCounts[str] = RecentCounts(length)
    slots = SlotCounts(5)
    by_slot: RecentCounts[int] = RecentCounts(length, slots, typecode="d", key_typecode="I")
    seen: list[tuple[int, int]] = []      # what the dict should know (less the dropped)
    seen_all: list[tuple[int, int]] = []  # every event (the slots)
    t = 0
    for i, (gap, k) in enumerate(events):
        t += gap
        if i == drop_at:
            by_slot.drop([])  # lets go of the spent front only
            by_dict.drop([keys[0]])
            assert all(key is not keys[0] for key in by_dict._keys)  # nothing of it kept
            seen = [(s, j) for s, j in seen if j != 0]
        assert by_dict.add(t, keys[k]) == len(_in_window(seen, k, t, length)) + 1
        assert by_slot.add(float(t), k) == len(_in_window(seen_all, k, t, length)) + 1
        seen.append((t, k))
        seen_all.append((t, k))
        for j in range(5):
            mine = _in_window(seen, j, t, length)
            assert by_dict.times(keys[j]) == mine and by_dict.count(keys[j]) == len(mine)
            assert slots.values[j] == len(_in_window(seen_all, j, t, length))


def test_a_time_before_the_last_is_refused_with_nothing_changed() -> None:
    recent: RecentCounts[str] = RecentCounts(10)
    recent.add(5, "a")
    recent.add(12, "b")
    with pytest.raises(ValueError, match="go back"):
        recent.slide(11)
    with pytest.raises(ValueError, match="go back"):
        recent.add(11, "a")
    assert recent.count("a") == 1 and recent.times("b") == (12,)
    recent.slide(15)  # 5 is 10 or more before 15: out
    assert recent.count("a") == 0 and "a" not in recent.counts  # type: ignore[operator]
