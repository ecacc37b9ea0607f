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
from dataclasses import dataclass
from typing import Final

from engine.vocabulary import (
    BEFORE_CLOSING,
    BEFORE_CLOSING_CANCEL,
    CLOSING_NOT_AFTER,
    COURTESY,
    ETA_WORDS,
    EVERYTHING,
    FILLERS,
    HELP,
    JUNK_WORDS,
    KEEP_GOING,
    NEG_FILLERS,
    NEGATED_OBJECTS,
    NEGATION_CHAIN,
    NEGATIONS,
    NEGATORS_OF_STOP,
    OBJECTS,
    OPENING_NOT_BEFORE,
    OPT_IN,
    OPT_OUT,
    PHRASE_LEAD,
    PHRASE_NOT_BEFORE,
    PHRASES,
    PLACE_WORDS,
    QUESTIONS,
    RECEIVE_WORDS,
    REPORT_WORDS,
    SENTENCE_STARTS,
    SPANISH_STOPS,
    STOP_FILLERS,
    STOP_VERBS,
    STRESS_PHRASES,
    STRONG_STOPS,
    SUBJECTS,
    TAKEN_BACK,
    TEXT_WORDS,
    TRACKING_MODES,
    UNAMBIGUOUS,
    VERBAL_TEXT_WORDS,
    WHOLE_PHRASES,
    WISH_WORDS,
)
from engine.wording import joined_keywords, take_tracking_numbers, words

_TRAILING = ".!?,;:'\")"
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


def _core(tokens: list[str]) -> list[str]:
    """The words with courtesy and stress set aside ("please", "now", "at once")."""
    core = [t for t in tokens if t not in COURTESY]
    if len(core) > 2:
        for phrase in STRESS_PHRASES:
            n = len(phrase)
            for i in range(len(core) - n, -1, -1):
                if tuple(core[i : i + n]) == phrase:
                    del core[i : i + n]
    return core


def _keyword(tokens: list[str], vocabulary: frozenset[str]) -> str | None:
    """The keyword the words spell, courtesy set aside: one word, one word in parts
    ("OPT OUT", "UN SUBSCRIBE"), or the same keyword repeated ("STOP STOP")."""
    core = _core(tokens) or tokens
    joined = "".join(core)
    if joined in vocabulary:
        return joined
    if core and all(t in vocabulary for t in core):
        return core[0]
    if vocabulary is OPT_OUT and (pieces := joined_keywords(joined, tails=False)):
        return pieces[0]  # "UN. SUBSCRIBE STOP": keywords in parts, then another
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
    received = sent = got = False
    for k in range(start, len(tokens)):
        tok = tokens[k]
        if tok in VERBAL_TEXT_WORDS:
            return _takes_texts(tokens, k + 1)
        if tok in TEXT_WORDS or tok in JUNK_WORDS:
            return True
        if tok in WISH_WORDS:
            wished = True
        elif tok in RECEIVE_WORDS and wished:
            received = True
        elif tok == "SEND":
            sent = True
        elif (tok in NEGATED_OBJECTS or (tok in ("THIS", "THAT") and tokens[start - 1] == "MORE")
              ) and wished and fillers is NEG_FILLERS and all(
                t in _AFTER_OBJECT for t in tokens[k + 1:]):
            return True  # "I don't want these (anymore)", "no more of this"
        elif (tok in NEGATED_OBJECTS or tok == "THIS") and k > start and (
                tokens[k - 1] in RECEIVE_WORDS):
            got = True  # "stop getting these", "stop receiving them", "stop getting this"
        elif (tok not in fillers and not (got and tok in COURTESY)) or (
                got and tok in ("PACKAGE", "PARCEL", "DELIVERY")):
            return False  # not "stop getting these packages"
    return got or (((wished and received) or sent) and fillers is NEG_FILLERS)


_AFTER_OBJECT: Final = frozenset({"ANYMORE", "AGAIN", "PLEASE", "PLS", "NOW", "THANKS",
                                   "EVER", "THX"})


