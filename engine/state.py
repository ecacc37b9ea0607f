"""The engine's memory: parcels, phones, subscriptions, and texts in flight.

Plain slotted classes, mutated only by ``engine.core``. Sizes matter: a
national day has millions of followed parcels, so a parcel is four slots (its
newest code and furthest rank packed in one shared int, its newest scan time read
from its history), its whole scan history is one ``bytes`` of 10-byte records (see
``pack_scan``), a subscription shares its terms with every other like it, the
small fields of a subscription and of a phone are packed in one shared int each, and
the only subscription of a parcel or phone is kept bare. Older snapshots still load
(the ``__setstate__`` methods).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol, overload
from zoneinfo import ZoneInfo

from engine.compliance import Clue

# One scan in 10 bytes, big-endian so byte order is time order:
# 40 bits event time (s) | 8 bits UTC offset in quarter hours + 64 |
# 8 bits code index | 24 bits place index.
RECORD: Final = 10


def pack_scan(at: int, offset_min: int, code: int, place: int) -> bytes:
    return ((at << 40) | ((offset_min // 15 + 64) << 32) | (code << 24) | place).to_bytes(
        RECORD, "big"
    )


def unpack_scan(record: bytes) -> tuple[int, int, int, int]:
    """(at, offset_min, code index, place index)."""
    n = int.from_bytes(record, "big")
    return n >> 40, (((n >> 32) & 0xFF) - 64) * 15, (n >> 24) & 0xFF, n & 0xFFFFFF


# Python shares the int objects of -5 to 256 only; a packed value above that would be
# a 32-byte object of its own per parcel. Packed values go through this table.
SHARED_INTS: Final = tuple(range(1 << 14))


def shared_int(value: int) -> int:
    """``value``, as an int object shared by every holder of that value when small."""
    return SHARED_INTS[value] if 0 <= value < len(SHARED_INTS) else value


class _Packed(Protocol):
    _state: int


class _Bit:
    """A boolean kept as one bit of an object's ``_state``, a shared int (``Phone``'s
    opt-out and QUIET, ``Sub``'s ``active``)."""

    __slots__ = ("bit",)

    def __init__(self, bit: int) -> None:
        self.bit = bit

    @overload
    def __get__(self, obj: None, owner: type) -> _Bit: ...
    @overload
    def __get__(self, obj: _Packed, owner: type) -> bool: ...
    def __get__(self, obj: _Packed | None, owner: type) -> _Bit | bool:
        return self if obj is None else bool(obj._state & self.bit)

    def __set__(self, obj: _Packed, on: bool) -> None:
        state = obj._state
        obj._state = shared_int(state | self.bit if on else state & ~self.bit)


class Parcel:
    """What the engine knows of one parcel, subscribed to or not."""

    __slots__ = ("_subs", "eta", "history", "status")

    def __init__(self) -> None:
        self.history = b""          # packed scans in event-time order
        self.status = 0             # ``code`` + 1 | (``max_rank`` + 1) << 8
        self.eta: int | None = None  # expected delivery, days since epoch
        self._subs: Sub | tuple[Sub, ...] | None = None  # see ``subs``

    @property
    def code(self) -> int:
        """Code index of the newest accepted scan (-1: none)."""
        return (self.status & 0xFF) - 1

    @code.setter
    def code(self, code: int) -> None:
        self.status = shared_int((self.status & ~0xFF) | (code + 1))

    @property
    def max_rank(self) -> int:
        """The furthest progress rank reached (-1: none)."""
        return (self.status >> 8) - 1

    @max_rank.setter
    def max_rank(self, rank: int) -> None:
        self.status = shared_int((self.status & 0xFF) | (rank + 1) << 8)

    @property
    def subs(self) -> tuple[Sub, ...] | None:
        """Its subscriptions (None: never subscribed to). Kept as the one ``Sub`` when
        there is one, as most parcels have: a tuple of one costs 48 bytes."""
        s = self._subs
        return (s,) if type(s) is Sub else s  # type: ignore[return-value]

    @subs.setter
    def subs(self, value: Sequence[Sub] | None) -> None:
        self._subs = _one_or_tuple(value)

    @property
    def last_at(self) -> int:
        """Event time of the newest scan (-1: none): the last record's, since the
        history is in event-time order (an int object less per parcel than a slot)."""
        h = self.history
        return int.from_bytes(h[-RECORD:-5], "big") if h else -1

    def __setstate__(self, state: tuple[None, dict[str, object]]) -> None:
        """Unpickling; a snapshot written before ``last_at`` was read from the history
        holds it as a field (the same value), and older ones hold ``code`` and
        ``max_rank`` apart and the subscriptions as a tuple."""
        self.status = 0
        for name, value in state[1].items():
            if name in ("subs", "code", "max_rank"):  # written before they were packed
                setattr(self, name, value)
            elif name != "last_at":
                object.__setattr__(self, name, value)


