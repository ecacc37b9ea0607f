"""How many texts each person had in a sliding window: the memory of the rolling cap,
the legal-risk audit and the simulation's people.

One log of (time, key), oldest first, and a count per key. A text leaves the window
once a later time is ``length`` or more after it, whoever that time is for, so the
counts are exact as long as times never go back (the engine's clock does not; the
simulation's pump delivers in time order). 16 bytes a text in the window, where a tuple
of send times per person cost 60-90 bytes a person (with its int or float objects), kept
until someone let go of it.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any, Final, Generic, Protocol, TypeVar

K = TypeVar("K")
K_contra = TypeVar("K_contra", contravariant=True)
COMPACT_AT: Final = 4_096  # log entries spent (and an eighth of the log) before they go


class Counts(Protocol[K_contra]):
    """Where the counts live: a dict by default, or anything with these (the
    simulation's people count in a flat array by slot, ``SlotCounts``)."""

    def get(self, key: K_contra, default: int, /) -> int: ...
    def __setitem__(self, key: K_contra, value: int, /) -> None: ...
    def __delitem__(self, key: K_contra, /) -> None: ...


class SlotCounts:
    """Counts in an ``array("I")`` by slot: 4 bytes per slot, for keys 0 to n - 1."""

    __slots__ = ("values",)

    def __init__(self, n: int) -> None:
        self.values = array("I", [0]) * n

    def get(self, key: int, default: int, /) -> int:
        return self.values[key]

    def __setitem__(self, key: int, value: int, /) -> None:
        self.values[key] = value

    def __delitem__(self, key: int, /) -> None:
        self.values[key] = 0


class RecentCounts(Generic[K]):
    """The events of each key in the ``length`` time units up to the latest time seen."""

    __slots__ = ("_at", "_head", "_keys", "counts", "length")

    def __init__(self, length: float, counts: Counts[K] | None = None,
                 typecode: str = "q", key_typecode: str = "") -> None:
        self.length = length
        self.counts: Counts[K] = {} if counts is None else counts
        # "q": whole seconds (the engine's clock); "d": the simulation's times
        self._at: array[Any] = array(typecode)
        # Keys as objects, or in an array when they are small ints (slots: an int
        # object above 256 costs 32 bytes, an array entry 4)
        self._keys: list[K] | array[Any] = array(key_typecode) if key_typecode else []
        self._head = 0               # the log's entries before this one are spent

    @classmethod
    def of(cls, length: float, times: dict[K, object]) -> RecentCounts[K]:
        """A counter holding ``times`` (key -> its send times, a tuple, a list or one
        bare int, as the send-time memories kept them before this class, in snapshots),
        merged in time order."""
        recent: RecentCounts[K] = cls(length)
        entries = sorted(
            ((t, k, key) for k, (key, kept) in enumerate(times.items())
             for t in ((kept,) if type(kept) is int else kept)),  # type: ignore[attr-defined]
            key=lambda e: (e[0], e[1]))
        for t, _k, key in entries:
            recent.add(t, key)
        return recent

    def count(self, key: K) -> int:
        """Events of ``key`` in the window (as of the last ``slide`` or ``add``)."""
        return self.counts.get(key, 0)

    def slide(self, now: float) -> None:
        """End the window at ``now``: let go of the events at or before ``now - length``.
        Raises ``ValueError``, having changed nothing, if ``now`` is before the last event."""
        times = self._at
        head, n = self._head, len(times)
        if n and now < times[-1]:
            raise ValueError(f"times must not go back: {now} after {times[-1]}")
        horizon = now - self.length
        if head < n and times[head] <= horizon:
            counts, keys = self.counts, self._keys
            while head < n and times[head] <= horizon:
                key = keys[head]
                left = counts.get(key, 0) - 1
                if left:
                    counts[key] = left
                else:
                    del counts[key]
                head += 1
            if head >= COMPACT_AT and 8 * head >= n:
                del times[:head], keys[:head]
                head = 0
            self._head = head

    def add(self, at: float, key: K) -> int:
        """An event of ``key`` at ``at`` (no earlier than the last one): the window is
        moved to end at ``at``; returns the count of ``key`` with this one."""
        self.slide(at)
        self._at.append(at)
        self._keys.append(key)
        n = self.counts.get(key, 0) + 1
        self.counts[key] = n
        return n

    def times(self, key: K) -> tuple[float, ...]:
        """The times of ``key``'s events still in the log, oldest first."""
        h = self._head
        return tuple(t for t, k in zip(self._at[h:], self._keys[h:], strict=True) if k == key)

    def drop(self, keys: Sequence[K]) -> None:
        """Forget ``keys`` (objects, compared by identity): their counts and their events,
        and the log's spent front, so nothing of them is kept."""
        gone = {id(k) for k in keys}
        if not gone and not self._head:
            return
        h = self._head
        kept = [(t, k) for t, k in zip(self._at[h:], self._keys[h:], strict=True)
                if id(k) not in gone]
        for k in keys:
            if self.counts.get(k, 0):
                del self.counts[k]
        self._at = array(self._at.typecode, (t for t, _ in kept))
        keys = self._keys
        self._keys = (array(keys.typecode, (k for _, k in kept)) if isinstance(keys, array)
                      else [k for _, k in kept])
        self._head = 0
