"""Exact SMS encoding and segment counting (3GPP TS 23.038 / GSM 03.38, TS 23.040).

A body is sent as GSM-7 when every character is in the default alphabet or its
extension table, otherwise the whole message goes out as UCS-2 (UTF-16 code
units). Segments are counted by greedy fill, never splitting an escape pair or
a surrogate pair across parts.

This is on the engine hot path, so the common case (short, all-basic body) is a
couple of C-level scans over module-level constant tables, no Python loop.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

GSM7: Final = "GSM-7"
UCS2: Final = "UCS-2"

# TS 23.038 §6.2.1, default alphabet, in code order 0x00..0x7F. 0x1B is ESC (the
# escape to the extension table), not a character, so it is left out: 127 chars.
_BASIC: Final = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"  # 0x10..0x1F, ESC (0x1B) omitted
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# TS 23.038 §6.2.1.1, default extension table: each is ESC + code, i.e. 2 septets.
_EXTENSION: Final = "\f^{}\\[~]|€"

# TS 23.040 §9.2.3.24.1: concatenation header (UDH, 6 octets) leaves 153 septets
# / 67 UCS-2 units per part; a single message holds 140 octets = 160 / 70.
_GSM7_SINGLE: Final = 160
_GSM7_PART: Final = 153
_UCS2_SINGLE: Final = 70
_UCS2_PART: Final = 67

# ASCII fast path: the tables' ASCII members as bytes.translate(None, delete)
# tables, built once; what survives deletion of the basic set is the rest.
_ASCII_BASIC: Final = bytes(ord(c) for c in _BASIC if c.isascii())
_ASCII_EXT: Final = bytes(ord(c) for c in _EXTENSION if c.isascii())
# Otherwise compiled character classes (C-speed scans; str.translate on
# non-ASCII text does a dict lookup per character, ~3x slower).
_NOT_BASIC: Final = re.compile("[^" + re.escape(_BASIC) + "]")
_NOT_GSM: Final = re.compile("[^" + re.escape(_BASIC + _EXTENSION) + "]")
# Double-width units: escape pairs (GSM-7), surrogate pairs (UCS-2, non-BMP).
_WIDE_GSM7: Final = re.compile("[" + re.escape(_EXTENSION) + "]")
_WIDE_UCS2: Final = re.compile("[\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class Encoded:
    """How a body goes over the air."""

    encoding: str  # GSM7 or UCS2
    units: int  # septets (GSM-7, extension chars count 2) or UTF-16 code units (UCS-2)
    segments: int


# Immutable, shared results for single-segment bodies (saves an allocation).
_GSM7_ONE: Final = tuple(Encoded(GSM7, n, 1) for n in range(_GSM7_SINGLE + 1))
_UCS2_ONE: Final = tuple(Encoded(UCS2, n, 1) for n in range(_UCS2_SINGLE + 1))


def _gsm7_units(body: str) -> int:
    """Septets needed for body as GSM-7, or -1 if some character needs UCS-2."""
    if body.isascii():
        raw = body.encode("ascii").translate(None, _ASCII_BASIC)
        if not raw:
            return len(body)
        return -1 if raw.translate(None, _ASCII_EXT) else len(body) + len(raw)
    first = _NOT_BASIC.search(body)
    if first is None:
        return len(body)
    start = first.start()
    if _NOT_GSM.search(body, start) is not None:
        return -1
    return len(body) + len(_WIDE_GSM7.findall(body, start))


def _ucs2_units(body: str) -> int:
    # Astral characters are a surrogate pair: 2 UTF-16 code units.
    return len(body.encode("utf-16-le", "surrogatepass")) // 2


def _cuts(body: str, wide_re: re.Pattern[str], limit: int) -> list[int]:
    """Start index of each part after the first, by greedy fill.

    A double-width unit is one str char, so a cut can never split its pair.
    Rather than walking every char, jump to the next cut: drop ceil(excess/2)
    chars while the part is over the limit (each char is 1 or 2 units, so no
    smaller drop can fit, and the greedy maximum is never overshot).
    """
    wide = [m.start() for m in wide_re.finditer(body)]

    def units(a: int, b: int) -> int:  # units in body[a:b]
        return b - a + bisect_left(wide, b) - bisect_left(wide, a)

    cuts: list[int] = []
    start, end = 0, len(body)
    while units(start, end) > limit:
        cut = start + limit
        while (excess := units(start, cut) - limit) > 0:
            cut -= (excess + 1) // 2
        cuts.append(cut)
        start = cut
    return cuts


def encode_info(body: str) -> Encoded:
    """Encoding, length in units and exact segment count of an SMS body."""
    units = _gsm7_units(body)
    if units >= 0:
        if units <= _GSM7_SINGLE:
            return _GSM7_ONE[units]
        if units == len(body):  # no 2-septet chars: parts are plain slices
            return Encoded(GSM7, units, -(-units // _GSM7_PART))
        return Encoded(GSM7, units, len(_cuts(body, _WIDE_GSM7, _GSM7_PART)) + 1)
    units = _ucs2_units(body)
    if units <= _UCS2_SINGLE:
        return _UCS2_ONE[units]
    if units == len(body):  # BMP only
        return Encoded(UCS2, units, -(-units // _UCS2_PART))
    return Encoded(UCS2, units, len(_cuts(body, _WIDE_UCS2, _UCS2_PART)) + 1)


def segment_count(body: str) -> int:
    """Number of SMS parts body is sent as (at least 1, also for '')."""
    return encode_info(body).segments


def split_segments(body: str) -> list[str]:
    """The parts body is sent as; ''.join(parts) == body. '' gives ['']."""
    info = encode_info(body)
    if info.segments == 1:
        return [body]
    gsm = info.encoding == GSM7
    step = _GSM7_PART if gsm else _UCS2_PART
    if info.units == len(body):  # every char is 1 unit: fixed-size slices
        return [body[i : i + step] for i in range(0, len(body), step)]
    bounds = [0, *_cuts(body, _WIDE_GSM7 if gsm else _WIDE_UCS2, step), len(body)]
    return [body[a:b] for a, b in pairwise(bounds)]
