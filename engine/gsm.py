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
import unicodedata
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
_GSM7_CHARS: Final = frozenset(_BASIC + _EXTENSION)

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


# Characters outside GSM-7 with a faithful GSM-7 equivalent that is not their NFKD base
# letter: typographic quotes, dashes and bullets, and letters that do not decompose.
_NEAREST: Final = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035\u02b9\u02bc\u02bb\u2039\u203a", "'"),
    **dict.fromkeys("`\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\u02ba", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63", "-"),
    **dict.fromkeys("\u2022\u2023\u25e6\u2219\u00b7\u25cf\u30fb\u2027\u22c5", "-"),
    "\u2026": "...", "\u2044": "/", "\u00d7": "x", "\u00f7": "/", "\u00a9": "(c)",
    "\u00ae": "(R)", "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d",
    "\u00d0": "D", "\u00f0": "d", "\u0152": "OE", "\u0153": "oe", "\u00de": "Th",
    "\u00fe": "th", "\u0131": "i", "\u0126": "H", "\u0127": "h", "\u0166": "T",
    "\u0167": "t", "\u1e9e": "SS",
}
# What a character of another kind becomes, by its Unicode category: separators a
# space, dash punctuation a hyphen, brackets round ones, quotation marks straight ones.
_BY_CATEGORY: Final = {"Zs": " ", "Pd": "-", "Ps": "(", "Pe": ")", "Pi": '"', "Pf": '"'}


def is_gsm7(text: str) -> bool:
    """Whether ``text`` goes out as GSM-7 (every character in the alphabet or its
    extension table)."""
    return _gsm7_units(text) >= 0


def to_gsm7(text: str) -> str | None:
    """``text`` written in GSM-7 where each character outside it has a faithful
    equivalent: typographic quotes, dashes, bullets and the ellipsis as their ASCII
    forms, a letter with a diacritic outside GSM-7 as its base letter (NFKD: ``ż`` is
    ``z``, ``û`` is ``u``; ``é`` is GSM-7 and stays), a digit of another script as its
    value; a character with no equivalent that is not a letter or a digit (an emoji,
    a symbol, a mark) is dropped and the spaces it leaves collapse. None when a letter
    has no equivalent (a name in another script, which mapping would destroy)."""
    if _gsm7_units(text) >= 0:
        return text
    # NFKC writes the spacing acute accent, typed for an apostrophe ("Joe´s"), as a
    # space and a combining acute.
    text = text.replace("\u00b4", "'").replace(" \u0301", "'")
    out: list[str] = []
    for c in text:
        if c in _GSM7_CHARS:
            out.append(c)
            continue
        nearest = _NEAREST.get(c)
        if nearest is None:
            base = "".join(b for b in unicodedata.normalize("NFKD", c)
                           if not unicodedata.combining(b))
            if base and all(b in _GSM7_CHARS for b in base):
                nearest = base
        if nearest is None:
            category = unicodedata.category(c)
            if category == "Nd":
                nearest = str(unicodedata.decimal(c))
            elif category[0] in "LN":
                return None
            else:
                nearest = _BY_CATEGORY.get(category, "")
        out.append(nearest)
    return " ".join("".join(out).split())


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
