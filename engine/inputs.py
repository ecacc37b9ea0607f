"""What drivers feed the engine. Every input carries its own time.

Times are whole seconds since the Unix epoch (UTC): drivers parse ISO 8601
strings at the edge (see ``engine.records``), so the per-input path compares
plain ints. Inputs are frozen, keyword-only and check their own shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from engine.errors import InvalidInput
from engine.frozen import quick_init

CHANNELS = ("checkout", "tracking_page", "text")
OPTIONS = (
    "all", "expected_delivery", "day_of_delivery", "delivered",
    "available_for_pickup", "exceptions", "in_transit",
)
RECEIPT_STATUSES = ("delivered", "undelivered", "failed", "expired")


# 9000-01-01T00:00:00Z. ISO 8601 output ends at year 9999; the margin keeps
# every time the engine derives (hold until, wake at) printable too.
MAX_TIME = 221_845_392_000


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
        if not self.tracking_number:
            raise InvalidInput("scan has no trackingNumber", field="trackingNumber")
        if not self.event_code:
            raise InvalidInput("scan has no eventCode", field="eventCode")
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
        if not self.tracking_number:
            raise InvalidInput("subscribe has no trackingNumber", field="trackingNumber")
        if self.channel not in CHANNELS:
            raise InvalidInput(
                f"unknown channel {self.channel!r}; expected one of {', '.join(CHANNELS)}",
                field="channel",
            )
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
