"""What drivers feed the engine. Every input carries its own time.

Times are whole seconds since the Unix epoch (UTC): drivers parse ISO 8601
strings at the edge (see ``engine.records``), so the per-input path compares
plain ints. Inputs are frozen, keyword-only and check their own shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from engine.errors import InvalidInput
from engine.frozen import quick_init
from engine.links import has_invisible, has_link

CHANNELS = ("checkout", "tracking_page", "text")
OPTIONS = (
    "all", "expected_delivery", "day_of_delivery", "delivered",
    "available_for_pickup", "exceptions", "in_transit",
)
RECEIPT_STATUSES = ("delivered", "undelivered", "failed", "expired")


# 9000-01-01T00:00:00Z. ISO 8601 output ends at year 9999; the margin keeps
# every time the engine derives (hold until, wake at) printable too.
MAX_TIME = 221_845_392_000


TRACKING_NUMBER_MAX = 40  # USPS 20-22 digits, S10 13 characters, other carriers' fewer


def _need_tracking_number(tn: object, kind: str) -> None:
    """A tracking number is letters and digits (it is shown in texts: nothing else, so
    no link, space or control character rides on it)."""
    if not tn:
        raise InvalidInput(f"{kind} has no trackingNumber", field="trackingNumber")
    if type(tn) is not str or not (len(tn) <= TRACKING_NUMBER_MAX and tn.isascii()
                                   and tn.isalnum()):
        raise InvalidInput(
            f"trackingNumber {tn!r} is not a tracking number: ASCII letters and digits "
            f"only, at most {TRACKING_NUMBER_MAX}", field="trackingNumber")
    if tn.isdigit() and PHONE_LIKE[0] <= len(tn) <= PHONE_LIKE[1]:
        raise InvalidInput(
            f"trackingNumber {tn!r} reads as a phone number, which a phone shows as a link "
            f"in a text; no carrier's numbers have {PHONE_LIKE[0]}-{PHONE_LIKE[1]} digits "
            f"alone", field="trackingNumber")


# Digits alone this many are a phone number to a phone's link detector (7: a local number;
# 11: 1 and ten digits). USPS numbers have 20-22, FedEx 12, 15 or 20.
PHONE_LIKE = (7, 11)


ID_MAX = 200  # eventId, messageSid, messageId: a provider's key, never this long
# An inbound text's body: a provider hands on at most 1,600 characters (Twilio's
# messaging webhook, "Body ... up to 1600 characters long"; ten segments).
BODY_MAX = 1600
MERCHANT_MAX_IN = 200  # a shop's name as given (shown cut to templates.MERCHANT_MAX)


def _need_short(value: str, name: str, most: int) -> None:
    if len(value) > most:
        raise InvalidInput(f"{name} is {len(value):,} characters; at most {most}", field=name)


CITY_MAX = 60
_STATE = re.compile(r"[A-Za-z]{2,4}")  # a state, province or region code (CO, ON, NSW, CDMX)
# A US ZIP (ZIP+4 too), a Canadian postal code, or another country's (letters and at most
# six digits: SW1A 1AA, 1012 AB, 110001, D02 X285), ASCII only.
_ZIP = re.compile(r"[0-9]{5}(?:[- ]?[0-9]{4})?|[A-Za-z][0-9][A-Za-z][ -]?[0-9][A-Za-z][0-9]"
                  r"|(?=(?:[^0-9]*[0-9]){0,6}[^0-9]*\Z)[A-Za-z0-9](?:[A-Za-z0-9 -]{0,8}"
                  r"[A-Za-z0-9])?")
# A city name: letters (any script) with their marks, digits, spaces and . ' - & ( ).
# Words between runs of separators, every quantifier possessive: nothing is given back,
# so a string is read once. With plain quantifiers (the inner run and the words both
# optional) it backtracked exponentially on a run of separators ending in a refused
# character ("-" * 40 + "!" hung the shim's event loop).
_CITY = re.compile(r"[^\W_]*+(?:[ .'&()\u2019-]++[^\W_]*+)*+")
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff]{3,}")  # stacked
# Places already checked: a network has a few thousand (bounded against a flood of junk).
_PLACES_CHECKED: dict[tuple[str, str, str], None] = {}
_PLACES_KEPT = 65_536


def check_place(city: object, state: object, zip_code: object) -> None:
    """A scan's place is shown in texts: a city name (no link, no control character), a
    two-letter state and a ZIP or Canadian postal code, each optional."""
    key = (city, state, zip_code)
    if key in _PLACES_CHECKED:
        return
    for name, value in (("eventCity", city), ("eventState", state), ("eventZIP", zip_code)):
        if type(value) is not str:
            raise InvalidInput(f"{name} must be text", field=name)
    assert isinstance(city, str) and isinstance(state, str) and isinstance(zip_code, str)
    if state and not _STATE.fullmatch(state):
        raise InvalidInput(f"eventState {state!r} is not a two-letter state or province",
                           field="eventState")
    if zip_code and not _ZIP.fullmatch(zip_code):
        raise InvalidInput(f"eventZIP {zip_code!r} is not a ZIP or postal code",
                           field="eventZIP")
    if (len(city) > CITY_MAX or not city.isprintable() or has_invisible(city)
            or not _CITY.fullmatch(city) or _MARKS.search(city)):
        raise InvalidInput(f"eventCity {city[:80]!r} is not a place name (letters, digits, "
                           f"spaces and . ' - & ( ), at most {CITY_MAX})", field="eventCity")
    if has_link(city) or (any(c.isdigit() for c in city)  # digits to join the ZIP's
                          and has_link(" ".join(filter(None, (city, state, zip_code))))):
        raise InvalidInput(f"eventCity {city!r} holds a link (alone or with the state and "
                           f"ZIP), and a place is shown in texts", field="eventCity")
    if len(_PLACES_CHECKED) >= _PLACES_KEPT:
        _PLACES_CHECKED.clear()
    _PLACES_CHECKED[key] = None  # type: ignore[index]


def _need_time(at: object) -> None:
    if type(at) is not int or not 0 <= at <= MAX_TIME:
        raise InvalidInput(
            f"'at' must be whole seconds since the epoch, 1970 to 8999, got {at!r}", field="at"
        )


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Scan:
    """A tracking event from the postal network (USPS Tracking API v3 names).

    ``offset_min`` is the UTC offset the facility reported its local time in;
    it is used only to show the event's local time in a text.
    ``expected_delivery`` is a date as days since 1970-01-01, when known.
    """

    kind: ClassVar[str] = "scan"
    at: int
    tracking_number: str
    event_code: str
    offset_min: int = 0
    city: str = ""
    state: str = ""
    zip: str = ""
    event_id: str = ""
    expected_delivery: int | None = None

    def __post_init__(self) -> None:
        _need_time(self.at)
        _need_tracking_number(self.tracking_number, "scan")
        check_place(self.city, self.state, self.zip)
        if not self.event_code:
            raise InvalidInput("scan has no eventCode", field="eventCode")
        if len(self.event_code) > 8 or not (self.event_code.isascii()
                                            and self.event_code.isalnum()):
            raise InvalidInput(f"eventCode {self.event_code[:20]!r} is not an event code "
                               f"(ASCII letters and digits, at most 8)", field="eventCode")
        if self.event_id:
            _need_short(self.event_id, "eventId", ID_MAX)
        if not -16 * 60 <= self.offset_min <= 16 * 60:
            raise InvalidInput(f"impossible UTC offset {self.offset_min} min", field="at")


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Subscribe:
    """Someone asked for texts about a parcel (checkout, tracking page or text)."""

    kind: ClassVar[str] = "subscribe"
    at: int
    tracking_number: str
    phone: str
    channel: str = "checkout"
    options: tuple[str, ...] = ("all",)
    merchant: str | None = None
    destination_zip: str | None = None

    def __post_init__(self) -> None:
        _need_time(self.at)
        _need_tracking_number(self.tracking_number, "subscribe")
        if self.channel not in CHANNELS:
            raise InvalidInput(
                f"unknown channel {self.channel!r}; expected one of {', '.join(CHANNELS)}",
                field="channel",
            )
        if self.merchant:
            _need_short(self.merchant, "merchant", MERCHANT_MAX_IN)
        if not self.options:
            raise InvalidInput("options must name at least one update option", field="options")
        for option in self.options:
            if option not in OPTIONS:
                raise InvalidInput(
                    f"unknown update option {option!r}; expected one of {', '.join(OPTIONS)}",
                    field="options",
                )


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class SmsIn:
    """A text a person sent to the short code."""

    kind: ClassVar[str] = "sms_in"
    at: int
    sender: str
    body: str
    message_sid: str = ""

    def __post_init__(self) -> None:
        _need_time(self.at)
        if type(self.body) is not str:
            raise InvalidInput("body must be text", field="body")
        _need_short(self.body, "body", BODY_MAX)
        if self.message_sid:
            _need_short(self.message_sid, "messageSid", ID_MAX)


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Receipt:
    """The carrier's delivery receipt for a text the engine sent."""

    kind: ClassVar[str] = "receipt"
    at: int
    message_id: str
    status: str

    def __post_init__(self) -> None:
        _need_time(self.at)
        if not self.message_id:
            raise InvalidInput("receipt has no messageId", field="messageId")
        _need_short(self.message_id, "messageId", ID_MAX)
        if self.status not in RECEIPT_STATUSES:
            raise InvalidInput(
                f"unknown receipt status {self.status!r}; expected one of "
                f"{', '.join(RECEIPT_STATUSES)}",
                field="status",
            )


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Wake:
    """The driver's timer fired: release texts held until ``at`` or earlier."""

    kind: ClassVar[str] = "wake"
    at: int

    def __post_init__(self) -> None:
        _need_time(self.at)


Input = Scan | Subscribe | SmsIn | Receipt | Wake
