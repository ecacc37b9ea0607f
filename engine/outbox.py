"""What the engine sends outside the policies, and the state its parts share.

``message_id`` names every text; ``EngineState`` declares the state that
``engine.core.Engine`` holds and the mixins (``engine.scanning``,
``engine.release``, ``engine.inbound``) work on, with the direct texts
(replies, welcomes, confirmations), the bounded memory of texts awaiting a
receipt and the status wording that they all use.
"""

from __future__ import annotations

import hashlib
from itertools import islice
from typing import Any, Final

from engine import phones, templates
from engine.gsm import encode_info
from engine.outputs import Output, Reply, Sms
from engine.policies import Policy
from engine.state import RECORD, Notice, Parcel, Phone, unpack_scan

IN_FLIGHT_LIMIT: Final = 1_000_000  # texts awaiting a receipt


def trim_oldest(d: dict[Any, Any], keep: int) -> None:
    """Forget the oldest entries of insertion-ordered ``d`` so that ``keep`` remain.

    In one pass: deleting the oldest entry one at a time (``del d[next(iter(d))]``)
    walks past every slot deleted before it (a dict keeps them at its front until it
    is rebuilt), so a dict kept at its bound that way costs O(n) per insertion."""
    excess = len(d) - keep
    if excess > 0:
        for key in list(islice(d, excess)):
            del d[key]


def message_id(to: str, tracking_number: str | None, cause: str) -> str:
    """A stable function of recipient, parcel and cause: an idempotency key."""
    key = f"{to}|{tracking_number or ''}|{cause}".encode()
    return hashlib.blake2b(key, digest_size=10).hexdigest()


class EngineState:
    """The engine's state, declared once for its parts; ``Engine.__init__`` sets it."""

    brand: templates.Brand
    policies: tuple[Policy, ...]
    now: int
    parcels: dict[str, Parcel]
    phones: dict[str, Phone]
    _places: dict[str, int]
    _place_names: list[str]
    _held: list[tuple[int, int, Notice]]
    _seq: int
    _wake_asked: int | None
    _in_flight: dict[str, Phone]
    _sids: dict[str, None]
    unknown_receipts: int
    # Parcel -> the phones that texted STOP <tn> about it: a later checkout record for
    # the same parcel (a retry, a replay) is not the person's consent. Made on the first
    # such STOP (an engine pickled before it existed reads this None); the person's own
    # new request (texting the number, the tracking page's YES) lifts it, and it goes
    # with the parcel when the engine forgets it (engine.inbound, engine.retention).
    _parcel_stops: dict[str, tuple[str, ...]] | None = None
    # Parcel -> the eventIds of its scans, for scans that carry one (a provider's retry
    # resends the same event, maybe at another time): made on the first such scan (an
    # engine pickled before it existed reads this None), and forgotten with the parcel.
    _event_ids: dict[str, tuple[str, ...]] | None = None

    def _phone(self, e164: str) -> Phone:
        """The phone, created if new (``engine.retention.Retention._phone``)."""
        raise NotImplementedError

    def _e164(self, raw: str, field: str = "phone") -> str:
        """``phones.normalise(raw)``; a number the engine already holds is its own E.164
        (every key was made by ``normalise``, which gives it back unchanged), so it is
        not parsed again. A national day meets millions of numbers, more than the
        module's memo keeps, and most of them come back while their parcel lives."""
        if type(raw) is str and raw in self.phones:
            return raw
        return phones.normalise(raw, field=field)

    # ---------------------------------------------------------- direct texts
    def _text(self, phone: Phone, tn: str | None, body: str, cause: str, out: list[Output],
              *, reply: bool) -> None:
        """A text outside the policies: a reply, a welcome or a confirmation."""
        mid = message_id(phone.e164, tn, f"{cause}#{phone.touches}")
        enc = encode_info(body)
        kind = Reply if reply else Sms
        out.append(kind(at=self.now, to=phone.e164, body=body, message_id=mid,
                        tracking_number=tn, encoding=enc.encoding, segments=enc.segments,
                        cause=cause))
        self._track(mid, phone)

    def _track(self, mid: str, phone: Phone) -> None:
        """Remember who a text went to until its receipt. Bounded: a driver that
        never sends receipts must not grow this forever (oldest forgotten first)."""
        in_flight = self._in_flight
        in_flight[mid] = phone
        if len(in_flight) > IN_FLIGHT_LIMIT:  # an eighth at a time: see trim_oldest
            trim_oldest(in_flight, IN_FLIGHT_LIMIT - IN_FLIGHT_LIMIT // 8)

    def status_line(self, tracking_number: str) -> str:
        """A parcel's current status worded as in its texts ("" if none yet)."""
        return self._status(self.parcels.get(tracking_number))

    def _status(self, parcel: Parcel | None) -> str:
        if parcel is None or parcel.code < 0:
            return ""
        record = self._latest_record(parcel)
        at, offset, code, place = unpack_scan(record)
        return templates.status_line(code, at, offset, self._place_names[place])

    @staticmethod
    def _latest_record(parcel: Parcel) -> bytes:
        """The record of the scan that set the status (the newest accepted one)."""
        h = parcel.history
        for i in range(len(h) - RECORD, -1, -RECORD):
            if h[i + 6] == parcel.code:
                return h[i : i + RECORD]
        return h[-RECORD:]
