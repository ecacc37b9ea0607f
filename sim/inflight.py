"""Followed parcels by tracking number, in pages by arrival index instead of a dict.

A followed parcel's tracking number holds its arrival index (``sim.loads.Tracked``),
and parcels arrive and leave roughly in that order, so the live ones fill runs of
consecutive indices. A dict under that churn keeps about three to six table slots per
live key (CPython sizes a dict to three times its keys when it grows), 70-100 bytes
each, and its growth copies the whole table at once; a page is a list of 4,096 slots,
8 bytes each, made when its first parcel arrives and dropped when its last leaves. A
page whose few stragglers (a parcel that never closes) would keep it alive hands them
to a small dict, so a page costs at most ``PAGE // KEEP_BELOW`` slots per parcel it holds.
A tracking number of any other form is kept in that dict too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from sim.loads import Tracked

PAGE_BITS: Final = 12
PAGE: Final = 1 << PAGE_BITS
KEEP_BELOW: Final = PAGE // 16  # a filled page with fewer parcels hands them to the dict
_PREFIX: Final = "9400"


def _index(tn: str) -> int:
    """The arrival index ``tn`` holds, or -1 for a tracking number of another form."""
    if len(tn) == 22 and tn.startswith(_PREFIX) and tn.isascii() and tn.isdigit():
        return int(tn[4:])
    return -1


class ByArrival:
    """A mapping from tracking number to live ``Tracked``: what ``FollowedParcels.live``
    needs of a dict (get, item access, ``in``, delete, values, len, clear)."""

    __slots__ = ("_counts", "_others", "_pages", "_top")

    def __init__(self) -> None:
        self._pages: dict[int, list[Tracked | None]] = {}
        self._counts: dict[int, int] = {}  # page -> parcels in it
        self._others: dict[str, Tracked] = {}
        self._top = -1  # the highest page made so far: pages below it are filled

    def __setitem__(self, tn: str, p: Tracked) -> None:
        i = _index(tn)
        if i < 0:
            self._others[tn] = p
            return
        k = i >> PAGE_BITS
        page = self._pages.get(k)
        if page is None:
            if k < self._top and tn in self._others:  # a handed-over page's parcel
                self._others[tn] = p
                return
            page = self._pages[k] = [None] * PAGE
            self._counts[k] = 0
            if k > self._top:
                self._top = k
        slot = i & (PAGE - 1)
        if page[slot] is None:
            self._counts[k] += 1
        page[slot] = p

    def get(self, tn: str) -> Tracked | None:
        i = _index(tn)
        if i >= 0:
            page = self._pages.get(i >> PAGE_BITS)
            if page is not None:
                p = page[i & (PAGE - 1)]
                if p is not None:
                    return p
        return self._others.get(tn) if self._others else None

    def __getitem__(self, tn: str) -> Tracked:
        p = self.get(tn)
        if p is None:
            raise KeyError(tn)
        return p

    def __contains__(self, tn: object) -> bool:
        return isinstance(tn, str) and self.get(tn) is not None

    def __delitem__(self, tn: str) -> None:
        i = _index(tn)
        k = i >> PAGE_BITS
        page = self._pages.get(k) if i >= 0 else None
        if page is None or page[i & (PAGE - 1)] is None:
            del self._others[tn]
            return
        page[i & (PAGE - 1)] = None
        n = self._counts[k] - 1
        if n >= KEEP_BELOW or k >= self._top:
            self._counts[k] = n
            return
        # A filled page down to its stragglers: hand them to the dict, drop the page.
        for p in page:
            if p is not None:
                self._others[p.tn] = p
        del self._pages[k], self._counts[k]

    def values(self) -> Iterator[Tracked]:
        for k in sorted(self._pages):
            yield from (p for p in self._pages[k] if p is not None)
        yield from self._others.values()

    def __len__(self) -> int:
        return sum(self._counts.values()) + len(self._others)

    def clear(self) -> None:
        self._pages.clear()
        self._counts.clear()
        self._others.clear()