def _takes_texts(tokens: list[str], start: int) -> bool:
    """After a verb for texts: nothing, or fillers then a word for texts."""
    for tok in tokens[start:]:
        if tok in TEXT_WORDS or tok in JUNK_WORDS:
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
    thanked = any(t in ("THANKS", "THANK", "THX") for t in tokens)
    if core in WHOLE_PHRASES or (thanked and (*core, "THANKS") in WHOLE_PHRASES):
        return True  # "no thank you"; not "No" alone
    report = question or any(t in REPORT_WORDS for t in tokens)
    # "when will you stop sending updates?", "Do you stop texting after delivery?": asked
    # about, not asked for ("can you stop texting me?" is asked for).
    asked_about = question and (
        any(t in ("AFTER", "ONCE", "WHEN", "UNTIL", "IF") for t in tokens)
        or (tokens[0] in QUESTIONS and not (
            tokens[0] in ("WILL", "WOULD", "CAN", "COULD") and tokens[1:2] in (["YOU"], ["U"]))))
    for i, tok in enumerate(tokens):
        if tok in UNAMBIGUOUS and not _negated(tokens, i):
            return True
        if tok in STOP_VERBS and not asked_about and _reaches_text_word(
                tokens, i + 1, STOP_FILLERS) and not _negated(tokens, i):
            return True
        prev = tokens[i - 1] if i > 0 else ""
        negation = tok in NEGATIONS or (tok == "NOT" and prev in ("DO", "YOU", "U", "PREFER",
                                                                  "RATHER")) or (
            tok in ("MORE", "LONGER", "MAS", "NEED") and prev == "NO") or (
            tok == "INTERESTED" and prev == "NOT") or (
            tok == "NO" and tokens[i + 1 : i + 2] in (
                ["QUIERO"], ["ME"], ["DESEO"], ["ENVIEN"], ["MANDEN"], ["ESCRIBAN"]))
        wished = prev in ("PREFER", "RATHER") or (tok == "MORE" and prev == "NO")
        if (negation and not report
                and _reaches_text_word(tokens, i + 1, NEG_FILLERS, wished)
                and not any(t in STOP_VERBS or t in OPT_OUT for t in tokens[i + 1:])):
            return True  # not "I don't want the texts to stop"
    if tokens[0] == "NO" and len(tokens) > 1 and tokens[1] in TEXT_WORDS and not report and all(
            t in COURTESY or t in TEXT_WORDS for t in tokens[2:]):
        return True  # "no texts please"; not "no text yet?"
    return any(_contains(tokens, phrase) and not _negated_phrase(tokens, phrase)
               for phrase in PHRASES)


# The most words a negation stands before the stop word it negates ("I really do not ever
# want you to have to stop texting me": eleven); further back it negates something else,
# and a long text is read in linear time.
NEGATION_REACH: Final = 12


def _negated(tokens: list[str], i: int) -> bool:
    """Whether the stop word at ``i`` is negated or taken back: a negation, or a word
    such as undo, reached from it through words like want, you, to ("I don't want you to
    unsubscribe me", "no need to stop", "undo my unsubscribe", "no cancelar"), or a
    question's why/did ("why did you stop")."""
    j = i - 1
    while j >= 0 and tokens[j] in COURTESY:
        if tokens[j] in ("PLEASE", "PLS", "PLZ"):
            return False  # "... please stop": an imperative ("this isn't for me please stop")
        j -= 1
    j = i - 1
    while j >= 0 and j >= i - NEGATION_REACH:
        tok = tokens[j]
        if tok in TAKEN_BACK:
            # "no" before an English stop with only courtesy between is "No, stop" ("no
            # thanks stop", "No pls stop", "no I said stop"); before a Spanish verb or
            # further back, a negation ("no cancelar", "no need to stop").
            if tok == "NO" and tokens[i] not in SPANISH_STOPS and all(
                    t in COURTESY or t in ("I", "SAID", "SAY") for t in tokens[j + 1:i]):
                return False
            # "won't you stop", "can't you stop", "why don't you stop": exasperation.
            nxt = tokens[j + 1] if j + 1 < i else ""
            exasperated = nxt in ("YOU", "U") and (
                tok in ("WONT", "CANT") or (tok == "DONT" and j > 0 and tokens[j - 1] == "WHY"))
            return not exasperated
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
            lead = i  # "don't take my number off the list": the verb the phrase completes
            while lead and tokens[lead - 1] in PHRASE_LEAD:
                lead -= 1
            return (_negated(tokens, i) or _negated(tokens, lead)
                    or after in PHRASE_NOT_BEFORE.get(phrase, ()))
    return False


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
    if (word := _keyword_beside_numbers(rest)) is not None:
        return word
    parts = _clauses(body) if _CLAUSES.search(body.rstrip(_TRAILING + " ")) else []
    if len(parts) <= 1:
        parts = [(rest, "?" in body)]
    found: str | None = None
    for tokens, question in parts:
        if len(parts) > 1 and not any(t in _MAYBE for t in tokens):
            continue  # no word that could stop or take a stop back: a long text stays cheap
        if _takes_back(tokens):
            return None
        if found is None:
            found = _clause_revocation(tokens, question)
    return found


