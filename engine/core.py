"""The notification engine: typed inputs in, typed outputs out.

Sans-IO (like h11): no clock, no randomness, no I/O, no threads. Time arrives
with each input; the engine's "now" is the latest time it has seen. A text
postponed by a policy comes back as ``WakeAt``; the driver feeds ``Wake`` then
(any later input also releases what is due). The same inputs in the same
order give the same outputs, byte for byte: nothing here iterates a set or
depends on hashing order.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final
from zoneinfo import ZoneInfo

from engine import codes, phones, templates
from engine.errors import InvalidInput
from engine.geo import locate
from engine.gsm import encode_info
from engine.inputs import Input, Receipt, Scan, SmsIn, Subscribe, Wake
from engine.keywords import Command, parse
from engine.outputs import Held, Output, Reply, Sms, Suppressed, WakeAt
from engine.policies import Drop, Policy, build
from engine.policies.quiet import QuietHours
from engine.state import RECORD, Notice, Parcel, Phone, Sub, unpack_scan

OPTION_BITS: Final = {
    "all": codes.CAT_ALL,
    "expected_delivery": codes.CAT_ETA,
    "day_of_delivery": codes.CAT_DAY_OF_DELIVERY,
    "delivered": codes.CAT_DELIVERED,
    "available_for_pickup": codes.CAT_PICKUP,
    "exceptions": codes.CAT_EXCEPTION,
    "in_transit": codes.CAT_IN_TRANSIT,
}


def option_names(bits: int) -> list[str]:
    """A subscription's options as the names subscribers chose them by."""
    if bits & codes.CAT_ALL == codes.CAT_ALL:
        return ["all"]
    return [name for name, bit in OPTION_BITS.items() if name != "all" and bits & bit]


# After a tracking number: DND is each delivery or delivery attempt.
_MODE_OPTIONS: Final = {
    "": codes.CAT_ALL, "AA": codes.CAT_ALL, "AF": codes.CAT_ALL,
    "DND": codes.CAT_DELIVERED | codes.CAT_EXCEPTION, "WHEN": codes.CAT_ETA,
}
UNREACHABLE_AFTER: Final = 3  # consecutive failed receipts
IN_FLIGHT_LIMIT: Final = 1_000_000  # texts awaiting a receipt


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineConfig:
    """How the engine behaves. ``policies`` are specs for ``policies.build``."""

    policies: tuple[str, ...] = ("every_scan",)
    brand: templates.Brand = field(default_factory=templates.Brand)


def message_id(to: str, tracking_number: str | None, cause: str) -> str:
    """A stable function of recipient, parcel and cause: an idempotency key."""
    key = f"{to}|{tracking_number or ''}|{cause}".encode()
    return hashlib.blake2b(key, digest_size=10).hexdigest()