def _one_or_tuple(subs: Sequence[Sub] | None) -> Sub | tuple[Sub, ...] | None:
    if subs is None:
        return None
    return subs[0] if len(subs) == 1 else tuple(subs)


class Phone:
    """One person, by phone number."""

    __slots__ = ("_state", "_subs", "e164", "pending", "touches", "zone_hint")

    def __init__(self, e164: str) -> None:
        self.e164 = e164
        # ``opted_out``, ``quiet`` (the person's QUIET window, 11 PM-7 AM Central) and
        # ``fails`` (consecutive failed delivery receipts), packed in one shared int:
        # fails << 2 | quiet << 1 | opted_out.
        self._state = 0
        self.touches = 0            # inputs from or about this phone: makes ids unique
        # Subscriptions (``subs``), and those from the tracking page awaiting YES:
        # tuples (rebuilt when one is added or dropped), so the many with none share
        # the one empty tuple; a list costs 56 bytes empty and 88 with one. Snapshots
        # written when they were lists still load (``without``).
        self._subs: Sub | tuple[Sub, ...] = ()
        self.pending: tuple[Sub, ...] = ()
        self.zone_hint: str | None = None

    @property
    def subs(self) -> tuple[Sub, ...]:
        """Its subscriptions; the one ``Sub`` is kept bare when there is one (most
        phones), as for a parcel."""
        s = self._subs
        return (s,) if type(s) is Sub else s  # type: ignore[return-value]

    @subs.setter
    def subs(self, value: Sequence[Sub]) -> None:
        self._subs = _one_or_tuple(value) or ()

    opted_out = _Bit(1)  # they texted STOP (or a synonym) and not START since
    quiet = _Bit(2)      # they asked for QUIET hours

    @property
    def fails(self) -> int:
        """Consecutive failed delivery receipts."""
        return self._state >> 2

    @fails.setter
    def fails(self, n: int) -> None:
        self._state = shared_int(n << 2 | (self._state & 3))

    def __setstate__(self, state: tuple[None, dict[str, object]]) -> None:
        """Unpickling; a snapshot written before the one Sub was kept bare holds
        ``subs`` as a tuple (or a list, before that), and one written before they were
        packed holds ``opted_out``, ``quiet`` and ``fails`` apart."""
        self._state = 0
        for name, value in state[1].items():
            if name == "subs":
                self.subs = value  # type: ignore[assignment]
            else:
                object.__setattr__(self, name, value)


class Terms:
    """What a subscription asked for and where its person is: the options, channel and
    merchant, and the zone, strictness and clues of quiet hours. Shared by every
    subscription with the same terms (``terms``) and never changed in place: a
    national day has millions of subscriptions and a few thousand distinct terms."""

    __slots__ = ("channel", "clues", "merchant", "options", "strict", "zone")

    def __init__(self, options: int, channel: str, merchant: str, zone: ZoneInfo,
                 strict: bool, clues: tuple[Clue, ...]) -> None:
        self.options = options
        self.channel = channel
        self.merchant = merchant
        self.zone = zone
        self.strict = strict
        self.clues = clues

    def but(self, *, options: int | None = None, merchant: str | None = None) -> Terms:
        """The shared terms that differ from these in what is given."""
        return terms(self.options if options is None else options, self.channel,
                     self.merchant if merchant is None else merchant, self.zone, self.strict,
                     self.clues)


_TERMS: dict[tuple[object, ...], Terms] = {}
TERMS_KEPT: Final = 65_536  # a shim can be sent any merchant: the memo is bounded


def terms(options: int, channel: str, merchant: str, zone: ZoneInfo, strict: bool,
          clues: tuple[Clue, ...]) -> Terms:
    """The one shared ``Terms`` for these values (a fresh one once the memo is full:
    sharing saves memory, it never changes a meaning)."""
    key = (options, channel, merchant, zone, strict, clues)
    found = _TERMS.get(key)
    if found is None:
        if len(_TERMS) >= TERMS_KEPT:
            _TERMS.clear()
        found = _TERMS[key] = Terms(options, channel, merchant, zone, strict, clues)
    return found


