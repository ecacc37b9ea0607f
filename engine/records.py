"""The trace format (v1, docs/trace-format.md): one JSON object per line.

Converts records (already-decoded JSON objects) to typed inputs and typed
outputs back to records. Pure: drivers read and write the files. Errors name
the field, so a driver can report "line 12: field 'at': ...".
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Final

from engine.errors import InvalidInput
from engine.inputs import Input, Receipt, Scan, SmsIn, Subscribe, Wake
from engine.links import dotted
from engine.outputs import Held, Output, Redacted, Reply, Sms, Suppressed, WakeAt

_EPOCH_DAY: Final = date(1970, 1, 1).toordinal()
_KINDS: Final = frozenset({"scan", "subscribe", "sms_in", "receipt", "wake"})
# The fields each kind reads, each checked for its type below: a record holding no other
# field nests no deeper than its ``options`` list.
_FIELDS: Final = {
    "scan": frozenset({"kind", "at", "trackingNumber", "eventCode", "eventCity", "eventState",
                       "eventZIP", "eventId", "expectedDelivery"}),
    "subscribe": frozenset({"kind", "at", "trackingNumber", "phone", "channel", "options",
                            "merchant", "destinationZIP"}),
    "sms_in": frozenset({"kind", "at", "from", "body", "messageSid"}),
    "receipt": frozenset({"kind", "at", "messageId", "status"}),
    "wake": frozenset({"kind", "at"}),
}
# Arrays and objects one record may nest, the record counting as one. Fields a reader
# does not know are ignored, but a driver may keep the record as it came (the shim's
# journal) or write it again: JSON readers take nesting far deeper than orjson writes
# (254), so a deeper record was applied and then failed to be written.
MAX_NESTING: Final = 64


def _need_shallow(rec: dict[str, Any], kind: str) -> None:
    """Refuse a record nested over ``MAX_NESTING`` deep, naming its top-level field."""
    if rec.keys() <= _FIELDS[kind]:
        return  # the common record: only fields this kind reads
    for key, value in rec.items():
        if type(value) is not list and type(value) is not dict:
            continue
        stack: list[tuple[Any, int]] = [(value, 2)]
        while stack:
            item, depth = stack.pop()
            if depth > MAX_NESTING:
                raise InvalidInput(f"field {key!r} nests arrays or objects over "
                                   f"{MAX_NESTING} deep (counting the record)", field=key)
            children = item.values() if type(item) is dict else item
            stack.extend((child, depth + 1) for child in children
                         if type(child) is list or type(child) is dict)


def parse_time(value: Any, field: str = "at") -> tuple[int, int]:
    """ISO 8601 with an offset -> (epoch seconds, offset minutes)."""
    if not isinstance(value, str):
        raise InvalidInput(f"field {field!r} must be an ISO 8601 time string", field=field)
    try:
        if "\x00" in value:  # CPython 3.11 reads a string only to its first NUL
            raise ValueError(value)
        t = datetime.fromisoformat(value)
    except ValueError:
        # RFC 3339 allows a lower-case "t" and "z"; fromisoformat does not read "z".
        upper = value[:10] + value[10:].upper()
        try:
            if upper == value or "\x00" in value:
                raise ValueError(value) from None
            t = datetime.fromisoformat(upper)
        except ValueError:
            raise InvalidInput(f"field {field!r}: {value!r} is not an ISO 8601 time",
                               field=field) from None
    offset = t.utcoffset()
    if offset is None:
        raise InvalidInput(f"field {field!r}: {value!r} has no UTC offset", field=field)
    if not 1970 <= t.year < 9000:  # see inputs.MAX_TIME
        raise InvalidInput(f"field {field!r}: {value!r} is outside 1970-8999", field=field)
    # Whole seconds since the epoch, by calendar arithmetic (t.timestamp() goes
    # through a float and an aware subtraction: twice the time on the hot path).
    offset_s = offset.days * 86400 + offset.seconds
    at = ((t.toordinal() - _EPOCH_DAY) * 86400 + t.hour * 3600 + t.minute * 60 + t.second
          - offset_s)
    return at, offset_s // 60


def format_time(at: int, offset_min: int = 0) -> str:
    """Epoch seconds -> ISO 8601 at the given offset (UTC by default)."""
    tz = UTC if offset_min == 0 else timezone(timedelta(minutes=offset_min))
    return datetime.fromtimestamp(at, tz).isoformat()


def parse_day(value: Any, field: str) -> int:
    """``"2026-12-15"`` (or a full timestamp) -> days since the epoch, 1970 to 8999."""
    if not isinstance(value, str):
        raise InvalidInput(f"field {field!r} must be a date string", field=field)
    try:
        if "\x00" in value:  # CPython 3.11 reads a string only to its first NUL
            raise ValueError(value)
        day = (date.fromisoformat(value) if len(value) <= 10
               else datetime.fromisoformat(value).date())
    except ValueError:
        raise InvalidInput(f"field {field!r}: {value!r} is not a date", field=field) from None
    if not 1970 <= day.year < 9000:
        raise InvalidInput(f"field {field!r}: {value!r} is outside 1970-8999", field=field)
    return day.toordinal() - _EPOCH_DAY


def format_day(day: int) -> str:
    return date.fromordinal(day + _EPOCH_DAY).isoformat()


# "ST.CLOUD" is "ST. CLOUD": written without its space, a place name is a domain name
# to a phone's link detector (.cloud), so the edge puts the space back.
_DOT_LETTER = re.compile(r"\.(?=[^\W\d_])")


def _place_name(city: str) -> str:
    """A city as shown: compatibility forms folded, upper case, every dot look-alike a
    dot with a space after it before a letter."""
    if city.isascii() and "." not in city:
        return city.strip().upper()  # the common case
    return _DOT_LETTER.sub(". ", dotted(unicodedata.normalize("NFKC", city)).strip().upper())


def tracking_number(value: str) -> str:
    """A tracking number as the engine keys it: spaces and hyphens people type between
    groups dropped, upper case (``ea 123456789-us`` is ``EA123456789US``), as an inbound
    text's is read (``engine.keywords``)."""
    if value.isdigit():
        return value  # the common case: nothing to do
    return value.replace(" ", "").replace("-", "").upper()


