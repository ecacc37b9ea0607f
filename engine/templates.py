"""The words of every text the engine sends.

Shape of the real service: sender, tracking number, status, date/time, place,
then a help/stop footer. Merchant text is data: it is cleaned and inserted as
a value, never used as a format string, and holds no link (``engine.links``)
unless to the operator's own domain where the deployment allows links. Templates keep to the GSM-7
alphabet (ASCII hyphens, no curly quotes) so that one stray character does not
double the cost of every text, and a shop's name is written in GSM-7 where it has a
faithful equivalent (``clean_merchant``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from engine.codes import UNKNOWN_CODE_INDEX, WORDING_OF_INDEX
from engine.gsm import is_gsm7, to_gsm7
from engine.links import Cleaned, strip_links

MERCHANT_MAX: Final = 30


@dataclass(frozen=True, slots=True, kw_only=True)
class Brand:
    """Who is sending: the operator's name, help line and own domain.

    ``links`` lets texts carry a link to ``domain`` (the HELP answer's page, a
    shop's link to it). Off by default: the Postal Inspection Service tells
    customers that a real USPS text holds no link, so none does.
    """

    sender: str = "USPS"
    short_code: str = "28777"
    help_line: str = "1-800-275-8777"
    domain: str = "usps.com"
    links: bool = False

    @property
    def program(self) -> str:
        """The program's name, as CTIA asks every HELP answer and opt-in to show it."""
        return f"{self.sender} Text Tracking"

    @property
    def own_domain(self) -> str | None:
        """The one domain a text may link to, if any."""
        return self.domain if self.links else None

    @property
    def footer(self) -> str:
        return "Reply HELP for help, STOP to cancel."


# The disclosures CTIA's short code handbook asks of the opt-in confirmation and
# the HELP answer (besides the program's name, help and stop).
DISCLOSURE: Final = "Msg frequency varies. Msg&data rates may apply."


_MEMO_LIMIT: Final = 50_000
_TIMES: dict[int, str] = {}  # local minute -> its wording (a pure function, remembered)
_DATES: dict[int, str] = {}


def local_time(at: int, offset_min: int) -> str:
    """``12/15 11:10am`` for an instant shown at a fixed UTC offset."""
    minute = (at + offset_min * 60) // 60
    hit = _TIMES.get(minute)
    if hit is not None:
        return hit
    t = datetime.fromtimestamp(minute * 60, UTC)
    hour = t.hour % 12 or 12
    half = "am" if t.hour < 12 else "pm"
    if len(_TIMES) >= _MEMO_LIMIT:
        _TIMES.clear()
    text = _TIMES[minute] = f"{t.month}/{t.day} {hour}:{t.minute:02d}{half}"
    return text


def short_date(day: int) -> str:
    """``12/15`` for a date given as days since the epoch."""
    hit = _DATES.get(day)
    if hit is not None:
        return hit
    t = datetime.fromtimestamp(day * 86400, UTC)
    if len(_DATES) >= _MEMO_LIMIT:
        _DATES.clear()
    text = _DATES[day] = f"{t.month}/{t.day}"
    return text


def status_line(code_index: int, at: int, offset_min: int, place: str) -> str:
    """``Out for Delivery 12/15 8:05am DENVER CO 80202``."""
    if code_index == UNKNOWN_CODE_INDEX:
        wording = "Tracking Update"
    else:
        wording = WORDING_OF_INDEX[code_index]
    when = local_time(at, offset_min)
    return f"{wording} {when} {place}" if place else f"{wording} {when}"


def clean_merchant(text: str | None, brand: Brand) -> Cleaned:
    """A shop's name made safe to show: no control or invisible characters, no
    link (``engine.links``) but to the operator's own domain when allowed, in GSM-7
    where it has a faithful equivalent (``engine.gsm.to_gsm7``: ``Trader Joe’s`` is
    ``Trader Joe's``; a name in another script stays as written), at most
    MERCHANT_MAX characters. Says what was removed, and why."""
    if not text:
        return Cleaned("", ())
    key = (text, brand.own_domain)
    hit = _CLEANED.get(key)
    if hit is None:
        hit = strip_links(text, brand.own_domain, limit=MERCHANT_MAX)
        if not is_gsm7(hit.text):
            # One character outside GSM-7 sends every text about the parcel as UCS-2
            # (70 characters a part, not 160): write the name in GSM-7 where each such
            # character has a faithful equivalent (not a link: nothing is redacted).
            whole = strip_links(text, brand.own_domain)
            plain = to_gsm7(whole.text)
            removed = whole.removed
            if plain is None:  # what is not shown may have no equivalent: what is shown?
                plain, removed = to_gsm7(hit.text), hit.removed
            if plain is not None:
                again = strip_links(plain, brand.own_domain, limit=MERCHANT_MAX)
                hit = Cleaned(again.text, removed + again.removed)
        if len(_CLEANED) < _CLEANED_LIMIT:  # shops recur; a flood of junk cannot grow it
            _CLEANED[key] = hit
    return hit


_CLEANED: dict[tuple[str, str | None], Cleaned] = {}
_CLEANED_LIMIT: Final = 100_000


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
        f"{brand.program}: Updates for {tracking_number}{shop} are on.{now} "
        f"{DISCLOSURE} {brand.footer}"
    )


def welcome_pending(brand: Brand, tracking_number: str) -> str:
    return (
        f"{brand.program}: Reply YES to get text updates for {tracking_number}. "
        f"{DISCLOSURE} {brand.footer}"
    )


def help_text(brand: Brand) -> str:
    where = f"{brand.help_line} or {brand.domain}/text-tracking" if brand.links else \
        brand.help_line
    return (
        f"{brand.program}: parcel updates by text. {DISCLOSURE} Help: {where}. "
        f"Reply STOP to cancel."
    )


def opted_out(brand: Brand) -> str:
    return (
        f"{brand.program}: You are unsubscribed and will get no more messages. "
        f"Reply START to resubscribe."
    )


def opted_in(brand: Brand) -> str:
    return f"{brand.program}: You are resubscribed to text updates. {DISCLOSURE} {brand.footer}"


def first_reply(body: str) -> str:
    """The first answer to a tracking number texted in is an opt-in: it carries the
    disclosures before the footer."""
    return body.replace(" Reply HELP", f" {DISCLOSURE} Reply HELP", 1)


def nothing_pending(brand: Brand) -> str:
    return (
        f"{brand.sender}: Text a tracking number to {brand.short_code} to get updates. "
        f"{brand.footer}"
    )


def parcel_stopped(brand: Brand, tracking_number: str) -> str:
    return (f"{brand.sender}: You will get no more texts about {tracking_number}. "
            f"Reply STOP to stop all texts.")


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


def delivered(brand: Brand, tracking_number: str, status: str) -> str:
    """WHEN about a delivered parcel: when and where it was delivered."""
    return f"{brand.sender} {tracking_number}: {status}. {brand.footer}"


def not_understood(brand: Brand) -> str:
    return (
        f"{brand.sender}: Sorry, we did not understand. Text a tracking number to track it. "
        f"{brand.footer}"
    )
