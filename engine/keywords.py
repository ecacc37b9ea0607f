"""What an inbound text means.

Carrier keywords follow CTIA practice and the FCC's revocation rule (47 CFR
64.1200(a)(10), in force since 11 April 2025: consent may be revoked "by any
reasonable means", and STOP, QUIT, END, REVOKE, OPT OUT, CANCEL and UNSUBSCRIBE
always count). A text is read as words: any case, any spacing, hyphens,
punctuation, marks and emoji ignored, apostrophes dropped (``don't`` is ``DONT``),
look-alike letters and digits for letters read as the word they show, every
tracking number (typed in groups or not, or glued to a word) taken out wherever it
stands. Then:

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
3. **A keyword in a sentence of its own**, or opening or closing the text, not as
   a question and not about the parcel's journey (``_revocation``): ``Stop. Who is
   this?``, ``STOP this is spam``, ``I said stop``; typos (``stopp``, ``stpo``,
   ``unsubcribe``) and the Spanish keywords (``PARAR``, ``NO MAS``) count too.
4. **Ambiguous** texts (``stop by the post office?``, ``cancel my package``,
   ``no text yet?``) are not read as a revocation: the answer says it was not
   understood and how to stop (every answer ends "Reply ... STOP to cancel").

Any form with one tracking number stops that parcel only (``STOP <tn>``,
``<tn> opt out``, ``please stop texting me about <tn>``); with ALL or EVERYTHING
(``STOP ALL``, ``CANCEL ALL <tn>``), or naming several parcels, it stops
everything. The service's own keywords (AA, AF,
AP, DND, DELIVERY/DATE/UPDATE/WHEN) go with a tracking number, in either
order; QUIET/AWAKE toggle the 11 PM-7 AM Central quiet window. The rules and
the corpus they are tested on: docs/compliance.md, tests/revocation_corpus.txt.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from engine.links import fold, skeleton

OPT_OUT: Final = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "UNSUB", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
     "STP", "BASTA", "DESUSCRIBIRME", "DESUSCRIBIR",
     # Spanish, as US short-code programs honour them (accents are dropped: NO MAS)
     "PARAR", "PARE", "ALTO", "CANCELAR", "DETENER", "BAJA", "NOMAS"}
)
# A keyword opening a text is a revocation when a new sentence follows it without
# punctuation ("STOP this is spam", "STOP I never signed up", "CANCEL who is this"), not
# when its object does ("stop sign at the corner", "stop leaving it outside", "cancel my
# package").
SENTENCE_STARTS: Final = frozenset(
    {"I", "IM", "IVE", "ID", "ILL", "WHO", "YOU", "YOURE", "UR", "WRONG", "NOT", "NEVER",
     "DONT", "NO", "SPAM", "SCAM", "ITS", "THATS", "LEAVE", "REMOVE", "UNSUBSCRIBE",
     "TEXTING", "MESSAGING", "HARASSING", "BOTHERING", "SPAMMING", "WHAT", "WHY", "HOW",
     "OK", "OKAY", "STOP", "ENOUGH", "SERIOUSLY"}
)
# Words that may precede a closing keyword: "I said stop", "please just stop", "make it stop".
BEFORE_CLOSING: Final = frozenset(
    {"SAID", "SAY", "TO", "PLEASE", "PLS", "PLZ", "JUST", "NOW", "OK", "OKAY", "SO",
     "ALREADY", "AGAIN", "SHOULD", "MUST", "IT", "YOU", "U", "YES", "NO", "SERIOUSLY", "CAN",
     "TIME", "SPAM", "SCAM", "PERSON"}
)
# Who "to stop" or "should stop" is about when it closes a revocation: the sender or the
# texts ("I told you to stop", "I want it to stop"), not someone else ("tell the driver to
# stop", "I want the delays to stop").
SUBJECTS: Final = frozenset({"YOU", "U", "IT", "THIS", "THEM", "THESE", "TEXTS", "MESSAGES"})
# Words between a negation and the stop word it negates: "I don't want you to unsubscribe
# me", "no need to stop", "no quiero darme de baja".
NEGATION_CHAIN: Final = frozenset(
    {"WANT", "NEED", "WISH", "LIKE", "YOU", "U", "TO", "ME", "IT", "THEM", "ASKING", "TRYING",
     "FOR", "WAS", "AM", "I", "BE", "GOING", "MY", "THE", "A", "PLEASE", "QUIERO", "DARME",
     "DEN", "DES", "DE", "MUST", "SHOULD", "WOULD", "GONNA", "WANNA", "MEANT", "SAID"}
)
# Words that take back a revocation: "undo unsubscribe", "disregard my STOP message", "I
# accidentally said stop".
TAKEN_BACK: Final = frozenset(
    {"UNDO", "REVERSE", "DISREGARD", "IGNORE", "ACCIDENTALLY", "MISTAKE", "OOPS", "HATE",
     "NO", "NOT", "NEVER", "DONT", "DIDNT", "WONT", "CANT", "DOESNT", "WOULDNT", "SHOULDNT",
     "WASNT", "ISNT", "AINT", "WHY", "DID", "CANCEL"}
)
# CANCEL and END close a revocation only after these ("I said cancel"; not "I want to
# cancel", which may be the order).
BEFORE_CLOSING_CANCEL: Final = BEFORE_CLOSING - {"TO", "IT", "YOU", "SHOULD", "MUST"}
# A closing keyword after one of these is a question, not a request ("when will it stop").
QUESTIONS: Final = frozenset(
    {"WHY", "WHEN", "WILL", "DID", "DOES", "DO", "HOW", "WHERE", "WHAT", "IS", "ARE", "HAS",
     "HAVE", "WOULD", "WAS", "WERE"}
)
# Objects a keyword may take and still be a keyword: "stop this", "cancel them", "END ALL".
OBJECTS: Final = frozenset(
    {"IT", "THEM", "THIS", "THAT", "THESE", "THOSE", "ALL", "EVERYTHING", "ALREADY", "AGAIN",
     "AND", "OTHERS", "OTHER", "EVERY", "ONE", "EM", "TRACKING", "TODO", "TODOS"}
)
# Words that widen a revocation naming a parcel to every text: "CANCEL ALL <tn>".
EVERYTHING: Final = frozenset({"ALL", "EVERYTHING", "EVERY", "OTHERS", "TODO", "TODOS"})
OPT_IN: Final = frozenset({"START", "YES", "UNSTOP"})
HELP: Final = frozenset({"HELP", "INFO"})
ETA_WORDS: Final = frozenset({"DELIVERY", "DATE", "UPDATE", "WHEN"})
TRACKING_MODES: Final = frozenset({"AA", "AF", "AP", "DND"}) | ETA_WORDS
VOCABULARY: Final = OPT_OUT | OPT_IN | HELP | TRACKING_MODES | {"QUIET", "AWAKE"}
ENGLISH_STOPS: Final = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "UNSUB", "CANCEL", "END",
                                  "QUIT", "REVOKE", "OPTOUT", "OPT", "STP"})

# Words that soften or stress a keyword without changing it ("stop please", "STOP NOW!!").
COURTESY: Final = frozenset(
    {"PLEASE", "PLS", "PLZ", "NOW", "THANKS", "THANK", "YOU", "THX", "TY", "IT", "ME",
     "OK", "OKAY", "JUST", "ASAP", "IMMEDIATELY", "SIR", "MAAM", "POR", "FAVOR",
     "GRACIAS", "ALREADY", "AGAIN", "HEY", "HI", "HELLO", "YO", "OMG", "LOL", "HAHA", "LMAO",
     "WTF", "UGH", "DUDE", "BYE", "GOODBYE", "DAMN", "USPS", "SMH", "XX", "X2", "TN"}
)
# A stop verb, then only filler words, then a word for texts: "stop sending me these texts".
STOP_VERBS: Final = frozenset(
    {"STOP", "QUIT", "CEASE", "END", "CANCEL", "HALT", "DISCONTINUE", "UNSUBSCRIBE",
     "BLOCK", "REMOVE", "DELETE", "DISABLE", "TURN", "CANCELAR", "PARAR", "DETENER",
     "REFRAIN", "ENOUGH", "DONE", "STP", "DEJA", "DEJEN", "PARA", "PAREN", "PARE"}
)
TEXT_WORDS: Final = frozenset(
    {"TEXT", "TEXTS", "TEXTING", "TEXTED", "TXT", "TXTS", "TXTING", "MESSAGE", "MESSAGES",
     "MESSAGING", "MSG", "MSGS", "SMS", "NOTIFICATION", "NOTIFICATIONS", "NOTIFS", "ALERT",
     "ALERTS", "UPDATES", "CONTACTING", "SENDING", "BOTHERING", "SPAMMING", "SPAM",
     "SUBSCRIPTION", "SUBSCRIPTIONS", "CALLING", "CONTACT", "MENSAJES", "MENSAJE",
     "TEXTOS", "SUSCRIPCION", "NOTIFICACIONES", "TEXTIN", "TXTIN", "TEXING"}
)
# Words for texts that are verbs: only when what they take is the texts ("stop sending
# me these"), not something else ("stop sending me packages", "stop sending it back").
VERBAL_TEXT_WORDS: Final = frozenset(
    {"SENDING", "CONTACTING", "CALLING", "BOTHERING", "SPAMMING", "MANDARME", "ENVIARME",
     "MANDAR", "ENVIAR", "MANDEN", "ENVIEN", "MANDES", "ENVIES"}
)
FILLERS: Final = frozenset(
    {"ME", "MY", "ALL", "THE", "THESE", "THOSE", "THIS", "YOUR", "ANY", "MORE", "FURTHER",
     "FUTURE", "OF", "FROM", "TO", "US", "IT", "PLEASE", "PLS", "OFF", "OUT", "SENDING",
     "USPS", "TRACKING", "DELIVERY", "PACKAGE", "PARCEL", "TEXT", "SMS", "WITH", "DE", "LOS",
     "LAS", "LA", "EL", "MAS", "MI", "MIS"}
)
# After a negation: "I do not want to receive any more text messages".
WISH_WORDS: Final = frozenset({"WANT", "NEED", "WISH", "LIKE", "CARE", "PREFER", "RATHER",
                                "QUIERO"})
NEG_FILLERS: Final = FILLERS | WISH_WORDS | {"SEND", "EVER", "AGAIN", "ANYMORE", "I"}
RECEIVE_WORDS: Final = frozenset({"RECEIVE", "GET", "GETTING", "RECEIVING"})
STOP_FILLERS: Final = FILLERS | RECEIVE_WORDS  # "stop receiving texts", "stop getting these"
NEGATIONS: Final = frozenset({"DONT", "NEVER", "DOESNT", "DNT"})
NEGATED_OBJECTS: Final = frozenset({"THESE", "THEM", "THOSE"})  # "I don't want these"
NEGATORS_OF_STOP: Final = frozenset({"DONT", "NOT", "NEVER", "DIDNT", "WONT", "CANT", "WHY",
                                     "DID", "DOESNT", "WOULDNT", "SHOULDNT"})
# Words with no other meaning in a text to a tracking short code.
UNAMBIGUOUS: Final = frozenset({"UNSUBSCRIBE", "UNSUB", "OPTOUT", "STOPALL", "REVOKE"})
PHRASES: Final = (
    ("LEAVE", "ME", "ALONE"), ("TAKE", "ME", "OFF"), ("REMOVE", "ME"),
    ("REMOVE", "MY", "NUMBER"), ("DELETE", "MY", "NUMBER"), ("OPT", "ME", "OUT"),
    ("UNSUBSCRIBE", "ME"), ("WRONG", "NUMBER"), ("STOP", "ALL"), ("OPT", "OUT"),
    ("UN", "SUBSCRIBE"), ("DELETE", "ME"), ("REMOVE", "FROM"), ("TAKE", "MY", "NUMBER"),
    ("OFF", "YOUR", "LIST"), ("OFF", "THE", "LIST"), ("OFF", "THIS", "LIST"),
    ("OFF", "YOUR", "LISTS"), ("NO", "LONGER", "INTERESTED"), ("WITHDRAW", "MY", "CONSENT"),
    ("WITHDRAW", "CONSENT"), ("DO", "NOT", "CONSENT"), ("DONT", "CONSENT"),
    ("DELETE", "THIS", "NUMBER"), ("NEVER", "SIGNED", "UP"), ("DIDNT", "SIGN", "UP"),
    ("DE", "BAJA"), ("OPTING", "OUT"), ("REMOVE", "THIS", "NUMBER"), ("REMOVED", "FROM"),
    ("NO", "LONGER", "CONSENT"), ("LONGER", "CONSENT"), ("CEASE", "AND", "DESIST"),
    ("DESIST",), ("NEVER", "WANT", "TO", "HEAR"), ("NUMERO", "EQUIVOCADO"),
    ("DE", "LA", "LISTA"), ("DEJENME", "EN", "PAZ"), ("RETIRO", "MI", "CONSENTIMIENTO"),
)
# A phrase followed by one of these means something else: "wrong number of boxes", "take
# me off hold".
PHRASE_NOT_BEFORE: Final = {("WRONG", "NUMBER"): frozenset({"OF"}),
                            ("TAKE", "ME", "OFF"): frozenset({"HOLD"})}
WHOLE_PHRASES: Final = frozenset({("NO", "THANKS"), ("NO", "THANK", "YOU"), ("NO", "MORE"),
                                  ("NO", "GRACIAS"), ("NO", "ME", "INTERESA"),
                                  ("NOT", "INTERESTED"), ("IM", "NOT", "INTERESTED"),
                                  ("I", "AM", "NOT", "INTERESTED")})
# Words that make a "no more texts" a report, not a request: "no more updates since Monday",
# "I got no more texts", "why no more texts?".
REPORT_WORDS: Final = frozenset(
    {"WHY", "WHERE", "WHEN", "HOW", "DID", "GOT", "RECEIVED", "HAD", "SINCE", "YET",
     "AFTER", "UNTIL", "STILL", "HAVENT", "HASNT", "WHAT"}
)

# USPS domestic numbers are 20-22 digits (often typed in groups of four);
# international ones are S10: two letters, nine digits, two letters.
_S10 = re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}")
_TRAILING = ".!?,;:'\")"
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u0060\u00b4]")
# Letters drawn as symbols, read as the letters they show: regional indicators (flag
# letters, U+1F1E6-), squared, negative circled and negative squared capitals (U+1F130-,
# U+1F150-, U+1F170-), and the stop-sign emoji (a word of its own).
_LETTERS: Final = {
    **{base + i: chr(0x41 + i) for base in (0x1F1E6, 0x1F130, 0x1F150, 0x1F170)
       for i in range(26)},
    **{ord(c): " STOP " for c in "\U0001F6D1\u26D4\U0001F6AB"},
    ord("\u00d8"): "O", ord("\u00f8"): "o", ord("\u20ac"): "E",
}
# A symbol between two letters or digits standing for a letter: "$TOP", "ST@P", "QU!T".
_SYMBOL_LETTERS: Final = {"$": "S", "@": "O", "!": "I"}
_SYMBOL_IN_WORD = re.compile(r"(?<=[^\W_])[$@!](?=[^\W_])|[$](?=[^\W_])")
# A keyword written with digits for letters ("ST0P", "QU1T", "R3V0K3"): in words with
# letters, at most half of them digits.
_DIGIT_LETTERS: Final = str.maketrans("013457", "OIEAST")
_GLUED = re.compile(r"([A-Z]+)(\d{20,22})|(\d{20,22})([A-Z]+)")
_UPS = re.compile(r"1Z[0-9A-Z]{16}")
_RUN = re.compile(r"([A-Z])\1{2,}")
_UPS_GROUPED = re.compile(r"(?i)\b1Z(?:[ -]*[0-9A-Z]){16}\b")
_GROUP_SEP = re.compile(r"[ -]")
# The USPS barcode's number: 420, the ZIP (or ZIP+4), then the 22-digit tracking number.
_BARCODE = re.compile(r"420(?:[0-9]{5}|[0-9]{9})([0-9]{22})")
# Where a text divides into sentences or clauses: "Stop. Who is this?", "Yes, stop".
_CLAUSES = re.compile(r"[.!?;,:\n\r\u2013\u2014]+|\s-+\s")


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
    letters), invisible characters dropped, accents and other marks dropped, upper case,
    apostrophes dropped, everything else a separator. A word written with look-alikes
    of another script (Cyrillic ``СТОР``), flag or squared letters, symbols or digits for
    letters (``$TOP``, ``ST0P``) is read as the ASCII word it shows; a slip of the keyboard
    in a keyword (``stopp``, ``stpo``, ``unsubcribe``) as the keyword; a stop-sign emoji
    as STOP; and a tracking number glued to a word (``STOP9400...``) is split from it."""
    if body.isascii():  # the common case: nothing to fold, no marks
        text = body
    else:
        text = fold(body.translate(_LETTERS))
        text = "".join(c for c in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(c))
    if "1z" in text or "1Z" in text:  # a UPS number typed in groups: one word
        text = _UPS_GROUPED.sub(lambda m: _GROUP_SEP.sub("", m.group()), text)
    if "$" in text or "@" in text or "!" in text:
        text = _SYMBOL_IN_WORD.sub(lambda m: _SYMBOL_LETTERS[m.group()], text)
    out: list[str] = []
    for raw in _WORD.findall(_APOSTROPHES.sub("", text)):
        tok = raw.upper() if raw.isascii() else _shown(raw)
        if len(tok) > 2:
            tok = _RUN.sub(r"\1", tok)  # "PLEEEASE", "STOOOP", "ENDDD"
        if tok.isdigit() or _S10.fullmatch(tok) or _UPS.fullmatch(tok):
            out.append(tok)
            continue
        glued = _GLUED.fullmatch(tok)
        if glued:
            out.extend(g for g in glued.groups() if g)
            continue
        digits = sum(c.isdigit() for c in tok)
        if digits and digits * 2 <= len(tok) and tok.isascii():
            tok = tok.translate(_DIGIT_LETTERS)
        if len(tok) >= 4 and tok not in VOCABULARY:
            tok = _typo(tok) or tok
        out.append(tok)
    for k in range(len(out) - 1):  # "unsubscribed me": a slip for "unsubscribe me"
        if out[k] == "UNSUBSCRIBED" and out[k + 1] == "ME":
            out[k] = "UNSUBSCRIBE"
    return out