def _text(rec: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = rec.get(key)
    if value is None:
        if required:
            raise InvalidInput(f"missing field {key!r}", field=key)
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"field {key!r} must be a string", field=key)
    return value


def to_input(rec: Any) -> Input:
    """A decoded trace record -> a typed input. Raises InvalidInput."""
    if not isinstance(rec, dict):
        raise InvalidInput("a record must be a JSON object")
    kind = rec.get("kind")
    if not isinstance(kind, str) or kind not in _KINDS:
        raise InvalidInput(
            f"unknown kind {kind!r}; expected scan, subscribe, sms_in, receipt or wake",
            field="kind",
        )
    _need_shallow(rec, kind)
    at, offset = parse_time(rec.get("at"))
    if kind == "scan":
        tn, code = rec.get("trackingNumber"), rec.get("eventCode")
        city, state = rec.get("eventCity", ""), rec.get("eventState", "")
        zip_code, event_id = rec.get("eventZIP", ""), rec.get("eventId", "")
        if not (type(tn) is str and type(code) is str and type(city) is str
                and type(state) is str and type(zip_code) is str and type(event_id) is str):
            # Not the common well-formed record (the hot path): field by field, naming
            # what is wrong (a missing optional field, or null, reads as "").
            tn, code = _text(rec, "trackingNumber", required=True), _text(rec, "eventCode",
                                                                          required=True)
            city, state = _text(rec, "eventCity"), _text(rec, "eventState")
            zip_code, event_id = _text(rec, "eventZIP"), _text(rec, "eventId")
        eta = rec.get("expectedDelivery")
        return Scan(
            at=at, offset_min=offset, tracking_number=tracking_number(tn),
            event_code=code.strip().upper(),
            city=_place_name(city), state=state.strip().upper(),
            zip=" ".join(zip_code.split()),
            event_id=event_id,
            expected_delivery=None if eta in (None, "") else parse_day(eta, "expectedDelivery"),
        )
    if kind == "subscribe":
        options = rec.get("options", ["all"])
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            raise InvalidInput("field 'options' must be a list of strings", field="options")
        merchant = rec.get("merchant")
        if merchant is not None and not isinstance(merchant, str):
            raise InvalidInput("field 'merchant' must be a string", field="merchant")
        dest = rec.get("destinationZIP")
        if dest is not None and not isinstance(dest, str):
            raise InvalidInput("field 'destinationZIP' must be a string", field="destinationZIP")
        return Subscribe(
            at=at, tracking_number=tracking_number(_text(rec, "trackingNumber", required=True)),
            phone=_text(rec, "phone", required=True),
            channel=_text(rec, "channel") or "checkout", options=tuple(options),
            merchant=merchant, destination_zip=dest or None,
        )
    if kind == "sms_in":
        return SmsIn(at=at, sender=_text(rec, "from", required=True),
                     body=_text(rec, "body"), message_sid=_text(rec, "messageSid"))
    if kind == "receipt":
        return Receipt(at=at, message_id=_text(rec, "messageId", required=True),
                       status=_text(rec, "status", required=True))
    if kind == "wake":
        return Wake(at=at)
    raise InvalidInput(
        f"unknown kind {kind!r}; expected scan, subscribe, sms_in, receipt or wake", field="kind"
    )