class Sub:
    """One phone following one parcel. Its terms (``Terms``) are shared: changing the
    options or the merchant gives the subscription other terms, never changes them."""

    __slots__ = ("_state", "last_eta", "phone", "terms", "tracking_number")

    def __init__(
        self, phone: Phone, tracking_number: str, options: int, channel: str, merchant: str,
        zone: ZoneInfo, strict: bool, clues: tuple[Clue, ...] = (),
    ) -> None:
        self.phone = phone
        self.tracking_number = tracking_number
        # clues: every clue to where they are (engine.compliance)
        self.terms = terms(options, channel, merchant, zone, strict, clues)
        # ``active`` and ``last_milestone`` (-1: none told yet), packed in one shared int:
        # (last_milestone + 1) << 1 | active.
        self._state = int(channel != "tracking_page")
        self.last_eta: int | None = None

    active = _Bit(1)  # texts go out (a tracking-page subscription awaits its YES)

    @property
    def last_milestone(self) -> int:
        """The status this person was last told (-1: none yet)."""
        return (self._state >> 1) - 1

    @last_milestone.setter
    def last_milestone(self, milestone: int) -> None:
        self._state = shared_int((milestone + 1) << 1 | (self._state & 1))

    @property
    def options(self) -> int:
        return self.terms.options

    @options.setter
    def options(self, value: int) -> None:
        self.terms = self.terms.but(options=value)

    @property
    def merchant(self) -> str:
        return self.terms.merchant

    @merchant.setter
    def merchant(self, value: str) -> None:
        self.terms = self.terms.but(merchant=value)

    @property
    def channel(self) -> str:
        return self.terms.channel

    @property
    def zone(self) -> ZoneInfo:
        return self.terms.zone

    @property
    def strict(self) -> bool:
        return self.terms.strict

    @property
    def clues(self) -> tuple[Clue, ...]:
        return self.terms.clues

    def __setstate__(self, state: tuple[None, dict[str, object]]) -> None:
        """Unpickling; a snapshot written before the terms were shared holds them as
        the subscription's own fields, and one written before they were packed holds
        ``active`` and ``last_milestone`` apart."""
        slots = dict(state[1])
        self._state = 0  # written before ``active`` and ``last_milestone`` were packed: set below
        if "terms" not in slots:
            slots["terms"] = terms(
                slots.pop("options"), slots.pop("channel"), slots.pop("merchant"),  # type: ignore[arg-type]
                slots.pop("zone"), slots.pop("strict"), slots.pop("clues"))  # type: ignore[arg-type]
        for name, value in slots.items():
            object.__setattr__(self, name, value)


class Notice:
    """A text the engine would like to send about a scan, on its way through
    the policies. Mutable only while held (``stage``, ``seq``); when a held one comes
    due is its entry in the engine's heap of held texts."""

    __slots__ = (
        "at", "cause", "code", "eta", "eta_changed", "event_at", "milestone", "offset",
        "place", "seq", "stage", "sub",
    )

    def __init__(
        self, sub: Sub, at: int, milestone: int, code: int, event_at: int, offset: int,
        place: str, eta: int | None, eta_changed: bool, cause: str,
    ) -> None:
        self.sub = sub
        self.at = at                # when the engine decided
        self.milestone = milestone
        self.code = code
        self.event_at = event_at
        self.offset = offset
        self.place = place
        self.eta = eta
        self.eta_changed = eta_changed
        self.cause = cause
        self.stage = 0
        self.seq = 0

    def __setstate__(self, state: tuple[None, dict[str, object]]) -> None:
        """Unpickling; a snapshot written before the heap alone kept when a held notice
        comes due holds ``due`` as well (never read), which is left out."""
        for name, value in state[1].items():
            if name != "due":
                object.__setattr__(self, name, value)

    @property
    def status_changed(self) -> bool:
        """Whether this tells the person a status they were not told yet."""
        return self.milestone != self.sub.last_milestone


def without(subs: Sequence[Sub], sub: Sub) -> tuple[Sub, ...]:
    """``subs`` less ``sub`` (a parcel's or phone's subscriptions; a list in snapshots
    written before they were tuples)."""
    return tuple(s for s in subs if s is not sub)