def _shown_char(c: str) -> str:
    """One character as the ASCII capital it shows, as its lower case or its capital."""
    for form in (c.lower(), c.upper(), c):
        shown = skeleton(form).upper()
        if shown.isascii() and shown.isalnum():
            return shown
    name = unicodedata.name(c, "")  # small capitals: LATIN LETTER SMALL CAPITAL T
    if name.startswith("LATIN LETTER SMALL CAPITAL ") and len(name) == 28:
        return name[-1]
    return c.upper()


def _shown(raw: str) -> str:
    """The ASCII word a word of look-alikes shows, read as typed and in capitals (a
    lower-case Cyrillic і is an i, its capital І an l): a keyword if either is one."""
    by_char = "".join(_shown_char(c) for c in raw)
    seen = [by_char, skeleton(raw).upper(), skeleton(raw.upper()).upper()]
    ascii_ = [w for w in seen if w.isascii()]
    for w in ascii_:
        if w in VOCABULARY:
            return w
    return ascii_[0] if ascii_ else raw.upper()


def tracking_number_in(text: str) -> str | None:
    """The tracking number if ``text`` (already normalised) is one, else None."""
    compact = text.replace(" ", "").replace("-", "")
    if compact.isdigit() and 20 <= len(compact) <= 22:
        return compact
    if _S10.fullmatch(compact):
        return compact
    return None


