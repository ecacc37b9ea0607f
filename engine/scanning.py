"""The scan path: a scan updates its parcel, then each subscriber's notice goes
through the policies, to be sent, held or dropped."""

from __future__ import annotations

import heapq
from typing import Final

from engine import codes, templates
from engine.gsm import encode_info
from engine.inputs import Scan
from engine.outbox import EngineState, message_id
from engine.outputs import Held, Output, Sms, Suppressed
from engine.policies import Drop
from engine.state import RECORD, SHARED_INTS, Notice, Parcel

UNREACHABLE_AFTER: Final = 3  # consecutive failed receipts
PLACE_KEYS: Final = 100_000
_PLACE_NAMES: dict[tuple[str, str, str], str] = {}  # (city, state, ZIP) -> place name


_CAUSES: dict[str, str] = {}  # event code -> "scan:<code>"
CAUSES_KEPT: Final = 1_024  # a shim can be sent any code: the memo is bounded


def _cause(code: str) -> str:
    """The cause of the texts about a scan with ``code``: one shared string per code, not
    a new one per scan (a held notice and each output about it keep it: the overnight
    holds of a national day are millions)."""
    cause = _CAUSES.get(code)
    if cause is None:
        if len(_CAUSES) >= CAUSES_KEPT:
            _CAUSES.clear()
        cause = _CAUSES[code] = f"scan:{code}"
    return cause


def _shown_zip(zip_code: str) -> str:
    """A ZIP+4 is shown as its ZIP: nine digits in a text are a number to call to a
    phone's link detector ("80202-1234", "80202 1234", "802021234")."""
    if len(zip_code) in (9, 10) and zip_code[:5].isdigit() and zip_code[-4:].isdigit():
        return zip_code[:5]
    return zip_code


class Scanning(EngineState):
    """Scans in; notices through the policies; notices out."""

    # ------------------------------------------------------------------ scans
    def _place(self, scan: Scan) -> tuple[int, str]:
        key = (scan.city, scan.state, scan.zip)
        name = _PLACE_NAMES.get(key)
        if name is None:
            name = " ".join(filter(None, (scan.city, scan.state, _shown_zip(scan.zip))))
            if len(_PLACE_NAMES) >= PLACE_KEYS:
                _PLACE_NAMES.clear()
            _PLACE_NAMES[key] = name
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
        if scan.event_id and self._seen_event(tn, scan.event_id):
            self._tell_subs(parcel, "duplicate", _cause(scan.event_code), out)
            return
        code = codes.CODE_INDEX.get(scan.event_code, codes.UNKNOWN_CODE_INDEX)
        place_index, place = self._place(scan)
        at = scan.at
        record = (  # pack_scan, inlined on the hottest path
            (at << 40) | ((scan.offset_min // 15 + 64) << 32) | (code << 24) | place_index
        ).to_bytes(RECORD, "big")
        history = parcel.history
        # The newest scan's event time is the last record's (``Parcel.last_at``).
        last_at = int.from_bytes(history[-RECORD:-5], "big") if history else -1
        if at <= last_at:
            # Late or repeated: a duplicate is the same event time and code,
            # whatever its id or place wording; a late one joins the history
            # in time order but does not change the status.
            key = record[:5]
            for i in range(0, len(history), RECORD):
                if history[i : i + 5] == key and history[i + 6] == code:
                    self._tell_subs(parcel, "duplicate", _cause(scan.event_code), out)
                    return
            if at < last_at:
                i = len(history)
                while i and history[i - RECORD : i] > record:
                    i -= RECORD
                parcel.history = history[:i] + record + history[i:]
                self._restate(parcel)
                self._tell_subs(parcel, "out_of_order", _cause(scan.event_code), out)
                return
        parcel.history = history + record
        if code == codes.UNKNOWN_CODE_INDEX:
            self._tell_subs(parcel, "unknown_code", _cause(scan.event_code), out)
            return
        milestone = codes.MILESTONE_OF_INDEX[code]
        rank = codes.PROGRESS[milestone]
        status = parcel.status  # code and max_rank, packed (``Parcel.status``)
        if rank is None:
            parcel.status = SHARED_INTS[(status & ~0xFF) | (code + 1)]
        else:
            if rank < (status >> 8) - 1 and milestone != codes.RETURN_TO_SENDER:
                # e.g. "processed" after "out for delivery": the earlier scan was
                # premature; keep the furthest status, tell nobody.
                self._tell_subs(parcel, "regressed", _cause(scan.event_code), out)
                return
            parcel.status = SHARED_INTS[(code + 1) | (rank + 1) << 8]
        eta = scan.expected_delivery
        eta_changed = eta is not None and eta != parcel.eta
        if eta_changed:
            parcel.eta = eta
        subs = parcel.subs
        if subs is None:
            return
        category = codes.CATEGORY_OF_MILESTONE[milestone]
        if eta_changed:
            category |= codes.CAT_ETA
        cause = _cause(scan.event_code)
        for sub in subs:
            if not sub.active:
                continue
            if not sub.terms.options & category:
                out.append(Suppressed(at=self.now, to=sub.phone.e164, tracking_number=tn,
                                      reason="option", cause=cause))
                continue
            notice = Notice(sub, self.now, milestone, code, at, scan.offset_min, place,
                            parcel.eta, eta_changed, cause)
            self._pass(notice, 0, out)

    def _seen_event(self, tn: str, event_id: str) -> bool:
        """Whether this parcel had a scan with ``event_id`` (a duplicate, whatever its time,
        code or place); else it is kept."""
        ids = self._event_ids
        if ids is None:
            ids = self._event_ids = {}
        seen = ids.get(tn, ())
        if event_id in seen:
            return True
        ids[tn] = (*seen, event_id)
        return False

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
        subs = parcel.subs
        if subs is None:
            return
        for sub in subs:
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

    def _send_notice(self, notice: Notice, out: list[Output]) -> None:
        sub = notice.sub
        tn = sub.tracking_number
        status = templates.status_line(notice.code, notice.event_at, notice.offset, notice.place)
        eta = None if notice.milestone == codes.DELIVERED else notice.eta
        body = templates.notice(self.brand, tn, status, eta, sub.terms.merchant)
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
