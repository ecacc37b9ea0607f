"""A text as words: compatibility forms folded, invisible characters and marks dropped,
look-alike letters, symbols and digits for letters read as the ASCII word they show, a
slip of the keyboard in a keyword read as the keyword, and tracking numbers (USPS, S10,
UPS, the barcode's number; typed in groups or glued to a word) taken out
(``engine.keywords`` reads what the words mean)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from engine.links import fold, skeleton
from engine.vocabulary import (
    COURTESY,
    OPT_OUT,
    STOP_VERBS,
    TEXT_WORDS,
    VOCABULARY,
)

# USPS domestic numbers are 20-22 digits (often typed in groups of four);
# international ones are S10: two letters, nine digits, two letters.
_S10 = re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}")
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u0060\u00b4]")
# A stop-sign emoji (🛑 ⛔ 🚫, and the bell-off 🔕 and no-phones 📵): STOP when the text says
# nothing else, emphasis when it does ("Package not here 🚫", "⛔ gate code 1234"). Read as
# this word, which ``engine.keywords`` makes STOP or drops.
STOP_SIGN: Final = "STOPSIGNEMOJI"
# 🛑 ⛔ 🚫 🔕 📵, and the muted speaker 🔇, the cross mark ❌ and the raised hand ✋ 🤚 (a
# carrier's reviewer reads each, sent alone to a short code, as "stop": docs/compliance.md).
_STOP_SIGNS: Final = ("\U0001F6D1\u26D4\U0001F6AB\U0001F515\U0001F4F5\U0001F507\u274C\u270B"
                      "\U0001F91A")
# A stop sign standing for letters of STOP between letters: "S🛑P" (its TO), "ST⛔P" (its O).
_SIGN_FOR_O = re.compile("(?<=[A-Za-z])[\U0001F6D1\u26D4\U0001F6AB](?=[A-Za-z])")
_SIGN_FOR_TO = re.compile("(?<=[Ss])[\U0001F6D1\u26D4\U0001F6AB](?=[Pp])")
# A masked word ("f***ing", "f**k", "sh*tty", "f***"; not "END*", "S*T*O*P"): swearing, read as
# FUCKING (courtesy beside a keyword: "stop f***ing texting me").
# Stars may mask letters in several places ("f*ck*ng") when a run of two letters or more
# follows the first (not "S*T*O*P"); stars and letters alternate possessively: linear time.
_MASKED = re.compile(r"(?<![\w*])(?:[A-Za-z]{1,3}\*++(?:[A-Za-z]{2,}+(?:\*++[A-Za-z]++)++"
                     r"|[A-Za-z]++)|[FfSs]\*{2,}+)(?![\w*])")
# Letters drawn as symbols, read as the letters they show: regional indicators (flag
# letters, U+1F1E6-), squared, negative circled and negative squared capitals (U+1F130-,
# U+1F150-, U+1F170-), and the stop-sign emoji (a word of its own).
_LETTERS: Final = {
    **{base + i: chr(0x41 + i) for base in (0x1F1E6, 0x1F130, 0x1F150, 0x1F170)
       for i in range(26)},
    **{ord(c): f" {STOP_SIGN} " for c in _STOP_SIGNS},
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
        if _SIGN_FOR_O.search(body):
            body = _SIGN_FOR_O.sub("O", _SIGN_FOR_TO.sub("TO", body))
        text = fold(body.translate(_LETTERS))
        text = "".join(c for c in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(c))
    if "1z" in text or "1Z" in text:  # a UPS number typed in groups: one word
        text = _UPS_GROUPED.sub(lambda m: _GROUP_SEP.sub("", m.group()), text)
    if "*" in text:
        text = _MASKED.sub(" FUCKING ", text)
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
        if tok in _ALIASES:
            out.extend(_ALIASES[tok])  # "STAHP", "NOMORE", "RMV"
            continue
        if len(tok) >= 4 and tok not in VOCABULARY:
            tok = _typo(tok) or tok
            if tok not in VOCABULARY and (joined := joined_keywords(tok)):
                out.extend(joined)  # "STOPSTOP", "STOPQUIT": keywords written together
                continue
        out.append(tok)
    if len(out) > 4 and all(len(t) == 1 and t.isalpha() for t in out) and (
            spelled := joined_keywords("".join(out))):
        out = list(spelled)  # "S T O P P L E A S E": a keyword and more, every letter spaced
    for k in range(len(out) - 1):  # "unsubscribed me": a slip for "unsubscribe me"
        if out[k] == "UNSUBSCRIBED" and out[k + 1] == "ME":
            out[k] = "UNSUBSCRIBE"
        elif out[k] == "OPT" and out[k + 1] == "OU" and all(t in COURTESY for t in out[k + 2:]):
            out[k + 1] = "OUT"  # "opt ou (please)": its last letter left off, closing the text
        elif out[k] in _OPT_SLIPS and out[k + 1] in _OUT_SLIPS:
            out[k], out[k + 1] = "OPT", "OUT"  # "Opt ouy", "opt iut", "opy out"
        elif out[k + 1] == "AL" and out[k] in OPT_OUT:
            out[k + 1] = "ALL"  # "cancel al", "stop al"
        elif out[k] in STOP_VERBS and k + 1 < len(out):
            _mend_text_word(out, k + 1)
    return out


def _slips(word: str) -> frozenset[str]:
    """``word`` and each word it becomes when one letter is struck on a key beside its own."""
    return frozenset(word[:k] + n + word[k + 1:] for k in range(len(word))
                     for n in _neighbours(word[k])) | {word}


# A word for the texts mistyped after a stop verb, past courtesy ("stop textinf me", "stop
# txtng me", "Stop texxting me", "stop mesaging me", "Stop sendng me texts"): one slip, in a
# word of four letters or more, not a word of its own (testing, resting, messing).
def _mend_text_word(out: list[str], k: int) -> None:
    while k < len(out) - 1 and out[k] in COURTESY:
        k += 1
    tok = out[k]
    if len(tok) >= 5 and tok.isalpha() and tok not in TEXT_WORDS and tok not in VOCABULARY:
        mended = _text_typo(tok)
        if mended is not None:
            out[k] = mended


@lru_cache(maxsize=4096)
def _text_typo(word: str) -> str | None:
    if word in _NOT_TEXT_TYPOS or len(word) > 14:
        return None
    c = _collapsed(word)
    if c in _TEXT_TARGETS:
        return _TEXT_TARGETS[c]
    for target in _TEXT_TARGETS_BY_LENGTH.get(len(c), ()):
        if _distance(c, target) <= 1:
            return _TEXT_TARGETS[target]
    return None


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


def _collapsed(word: str) -> str:
    """``word`` with each run of one letter made one: ``STOPP`` and ``SSTOOP`` are ``STOP``."""
    return "".join(c for k, c in enumerate(word) if k == 0 or c != word[k - 1])


_COLLAPSED_OPT_OUT: Final = {_collapsed(w): w for w in OPT_OUT if len(w) >= 4}
_SHORT_OPT_OUT: Final = frozenset(w for w in OPT_OUT if len(w) < 4)  # END, STP: held only
NOT_TYPOS: Final = frozenset({"STOOP", "ALOT", "ATLO", "UNSUBSCRIBED", "EVOKE", "ARRETE"})
# Slang and shorthand read as the words they stand for, wherever they stand.
_ALIASES: Final = {"STAHP": ["STOP"], "STAHPP": ["STOP"], "STAWP": ["STOP"], "STAUP": ["STOP"],
                   "STOHP": ["STOP"], "STAP": ["STOP"], "STAWPP": ["STOP"], "OPTT": ["OPT"],
                   "UNSCRIBE": ["UNSUBSCRIBE"],
                   "UNSUSCRIBE": ["UNSUBSCRIBE"], "RMV": ["REMOVE"], "NOMORE": ["NO", "MORE"],
                   "OUTT": ["OUT"], "OPTOUTT": ["OPTOUT"], "DONOTCALL": ["DO", "NOT", "CALL"]}
# A keyword of six letters or more with one letter left out ("CANEL", "CANCL", "REVOK",
# "OPTOT"), unless that is a word of its own or another keyword.
_DROPPED: Final = {w[:k] + w[k + 1:]: w for w in sorted(OPT_OUT) if len(w) >= 6
                   for k in range(len(w))}


# What may follow a keyword written together with it: more keywords, a few courtesy words
# and objects, and words for the texts ("STOPSTOP", "STOPIT", "STOPPLEASE", "StopTextingMe";
# not "Quitman", a town).
_TAILS: Final = frozenset(OPT_OUT | TEXT_WORDS | {
    "IT", "NOW", "PLEASE", "PLS", "PLZ", "ME", "ALL", "THIS", "THEM", "ALREADY", "AGAIN",
    "ASAP", "THANKS", "EVERYTHING"})
_PIECE_LENGTHS: Final = sorted({len(w) for w in _TAILS}, reverse=True)


# Both readers below are memoised: a text of 1,600 characters repeating one long word
# ("🛑" * 800, "unsubscrib " * 145) would otherwise read it hundreds of times (70 ms).
@lru_cache(maxsize=4096)
def joined_keywords(word: str, tails: bool = True) -> tuple[str, ...] | None:
    """``word`` as a revocation keyword written together with more keywords, courtesy,
    objects or words for the texts (``STOPSTOP``, ``STOPQUIT``, ``STOPIT``,
    ``STOPTEXTINGME``), or None: it must start with a keyword and every letter must belong
    to a piece; with ``tails`` False, keywords only."""
    if not 5 <= len(word) <= 64 or not word.isalpha():
        return None
    # best[i]: the pieces spelling word[:i], or None (each end reached once: linear)
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for i in range(len(word)):
        done = best[i]
        if done is None:
            continue
        for n in _PIECE_LENGTHS:
            piece = word[i : i + n]
            if (len(piece) == n and best[i + n] is None and piece in _TAILS
                    and ((i and tails) or piece in OPT_OUT)):
                best[i + n] = [*done, piece]
    found = best[-1]
    return tuple(found) if found and len(found) > 1 else None


# The longest word a slip can be read in: the longest keyword and two slips.
_TYPO_MAX: Final = max(len(w) for w in OPT_OUT) + 2


@lru_cache(maxsize=4096)
def _typo(word: str) -> str | None:
    """The revocation keyword ``word`` is a slip of the keyboard for, if any: a letter
    held down (``STOPP``, ``CANCELL``), two letters swapped (``STPO``, ``QUTI``), or for
    the long UNSUBSCRIBE, one slip of any kind, or two in a word starting with its U
    (``UNSUBCRIBE``, ``UNSUSCRIBE``, ``USUBSCRIBE``; not ``SUBSCRIBE``). Words of their
    own that look like one are not (``STOOP``, ``ALOT``)."""
    if not 4 <= len(word) <= _TYPO_MAX or not word.isalpha() or word in NOT_TYPOS:
        return None
    c = _collapsed(word)
    if c in _COLLAPSED_OPT_OUT:
        return _COLLAPSED_OPT_OUT[c]
    if c in _SHORT_OPT_OUT:
        return c  # "ENDD", "EEND" (a swap of three letters is too often a word: NEED, DEN)
    if word in _DROPPED and word not in VOCABULARY:
        return _DROPPED[word]
    for k in range(len(c) - 1):
        swapped = c[:k] + c[k + 1] + c[k] + c[k + 2 :]
        if swapped in _COLLAPSED_OPT_OUT:
            return _COLLAPSED_OPT_OUT[swapped]
    if 9 <= len(word) <= 13 and not word.startswith(("SUB", "RESUB")):
        slips = _distance(word, "UNSUBSCRIBE")  # two slips when it starts "U" (not SUBSCRIBE)
        if slips <= 1 or (slips == 2 and word.startswith("U")):
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


def take_tracking_numbers(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Every tracking number among the words, and the rest."""
    found: list[str] = []
    while True:
        tn, tokens = _take_tracking_number(tokens)
        if tn is None:
            return found, tokens
        found.append(tn)


