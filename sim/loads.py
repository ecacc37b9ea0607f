"""What the network carries: loads (``Load``). A ``Piece`` is a count of parcels
nobody follows by text; a followed parcel (``Tracked``) travels as itself, a load of
one, so the millions in flight on a national day carry no wrapper. ``Outbound`` is
what a facility has ready for one next hop.

Sizes matter here: a ``Tracked`` is nine slots, its small fields packed in two ints
that are shared int objects (``engine.state.shared_int`` and a memo of routes).
"""

from __future__ import annotations

from collections import deque
from typing import ClassVar, overload

from engine.state import shared_int


class Outbound:
    """What a facility has ready for one next hop, in the order it was ready: the
    times and the loads in two queues (a (time, load) pair per load would cost a
    64-byte tuple each; a national day has millions waiting for their trips)."""

    __slots__ = ("loads", "times")

    def __init__(self) -> None:
        self.times: deque[float] = deque()
        self.loads: deque[Load] = deque()

    def take(self, until: float) -> list[Load]:
        """The loads ready by ``until``, first ready first, taken off the queue."""
        times, loads = self.times, self.loads
        taken: list[Load] = []
        while times and times[0] <= until:
            times.popleft()
            taken.append(loads.popleft())
        return taken


# Tracked.flags: what happened to a followed parcel, one int for seven fields.
_EXCEPTION = 1           # the last mile could not deliver it at the first try
_EXCEPTION_TEXTED = 2    # and its person got a text about that
_RETURNED = 4            # returned to sender
_OF_TEXTED = 8           # an "out for delivery" text reached its person
_OF_FIRST = 16           # the first one did, no later than the delivery
_MISSING_SHIFT = 5       # and two bits: the facility whose "10" scan is missing
_SCANS_SHIFT = 7         # and above them: how many scans it has had
MISSING_KINDS: tuple[str, ...] = ("", "rpdc", "lpc")
# Python shares the int objects of -5 to 256 only: a flags or route value above that
# would be a 32-byte object of its own per parcel. Flags go through the engine's table
# of shared ints (``shared_int``: up to 127 scans), routes (a few thousand pairs of
# regions) through a memo.
_ROUTES: dict[int, int] = {}


class _Flag:
    """A boolean kept as one bit of ``Tracked.flags``."""

    __slots__ = ("bit",)

    def __init__(self, bit: int) -> None:
        self.bit = bit

    @overload
    def __get__(self, obj: None, owner: type) -> _Flag: ...
    @overload
    def __get__(self, obj: Tracked, owner: type) -> bool: ...
    def __get__(self, obj: Tracked | None, owner: type) -> _Flag | bool:
        return self if obj is None else bool(obj.flags & self.bit)

    def __set__(self, obj: Tracked, on: bool) -> None:
        obj.flags = shared_int(obj.flags | self.bit if on else obj.flags & ~self.bit)


class Tracked:
    """One parcel someone follows by text: its scans go through the engine.

    Nine slots (104 bytes; there are millions in flight on a national day): the
    booleans, the missing scan's facility and the count of scans share ``flags``, the
    origin and destination regions ``route``, each read and written through a
    property of its own name."""

    __slots__ = (
        "accepted_at",
        "arrived_at",
        "delivered_at",
        "errors",
        "eta_day",
        "flags",
        "last_texted_at",
        "route",
        "tn",
    )

    def __init__(self, index: int, origin: int, dest: int, accepted_at: float,
                 eta_day: int) -> None:
        if not (0 <= origin < 1 << 16 and 0 <= dest < 1 << 16):
            raise ValueError("regions are numbered 0 to 65,535")
        self.tn = f"9400{index:018d}"  # holds the arrival index (``index``)
        route = origin << 16 | dest
        self.route = _ROUTES.setdefault(route, route)
        self.accepted_at = accepted_at
        self.arrived_at = accepted_at  # at the facility it is in (as a load)
        self.eta_day = eta_day
        self.delivered_at: float | None = None
        self.flags = 0
        self.last_texted_at: float | None = None
        self.errors: tuple[tuple[str, int], ...] | None = None  # (code, time) of erroneous scans

    @property
    def origin(self) -> int:
        """The region it was accepted in."""
        return self.route >> 16

    @property
    def dest(self) -> int:
        """The region it goes to."""
        return self.route & 0xFFFF

    @property
    def scans(self) -> int:
        """How many scans it has had (in ``flags``)."""
        return self.flags >> _SCANS_SHIFT

    @scans.setter
    def scans(self, n: int) -> None:
        self.flags = shared_int((self.flags & ((1 << _SCANS_SHIFT) - 1)) | (n << _SCANS_SHIFT))

    def add_scans(self, n: int) -> None:
        """``n`` more scans (the scan path's ``scans += n`` in one call)."""
        self.flags = shared_int(self.flags + (n << _SCANS_SHIFT))

    exception = _Flag(_EXCEPTION)
    exception_texted = _Flag(_EXCEPTION_TEXTED)
    returned = _Flag(_RETURNED)
    of_texted = _Flag(_OF_TEXTED)
    of_first = _Flag(_OF_FIRST)  # see ``FollowedParcels.of_texted``

    @property
    def missing(self) -> str:
        """The facility kind whose "10" scan is missing (a scan error), or ""."""
        return MISSING_KINDS[(self.flags >> _MISSING_SHIFT) & 3]

    @missing.setter
    def missing(self, kind: str) -> None:
        if kind not in MISSING_KINDS:
            raise ValueError(f"a missing scan is at one of {MISSING_KINDS[1:]}, not {kind!r}")
        self.flags = shared_int((self.flags & ~(3 << _MISSING_SHIFT)) | (
            MISSING_KINDS.index(kind) << _MISSING_SHIFT))

    @property
    def index(self) -> int:
        """The parcel's arrival number, kept in its tracking number (a slot and an int
        object less per followed parcel in flight)."""
        return int(self.tn[4:])

    # As a load of one (see ``Piece``): no untracked parcels, itself followed.
    count: ClassVar[int] = 0
    size: ClassVar[int] = 1

    @property
    def tracked(self) -> tuple[Tracked]:
        return (self,)


class Piece:
    """Parcels nobody follows by text that move together: a count."""

    __slots__ = ("accepted_at", "arrived_at", "count", "dest", "eta_day")
    tracked: ClassVar[tuple[Tracked, ...]] = ()  # none followed (``Tracked`` is its own load)

    def __init__(self, count: int, dest: int, accepted_at: float, eta_day: int) -> None:
        self.count = count
        self.dest = dest
        self.accepted_at = accepted_at
        self.eta_day = eta_day
        self.arrived_at = accepted_at

    @property
    def size(self) -> int:
        return self.count

    def split(self, n: int) -> Piece:
        """Take ``n`` parcels off the front."""
        part = Piece(n, self.dest, self.accepted_at, self.eta_day)
        part.arrived_at = self.arrived_at
        self.count -= n
        return part


Load = Piece | Tracked  # what facilities queue and trucks carry
