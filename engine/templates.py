"""The words of every text the engine sends.

Shape of the real service (docs/facts.md): sender, tracking number, status,
date/time, place, then a help/stop footer. Merchant text is data: it is
cleaned and inserted as a value, never used as a format string, and a link in
it may only point to the operator's own domain. Templates keep to the GSM-7
alphabet (ASCII hyphens, no curly quotes) so that one stray character does not
double the cost of every text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from engine.codes import UNKNOWN_CODE_INDEX, WORDING_OF_INDEX

MERCHANT_MAX: Final = 30
# What a handset would turn into a link: a scheme, "www.", or a dotted name
# ending in a common top-level domain (shortener ones included).
_TLDS = "com|net|org|io|co|us|info|biz|shop|store|app|ly|me|xyz|ca|gov|link|site|online|gl|to"
_URL = re.compile(
    r"(?i)\b(?:https?://\S+?|www\.\S+?|(?:[a-z0-9-]+\.)+(?:" + _TLDS + r"))(?=[\s/]|$)"
    r"(/\S*)?"
)
_HOST = re.compile(r"(?i)^(?:https?://)?([^/\s:?#]+)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Brand:
    """Who is sending: the operator's name, help line and own domain."""

    sender: str = "USPS"
    short_code: str = "28777"
    help_line: str = "1-800-275-8777"
    domain: str = "usps.com"

    @property
    def footer(self) -> str:
        return "Reply HELP for help, STOP to cancel."


def local_time(at: int, offset_min: int) -> str:
    """``12/15 11:10am`` for an instant shown at a fixed UTC offset."""
    t = datetime.fromtimestamp(at + offset_min * 60, UTC)
    hour = t.hour % 12 or 12
    half = "am" if t.hour < 12 else "pm"
    return f"{t.month}/{t.day} {hour}:{t.minute:02d}{half}"


def short_date(day: int) -> str:
    """``12/15`` for a date given as days since the epoch."""
    t = datetime.fromtimestamp(day * 86400, UTC)
    return f"{t.month}/{t.day}"


def status_line(code_index: int, at: int, offset_min: int, place: str) -> str:
    """``Out for Delivery 12/15 8:05am DENVER CO 80202``."""
    if code_index == UNKNOWN_CODE_INDEX:
        wording = "Tracking Update"
    else:
        wording = WORDING_OF_INDEX[code_index]
    when = local_time(at, offset_min)
    return f"{wording} {when} {place}" if place else f"{wording} {when}"


def clean_merchant(text: str | None, brand: Brand) -> str:
    """A shop's name made safe to show: no control characters, links only to
    the operator's own domain, at most MERCHANT_MAX characters."""
    if not text:
        return ""

    def keep_own_links(match: re.Match[str]) -> str:
        found = _HOST.match(match.group(0))
        host = found.group(1).lower() if found else ""
        own = host == brand.domain or host.endswith("." + brand.domain)
        return match.group(0) if own else ""

    cleaned = _CONTROL.sub(" ", text)
    cleaned = _URL.sub(keep_own_links, cleaned)
    cleaned = " ".join(cleaned.split())
    return cleaned[:MERCHANT_MAX].rstrip()


def notice(
    brand: Brand, tracking_number: str, status: str, eta_day: int | None, merchant: str
) -> str:
    """An update about a parcel."""
    eta = f" Expected delivery {short_date(eta_day)}." if eta_day is not None else ""
    shop = f" From {merchant}." if merchant else ""
    return f"{brand.sender} {tracking_number}: {status}.{eta}{shop} {brand.footer}"


def no_news(brand: Brand, tracking_number: str) -> str:
    return (
        f"{brand.sender} {tracking_number}: No tracking information yet. "
        f"We will text you when it moves. {brand.footer}"
    )


def welcome_checkout(brand: Brand, tracking_number: str, merchant: str, status: str) -> str:
    shop = f" from {merchant}" if merchant else ""
    now = f" Latest: {status}." if status else ""
    return (
        f"{brand.sender}: Text updates for {tracking_number}{shop} are on.{now} "
        f"Msg&data rates may apply. {brand.footer}"
    )


def welcome_pending(brand: Brand, tracking_number: str) -> str:
    return (
        f"{brand.sender}: Reply YES to get text updates for {tracking_number}. "
        f"Msg&data rates may apply. {brand.footer}"
    )


def help_text(brand: Brand) -> str:
    return (
        f"{brand.sender} Text Tracking: parcel updates by text. Help: {brand.domain}/text-tracking "
        f"or {brand.help_line}. Msg&data rates may apply. Reply STOP to cancel."
    )


def opted_out(brand: Brand) -> str:
    return (
        f"{brand.sender}: You are unsubscribed and will get no more messages. "
        f"Reply START to resubscribe."
    )


def opted_in(brand: Brand) -> str:
    return f"{brand.sender}: You are resubscribed to text updates. {brand.footer}"


def nothing_pending(brand: Brand) -> str:
    return (
        f"{brand.sender}: Text a tracking number to {brand.short_code} to get updates. "
        f"{brand.footer}"
    )


def parcel_stopped(brand: Brand, tracking_number: str, found: bool) -> str:
    if found:
        return f"{brand.sender}: You will get no more texts about {tracking_number}."
    return f"{brand.sender}: No text updates were set up for {tracking_number}."


def quiet_on(brand: Brand) -> str:
    return (
        f"{brand.sender}: Quiet hours on: no texts 11pm-7am Central. Reply AWAKE to undo. "
        f"{brand.footer}"
    )


def quiet_off(brand: Brand) -> str:
    return f"{brand.sender}: Quiet hours off. {brand.footer}"


def future_on(brand: Brand, tracking_number: str, what: str) -> str:
    return f"{brand.sender} {tracking_number}: You will get {what}. {brand.footer}"


def expected(brand: Brand, tracking_number: str, eta_day: int | None) -> str:
    if eta_day is None:
        when = "No expected delivery date yet"
    else:
        when = f"Expected delivery {short_date(eta_day)}"
    return f"{brand.sender} {tracking_number}: {when}. {brand.footer}"


def not_understood(brand: Brand) -> str:
    return (
        f"{brand.sender}: Sorry, we did not understand. Text a tracking number to track it. "
        f"{brand.footer}"
    )