_QWERTY: Final = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")


def _neighbours(c: str) -> frozenset[str]:
    """The keys beside ``c`` on a QWERTY keyboard (its row, and the rows above and below)."""
    for r, row in enumerate(_QWERTY):
        k = row.find(c)
        if k < 0:
            continue
        near = {row[j] for j in (k - 1, k + 1) if 0 <= j < len(row)}
        if r:  # the row above is set half a key to the left
            near |= {_QWERTY[r - 1][j] for j in (k, k + 1) if j < len(_QWERTY[r - 1])}
        if r < 2:
            near |= {_QWERTY[r + 1][j] for j in (k - 1, k) if 0 <= j < len(_QWERTY[r + 1])}
        return frozenset(near)
    return frozenset()


def _stop_slips() -> frozenset[str]:
    """STOP as a hand slips on the keyboard: one or two letters struck on a key beside theirs
    ("DTOP", "STOO", "STIO"), one left out ("STO"), one beside them added ("STOPL", "STOIP");
    not the words these make (TOP, DROP, ATOP, SHOP, STEP, SLOP, SPOT, POST)."""
    word = "STOP"
    out: set[str] = set()
    subs = [{c} | _neighbours(c) for c in word]
    for a in subs[0]:
        for b in subs[1]:
            for c in subs[2]:
                for d in subs[3]:
                    w = a + b + c + d
                    if sum(x != y for x, y in zip(w, word, strict=True)) <= 2:
                        out.add(w)
    out |= {word[:k] + word[k + 1:] for k in range(4)}
    for k in range(5):
        near = set().union(*(_neighbours(c) for c in word[max(0, k - 1):k + 1]))
        out |= {word[:k] + n + word[k:] for n in near}
    return frozenset(out) - _WORDS_NOT_STOP - {word}