def _take_tracking_number(tokens: list[str]) -> tuple[str | None, list[str]]:
    """A tracking number among the words (a run of digit groups, S10 whole or typed in
    groups, a UPS 1Z number), and the rest."""
    for i, tok in enumerate(tokens):
        if _S10.fullmatch(tok) or _UPS.fullmatch(tok):
            return tok, tokens[:i] + tokens[i + 1 :]
        if (barcode := _BARCODE.fullmatch(tok)) is not None:
            return barcode.group(1), tokens[:i] + tokens[i + 1 :]

        if len(tok) == 2 and tok.isalpha() and i + 2 < len(tokens):
            # "EA 123 456 789 US": two letters, nine digits in groups, two letters
            digits = ""
            for j in range(i + 1, len(tokens)):
                if not tokens[j].isdigit() or len(digits) >= 9:
                    break
                digits += tokens[j]
            else:
                continue
            end = tokens[j]
            if len(digits) == 9 and len(end) == 2 and end.isalpha():
                return tok + digits + end, tokens[:i] + tokens[j + 1 :]
            continue
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


def _reaches_text_word(tokens: list[str], start: int, fillers: frozenset[str],
                       wished: bool = False) -> bool:
    """Whether only fillers stand between ``start`` and a word for texts (a verb for
    them, such as SENDING, only when what it takes is the texts or nothing: "stop
    sending me these", not "stop sending me packages"); after a negation, the end after
    a wish to receive, or a wish and these or them ("I no longer wish to receive these",
    "I don't want these")."""
    received = sent = False
    for k in range(start, len(tokens)):
        tok = tokens[k]
        if tok in VERBAL_TEXT_WORDS:
            return _takes_texts(tokens, k + 1)
        if tok in TEXT_WORDS:
            return True
        if tok in WISH_WORDS:
            wished = True
        elif tok in RECEIVE_WORDS and wished:
            received = True
        elif tok == "SEND":
            sent = True
        elif tok in NEGATED_OBJECTS and wished and fillers is NEG_FILLERS and k == len(tokens) - 1:
            return True
        elif tok not in fillers:
            return False
    return ((wished and received) or sent) and fillers is NEG_FILLERS


