"""What an inbound text means.

Carrier keywords follow CTIA practice and the FCC's revocation rule (47 CFR
64.1200(a)(10), in force since 11 April 2025: consent may be revoked "by any
reasonable means", and STOP, QUIT, END, REVOKE, OPT OUT, CANCEL and UNSUBSCRIBE
always count). A text is read as words: any case, any spacing, hyphens,
punctuation and emoji ignored, apostrophes dropped (``don't`` is ``DONT``), a
tracking number (typed in groups or not) taken out wherever it stands. Then:

1. **Keywords.** What is left, with courtesy words (please, now, thanks...)
   set aside, is one or more revocation keywords, written together or apart
   (``STOP``, ``Stop all``, ``opt-out``, ``OPT OUT``, ``un-subscribe``).
2. **Plain requests.** The text clearly asks to stop (``REQUESTS`` below):
   a stop verb followed by a word for texts (``please stop texting me``,
   ``cancel these alerts``), a negation followed by one (``no more texts``,
   ``don't text me``, ``I do not want these messages``), a fixed phrase
   (``leave me alone``, ``take me off your list``, ``wrong number``), or an
   unambiguous word anywhere (``unsubscribe``, ``opt out``, ``revoke``,
   ``stop all``). A negated stop (``don't stop texting me``) is not one.
3. **Ambiguous** texts (``stop by the post office?``, ``cancel my package``,
   ``no text yet?``) are not read as a revocation: the answer says it was not
   understood and how to stop (every answer ends "Reply ... STOP to cancel").

Either form with a tracking number stops that parcel only (``STOP <tn>``,
``<tn> opt out``, ``please stop texting me about <tn>``); ``STOP ALL`` stops
everything whatever else the text holds. The service's own keywords (AA, AF,
AP, DND, DELIVERY/DATE/UPDATE/WHEN) go with a tracking number, in either
order; QUIET/AWAKE toggle the 11 PM-7 AM Central quiet window. The rules and
the corpus they are tested on: docs/compliance.md, tests/revocation_corpus.txt.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

OPT_OUT: Final = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
OPT_IN: Final = frozenset({"START", "YES", "UNSTOP"})
HELP: Final = frozenset({"HELP", "INFO"})
ETA_WORDS: Final = frozenset({"DELIVERY", "DATE", "UPDATE", "WHEN"})
TRACKING_MODES: Final = frozenset({"AA", "AF", "AP", "DND"}) | ETA_WORDS

# Words that soften or stress a keyword without changing it ("stop please", "STOP NOW!!").
COURTESY: Final = frozenset(
    {"PLEASE", "PLS", "PLZ", "NOW", "THANKS", "THANK", "YOU", "THX", "TY", "IT", "ME",
     "OK", "OKAY", "JUST", "ASAP", "IMMEDIATELY", "SIR", "MAAM"}
)
# A stop verb, then only filler words, then a word for texts: "stop sending me these texts".
STOP_VERBS: Final = frozenset(
    {"STOP", "QUIT", "CEASE", "END", "CANCEL", "HALT", "DISCONTINUE", "UNSUBSCRIBE",
     "BLOCK", "REMOVE", "DELETE", "DISABLE", "TURN"}
)
TEXT_WORDS: Final = frozenset(
    {"TEXT", "TEXTS", "TEXTING", "TEXTED", "TXT", "TXTS", "TXTING", "MESSAGE", "MESSAGES",
     "MESSAGING", "MSG", "MSGS", "SMS", "NOTIFICATION", "NOTIFICATIONS", "NOTIFS", "ALERT",
     "ALERTS", "UPDATES", "CONTACTING", "SENDING", "BOTHERING", "SPAMMING", "SPAM",
     "SUBSCRIPTION", "SUBSCRIPTIONS", "CALLING"}
)
FILLERS: Final = frozenset(
    {"ME", "MY", "ALL", "THE", "THESE", "THOSE", "THIS", "YOUR", "ANY", "MORE", "FURTHER",
     "FUTURE", "OF", "FROM", "TO", "US", "IT", "PLEASE", "PLS", "OFF", "OUT", "SENDING",
     "USPS", "TRACKING", "DELIVERY", "PACKAGE", "PARCEL", "TEXT", "SMS"}
)
# After a negation: "I do not want to receive any more text messages".
WISH_WORDS: Final = frozenset({"WANT", "NEED", "WISH", "LIKE", "CARE"})
NEG_FILLERS: Final = FILLERS | WISH_WORDS | {"SEND", "EVER", "AGAIN", "ANYMORE", "I"}
RECEIVE_WORDS: Final = frozenset({"RECEIVE", "GET", "GETTING", "RECEIVING"})
NEGATIONS: Final = frozenset({"DONT", "NEVER", "DOESNT", "DNT"})
NEGATORS_OF_STOP: Final = frozenset({"DONT", "NOT", "NEVER", "DIDNT", "WONT", "CANT", "WHY",
                                     "DID", "DOESNT", "WOULDNT", "SHOULDNT"})
# Words with no other meaning in a text to a tracking short code.
UNAMBIGUOUS: Final = frozenset({"UNSUBSCRIBE", "OPTOUT", "STOPALL", "REVOKE"})
PHRASES: Final = (
    ("LEAVE", "ME", "ALONE"), ("TAKE", "ME", "OFF"), ("REMOVE", "ME"),
    ("REMOVE", "MY", "NUMBER"), ("DELETE", "MY", "NUMBER"), ("OPT", "ME", "OUT"),
    ("UNSUBSCRIBE", "ME"), ("WRONG", "NUMBER"), ("STOP", "ALL"), ("OPT", "OUT"),
    ("UN", "SUBSCRIBE"),
)
WHOLE_PHRASES: Final = frozenset({("NOT", "INTERESTED"), ("NO", "THANKS"), ("NO", "THANK", "YOU")})

# USPS domestic numbers are 20-22 digits (often typed in groups of four);
# international ones are S10: two letters, nine digits, two letters.
_S10 = re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}")
_TRAILING = ".!?,;:'\")"
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u0060\u00b4]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """A parsed inbound text.

    ``verb`` is one of: opt_out, opt_in, help, quiet, awake, stop_parcel,
    track, unknown. ``mode`` is the tracking keyword for ``track`` (``""`` for
    a bare tracking number; DELIVERY/DATE/UPDATE/WHEN all become ``"WHEN"``).
    ``word`` is the keyword as matched (``REQUEST`` for a plain-words
    revocation), for the reply's cause.
    """

    verb: str
    word: str = ""
    tracking_number: str | None = None
    mode: str = ""


def normalise_body(body: str) -> str:
    """Upper case, single spaces, no surrounding space or trailing punctuation."""
    return " ".join(body.split()).upper().rstrip(_TRAILING).strip()


def words(body: str) -> list[str]:
    """The words of a text: compatibility forms folded (full-width letters are
    letters), upper case, apostrophes dropped, everything else a separator."""
    text = unicodedata.normalize("NFKC", body).upper()
    return _WORD.findall(_APOSTROPHES.sub("", text))


def tracking_number_in(text: str) -> str | None:
    """The tracking number if ``text`` (already normalised) is one, else None."""
    compact = text.replace(" ", "").replace("-", "")
    if compact.isdigit() and 20 <= len(compact) <= 22:
        return compact
    if _S10.fullmatch(compact):
        return compact
    return None


def _take_tracking_number(tokens: list[str]) -> tuple[str | None, list[str]]:
    """A tracking number among the words (a run of digit groups, or S10), and the rest."""
    for i, tok in enumerate(tokens):
        if _S10.fullmatch(tok):
            return tok, tokens[:i] + tokens[i + 1 :]
        if not tok.isdigit():
            continue
        digits = ""
        for j in range(i, len(tokens)):
            if not tokens[j].isdigit():
                break
            digits += tokens[j]
            if len(digits) > 22:
                break
            if len(digits) >= 20 and (j + 1 == len(tokens) or not tokens[j + 1].isdigit()
                                      or len(digits + tokens[j + 1]) > 22):
                return digits, tokens[:i] + tokens[j + 1 :]
    return None, tokens


def _keyword(tokens: list[str], vocabulary: frozenset[str]) -> str | None:
    """The keyword the words spell, courtesy set aside: one word, one word in parts
    ("OPT OUT", "UN SUBSCRIBE"), or the same keyword repeated ("STOP STOP")."""
    core = [t for t in tokens if t not in COURTESY] or tokens
    joined = "".join(core)
    if joined in vocabulary:
        return joined
    if core and all(t in vocabulary for t in core):
        return core[0]
    return None


def _contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))


def _reaches_text_word(tokens: list[str], start: int, fillers: frozenset[str]) -> bool:
    """Whether only fillers stand between ``start`` and a word for texts."""
    wished = False
    for tok in tokens[start:]:
        if tok in TEXT_WORDS:
            return True
        if tok in WISH_WORDS:
            wished = True
        elif tok in RECEIVE_WORDS and wished:
            continue
        elif tok not in fillers:
            return False
    return False


def is_request_to_stop(tokens: list[str]) -> bool:
    """Rule 2 of the module docstring: plain words that clearly ask to stop."""
    if not tokens:
        return False
    if tuple(t for t in tokens if t not in ("PLEASE", "PLS", "OK")) in WHOLE_PHRASES:
        return True
    for i, tok in enumerate(tokens):
        negated = (i > 0 and tokens[i - 1] in NEGATORS_OF_STOP) or (
            i > 1 and (tokens[i - 2], tokens[i - 1]) in (("DO", "NOT"), ("DID", "YOU")))
        if tok in UNAMBIGUOUS and not negated:
            return True
        if tok in STOP_VERBS and not negated and _reaches_text_word(tokens, i + 1, FILLERS):
            return True
        negation = tok in NEGATIONS or (tok == "NOT" and i > 0 and tokens[i - 1] == "DO") or (
            tok == "MORE" and i > 0 and tokens[i - 1] == "NO")
        if negation and _reaches_text_word(tokens, i + 1, NEG_FILLERS):
            return True
    if tokens[0] == "NO" and len(tokens) > 1 and tokens[1] in TEXT_WORDS and all(
            t in COURTESY or t in TEXT_WORDS for t in tokens[2:]):
        return True  # "no texts please"; not "no text yet?"
    return any(_contains(tokens, phrase) and not _negated_phrase(tokens, phrase)
               for phrase in PHRASES)


def _negated_phrase(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    for i in range(len(tokens) - n + 1):
        if tuple(tokens[i : i + n]) == phrase:
            return i > 0 and tokens[i - 1] in NEGATORS_OF_STOP
    return False


def parse(body: str) -> Command:
    """Classify an inbound text. Never raises: unknown text is ``unknown``."""
    tokens = words(body)
    tn, rest = _take_tracking_number(tokens)
    if tn is None:
        if (word := _keyword(rest, OPT_OUT)) is not None:
            return Command(verb="opt_out", word=word)
        if (word := _keyword(rest, OPT_IN)) is not None:
            return Command(verb="opt_in", word=word)
        if (word := _keyword(rest, HELP)) is not None:
            return Command(verb="help", word=word)
        if rest == ["QUIET"]:
            return Command(verb="quiet", word="QUIET")
        if rest == ["AWAKE"]:
            return Command(verb="awake", word="AWAKE")
        if is_request_to_stop(rest):
            return Command(verb="opt_out", word="REQUEST")
        return Command(verb="unknown", word="")
    if not rest:
        return Command(verb="track", word="TRACK", tracking_number=tn)
    if len(rest) == 1 and rest[0] in TRACKING_MODES:
        word = rest[0]
        mode = "WHEN" if word in ETA_WORDS else word
        return Command(verb="track", word=word, tracking_number=tn, mode=mode)
    if _keyword(rest, HELP) is not None:
        return Command(verb="help", word="HELP")
    word = _keyword(rest, OPT_OUT)
    if word == "STOPALL" or "STOPALL" in rest or _contains(rest, ("STOP", "ALL")):
        return Command(verb="opt_out", word="STOPALL")
    if word is not None:
        return Command(verb="stop_parcel", word=word, tracking_number=tn)
    if is_request_to_stop(rest):
        return Command(verb="stop_parcel", word="REQUEST", tracking_number=tn)
    return Command(verb="unknown", word="")