_WORDS_NOT_STOP: Final = frozenset(
    {"TOP", "SOP", "STP", "DROP", "ATOP", "SHOP", "STEP", "SLOP", "SPOT", "POST", "STOW", "SROP",
     "STOOP", "STOPS", "ATOM", "STOL", "STIR", "AROP", "ETOP", "STAR", "SKIP", "SHIP", "SLIP",
     "DTOL", "STOK", "STIL", "STLL", "WRAP", "STOLP", "STOPE", "ESTOP", "SPOTS"})
# STOP mistyped, read as STOP only when it is the whole text (``engine.keywords``).
STOP_SLIPS: Final = _stop_slips()


# OPT and OUT struck on a key beside one of their letters ("opy", "iut", "ouy"), read as OPT
# OUT when both stand together (not the words these make: put, our, apt).
_OPT_SLIPS: Final = _slips("OPT") - {"OUT", "PUT", "APT", "OAT", "OFT", "OPS"}
_OUT_SLIPS: Final = _slips("OUT") - {"PUT", "OUR", "OIL", "GUT", "NUT", "CUT", "HUT", "OAT",
                                     "OPT", "OYT"}
# The words for the texts a slip is read as, collapsed ("TEXTING" is "TEXTING", "MESSAGING" is
# "MESAGING"), by length: a slip adds, drops or changes one letter.
_TEXT_TARGETS: Final = {_collapsed(w): w for w in (
    "TEXTING", "TXTING", "MESSAGING", "MESSAGES", "MESSAGE", "SENDING", "NOTIFICATIONS",
    "NOTIFICATION", "CONTACTING", "BOTHERING", "SPAMMING", "REMINDERS", "ALERTS")}
_TEXT_TARGETS_BY_LENGTH: Final = {
    n: tuple(t for t in _TEXT_TARGETS if abs(len(t) - n) <= 1) for n in range(4, 16)}
_NOT_TEXT_TYPOS: Final = frozenset({"TESTING", "RESTING", "NESTING", "TASTING", "MESSING",
                                    "SETTING", "SEEDING", "SANDING", "RINGING", "TEXAS",
                                    "CALLIN", "FALLING",
                                    "BALLING", "CALLED", "SPENDING", "BENDING", "LENDING",
                                    "MENDING", "TENDING", "VENDING", "ENDING", "SHIPPING",
                                    "POSTING", "HOSTING", "TEXTILE", "CONTEST", "CONTRACT",
                                    "MESSAGED", "TEXTBOOK", "SPAMMED", "PINGED", "ALERTED",
                                    "UPDATED", "CONTACTS", "TEXTER", "UPDATER", "COMMUNITY"})