# Every word that can make a clause a revocation or take one back; a clause with none of
# them is neither (``_revocation`` skips it).
_MAYBE: Final = (OPT_OUT | STOP_VERBS | UNAMBIGUOUS | NEGATIONS | TAKEN_BACK | JUNK_WORDS
                 | {"OPT", "UN", "NOT", "MORE", "LONGER", "INTERESTED", "NEED", "KEEP", "SICK"}
                 | {p[0] for p in PHRASES} | {p[0] for p in WHOLE_PHRASES}
                 | {w for p in PHRASES for w in p})


def _keyword_beside_numbers(rest: list[str]) -> str | None:
    """A revocation keyword alone, or beside numbers that name no tracking number (a
    mistyped one, an order number: "STOP 9400 1118", "stop 12345"): every text stops."""
    word = _keyword(rest, OPT_OUT)
    if word is None and any(not t.isalpha() for t in rest):
        words_ = [t for t in rest if t.isalpha()]
        if words_:
            word = _keyword(words_, OPT_OUT)
    return word


def _clauses(body: str) -> list[tuple[list[str], bool]]:
    """The text's sentences and clauses (split at . ! ? ; , : and dashes), each as its
    words without tracking numbers, and whether it is a question."""
    out: list[tuple[list[str], bool]] = []
    start = 0
    for m in _CLAUSES.finditer(body + "\n"):
        _tns, tokens = take_tracking_numbers(words(body[start:m.start()]))
        if tokens:
            out.append((tokens, "?" in m.group()))
        start = m.end()
    return out


def _takes_back(tokens: list[str]) -> bool:
    """Whether a stop word here is negated or taken back, about the texts ("don't stop",
    "undo my unsubscribe", "I accidentally said stop"; not "don't cancel my order", "it
    didn't stop at my house"), or the texts are asked to go on ("keep texting")."""
    for k, t in enumerate(tokens):
        if (t in OPT_OUT or t in STOP_VERBS or t in UNAMBIGUOUS) and _negated(tokens, k) and (
                _about_the_texts(tokens, k + 1)):
            return True
        if t == "KEEP" and k + 1 < len(tokens) and tokens[k + 1] in KEEP_GOING:
            return True
    return False


def _about_the_texts(tokens: list[str], start: int) -> bool:
    """Whether a stop word before ``start`` takes the texts (or nothing, or the person)
    rather than something else: "don't stop [texting me]", not "don't cancel my order"."""
    for tok in tokens[start:]:
        if tok in TEXT_WORDS or tok in VERBAL_TEXT_WORDS or tok in JUNK_WORDS:
            return True
        if tok not in ("ME", "US", "IT", "THEM", "THESE", "THOSE", "THIS", "THE", "MY",
                       "YOUR", "ALL", "ANY", "MORE", "NOW", "PLEASE", "PLS", "AGAIN", "EVER"):
            return False
    return True


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
    core = _core(tokens)
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
        if first in STRONG_STOPS and nxt and _opens_a_new_sentence(nxt):
            return first  # "STOP we moved", "STOP -Mike", "STOP fake", "STOP 2nd time"
    at = max(k for k, t in enumerate(tokens) if t not in COURTESY)
    last = tokens[at]
    if last not in OPT_OUT or at == 0 or _negated(tokens, at):
        return None
    pred = tokens[at - 1]
    asked = question or core[0] in QUESTIONS
    if pred not in (BEFORE_CLOSING_CANCEL if last in ("CANCEL", "END") else BEFORE_CLOSING):
        # "yeah stop", "texts stop", "make them stop"; not "the next stop", "bus stop"
        if (last in STRONG_STOPS and pred not in CLOSING_NOT_AFTER and not asked
                and not any(c.isdigit() for c in pred)  # "the 2nd stop"
                and not (pred == "THIS" and at > 1 and tokens[at - 2] in PLACE_WORDS)):
            return last
        return None
    if pred in ("TO", "SHOULD", "MUST", "CAN") and any(t in NEGATORS_OF_STOP for t in core):
        return None  # "I don't want the texts to stop"
    if core[0] == "WHO" and pred in ("SAID", "SAY", "TO"):
        return None  # "who said stop?", "Who told you to stop?"
    if pred in ("SAID", "SAY", "SAYING"):
        # "How many times do I have to say stop"; not "did someone say stop?"
        return None if question and core[0] in QUESTIONS else last
    you = any(t in ("YOU", "U") for t in tokens[:at])
    if pred in ("TO", "SHOULD", "MUST", "CAN") and not (you or _subject_of(tokens, at - 1)):
        return None
    if (question or core[0] in QUESTIONS) and not you:
        return None  # "when will it stop", "is it going to stop"
    return last


