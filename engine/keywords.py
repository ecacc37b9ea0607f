"""What an inbound text means.

Carrier keywords follow CTIA practice and Twilio's defaults (docs/facts.md):
matched as one word, any case, surrounding spaces and trailing punctuation
ignored. The service's own keywords (AA, AF, AP, DND, DELIVERY/DATE/UPDATE/WHEN)
follow a tracking number, in either order; "STOP <tracking number>" ends one
parcel only; QUIET/AWAKE toggle the 11 PM-7 AM Central quiet window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

OPT_OUT: Final = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
OPT_IN: Final = frozenset({"START", "YES", "UNSTOP"})
HELP: Final = frozenset({"HELP", "INFO"})
ETA_WORDS: Final = frozenset({"DELIVERY", "DATE", "UPDATE", "WHEN"})
TRACKING_MODES: Final = frozenset({"AA", "AF", "AP", "DND"}) | ETA_WORDS

# USPS domestic numbers are 20-22 digits (often typed in groups of four);
# international ones are S10: two letters, nine digits, two letters.
_S10 = re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}")
_TRAILING = ".!?,;:'\")"


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """A parsed inbound text.

    ``verb`` is one of: opt_out, opt_in, help, quiet, awake, stop_parcel,
    track, unknown. ``mode`` is the tracking keyword for ``track`` (``""`` for
    a bare tracking number; DELIVERY/DATE/UPDATE/WHEN all become ``"WHEN"``).
    ``word`` is the keyword as matched, for the reply's cause.
    """

    verb: str
    word: str = ""
    tracking_number: str | None = None
    mode: str = ""


def normalise_body(body: str) -> str:
    """Upper case, single spaces, no surrounding space or trailing punctuation."""
    return " ".join(body.split()).upper().rstrip(_TRAILING).strip()


def tracking_number_in(text: str) -> str | None:
    """The tracking number if ``text`` (already normalised) is one, else None."""
    compact = text.replace(" ", "").replace("-", "")
    if compact.isdigit() and 20 <= len(compact) <= 22:
        return compact
    if _S10.fullmatch(compact):
        return compact
    return None


def parse(body: str) -> Command:
    """Classify an inbound text. Never raises: unknown text is ``unknown``."""
    text = normalise_body(body)
    if text in OPT_OUT:
        return Command(verb="opt_out", word=text)
    if text in OPT_IN:
        return Command(verb="opt_in", word=text)
    if text in HELP:
        return Command(verb="help", word=text)
    if text == "QUIET":
        return Command(verb="quiet", word=text)
    if text == "AWAKE":
        return Command(verb="awake", word=text)
    tn = tracking_number_in(text)
    if tn is not None:
        return Command(verb="track", word="TRACK", tracking_number=tn)
    first, _, rest = text.partition(" ")
    last = text.rsplit(" ", 1)[-1]
    if first == "STOP" and (tn := tracking_number_in(rest)) is not None:
        return Command(verb="stop_parcel", word="STOP", tracking_number=tn)
    for word, number in ((last, text[: -len(last)]), (first, rest)):
        if word in TRACKING_MODES and (tn := tracking_number_in(number.strip())) is not None:
            mode = "WHEN" if word in ETA_WORDS else word
            return Command(verb="track", word=word, tracking_number=tn, mode=mode)
    return Command(verb="unknown", word="")
