"""What people send: subscriptions (checkout, tracking page, text) and texted
commands, with the status replies they get."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final
from zoneinfo import ZoneInfo

from engine import codes, templates
from engine.geo import locate
from engine.inputs import SmsIn, Subscribe
from engine.keywords import Command, parse
from engine.outbox import EngineState, trim_oldest
from engine.outputs import Output, Redacted, Suppressed
from engine.state import RECORD, Parcel, Phone, Sub, unpack_scan, without

SIDS_KEPT: Final = 100_000  # provider message ids remembered, to answer a retry once

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


class Inbound(EngineState):
    """Subscribing, and the commands people text."""

    # ---------------------------------------------------------- subscribing
    def _subscribe(self, phone: Phone, tn: str, options: int, channel: str, merchant: str,
                   destination_zip: str | None, *, merge: bool = False) -> tuple[Sub, Parcel]:
        """Create or update one phone's subscription to one parcel. A new choice of
        options replaces the old (checkout, tracking page); a text keyword adds to
        it (``merge``), so asking "WHEN" does not cancel the updates already chosen."""
        parcel = self.parcels.get(tn)
        if parcel is None:
            parcel = self.parcels[tn] = Parcel()
        if parcel.subs is None:
            parcel.subs = ()
        for sub in parcel.subs:
            if sub.phone is phone:
                sub.options = sub.options | options if merge else options
                if merchant:
                    sub.merchant = merchant
                if channel != "tracking_page":
                    sub.active = True
                return sub, parcel
        where = locate(phone.e164, destination_zip)
        sub = Sub(phone, tn, options, channel, merchant, ZoneInfo(where.zone), where.strict_hours,
                  where.clues)
        if parcel.code >= 0:
            # They learn the current status now; only news after it is news.
            sub.last_milestone = codes.MILESTONE_OF_INDEX[parcel.code]
            sub.last_eta = parcel.eta
        parcel.subs = (*parcel.subs, sub)
        phone.subs = (*phone.subs, sub)
        return sub, parcel

    def _on_subscribe(self, s: Subscribe, out: list[Output]) -> None:
        e164 = self._e164(s.phone)  # checked in handle()
        zip_code = s.destination_zip
        options = 0
        for option in s.options:
            options |= OPTION_BITS[option]
        cleaned = templates.clean_merchant(s.merchant, self.brand)
        merchant = cleaned.text
        phone = self._phone(e164)
        phone.touches += 1
        tn = s.tracking_number
        cause = f"welcome:{s.channel}"
        if self._same_subscription(phone, tn, options, s.channel, merchant):
            # A provider's retry, or the same form sent twice: nothing changes, and
            # the person was already welcomed (or asked to confirm) once.
            out.append(Suppressed(at=self.now, to=e164, tracking_number=tn,
                                  reason="duplicate_subscribe", cause=cause))
            return
        stops = self._parcel_stops
        if stops and e164 in stops.get(tn, ()):
            if s.channel == "checkout":
                out.append(Suppressed(at=self.now, to=e164, tracking_number=tn,
                                      reason="stopped_parcel", cause=cause))
                return
            if s.channel == "text":
                self._lift_parcel_stop(e164, tn)
        for reason in cleaned.removed:
            out.append(Redacted(at=self.now, to=e164, tracking_number=tn, reason=reason,
                                cause="merchant"))
        sub, parcel = self._subscribe(phone, tn, options, s.channel, merchant, zip_code)
        if phone.opted_out:
            out.append(Suppressed(at=self.now, to=e164, tracking_number=tn, reason="opted_out",
                                  cause=cause))
            return
        if s.channel == "tracking_page" and not sub.active:
            if sub not in phone.pending:
                phone.pending = (*phone.pending, sub)
            body = templates.welcome_pending(self.brand, tn)
        elif s.channel == "text":
            self._status_reply(phone, tn, parcel, "subscribe:text", out, reply=False, first=True)
            return
        else:
            body = templates.welcome_checkout(self.brand, tn, merchant, self._status(parcel))
        self._text(phone, tn, body, cause, out, reply=False)

    def _lift_parcel_stop(self, e164: str, tn: str) -> None:
        stops = self._parcel_stops
        if stops and tn in stops:
            left = tuple(p for p in stops[tn] if p != e164)
            if left:
                stops[tn] = left
            else:
                del stops[tn]

    def _same_subscription(self, phone: Phone, tn: str, options: int, channel: str,
                           merchant: str) -> bool:
        """Whether ``phone`` already has exactly this subscription, in force or
        awaiting its YES (and is not opted out)."""
        parcel = self.parcels.get(tn)
        if parcel is None or not parcel.subs or phone.opted_out:
            return False
        for sub in parcel.subs:
            if sub.phone is phone:
                return (sub.options == options and sub.channel == channel
                        and sub.merchant == merchant
                        and (sub.active or sub in phone.pending))
        return False

    def _status_reply(self, phone: Phone, tn: str, parcel: Parcel | None, cause: str,
                      out: list[Output], *, reply: bool = True, first: bool = False) -> None:
        status = self._status(parcel)
        if status:
            merchant = ""
            body = templates.notice(self.brand, tn, status, parcel.eta if parcel else None,
                                    merchant)
        else:
            body = templates.no_news(self.brand, tn)
        if first:
            body = templates.first_reply(body)
        self._text(phone, tn, body, cause, out, reply=reply)

    # -------------------------------------------------------------- inbound
    def _on_sms_in(self, m: SmsIn, out: list[Output]) -> None:
        e164 = self._e164(m.sender, field="from")
        sid = m.message_sid
        if sid:
            if sid in self._sids:
                # The provider resent its webhook (it timed out waiting for us): the
                # text was answered the first time.
                out.append(Suppressed(at=self.now, to=e164, tracking_number=None,
                                      reason="duplicate_message", cause="reply:retry"))
                return
            self._sids[sid] = None
            if len(self._sids) > SIDS_KEPT:  # an eighth at a time: see trim_oldest
                trim_oldest(self._sids, SIDS_KEPT - SIDS_KEPT // 8)
        phone = self._phone(e164)
        phone.touches += 1
        phone.fails = 0  # they can text us, so texts reach them
        command = parse(m.body)
        if phone.opted_out and command.verb not in ("opt_in", "help"):
            # HELP is answered whatever the state (CTIA); nothing else after STOP.
            out.append(Suppressed(at=self.now, to=e164, tracking_number=command.tracking_number,
                                  reason="opted_out", cause=f"reply:{command.verb}"))
            return
        self._commands[command.verb](self, phone, command, out)

    def _cmd_opt_out(self, phone: Phone, c: Command, out: list[Output]) -> None:
        phone.opted_out = True
        phone.pending = ()
        self._text(phone, None, templates.opted_out(self.brand), f"reply:{c.word}", out,
                   reply=True)

    def _cmd_opt_in(self, phone: Phone, c: Command, out: list[Output]) -> None:
        was_out = phone.opted_out
        phone.opted_out = False
        cause = f"reply:{c.word}"
        if phone.pending:
            pending, phone.pending = phone.pending, ()
            for sub in pending:
                sub.active = True
                self._lift_parcel_stop(phone.e164, sub.tracking_number)
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
        for sub in phone.subs:  # a tuple: dropping one below rebinds, never mutates it
            if sub.tracking_number == tn:
                found = True
                sub.active = False
                phone.subs = without(phone.subs, sub)
                if sub in phone.pending:
                    phone.pending = without(phone.pending, sub)
                if parcel is not None and parcel.subs is not None:
                    parcel.subs = without(parcel.subs, sub)
        if not found:
            # A revocation naming a parcel the person gets no texts about (a number
            # mistyped, or another parcel's): the texts they do get are what they want
            # stopped, so every text stops.
            self._cmd_opt_out(phone, c, out)
            return
        if self._parcel_stops is None:
            self._parcel_stops = {}
        stops = self._parcel_stops
        if phone.e164 not in stops.get(tn, ()):
            stops[tn] = (*stops.get(tn, ()), phone.e164)
        self._text(phone, tn, templates.parcel_stopped(self.brand, tn), "reply:STOP_TN",
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
        new = parcel is None or not any(s.phone is phone for s in parcel.subs or ())
        self._lift_parcel_stop(phone.e164, tn)  # they ask about it again themselves
        _sub, parcel = self._subscribe(phone, tn, _MODE_OPTIONS[mode], "text", "", None,
                                       merge=True)
        if mode == "":
            self._status_reply(phone, tn, parcel, cause, out, first=new)
        elif mode == "WHEN":
            if parcel.code >= 0 and codes.MILESTONE_OF_INDEX[parcel.code] == codes.DELIVERED:
                body = templates.delivered(self.brand, tn, self._status(parcel))
            else:
                body = templates.expected(self.brand, tn, parcel.eta)
            self._text(phone, tn, templates.first_reply(body) if new else body, cause, out,
                       reply=True)
        else:
            what = {"AA": "all future updates", "AF": "all future updates",
                    "DND": "a text for each delivery or attempt"}[mode]
            body = templates.future_on(self.brand, tn, what)
            self._text(phone, tn, templates.first_reply(body) if new else body, cause, out,
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

    _commands: Final[dict[str, Callable[[Inbound, Phone, Command, list[Output]], None]]] = {
        "opt_out": _cmd_opt_out, "opt_in": _cmd_opt_in, "help": _cmd_help,
        "quiet": _cmd_quiet, "awake": _cmd_awake, "stop_parcel": _cmd_stop_parcel,
        "track": _cmd_track, "unknown": _cmd_unknown,
    }