def _takes_texts(tokens: list[str], start: int) -> bool:
    """After a verb for texts: nothing, or fillers then a word for texts."""
    for tok in tokens[start:]:
        if tok in TEXT_WORDS:
            return True
        if tok not in FILLERS or tok in ("PACKAGE", "PARCEL", "DELIVERY"):
            return False
    return True


def is_request_to_stop(tokens: list[str], question: bool = False) -> bool:
    """Rule 2 of the module docstring: plain words that clearly ask to stop.
    ``question``: the text ends with a question mark, so "no more updates?" reports
    rather than asks."""
    if not tokens:
        return False
    core = tuple(t for t in tokens if t not in ("PLEASE", "PLS", "OK", "THANKS", "THANK",
                                                  "YOU", "THX"))
    if core in WHOLE_PHRASES or (*core, "THANKS") in WHOLE_PHRASES:
        return True
    report = question or any(t in REPORT_WORDS for t in tokens)
    for i, tok in enumerate(tokens):
        negated = _negated(tokens, i)
        if tok in UNAMBIGUOUS and not negated:
            return True
        if tok in STOP_VERBS and not negated and _reaches_text_word(tokens, i + 1,
                                                                     STOP_FILLERS):
            return True
        prev = tokens[i - 1] if i > 0 else ""
        negation = tok in NEGATIONS or (tok == "NOT" and prev in ("DO", "YOU", "U", "PREFER",
                                                                  "RATHER")) or (
            tok in ("MORE", "LONGER", "MAS") and prev == "NO") or (
            tok == "NO" and tokens[i + 1 : i + 2] in (["QUIERO"], ["ME"]))
        if (negation and not report
                and _reaches_text_word(tokens, i + 1, NEG_FILLERS, prev in ("PREFER", "RATHER"))
                and not any(t in STOP_VERBS or t in OPT_OUT for t in tokens[i + 1:])):
            return True  # not "I don't want the texts to stop"
    if tokens[0] == "NO" and len(tokens) > 1 and tokens[1] in TEXT_WORDS and not report and all(
            t in COURTESY or t in TEXT_WORDS for t in tokens[2:]):
        return True  # "no texts please"; not "no text yet?"
    return any(_contains(tokens, phrase) and not _negated_phrase(tokens, phrase)
               for phrase in PHRASES)


