"""Phone numbers: validated and normalised to E.164 with ``phonenumbers``.

Only North American numbers are served (the service texts US and Canadian
numbers, docs/facts.md); US territories share the +1 plan and are allowed.
"""

from __future__ import annotations

from itertools import islice
from typing import Final

import phonenumbers

from engine.errors import InvalidInput

SERVED_REGIONS: Final = frozenset({"US", "CA", "PR", "VI", "GU", "MP", "AS"})

# Memo of raw text -> E.164; a new number costs ~25-45 us (parse, region,
# validity), and the same few numbers recur (every reply of one person).
# Bounded so a flood of distinct junk cannot grow it forever: when full, the
# oldest quarter is forgotten (a national day sees millions of numbers; a memo
# that stopped learning when full would parse every later number twice per
# input, validation and handling).
_MEMO: dict[str, str] = {}
_MEMO_LIMIT: Final = 200_000


def is_plain_nanp(raw: str) -> bool:
    """``raw`` is a North American number already in E.164: ``+1`` and ten ASCII digits,
    the first (the area code's) 2-9. How carriers and the simulation send numbers, so
    the common case skips generic parsing (here and in ``engine.geo.locate``)."""
    return (len(raw) == 12 and raw[0] == "+" and raw[1] == "1" and "2" <= raw[2] <= "9"
            and raw.isascii() and raw[2:].isdigit())


def _parsed(raw: str) -> phonenumbers.PhoneNumber:
    """``phonenumbers.parse(raw, "US")``; a number ``is_plain_nanp`` is built directly,
    as parse builds it, without parse's generic work (about half of what a new number
    costs). Tested equal to parse's answer."""
    if is_plain_nanp(raw):
        return phonenumbers.PhoneNumber(country_code=1, national_number=int(raw[2:]))
    return phonenumbers.parse(raw, "US")


def normalise(raw: str, *, field: str = "phone") -> str:
    """``raw`` as E.164 (``+13035550123``), or InvalidInput naming ``field``."""
    if type(raw) is not str or not raw.strip():
        raise InvalidInput(f"{field} is missing", field=field)
    hit = _MEMO.get(raw)
    if hit is not None:
        return hit
    try:
        number = _parsed(raw)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(f"{field} {raw!r} is not a phone number ({exc})", field=field) from None
    # is_valid_number(n) is is_valid_number_for_region(n, region_code_for_number(n)),
    # and region_code_for_number tries the +1 regions in order, the US first (no
    # leading-digits rule): the first whose number patterns match. So a +1 number
    # valid for the US is a US number, found with one pattern check instead of two
    # (about a third of a new number's cost); any other goes the general way.
    if number.country_code == 1 and phonenumbers.is_valid_number_for_region(number, "US"):
        region: str | None = "US"
    else:
        region = phonenumbers.region_code_for_number(number)
        if region is None or not phonenumbers.is_valid_number_for_region(number, region):
            raise InvalidInput(f"{field} {raw!r} is not a valid phone number", field=field)
    if region not in SERVED_REGIONS:
        raise InvalidInput(
            f"{field} {raw!r} is in {region}; only US and Canadian numbers are served",
            field=field,
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if e164 == raw:
        e164 = raw  # one string, kept by the memo and the caller, not two equal ones
    if len(_MEMO) >= _MEMO_LIMIT:
        for old in list(islice(_MEMO, _MEMO_LIMIT // 4)):
            del _MEMO[old]
    _MEMO[raw] = e164
    return e164


def mask(e164: str) -> str:
    """For logs and public views: keep the area code and the last two digits."""
    if len(e164) < 8:
        return "***"
    return f"{e164[:5]}*****{e164[-2:]}"