def from_input(inp: Input) -> dict[str, Any]:
    """A typed input -> its trace record (the inverse of ``to_input``)."""
    rec: dict[str, Any] = {"kind": inp.kind}
    if isinstance(inp, Scan):
        rec["at"] = format_time(inp.at, inp.offset_min)
        rec["trackingNumber"] = inp.tracking_number
        rec["eventCode"] = inp.event_code
        for key, value in (("eventCity", inp.city), ("eventState", inp.state),
                           ("eventZIP", inp.zip), ("eventId", inp.event_id)):
            if value:
                rec[key] = value
        if inp.expected_delivery is not None:
            rec["expectedDelivery"] = format_day(inp.expected_delivery)
        return rec
    rec["at"] = format_time(inp.at)
    if isinstance(inp, Subscribe):
        rec.update(trackingNumber=inp.tracking_number, phone=inp.phone, channel=inp.channel,
                   options=list(inp.options))
        if inp.merchant is not None:
            rec["merchant"] = inp.merchant
        if inp.destination_zip is not None:
            rec["destinationZIP"] = inp.destination_zip
    elif isinstance(inp, SmsIn):
        rec.update({"from": inp.sender, "body": inp.body})
        if inp.message_sid:
            rec["messageSid"] = inp.message_sid
    elif isinstance(inp, Receipt):
        rec.update(messageId=inp.message_id, status=inp.status)
    return rec


def from_output(o: Output) -> dict[str, Any]:
    """A typed output -> its trace record (key order fixed, for byte-identical files)."""
    rec: dict[str, Any] = {"kind": o.kind, "at": format_time(o.at)}
    if isinstance(o, Sms | Reply):
        rec.update(to=o.to, body=o.body, messageId=o.message_id,
                   trackingNumber=o.tracking_number, encoding=o.encoding,
                   segments=o.segments, cause=o.cause)
        if isinstance(o, Sms) and o.event_at is not None:
            rec["eventAt"] = format_time(o.event_at)
    elif isinstance(o, Suppressed | Redacted):
        rec.update(to=o.to, trackingNumber=o.tracking_number, reason=o.reason, cause=o.cause)
    elif isinstance(o, Held):
        rec.update(to=o.to, trackingNumber=o.tracking_number, until=format_time(o.until),
                   reason=o.reason, cause=o.cause)
    elif isinstance(o, WakeAt):
        pass
    return rec