def _negated(tokens: list[str], i: int) -> bool:
    """Whether the stop word at ``i`` is negated or taken back: a negation, or a word
    such as undo, reached from it through words like want, you, to ("I don't want you to
    unsubscribe me", "no need to stop", "undo my unsubscribe", "no cancelar"), or a
    question's why/did ("why did you stop")."""
    j = i - 1
    while j >= 0:
        tok = tokens[j]
        if tok in TAKEN_BACK:
            # "no" right before an English keyword is "No, stop"; before a Spanish verb or
            # further back, a negation ("no cancelar", "no need to stop").
            return not (tok == "NO" and j == i - 1 and tokens[i] in ENGLISH_STOPS)
        if tok not in NEGATION_CHAIN and tok not in COURTESY:
            return False
        j -= 1
    return False


def _negated_phrase(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    """Whether the phrase is negated ("don't take me off") or means something else by what
    follows it ("wrong number of boxes")."""
    n = len(phrase)
    for i in range(len(tokens) - n + 1):
        if tuple(tokens[i : i + n]) == phrase:
            after = tokens[i + n] if i + n < len(tokens) else ""
            return _negated(tokens, i) or after in PHRASE_NOT_BEFORE.get(phrase, ())
    return False


def _collapsed(word: str) -> str:
    """``word`` with each run of one letter made one: ``STOPP`` and ``SSTOOP`` are ``STOP``."""
    return "".join(c for k, c in enumerate(word) if k == 0 or c != word[k - 1])


_COLLAPSED_OPT_OUT: Final = {_collapsed(w): w for w in OPT_OUT if len(w) >= 4}
NOT_TYPOS: Final = frozenset({"STOOP", "ALOT", "ATLO", "UNSUBSCRIBED"})


def _typo(word: str) -> str | None:
    """The revocation keyword ``word`` is a slip of the keyboard for, if any: a letter
    held down (``STOPP``, ``CANCELL``), two letters swapped (``STPO``, ``QUTI``), or for
    the long UNSUBSCRIBE, two slips of any kind (``UNSUBCRIBE``, ``UNSUSCRIBE``; not
    ``SUBSCRIBE``). Words of their own that look like one are not (``STOOP``, ``ALOT``)."""
    if len(word) < 4 or not word.isalpha() or word in NOT_TYPOS:
        return None
    c = _collapsed(word)
    if c in _COLLAPSED_OPT_OUT:
        return _COLLAPSED_OPT_OUT[c]
    for k in range(len(c) - 1):
        swapped = c[:k] + c[k + 1] + c[k] + c[k + 2 :]
        if swapped in _COLLAPSED_OPT_OUT:
            return _COLLAPSED_OPT_OUT[swapped]
    if (9 <= len(word) <= 13 and word.startswith("UN")
            and _distance(word, "UNSUBSCRIBE") <= 2):
        return "UNSUBSCRIBE"
    return None


def _distance(a: str, b: str) -> int:
    """Edit distance with adjacent swaps (optimal string alignment)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _is_keyword_token(tokens: list[str], k: int) -> bool:
    """Whether ``tokens[k]`` is a revocation keyword (``OPT`` of ``OPT OUT`` too)."""
    tok = tokens[k]
    return tok in OPT_OUT or (tok == "OPT" and k + 1 < len(tokens) and tokens[k + 1] == "OUT")


def _revocation(rest: list[str], body: str) -> str | None:
    """The keyword (or ``REQUEST``) if the words, tracking numbers taken out, revoke
    consent under a reasonable reading, else None. The whole text spelling a keyword
    counts; else each sentence or clause is read on its own (``_clause_revocation``), and a
    clause that negates or takes back a stop word vetoes the text ("Stop. No, wait, don't
    stop", "I don't want you to unsubscribe me")."""
    if (word := _keyword(rest, OPT_OUT)) is not None:
        return word
    parts = _clauses(body) if _CLAUSES.search(body.rstrip(_TRAILING + " ")) else []
    if len(parts) <= 1:
        parts = [(rest, "?" in body)]
    found: str | None = None
    for tokens, question in parts:
        if _takes_back(tokens):
            return None
        if found is None:
            found = _clause_revocation(tokens, question)
    return found


def _clauses(body: str) -> list[tuple[list[str], bool]]:
    """The text's sentences and clauses (split at . ! ? ; , : and dashes), each as its
    words without tracking numbers, and whether it is a question."""
    out: list[tuple[list[str], bool]] = []
    start = 0
    for m in _CLAUSES.finditer(body + "\n"):
        _tns, tokens = _take_tracking_numbers(words(body[start:m.start()]))
        if tokens:
            out.append((tokens, "?" in m.group()))
        start = m.end()
    return out


def _takes_back(tokens: list[str]) -> bool:
    """Whether a stop word here is negated or taken back ("don't stop", "undo my
    unsubscribe", "I accidentally said stop")."""
    return any((t in OPT_OUT or t in STOP_VERBS or t in UNAMBIGUOUS) and _negated(tokens, k)
               for k, t in enumerate(tokens))


def _clause_revocation(tokens: list[str], question: bool) -> str | None:
    """One clause: a keyword alone (courtesy aside); a plain request
    (``is_request_to_stop``); keywords with only objects or HELP beside them ("cancel them",
    "STOP HELP", "END ALL"); a keyword opening it with a new sentence after it ("STOP this
    is spam", "STOP I never signed up"; not "stop sign at the corner", "stop leaving it
    outside"); or one closing it ("I said stop", "please just cancel", "can you stop?"; not
    "when will it stop", "tell the driver to stop", "I want to cancel")."""
    if (word := _keyword(tokens, OPT_OUT)) is not None:
        return word
    if is_request_to_stop(tokens, question):
        return "REQUEST"
    core = [t for t in tokens if t not in COURTESY]
    keyed = [k for k in range(len(core)) if _is_keyword_token(core, k)]
    if not keyed:
        return None
    first = core[keyed[0]]
    if all(t in OPT_OUT or t in OBJECTS or t in HELP or t in ("OPT", "OUT") for t in core):
        return "OPTOUT" if first == "OPT" else first
    if keyed[0] == 0:
        after = 2 if first == "OPT" else 1
        nxt = core[after] if len(core) > after else ""
        if nxt in SENTENCE_STARTS or (
                nxt in ("THIS", "IT", "THAT") and core[after + 1:after + 2] in (["IS"], ["ISNT"])):
            return "OPTOUT" if first == "OPT" else first
    at = max(k for k, t in enumerate(tokens) if t not in COURTESY)
    last = tokens[at]
    if last not in OPT_OUT or at == 0 or _negated(tokens, at):
        return None
    pred = tokens[at - 1]
    if pred not in (BEFORE_CLOSING_CANCEL if last in ("CANCEL", "END") else BEFORE_CLOSING):
        return None
    if pred in ("TO", "SHOULD", "MUST", "CAN") and any(t in NEGATORS_OF_STOP for t in core):
        return None  # "I don't want the texts to stop"
    if pred in ("SAID", "SAY"):
        return last  # "How many times do I have to say stop"
    you = any(t in ("YOU", "U") for t in tokens[:at])
    if pred in ("TO", "SHOULD", "MUST", "CAN") and not (you or (tokens[at - 2:at - 1] and
                                                        tokens[at - 2] in SUBJECTS)):
        return None
    if (question or core[0] in QUESTIONS) and not you:
        return None  # "when will it stop", "is it going to stop"
    return last


def _take_tracking_numbers(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Every tracking number among the words, and the rest."""
    found: list[str] = []
    while True:
        tn, tokens = _take_tracking_number(tokens)
        if tn is None:
            return found, tokens
        found.append(tn)


# A reaction to one of the service's own texts (an iPhone tapback, a forward): what it
# quotes is not the person's words ("Liked “... Reply STOP to stop all texts.”").
_REACTION = re.compile(r"(?i)\s*(?:liked|loved|disliked|laughed at|emphasi[sz]ed|questioned"
                       r"|reacted\s+\S{1,8}\s+to|fwd?:)\s*[\"“”'‘’]")
# A quotation of one of the service's texts inside a text (six words or more, naming
# USPS, a Reply or Msg) is that text's words, not the sender's.
_QUOTED = re.compile(r"[\"“](?=[^\"“”]*\b(?:USPS|Reply|REPLY|reply|Msg|MSG)\b)"
                     r"(?:[^\"“”\s]*\s+){5,}[^\"“”]*[\"”]")


# Texts recur (STOP, YES, HELP, a tracking number asked about twice): their reading is
# kept, bounded (a Command is frozen, so one object serves every caller).
_PARSED: dict[str, Command] = {}
PARSED_KEPT: Final = 100_000


def parse(body: str) -> Command:
    """Classify an inbound text. Never raises: unknown text is ``unknown``."""
    if type(body) is not str:
        return Command(verb="unknown", word="")
    hit = _PARSED.get(body)
    if hit is None:
        hit = _parse(body)
        if len(_PARSED) >= PARSED_KEPT:
            _PARSED.clear()
        _PARSED[body] = hit
    return hit


def _parse(body: str) -> Command:
    if _REACTION.match(body):
        return Command(verb="unknown", word="")
    if '"' in body or "“" in body or "”" in body:
        body = _QUOTED.sub(" ", body)
    tokens = words(body)
    tns, rest = _take_tracking_numbers(tokens)
    if len(tns) > 1:
        # Several parcels named: a revocation stops every text (one confirmation, and
        # nothing left running that the person asked to stop).
        word = _revocation(rest, body)
        if word is not None:
            return Command(verb="opt_out", word=word)
        return Command(verb="unknown", word="")
    if not tns:
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
        if (word := _revocation(rest, body)) is not None:
            return Command(verb="opt_out", word=word)
        return Command(verb="unknown", word="")
    tn = tns[0]
    if not rest:
        return Command(verb="track", word="TRACK", tracking_number=tn)
    if len(rest) == 1 and rest[0] in TRACKING_MODES:
        word = rest[0]
        mode = "WHEN" if word in ETA_WORDS else word
        return Command(verb="track", word=word, tracking_number=tn, mode=mode)
    if _keyword(rest, HELP) is not None:
        return Command(verb="help", word="HELP")
    word = _revocation(rest, body)
    if word is None:
        return Command(verb="unknown", word="")
    if word == "STOPALL" or "STOPALL" in rest or _contains(rest, ("STOP", "ALL")) or any(
            t in EVERYTHING for t in rest):
        return Command(verb="opt_out", word="STOPALL")
    return Command(verb="stop_parcel", word=word, tracking_number=tn)
