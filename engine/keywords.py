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
2. **Plain requests.** The text clearly asks to stop (``engine.requests_to_stop``):
   a stop verb followed by a word for texts (``please stop texting me``,
   ``cancel these alerts``), a negation followed by one (``no more texts``,
   ``don't text me``, ``I do not want these messages``), a fixed phrase
   (``leave me alone``, ``take me off your list``, ``wrong number``), or an
   unambiguous word anywhere (``unsubscribe``, ``opt out``, ``revoke``,
   ``stop all``). A negated stop (``don't stop texting me``) is not one.
3. **A keyword in a sentence of its own**, or opening or closing the text, not as
   a question and not about the parcel's journey (``engine.clauses``): ``Stop. Who is
   this?``, ``STOP this is spam``, ``I said stop``; typos (``stopp``, ``stpo``,
   ``unsubcribe``) and the Spanish keywords (``PARAR``, ``NO MAS``) count too.
   STOP mistyped on keys beside its own (``dtop``, ``stoo``, ``sto``) counts as the whole
   text only. The service's "Reply STOP to opt out" quoted after "it says", "you said" is
   its words, not the sender's.
4. **A time of day.** A plain request that names one (``don't text before 8am``, ``no texts
   after 10pm please``, ``please don't text me so early``) asks for the quiet window: QUIET.
   A keyword framed as the answer asked for (``I'm replying STOP``, ``STOP (as
   instructed)``, ``my answer is stop``) is the keyword; French and Spanish imperatives
   (``arrête``, ``annulez``, ``FIN``, ``salir``) revoke as the whole text only; a question
   about what happens if one unsubscribes does not (``how do I unsubscribe?`` does).
5. **Ambiguous** texts (``stop by the post office?``, ``cancel my package``,
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

from engine.clauses import NO_MAS_ASKED, keyword_beside_numbers, revocation
from engine.requests_to_stop import contains, keyword_in
from engine.vocabulary import (
    COURTESY,
    ETA_WORDS,
    EVERYTHING,
    HELP,
    OPT_IN,
    OPT_OUT,
    TEXT_NOUNS,
    TRACKING_MODES,
    VOCABULARY,
    WHOLE_TEXT_STOPS,
)
from engine.wording import STOP_SIGN, STOP_SLIPS, take_tracking_numbers, words


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


# A name signing a text off ("STOP -Mike", "Stop. Thanks, John"): not the person's words.
# A run of spaces is tried from its start only (the look-behind): searched from each of its
# spaces, a long run cost time in the square of its length.
_SIGNATURE = re.compile(r"(?:(?<!\s)\s+[-–—~]\s*|"
                        r"(?P<thanks>\b(?i:thanks|thank you|thx|regards|cheers)"
                        r"[,!.]?\s+))(?P<name>[A-Z][a-z]+)\.?\s*\Z")
# What a French imperative alone may take: "arrête ça", "annulez tout".
_FRENCH_OBJECTS: Final = frozenset({"CA", "CELA", "TOUT", "TOUS", "DONC", "LES", "CES"})
# Words between a revocation and the parcel it names: "stop for <tn>", "STOP on <tn>".
_ABOUT: Final = frozenset({"FOR", "ABOUT", "ON", "RE", "REGARDING", "OF"})


# A quotation of one of the service's texts inside a text (six words or more, naming
# USPS, a Reply or Msg) is that text's words, not the sender's.
# Each word is one or more non-spaces then spaces, so a text splits into words one way only
# and an unclosed quote fails in linear time (a possessive ``{5,}+``).
_QUOTED = re.compile(r"[\"“](?=[^\"“”]*\b(?:USPS|Reply|REPLY|reply|Msg|MSG)\b)"
                     r"(?=[^\"“”]*[\"”])\s*+(?:[^\"“”\s]++\s++){5,}+[^\"“”]*+[\"”]")


# The service's own "Reply STOP to opt out" quoted without quotation marks, after "it says",
# "why does it say", "you said" or an opening quote: its words, not the sender's ("It says
# reply STOP to opt out. Why would I want that?"). Whitespace is taken possessively, so a
# long run of it is crossed once: linear time.
_SERVICE_LINE = re.compile(
    r"(?i)(?:\b(?:says|say|said|saying|reads|read|wrote|writes|told\s++me(?:\s++to)?)\s*+[:,]?\s*+"
    r"|[\"“‘']\s*+)[\"“‘']?\s*+(?:reply|text|txt|send|respond|msg)\s++(?:with\s++)?[\"“‘']?"
    r"(?:stop|end|cancel|quit|unsubscribe|stopall|arret)[\"”’']?\s++(?:to|for)\s++"
    r"(?:opt[\s-]*+out|cancel|unsubscribe|end|quit|stop(?:\s++all)?"
    r"(?:\s++(?:texts|messages|msgs|alerts|notifications|updates))?)\b[\"”’']?")
# "wrong #": the number sign read as "number" ("wrong # of boxes" is then "wrong number of").
_WRONG_SIGN = re.compile(r"(?i)\bwrong\s*+#")
# A preference for the time of day the texts come ("don't text before 8am", "no texts after
# 10pm please", "please don't text me so early"): the QUIET window, not a revocation.
_TIME_OF_DAY = re.compile(
    r"(?i)\b(?:before|after|past|until|till|til|at|by)\s++\d{1,2}(?::\d\d)?\s*+"
    r"(?:a\.?m\b\.?|p\.?m\b\.?|o'?clock\b|(?=\s*+(?:in\s++the\s++morning|at\s++night|please|pls|[.!,;]|\s*+\Z)))"
    r"|\b(?:(?:so|too|this)\s++)?(?:late\s++)?at\s++night\b|\b(?:so|too|this)\s++(?:early|late)\b"
    r"|\b(?:early\s++)?in\s++the\s++(?:early\s++)?morning\b"
    r"|\bmidnight\b|\bovernight\b|\b(?:de|en\s++la|por\s++la)\s++(?:noche|madrugada)\b")
# "what's the opt out for": the opt-out as a thing asked about.
# Whose opt-out it is changes nothing: "What's your opt out policy?", "what is ur unsubscribe
# policy".
_ASKED_ABOUT_OPT_OUT = re.compile(
    r"(?i)^\s*+(?:what'?s|what\s++is|where'?s|where\s++is)\s++"
    r"(?:the|this|that|your|ur|their|yall'?s|y'?all'?s|the\s++company'?s|usps'?s?)\s++"
    r"(?:opt[\s-]*+out|unsubscribe|stop|cancellation)\b(?![\s-]*+(?:me|now|please|pls)\b)")
# The keyword framed as the answer the service asked for: "I'm replying STOP", "Replying STOP",
# "Texting STOP as you asked", "STOP (as instructed)", "my answer is stop": the framing is set
# aside and the keyword read. Whitespace is taken possessively: linear time.
_FRAMED = re.compile(
    r"(?i)^\s*+(?:(?:i'?m|i\s++am|im)\s++)?(?:replying|responding|answering|texting|sending)"
    r"(?:\s++(?:with|back))?\s*+[:,]?\s*+(?=[\"“'‘]?(?:stop|end|cancel|quit|unsubscribe|stopall"
    r"|opt[\s-]*+out)\b)"
    r"|^\s*+(?:my\s++)?(?:answer|response|reply)\s++(?:is|=)\s*+:?\s*+(?=[\"“'‘]?(?:stop|end|cancel"
    r"|quit|unsubscribe|stopall|opt[\s-]*+out)\b)")
_AS_ASKED = re.compile(r"(?i)(?:\(\s*+)?\b(?:as|like)\s++(?:you\s++|u\s++)?"
                       r"(?:asked|instructed|requested"
                       r"|directed|told|said)(?:\s++(?:me|to))?\s*+\)?")


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
    command = _read(body)
    if command.verb in ("opt_out", "stop_parcel", "unknown") and _TIME_OF_DAY.search(body):
        # "don't text before 8am", "no texts after 10pm please": read without the time, a
        # plain request to stop is a request for the quiet window.
        timeless = command if command.word == "REQUEST" else _read(_TIME_OF_DAY.sub(" ", body))
        if timeless.verb in ("opt_out", "stop_parcel") and timeless.word == "REQUEST":
            return Command(verb="quiet", word="QUIET")
    return command


def _opens_with_keyword(body: str) -> bool:
    """Whether the text opens with a revocation keyword ("STOP (as instructed)")."""
    first = words(body[:40])[:1]
    return bool(first) and first[0] in OPT_OUT


def _after_the_number(body: str, tn: str) -> list[str]:
    """The words after the tracking number when words stand on both sides of it."""
    tokens = words(body)
    for k in range(len(tokens)):
        _found, before = take_tracking_numbers(tokens[:k + 1])
        if _found:
            after = tokens[k + 1:]
            return after if before and after else []
    return []


def _read(body: str) -> Command:
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
    if _SERVICE_LINE.search(body):
        body = _SERVICE_LINE.sub(" ", body)
    if "#" in body:
        body = _WRONG_SIGN.sub("wrong number", body)
    if (asked := _ASKED_ABOUT_OPT_OUT.match(body)) is not None:
        body = body[asked.end():]  # what follows the question is read ("...? stop")
        if not body.strip():
            return Command(verb="unknown", word="")
    if (framed := _FRAMED.match(body)) is not None:
        body = body[framed.end():]
        if _AS_ASKED.search(body):
            body = _AS_ASKED.sub(" ", body)
    elif _AS_ASKED.search(body) and _opens_with_keyword(body):
        body = _AS_ASKED.sub(" ", body)
    signed = _SIGNATURE.search(body)
    if signed is not None and signed.group("name").upper() not in VOCABULARY:
        body = body[:signed.start()] + (signed.group("thanks") or "")
    tns, rest = take_tracking_numbers(words(body))
    if STOP_SIGN in rest:  # STOP alone ("🛑", "🛑 <tn>"), emphasis beside other words
        alone = all(t == STOP_SIGN or t in COURTESY or t in OPT_OUT or t in TEXT_NOUNS
                    for t in rest)  # "🚫 texts": STOP texts
        rest = [("STOP" if t == STOP_SIGN else t) for t in rest] if alone else [
            t for t in rest if t != STOP_SIGN]
    if len(tns) > 1:
        # Several parcels named: a revocation stops every text (one confirmation, and
        # nothing left running that the person asked to stop).
        word = revocation(rest, body)
        if word is not None:
            return Command(verb="opt_out", word=word)
        return Command(verb="unknown", word="")
    if not tns:
        if len(rest) == 1 and rest[0] in STOP_SLIPS:
            return Command(verb="opt_out", word="STOP")  # "dtop", "stoo", "sto": STOP mistyped
        core = [t for t in rest if t not in COURTESY and t not in _FRENCH_OBJECTS]
        if core and core[0] in WHOLE_TEXT_STOPS and all(t in WHOLE_TEXT_STOPS for t in core):
            return Command(verb="opt_out", word=core[0])  # "Arrête", "annulez", "salir", "FIN"
        if (word := keyword_beside_numbers(rest)) is not None and not (
                word == "NOMAS" and NO_MAS_ASKED.search(body)):  # "no más?": "no more?"
            return Command(verb="opt_out", word=word)
        if (word := keyword_in([t for t in rest if t not in EVERYTHING] or rest, OPT_IN)):
            return Command(verb="opt_in", word=word)  # "START", "UNSTOP ALL"
        if (word := keyword_in(rest, HELP)) is not None:
            return Command(verb="help", word=word)
        if rest == ["QUIET"]:
            return Command(verb="quiet", word="QUIET")
        if rest == ["AWAKE"]:
            return Command(verb="awake", word="AWAKE")
        if (word := revocation(rest, body)) is not None:
            return Command(verb="opt_out", word=word)
        return Command(verb="unknown", word="")
    tn = tns[0]
    if not rest:
        return Command(verb="track", word="TRACK", tracking_number=tn)
    if len(rest) == 1 and rest[0] in TRACKING_MODES:
        word = rest[0]
        mode = "WHEN" if word in ETA_WORDS else word
        return Command(verb="track", word=word, tracking_number=tn, mode=mode)
    if keyword_in(rest, HELP) is not None:
        return Command(verb="help", word="HELP")
    word = revocation([t for t in rest if t not in _ABOUT] or rest, body)
    if word is None and (after := _after_the_number(body, tn)):
        # "I got it <tn> stop texting me": the number ends one sentence, the request is the next
        word = revocation(after, " ".join(after) + ("?" if body.rstrip().endswith("?") else ""))
    if word is None:
        return Command(verb="unknown", word="")
    if word == "STOPALL" or "STOPALL" in rest or contains(rest, ("STOP", "ALL")) or any(
            t in EVERYTHING for t in rest):
        return Command(verb="opt_out", word="STOPALL")
    return Command(verb="stop_parcel", word=word, tracking_number=tn)
