"""Read-only views: a parcel as the tracking page shows it, a person's whole
history (the "customer 360"), and the outbox a gateway worker pages through.

A parcel comes from the engine's memory (its current state); timelines and
the outbox come from the journal (their history), so they survive restarts
and cost the engine nothing.
"""

from __future__ import annotations

from typing import Any

import orjson

from engine import codes, phones
from engine.core import Engine, option_names
from engine.errors import InvalidInput
from engine.records import format_day, format_time
from engine.records import tracking_number as normal_tracking_number
from engine.state import RECORD, unpack_scan
from loadtests.guards import HttpError
from loadtests.journal import Journal


def parcel(engine: Engine, tracking_number: str) -> dict[str, Any]:
    """Status and subscribers of one parcel, phones masked. 404 if never seen."""
    tracking_number = normal_tracking_number(tracking_number)
    found = engine.parcels.get(tracking_number)
    if found is None:
        raise HttpError(404, f"no parcel {tracking_number!r}", field="trackingNumber")
    view: dict[str, Any] = {"trackingNumber": tracking_number,
                            "scans": len(found.history) // RECORD}
    if found.code >= 0:
        view["status"] = engine.status_line(tracking_number)  # worded as in the texts
        if found.code < len(codes.CODES):
            view["eventCode"] = codes.CODES[found.code]
            view["milestone"] = codes.MILESTONE_NAMES[codes.MILESTONE_OF_INDEX[found.code]]
    if found.history:
        at, offset, _code, _place = unpack_scan(found.history[-RECORD:])
        view["lastEventAt"] = format_time(at, offset)
    if found.eta is not None:
        view["expectedDelivery"] = format_day(found.eta)
    view["subscribers"] = [
        {"phone": phones.mask(s.phone.e164), "channel": s.channel, "active": s.active,
         "options": option_names(s.options), "optedOut": s.phone.opted_out}
        for s in found.subs or ()
    ]
    return view


def timeline(journal: Journal, raw_phone: str, limit: int) -> dict[str, Any]:
    """Everything from or to one person, in the order it happened."""
    try:
        e164 = phones.normalise(raw_phone)
    except InvalidInput as exc:
        raise HttpError(422, str(exc), field="phone") from None
    entries = [
        {"seq": seq, "direction": direction, "record": orjson.loads(rec)}
        for seq, _order, direction, rec in journal.timeline(e164, limit)
    ]
    return {"phone": phones.mask(e164), "entries": entries}


def outbox(journal: Journal, after: int, limit: int) -> dict[str, Any]:
    """Texts to send, after ``after``; ``next`` is the cursor to ask with next time."""
    rows = journal.outbox(after, limit)
    messages = [{"cursor": cursor, **orjson.loads(rec)} for cursor, rec in rows]
    return {"messages": messages, "next": rows[-1][0] if rows else after}