def _opens_a_new_sentence(nxt: str) -> bool:
    """After a stop opening a text: a word that starts something new, not what a stop
    takes (a place, a thing, a doing: "stop by", "stop my package", "stop leaving it")."""
    return not (nxt in OPENING_NOT_BEFORE or nxt in OBJECTS or nxt.endswith("ING"))


# Verbs between a subject and its "to stop": "this needs to stop", "texts have to stop".
_MODALS = frozenset({"NEEDS", "NEED", "HAS", "HAVE", "GOT", "GOTTA", "IS", "ARE", "OUGHT"})
_MODAL_SUBJECTS = frozenset({"THIS", "THESE", "TEXTS", "MESSAGES", "THEY"})  # not IT: the parcel


def _subject_of(tokens: list[str], to: int) -> bool:
    """Whether the sender or the texts are who "to stop" is about."""
    k = to - 1
    if k >= 0 and tokens[k] in SUBJECTS:
        return True
    while k >= 0 and tokens[k] in _MODALS:
        k -= 1
    return k < to - 1 and k >= 0 and tokens[k] in _MODAL_SUBJECTS


# A reaction to one of the service's own texts (an iPhone tapback, a forward): what it
# quotes is not the person's words ("Liked “... Reply STOP to stop all texts.”").
_REACTION = re.compile(r"(?i)\s*(?:liked|loved|disliked|laughed at|emphasi[sz]ed|questioned"
                       r"|reacted\s+\S{1,8}\s+to|fwd?:)\s*([\"“”‘])")
_CLOSING_QUOTE: Final = {'"': '"', "“": "”", "”": "”", "‘": "’"}
# "opt - out", "opt. out", "un–subscribe", "stop - all" inside a longer text: one word, before
# the text is divided at its punctuation.
_SPLIT_KEYWORD = re.compile(r"(?i)\b(opt|un|stop)\s*[-‐‑‒–—―.,:;…?!\n]+\s*"
                            r"(out|subscribe|stop|all)\b")
_SPLIT_PAIRS: Final = {("OPT", "OUT"), ("UN", "SUBSCRIBE"), ("UN", "STOP"), ("STOP", "ALL")}


def _joined(m: re.Match[str]) -> str:
    pair = (m.group(1).upper(), m.group(2).upper())
    return m.group(1) + m.group(2) if pair in _SPLIT_PAIRS else m.group()


# Words between a revocation and the parcel it names: "stop for <tn>", "STOP on <tn>".
_ABOUT: Final = frozenset({"FOR", "ABOUT", "ON", "RE", "REGARDING", "OF"})


# A quotation of one of the service's texts inside a text (six words or more, naming
# USPS, a Reply or Msg) is that text's words, not the sender's.
# Each word is one or more non-spaces then spaces, so a text splits into words one way only
# and an unclosed quote fails in linear time (a possessive ``{5,}+``).
_QUOTED = re.compile(r"[\"“](?=[^\"“”]*\b(?:USPS|Reply|REPLY|reply|Msg|MSG)\b)"
                     r"(?=[^\"“”]*[\"”])\s*+(?:[^\"“”\s]++\s++){5,}+[^\"“”]*+[\"”]")


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
    reaction = _REACTION.match(body)
    if reaction is not None:
        # What the reaction quotes is the service's words; anything after it is the person's.
        close = body.find(_CLOSING_QUOTE[reaction.group(1)], reaction.end())
        body = body[close + 1:] if close >= 0 else ""
        if not body.strip():
            return Command(verb="unknown", word="")
    if _SPLIT_KEYWORD.search(body):
        body = _SPLIT_KEYWORD.sub(_joined, body)
    if '"' in body or "“" in body or "”" in body:
        body = _QUOTED.sub(" ", body)
    tokens = words(body)
    tns, rest = take_tracking_numbers(tokens)
    if len(tns) > 1:
        # Several parcels named: a revocation stops every text (one confirmation, and
        # nothing left running that the person asked to stop).
        word = _revocation(rest, body)
        if word is not None:
            return Command(verb="opt_out", word=word)
        return Command(verb="unknown", word="")
    if not tns:
        if (word := _keyword_beside_numbers(rest)) is not None:
            return Command(verb="opt_out", word=word)
        if (word := _keyword([t for t in rest if t not in EVERYTHING] or rest, OPT_IN)):
            return Command(verb="opt_in", word=word)  # "START", "UNSTOP ALL"
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
    word = _revocation([t for t in rest if t not in _ABOUT] or rest, body)
    if word is None:
        return Command(verb="unknown", word="")
    if word == "STOPALL" or "STOPALL" in rest or _contains(rest, ("STOP", "ALL")) or any(
            t in EVERYTHING for t in rest):
        return Command(verb="opt_out", word="STOPALL")
    return Command(verb="stop_parcel", word=word, tracking_number=tn)