class Engine:
    """One engine instance holds all state; ``handle`` is the only way in."""

    def __init__(self, config: EngineConfig | None = None) -> None:
        self.config = config or EngineConfig()
        self.brand = self.config.brand
        policies = build(self.config.policies)
        if not any(isinstance(p, QuietHours) for p in policies):
            # A person's own QUIET request holds whatever the operator's policies:
            # the legal window is then the whole day, only QUIET applies.
            policies += (QuietHours(start=0, end=24, strict_end=24),)
        self.policies: tuple[Policy, ...] = policies
        self.now = 0
        self.parcels: dict[str, Parcel] = {}
        self.phones: dict[str, Phone] = {}
        self._places: dict[str, int] = {"": 0}
        self._place_names: list[str] = [""]
        self._held: list[tuple[int, int, Notice]] = []
        self._seq = 0
        self._wake_asked: int | None = None
        self._in_flight: dict[str, Phone] = {}  # message id -> phone, until its receipt
        self.unknown_receipts = 0
        self._dispatch: dict[type, Callable[[Input, list[Output]], None]] = {
            Scan: self._on_scan,  # type: ignore[dict-item]
            Subscribe: self._on_subscribe,  # type: ignore[dict-item]
            SmsIn: self._on_sms_in,  # type: ignore[dict-item]
            Receipt: self._on_receipt,  # type: ignore[dict-item]
            Wake: self._on_wake,  # type: ignore[dict-item]
        }

    # ------------------------------------------------------------------ entry
    def handle(self, inp: Input) -> list[Output]:
        """Process one input; return what to do, in order.

        Raises ``InvalidInput`` for bad input, having changed nothing.
        """
        handler = self._dispatch.get(type(inp))
        if handler is None:
            raise InvalidInput(f"not an engine input: {type(inp).__name__}")
        if type(inp) is Subscribe or type(inp) is SmsIn:
            self._check(inp)  # refuse bad input before anything moves, held texts included
        out: list[Output] = []
        at = inp.at
        if at > self.now:
            self.now = at
        if self._held and self._held[0][0] <= at:
            self._release(out)
        handler(inp, out)
        if self._held:
            due = self._held[0][0]
            if due != self._wake_asked:
                self._wake_asked = due
                out.append(WakeAt(at=due))
        return out

    def feed(self, inp: Input) -> list[Output]:
        """``handle`` for drivers that keep time by the inputs themselves: first
        fire, as ``Wake`` inputs, the wake-ups due at or before ``inp.at``, so
        held texts go out at their own time, then handle ``inp``."""
        held = self._held
        at = inp.at
        if not held or held[0][0] > at:
            return self.handle(inp)
        self._check(inp)  # a bad input must not cost the texts its wake-ups release
        out: list[Output] = []
        while held and held[0][0] <= at:
            out.extend(self.handle(Wake(at=held[0][0])))
        out.extend(self.handle(inp))
        return out

    def drain(self, until: int | None = None) -> list[Output]:
        """Fire every wake-up (up to ``until``): the end of a trace."""
        out: list[Output] = []
        while self._held and (until is None or self._held[0][0] <= until):
            out.extend(self.handle(Wake(at=self._held[0][0])))
        return out

    def handle_all(self, inputs: Iterable[Input]) -> list[Output]:
        """Feed every input in order, then drain the held texts."""
        out: list[Output] = []
        for inp in inputs:
            out.extend(self.feed(inp))
        out.extend(self.drain())
        return out

    def _check(self, inp: Input) -> None:
        """Raise InvalidInput for what a handler would refuse, changing nothing."""
        if type(inp) is Subscribe:
            phones.normalise(inp.phone)
            zip_code = inp.destination_zip
            if zip_code is not None and not (zip_code[:5].isdigit() and len(zip_code) in (5, 10)):
                raise InvalidInput(f"destinationZIP {zip_code!r} is not a ZIP code",
                                   field="destinationZIP")
        elif type(inp) is SmsIn:
            phones.normalise(inp.sender, field="from")

    @property
    def next_wake(self) -> int | None:
        """When the earliest held text comes due, if any."""
        return self._held[0][0] if self._held else None

    # ------------------------------------------------------------------ scans
    def _place(self, scan: Scan) -> tuple[int, str]:
        name = " ".join(filter(None, (scan.city, scan.state, scan.zip)))
        index = self._places.get(name)
        if index is None:
            index = len(self._place_names)
            if index > 0xFFFFFF:  # keep the 3-byte index; an unknown place is shown as none
                return 0, ""
            self._places[name] = index
            self._place_names.append(name)
        return index, name

    def _on_scan(self, scan: Scan, out: list[Output]) -> None:
        tn = scan.tracking_number
        parcel = self.parcels.get(tn)
        if parcel is None:
            parcel = self.parcels[tn] = Parcel()
        code = codes.CODE_INDEX.get(scan.event_code, codes.UNKNOWN_CODE_INDEX)
        place_index, place = self._place(scan)
        at = scan.at
        record = (  # pack_scan, inlined on the hottest path
            (at << 40) | ((scan.offset_min // 15 + 64) << 32) | (code << 24) | place_index
        ).to_bytes(RECORD, "big")
        history = parcel.history
        if at <= parcel.last_at:
            # Late or repeated: a duplicate is the same event time and code,
            # whatever its id or place wording; a late one joins the history
            # in time order but does not change the status.
            key = record[:5]
            for i in range(0, len(history), RECORD):
                if history[i : i + 5] == key and history[i + 6] == code:
                    self._tell_subs(parcel, "duplicate", f"scan:{scan.event_code}", out)
                    return
            if at < parcel.last_at:
                i = len(history)
                while i and history[i - RECORD : i] > record:
                    i -= RECORD
                parcel.history = history[:i] + record + history[i:]
                self._restate(parcel)
                self._tell_subs(parcel, "out_of_order", f"scan:{scan.event_code}", out)
                return
        parcel.history = history + record
        parcel.last_at = at
        if code == codes.UNKNOWN_CODE_INDEX:
            self._tell_subs(parcel, "unknown_code", f"scan:{scan.event_code}", out)
            return
        milestone = codes.MILESTONE_OF_INDEX[code]
        rank = codes.PROGRESS[milestone]
        if rank is not None:
            if rank < parcel.max_rank and milestone != codes.RETURN_TO_SENDER:
                # e.g. "processed" after "out for delivery": the earlier scan was
                # premature; keep the furthest status, tell nobody.
                self._tell_subs(parcel, "regressed", f"scan:{scan.event_code}", out)
                return
            parcel.max_rank = rank
        parcel.code = code
        eta = scan.expected_delivery
        eta_changed = eta is not None and eta != parcel.eta
        if eta_changed:
            parcel.eta = eta
        if parcel.subs is None:
            return
        category = codes.CATEGORY_OF_MILESTONE[milestone]
        if eta_changed:
            category |= codes.CAT_ETA
        cause = f"scan:{scan.event_code}"
        for sub in parcel.subs:
            if not sub.active:
                continue
            if not sub.options & category:
                out.append(Suppressed(at=self.now, to=sub.phone.e164, tracking_number=tn,
                                      reason="option", cause=cause))
                continue
            notice = Notice(sub, self.now, milestone, code, at, scan.offset_min, place,
                            parcel.eta, eta_changed, cause)
            self._pass(notice, 0, out)

    @staticmethod
    def _restate(parcel: Parcel) -> None:
        """Status and progress from the whole history in event-time order, by the
        same rules as in-order scans, so the status never depends on arrival
        order. Only late scans need it (rare): in-order ones update in place."""
        code = max_rank = -1
        h = parcel.history
        for i in range(0, len(h), RECORD):
            c = h[i + 6]
            if c == codes.UNKNOWN_CODE_INDEX:
                continue
            milestone = codes.MILESTONE_OF_INDEX[c]
            rank = codes.PROGRESS[milestone]
            if rank is not None:
                if rank < max_rank and milestone != codes.RETURN_TO_SENDER:
                    continue
                max_rank = rank
            code = c
        parcel.code = code
        parcel.max_rank = max_rank

    def _tell_subs(self, parcel: Parcel, reason: str, cause: str, out: list[Output]) -> None:
        """A scan that makes no text: say so once per active subscriber."""
        if parcel.subs is None:
            return
        for sub in parcel.subs:
            if sub.active:
                out.append(Suppressed(at=self.now, to=sub.phone.e164,
                                      tracking_number=sub.tracking_number, reason=reason,
                                      cause=cause))

    # --------------------------------------------------------------- policies
    def _pass(self, notice: Notice, stage: int, out: list[Output]) -> None:
        """Run ``notice`` through the policies from ``stage`` on; send, hold or drop.

        A held notice resuming at ``stage`` first meets again the earlier
        policies that judge the moment of sending (caps, quiet hours): the
        person may have texted QUIET, or other texts used up the cap, meanwhile.
        """
        phone = notice.sub.phone
        if phone.opted_out or not notice.sub.active:
            out.append(self._suppressed(notice, "opted_out"))
            return
        if phone.fails >= UNREACHABLE_AFTER:
            out.append(self._suppressed(notice, "unreachable"))
            return
        policies = self.policies
        now = self.now
        first = stage
        if stage:
            first = next((i for i in range(stage) if policies[i].at_send), stage)
        for i in range(first, len(policies)):
            if i < stage and not policies[i].at_send:
                continue
            verdict = policies[i].check(notice, now)
            if verdict is None:
                continue
            if type(verdict) is Drop:
                out.append(self._suppressed(notice, verdict.reason))
                return
            assert not isinstance(verdict, Drop)
            self._seq += 1
            notice.stage = max(stage, i + 1)  # a re-check never re-runs passed holds
            notice.due = verdict.until
            notice.seq = self._seq
            heapq.heappush(self._held, (verdict.until, self._seq, notice))
            out.append(Held(at=now, to=phone.e164, tracking_number=notice.sub.tracking_number,
                            until=verdict.until, reason=verdict.reason, cause=notice.cause))
            return
        self._send_notice(notice, out)

    def _suppressed(self, notice: Notice, reason: str) -> Suppressed:
        return Suppressed(at=self.now, to=notice.sub.phone.e164,
                          tracking_number=notice.sub.tracking_number, reason=reason,
                          cause=notice.cause)

    def _release(self, out: list[Output]) -> None:
        """Everything due by now: coalesce per person and parcel, then resume."""
        due: list[Notice] = []
        held = self._held
        while held and held[0][0] <= self.now:
            due.append(heapq.heappop(held)[2])
        self._wake_asked = None
        newest: dict[tuple[Sub, int], Notice] = {}
        for notice in due:
            key = (notice.sub, notice.stage)
            best = newest.get(key)
            if best is None or (notice.event_at, notice.seq) > (best.event_at, best.seq):
                newest[key] = notice
        for notice in due:
            if newest[(notice.sub, notice.stage)] is not notice:
                out.append(self._suppressed(notice, "superseded"))
                continue
            parcel = self.parcels[notice.sub.tracking_number]
            if self._stale(notice, parcel):
                out.append(self._suppressed(notice, "stale"))
                continue
            self._pass(notice, notice.stage, out)

    @staticmethod
    def _stale(notice: Notice, parcel: Parcel) -> bool:
        """Held news that later scans made untrue: the parcel was delivered or
        returned to sender after the event told of, or has moved past it."""
        milestone = notice.milestone
        if milestone == codes.DELIVERED:
            return False
        h = parcel.history
        for i in range(len(h) - RECORD, -1, -RECORD):  # newest first
            if int.from_bytes(h[i : i + 5], "big") <= notice.event_at:
                break
            c = h[i + 6]
            later = codes.MILESTONE_OF_INDEX[c] if c != codes.UNKNOWN_CODE_INDEX else -1
            if later in (codes.DELIVERED, codes.RETURN_TO_SENDER) and later != milestone:
                return True
        rank = codes.PROGRESS[milestone]
        return (rank is not None and milestone != codes.RETURN_TO_SENDER
                and rank < parcel.max_rank)

    def _send_notice(self, notice: Notice, out: list[Output]) -> None:
        sub = notice.sub
        tn = sub.tracking_number
        status = templates.status_line(notice.code, notice.event_at, notice.offset, notice.place)
        eta = None if notice.milestone == codes.DELIVERED else notice.eta
        body = templates.notice(self.brand, tn, status, eta, sub.merchant)
        to = sub.phone.e164
        mid = message_id(to, tn, f"{notice.cause}@{notice.event_at}")
        enc = encode_info(body)
        out.append(Sms(at=self.now, to=to, body=body, message_id=mid, tracking_number=tn,
                       encoding=enc.encoding, segments=enc.segments, cause=notice.cause,
                       event_at=notice.event_at))
        self._track(mid, sub.phone)
        sub.last_milestone = notice.milestone
        if notice.eta is not None:
            sub.last_eta = notice.eta
        for policy in self.policies:
            policy.sent(notice, self.now)

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
        if len(in_flight) > IN_FLIGHT_LIMIT:
            del in_flight[next(iter(in_flight))]

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

    # ---------------------------------------------------------- subscribing
    def _phone(self, e164: str) -> Phone:
        phone = self.phones.get(e164)
        if phone is None:
            phone = self.phones[e164] = Phone(e164)
        return phone

    def _subscribe(self, phone: Phone, tn: str, options: int, channel: str, merchant: str,
                   destination_zip: str | None, *, merge: bool = False) -> tuple[Sub, Parcel]:
        """Create or update one phone's subscription to one parcel. A new choice of
        options replaces the old (checkout, tracking page); a text keyword adds to
        it (``merge``), so asking "WHEN" does not cancel the updates already chosen."""
        parcel = self.parcels.get(tn)
        if parcel is None:
            parcel = self.parcels[tn] = Parcel()
        if parcel.subs is None:
            parcel.subs = []
        for sub in parcel.subs:
            if sub.phone is phone:
                sub.options = sub.options | options if merge else options
                if merchant:
                    sub.merchant = merchant
                if channel != "tracking_page":
                    sub.active = True
                return sub, parcel
        where = locate(phone.e164, destination_zip)
        sub = Sub(phone, tn, options, channel, merchant, ZoneInfo(where.zone), where.strict_hours)
        if parcel.code >= 0:
            # They learn the current status now; only news after it is news.
            sub.last_milestone = codes.MILESTONE_OF_INDEX[parcel.code]
            sub.last_eta = parcel.eta
        parcel.subs.append(sub)
        phone.subs.append(sub)
        return sub, parcel

    def _on_subscribe(self, s: Subscribe, out: list[Output]) -> None:
        e164 = phones.normalise(s.phone)  # checked in handle(); a memo hit here
        zip_code = s.destination_zip
        options = 0
        for option in s.options:
            options |= OPTION_BITS[option]
        merchant = templates.clean_merchant(s.merchant, self.brand)
        phone = self._phone(e164)
        phone.touches += 1
        tn = s.tracking_number
        sub, parcel = self._subscribe(phone, tn, options, s.channel, merchant, zip_code)
        cause = f"welcome:{s.channel}"
        if phone.opted_out:
            out.append(Suppressed(at=self.now, to=e164, tracking_number=tn, reason="opted_out",
                                  cause=cause))
            return
        if s.channel == "tracking_page" and not sub.active:
            if sub not in phone.pending:
                phone.pending.append(sub)
            body = templates.welcome_pending(self.brand, tn)
        elif s.channel == "text":
            self._status_reply(phone, tn, parcel, "subscribe:text", out, reply=False)
            return
        else:
            body = templates.welcome_checkout(self.brand, tn, merchant, self._status(parcel))
        self._text(phone, tn, body, cause, out, reply=False)

    def _status_reply(self, phone: Phone, tn: str, parcel: Parcel | None, cause: str,
                      out: list[Output], *, reply: bool = True) -> None:
        status = self._status(parcel)
        if status:
            merchant = ""
            body = templates.notice(self.brand, tn, status, parcel.eta if parcel else None,
                                    merchant)
        else:
            body = templates.no_news(self.brand, tn)
        self._text(phone, tn, body, cause, out, reply=reply)

    # -------------------------------------------------------------- inbound
    def _on_sms_in(self, m: SmsIn, out: list[Output]) -> None:
        e164 = phones.normalise(m.sender, field="from")
        phone = self._phone(e164)
        phone.touches += 1
        phone.fails = 0  # they can text us, so texts reach them
        command = parse(m.body)
        if phone.opted_out and command.verb != "opt_in":
            out.append(Suppressed(at=self.now, to=e164, tracking_number=command.tracking_number,
                                  reason="opted_out", cause=f"reply:{command.verb}"))
            return
        self._commands[command.verb](self, phone, command, out)

    def _cmd_opt_out(self, phone: Phone, c: Command, out: list[Output]) -> None:
        phone.opted_out = True
        phone.pending.clear()
        self._text(phone, None, templates.opted_out(self.brand), f"reply:{c.word}", out,
                   reply=True)

    def _cmd_opt_in(self, phone: Phone, c: Command, out: list[Output]) -> None:
        was_out = phone.opted_out
        phone.opted_out = False
        cause = f"reply:{c.word}"
        if phone.pending:
            pending, phone.pending = phone.pending, []
            for sub in pending:
                sub.active = True
                parcel = self.parcels.get(sub.tracking_number)
                if parcel is not None and parcel.code >= 0:
                    sub.last_milestone = codes.MILESTONE_OF_INDEX[parcel.code]
                    sub.last_eta = parcel.eta
                self._status_reply(phone, sub.tracking_number, parcel, cause, out)
        elif was_out:
            self._text(phone, None, templates.opted_in(self.brand), cause, out, reply=True)
        else:
            self._text(phone, None, templates.nothing_pending(self.brand), cause, out,
                       reply=True)

    def _cmd_help(self, phone: Phone, c: Command, out: list[Output]) -> None:
        self._text(phone, None, templates.help_text(self.brand), f"reply:{c.word}", out,
                   reply=True)

    def _cmd_quiet(self, phone: Phone, c: Command, out: list[Output]) -> None:
        phone.quiet = True
        self._text(phone, None, templates.quiet_on(self.brand), "reply:QUIET", out, reply=True)

    def _cmd_awake(self, phone: Phone, c: Command, out: list[Output]) -> None:
        phone.quiet = False
        self._text(phone, None, templates.quiet_off(self.brand), "reply:AWAKE", out, reply=True)

    def _cmd_stop_parcel(self, phone: Phone, c: Command, out: list[Output]) -> None:
        tn = c.tracking_number or ""
        found = False
        parcel = self.parcels.get(tn)
        for sub in list(phone.subs):
            if sub.tracking_number == tn:
                found = True
                sub.active = False
                phone.subs.remove(sub)
                if sub in phone.pending:
                    phone.pending.remove(sub)
                if parcel is not None and parcel.subs is not None:
                    parcel.subs.remove(sub)
        self._text(phone, tn, templates.parcel_stopped(self.brand, tn, found), "reply:STOP_TN",
                   out, reply=True)

    def _cmd_track(self, phone: Phone, c: Command, out: list[Output]) -> None:
        tn = c.tracking_number or ""
        mode = c.mode
        parcel = self.parcels.get(tn)
        cause = f"reply:{mode or 'TRACK'}"
        if mode in ("AA", "AP"):
            self._past(phone, tn, parcel, cause, out)
        if mode == "AP":
            return
        _sub, parcel = self._subscribe(phone, tn, _MODE_OPTIONS[mode], "text", "", None,
                                       merge=True)
        if mode == "":
            self._status_reply(phone, tn, parcel, cause, out)
        elif mode == "WHEN":
            self._text(phone, tn, templates.expected(self.brand, tn, parcel.eta), cause, out,
                       reply=True)
        else:
            what = {"AA": "all future updates", "AF": "all future updates",
                    "DND": "a text for each delivery or attempt"}[mode]
            self._text(phone, tn, templates.future_on(self.brand, tn, what), cause, out,
                       reply=True)

    def _past(self, phone: Phone, tn: str, parcel: Parcel | None, cause: str,
              out: list[Output]) -> None:
        """One reply per past scan, oldest first (AP, AA)."""
        if parcel is None or not parcel.history:
            self._text(phone, tn, templates.no_news(self.brand, tn), cause, out, reply=True)
            return
        h = parcel.history
        for n, i in enumerate(range(0, len(h), RECORD)):
            at, offset, code, place = unpack_scan(h[i : i + RECORD])
            status = templates.status_line(code, at, offset, self._place_names[place])
            body = templates.notice(self.brand, tn, status, None, "")
            self._text(phone, tn, body, f"{cause}:{n}", out, reply=True)

    def _cmd_unknown(self, phone: Phone, c: Command, out: list[Output]) -> None:
        self._text(phone, None, templates.not_understood(self.brand), "reply:unknown", out,
                   reply=True)

    _commands: Final[dict[str, Callable[[Engine, Phone, Command, list[Output]], None]]] = {
        "opt_out": _cmd_opt_out, "opt_in": _cmd_opt_in, "help": _cmd_help,
        "quiet": _cmd_quiet, "awake": _cmd_awake, "stop_parcel": _cmd_stop_parcel,
        "track": _cmd_track, "unknown": _cmd_unknown,
    }

    # ------------------------------------------------------ receipts, wakes
    def _on_receipt(self, r: Receipt, out: list[Output]) -> None:
        phone = self._in_flight.pop(r.message_id, None)
        if phone is None:
            self.unknown_receipts += 1
            return
        if r.status == "delivered":
            phone.fails = 0
        elif r.status != "expired":  # expiry in the driver's queue says nothing of the phone
            phone.fails += 1

    def _on_wake(self, w: Wake, out: list[Output]) -> None:
        """Releasing is done in ``handle`` for every input; a wake adds nothing."""
