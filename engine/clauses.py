"""A text read clause by clause (docs/compliance.md section 2, rule 3): a keyword alone, a
plain request (``engine.requests_to_stop``), a keyword opening or closing a clause, and a clause
that takes a stop back vetoing the text. ``engine.keywords`` calls ``revocation``."""

from __future__ import annotations

import re
from typing import Final

from engine.addressees import reports_quit
from engine.other_senses import (
    DEVICES,
    JOURNEY,
    PEOPLE,
    SPAM_REPORT,
    WARNINGS,
)
from engine.requests_to_stop import (
    core_words,
    is_request_to_stop,
    keyword_in,
    negated,
)
from engine.vocabulary import (
    BEFORE_CLOSING,
    BEFORE_CLOSING_CANCEL,
    CLOSING_AFTER,
    CLOSING_STOPS,
    CONDITIONS,
    COURTESY,
    HELP,
    JUNK_WORDS,
    KEEP_GOING,
    NEGATIONS,
    NEGATORS_OF_STOP,
    OBJECTS,
    OPENING_PHRASES,
    OPENING_STARTS,
    OPT_OUT,
    PHRASES,
    QUESTIONS,
    SENTENCE_STARTS,
    STOP_VERBS,
    STRONG_STOPS,
    SUBJECTS,
    TAKEN_BACK,
    TEXT_WORDS,
    UNAMBIGUOUS,
    VERBAL_TEXT_WORDS,
    WHOLE_ASIDE,
    WHOLE_PHRASES,
)
from engine.wording import take_tracking_numbers, words

_TRAILING = ".!?,;:'\")"
# "no más?" asked ("no mas? ya llegó todo?"): "no more?", a question, like English "no more?".
NO_MAS_ASKED = re.compile(r"(?i)\bno\s*+m[aá]s\s*+\?")
# Keywords that close a revocation only after a few words ("I said cancel"; not "I want to
# cancel", which may be the order).
_NARROW_CLOSING: Final = frozenset({"CANCEL", "END", "DISCONTINUE", "ARRETER", "DESABONNER",
                                    "DESINSCRIRE", "UNFOLLOW", "UNTRACK"})
# Where a text divides into sentences or clauses: "Stop. Who is this?", "Yes, stop".
_CLAUSES = re.compile(r"[.!?;,:\n\r\u2013\u2014]+|\s-+\s")


def _is_keyword_token(tokens: list[str], k: int) -> bool:
    """Whether ``tokens[k]`` is a revocation keyword (``OPT`` of ``OPT OUT`` too)."""
    tok = tokens[k]
    return tok in OPT_OUT or (tok == "OPT" and k + 1 < len(tokens) and tokens[k + 1] == "OUT")


def revocation(rest: list[str], body: str) -> str | None:
    """The keyword (or ``REQUEST``) if the words, tracking numbers taken out, revoke
    consent under a reasonable reading, else None. The whole text spelling a keyword
    counts; else each sentence or clause is read on its own (``_clause_revocation``), and a
    clause that negates or takes back a stop word vetoes the text ("Stop. No, wait, don't
    stop", "I don't want you to unsubscribe me"), as does a warning to the driver beside a
    keyword ("stop, the dog bites")."""
    if (word := keyword_beside_numbers(rest)) is not None and not (
            word == "NOMAS" and NO_MAS_ASKED.search(body)):
        return word
    parts = _clauses(body) if _CLAUSES.search(body.rstrip(_TRAILING + " ")) else []
    if len(parts) <= 1:
        parts = [(rest, "?" in body)]
    if len(parts) > 1 and not any(q for _t, q in parts) and all(
            t in WHOLE_ASIDE for tokens, _q in parts[1:] for t in tokens) and (
            is_request_to_stop([t for tokens, _q in parts for t in tokens])):
        return "REQUEST"  # "no, thanks", "no, gracias", "Non, merci": read as "no thanks"
    found: str | None = None
    # The text's only clause with more than courtesy in it ("Not interested, thanks")
    alone = sum(any(t not in COURTESY for t in tokens) for tokens, _q in parts) <= 1
    if len(parts) > 1 and _texts_asked_for_calls(parts):
        return None  # "Stop calling me, text me", "Stop calling me, just text"
    for k, (tokens, question) in enumerate(parts):
        if len(parts) > 1 and not any(t in _MAYBE for t in tokens):
            continue  # no word that could stop or take a stop back: a long text stays cheap
        if _takes_back(tokens):
            return None
        if found is None and not (k and _no_keyword(tokens) and _no_answer(parts[k - 1][0])):
            found = _clause_revocation(tokens, question, alone)
    if found is not None and found != "REQUEST" and _warns(parts):
        return None
    if found is not None and _about_something_else(parts):
        return None
    return found


# Who a text may call out to before a keyword: "Driver, please stop".
_VOCATIVES: Final = frozenset({"DRIVER", "MAILMAN", "POSTMAN", "CARRIER", "MAILLADY", "TRUCK"})


def _about_something_else(parts: list[tuple[list[str], bool]]) -> bool:
    """Whether a text that names no texts stops something else: it calls out to the driver
    ("Driver, please stop"), a "turn it off" beside a device ("the truck's alarm is going off,
    turn it off"), or a "make it stop" beside the parcel's journey ("this keeps bouncing
    between hubs, make it stop lol"; not "make them stop")."""
    tokens = [t for clause, _q in parts for t in clause]
    if any(t in TEXT_WORDS or t in JUNK_WORDS or t in UNAMBIGUOUS or t in SPAM_REPORT
           for t in tokens):
        return False
    first = [t for t in parts[0][0] if t not in COURTESY] if len(parts) > 1 else []
    if first and all(t in _VOCATIVES or t == "HEY" for t in first):
        return True
    if "OFF" in tokens and any(t in DEVICES for t in tokens) and not any(
            t in OPT_OUT for t in tokens):
        return True
    return any(t in JOURNEY for t in tokens) and any(
        clause[k] == "IT" and clause[k + 1] in OPT_OUT
        for clause, _q in parts for k in range(len(clause) - 1))


_NOS: Final = frozenset({"NO", "NOPE", "NAH"})


def _no_keyword(tokens: list[str]) -> bool:
    """Whether a clause is "no" and a keyword, courtesy aside: "No, stop" opening a text,
    "no stop" (none) after a clause that answers no ("no, no stop")."""
    core = [t for t in tokens if t not in COURTESY]
    return len(core) == 2 and core[0] == "NO" and core[1] in OPT_OUT


def _no_answer(tokens: list[str]) -> bool:
    """Whether a clause answers no ("no", "nope", "no no"), courtesy aside."""
    return any(t in _NOS for t in tokens) and all(t in _NOS or t in COURTESY for t in tokens)


def _warns(parts: list[tuple[list[str], bool]]) -> bool:
    """Whether a text whose keyword is alone warns the driver and says nothing of the
    texts: "stop, the dog bites", "STOP! Beware of dog"."""
    tokens = [t for clause, _q in parts for t in clause]
    return any(t in WARNINGS for t in tokens) and not any(
        t in TEXT_WORDS or t in JUNK_WORDS or t in UNAMBIGUOUS for t in tokens)


# Every word that can make a clause a revocation or take one back; a clause with none of
# them is neither (``revocation`` skips it).
_MAYBE: Final = (OPT_OUT | STOP_VERBS | UNAMBIGUOUS | NEGATIONS | TAKEN_BACK | JUNK_WORDS
                 | {"OPT", "UN", "NOT", "MORE", "LONGER", "INTERESTED", "NEED", "KEEP", "SICK",
                    "OFF", "NE", "PLUS", "W", "WITH", "ONLY", "FINE", "INSTEAD", "BETTER",
                    "PREFER", "LOVE", "LIKE", "ENJOY", "APPRECIATE"} | SPAM_REPORT
                 | {p[0] for p in PHRASES} | {p[0] for p in WHOLE_PHRASES}
                 | {w for p in PHRASES for w in p} | {w for p in OPENING_PHRASES for w in p})


def keyword_beside_numbers(rest: list[str]) -> str | None:
    """A revocation keyword alone, or beside numbers that name no tracking number (a
    mistyped one, an order number, five digits or more: "STOP 9400 1118", "stop 12345"):
    every text stops."""
    word = keyword_in(rest, OPT_OUT)
    if word is None and any(not t.isalpha() for t in rest):
        words_ = [t for t in rest if t.isalpha()]
        # Five digits or more: a route's "stop 5", "Stop 14 of 30" are a stop on it.
        if words_ and sum(c.isdigit() for t in rest for c in t) >= 5:
            word = keyword_in(words_, OPT_OUT)
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
        if (t in OPT_OUT or t in STOP_VERBS or t in UNAMBIGUOUS) and negated(tokens, k) and (
                _about_the_texts(tokens, k + 1)):
            return True
        if t == "KEEP" and k + 1 < len(tokens) and tokens[k + 1] in KEEP_GOING and not (
                _complains(tokens, k)):
            return True
        if t in _FOND and k + 1 < len(tokens) and tokens[k + 1] in _FOND_OF and not any(
                u in NEGATORS_OF_STOP or u in NEGATIONS or u in OPT_OUT or u in STOP_VERBS
                for u in tokens):
            return True  # "QUIT? No way, I love these", "I like the updates"
    core = tuple(t for t in tokens if t not in COURTESY)
    return core in _TEXTS_WANTED  # "Stop calling me, text only", "texts are fine"


# A clause saying the texts are wanted takes a stop back: "I love these", "text only".
_FOND: Final = frozenset({"LOVE", "LIKE", "ENJOY", "APPRECIATE"})
_FOND_OF: Final = frozenset({"THESE", "THEM", "THE", "YOUR", "THOSE", "GETTING", "RECEIVING",
                             "TEXTS", "UPDATES", "MESSAGES", "ALERTS", "NOTIFICATIONS"})
_TEXTS_WANTED: Final = frozenset({
    ("TEXT", "ONLY"), ("TEXTS", "ONLY"), ("ONLY", "TEXT"), ("ONLY", "TEXTS"),
    ("TEXT", "INSTEAD"), ("TEXTS", "INSTEAD"), ("TEXT", "IS", "FINE"), ("TEXTS", "ARE", "FINE"),
    ("TEXTING", "IS", "FINE"), ("TEXT", "IS", "OK"), ("TEXTS", "ARE", "OK"), ("SMS", "ONLY"),
    ("TEXT", "ONLY", "PLEASE"), ("TEXT", "ME", "INSTEAD"), ("ONLY", "TEXT", "ME"),
    ("JUST", "TEXT"), ("TEXT", "IS", "BETTER"), ("I", "PREFER", "TEXTS"),
    ("TEXTING", "ONLY"), ("ONLY", "TEXTING")})


# A clause asking for texts ("text me", "just text"), COURTESY aside: beside a stop of the
# calls, what the stop is about is the calls ("Stop calling me, text me").
_TEXTS_ASKED: Final = frozenset({("TEXT",), ("TEXT", "ME"), ("TXT", "ME"), ("TXT",),
                                 ("TEXT", "ME", "ONLY"), ("TEXT", "US"), ("TEXTS",),
                                 ("TEXT", "ME", "THEN"), ("TEXT", "THEN")})
_CALLS: Final = frozenset({"CALLING", "CALL", "CALLS", "RINGING", "PHONING"})


def _texts_asked_for_calls(parts: list[tuple[list[str], bool]]) -> bool:
    """Whether one clause asks for texts and another, before it, speaks of calls, naming no
    texts ("Stop calling me, text me"; not "stop texting and calling me, text my wife")."""
    for k, (tokens, _q) in enumerate(parts):
        if k and tuple(t for t in tokens if t not in COURTESY) in _TEXTS_ASKED:
            before = [t for clause, _q2 in parts[:k] for t in clause]
            return any(t in _CALLS for t in before) and not any(
                t in TEXT_WORDS and t not in _CALLS for t in before)
    return False


def _complains(tokens: list[str], k: int) -> bool:
    """Whether the KEEP at ``k`` complains of the texts going on ("why do you keep texting
    me", "you keep texting me"), not asks them to ("keep texting me", "you can keep texting")."""
    before = [t for t in tokens[:k] if t not in ("JUST", "STILL", "ALWAYS")]
    return bool(before) and (before[-1] in ("YOU", "U", "YALL", "GUYS", "THEY", "PEOPLE")) and (
        not any(t in ("CAN", "MAY", "SHOULD", "COULD", "PLEASE", "PLS", "WANT") for t in before))


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


def _clause_revocation(tokens: list[str], question: bool, alone: bool = True) -> str | None:
    """One clause: a keyword alone (courtesy aside); a plain request
    (``is_request_to_stop``); keywords with only objects or HELP beside them ("cancel them",
    "STOP HELP", "END ALL"); a keyword opening it with a new sentence after it ("STOP this
    is spam", "STOP I never signed up"; not "stop sign at the corner", "stop leaving it
    outside"); or one closing it ("I said stop", "please just cancel", "can you stop?"; not
    "when will it stop", "tell the driver to stop", "I want to cancel")."""
    if (word := keyword_in(tokens, OPT_OUT)) is not None:
        return None if word == "NOMAS" and question else word  # "no mas?": "no more?"
    if is_request_to_stop(tokens, question, alone):
        return "REQUEST"
    if _stops_someone_else(tokens):
        return None  # "stop texting my son", "stop bothering my dog", "quit spamming the doorbell"
    if "QUIT" in tokens and reports_quit(tokens, tokens.index("QUIT")):
        return None  # "you guys quit texting me last week": a report
    core = core_words(tokens)
    keyed = [k for k in range(len(core)) if _is_keyword_token(core, k)]
    if not keyed:
        return None
    first = core[keyed[0]]
    if keyed[0] == 0 and first in STRONG_STOPS and core[1:2] in (["WITH"], ["W"]) and all(
            t in OBJECTS for t in core[2:]) and len(core) > 2:
        return first  # "stop with these", "stop with this"
    if all(t in HELP for t in core[:keyed[0]]) and all(
            t in OPT_OUT or t in OBJECTS or t in HELP or t in ("OPT", "OUT") for t in core):
        return "OPTOUT" if first == "OPT" else first  # not "One Stop", "every stop"
    if keyed[0] == 0:
        after = 2 if first == "OPT" else 1
        nxt = core[after] if len(core) > after else ""
        if (question or nxt == "WHAT") and len(core) == after + 1 and nxt in QUESTIONS | {"WHO"}:
            return None  # "stop what?", "stop why?", "cancel what, my package?"
        if nxt in SENTENCE_STARTS or (
                nxt in ("THIS", "IT", "THAT") and core[after + 1:after + 2] in (["IS"], ["ISNT"])):
            return "OPTOUT" if first == "OPT" else first
        if first in STRONG_STOPS and nxt and not question and _opens_a_new_sentence(
                core, after):
            return first  # "STOP we moved", "STOP fake", "STOP 2nd time"
    at = max(k for k, t in enumerate(tokens) if t not in COURTESY)
    if (said := _said_before(tokens, at)) is not None:
        return said  # "I said stop twice now", "I already said stop 3 times"
    last = tokens[at]
    if last not in OPT_OUT or at == 0 or negated(tokens, at) or any(
            t in CONDITIONS for t in tokens[:at]):
        return None  # not "I'd hate it if you guys stop"
    p = at - 1  # the word before, past courtesy that does not close ("No sir stop")
    while p > 0 and tokens[p] in COURTESY and not (
            tokens[p] in BEFORE_CLOSING or tokens[p] in CLOSING_AFTER):
        p -= 1
    pred = tokens[p]
    if pred == "JUST" and p and tokens[p - 1] in TEXT_WORDS:
        return None  # "sometimes the texts just stop": a report
    if pred == "NO" and any(t not in COURTESY for t in tokens[:p]):
        return None  # "there was no stop", "the wait has no end": "No, stop" opens a clause
    if pred not in (BEFORE_CLOSING_CANCEL if last in _NARROW_CLOSING else BEFORE_CLOSING):
        # "yeah stop", "thanks but stop", "make them stop", "texts stop", "who is this stop";
        # not "the next stop", "Kwik Stop", "I quit", "the driver didn't even stop"
        # "too many texts stop", "how do I make these texts stop?", "whoever this is stop"
        how = question and core[0] == "HOW" and "MAKE" in tokens
        if last in CLOSING_STOPS and (not question or how) and (
                pred in CLOSING_AFTER or (pred in TEXT_WORDS and (
                    at == 1 or "MAKE" in tokens or "MANY" in tokens[:p]))
                or tuple(tokens[max(0, at - 3):at]) in _WHO_IS_THIS):
            return last
        if last in ("CANCEL", "END") and pred == "TO" and p and (
                tokens[p - 1] in TEXT_WORDS or tokens[p - 1] in ("THESE", "THEM")) and not (
                question or any(t in NEGATORS_OF_STOP for t in core)):
            return last  # "I want the texts to end"
        return None
    if _asks_someone_else(tokens, p):
        return None  # "Can you ask him to stop", "can you tell him to please stop"
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
    if (question or core[0] in QUESTIONS) and not you and core[0] != "HOW":
        return None  # "when will it stop", "is it going to stop"
    if core[0] in ("CAN", "COULD") and len(core) > 2 and core[1] not in _CAN_SUBJECTS and not (
            core[1] in ("THE", "THESE") and core[2] in TEXT_WORDS):
        return None  # "can the truck please stop"; not "can you stop", "can these texts stop"
    return last


_WHO_IS_THIS: Final = (("WHO", "IS", "THIS"), ("WHO", "DIS"), ("WHOEVER", "THIS", "IS"),
                       ("WHOEVER", "YOU", "ARE"), ("WHOEVER", "U", "ARE"), ("WHO", "YOU", "ARE"),
                       ("WHO", "U", "ARE"), ("WHO", "THIS", "IS"), ("WHO", "YALL", "ARE"))
_CAN_SUBJECTS: Final = frozenset({"YOU", "U", "YALL", "THIS", "THESE", "IT", "THEY", "WE", "I",
                                  "PLEASE", "PLS", "JUST", "TEXTS", "MESSAGES"})
# What may follow "I said stop" and still report a stop already asked: "twice now", "3 times".
_TIMES: Final = frozenset({"TWICE", "THRICE", "TIMES", "TIME", "ONCE", "ALREADY", "NOW", "BEFORE",
                           "AGAIN", "YESTERDAY", "MULTIPLE", "SEVERAL", "MANY", "LIKE", "A",
                           "MILLION", "HUNDRED", "TWO", "THREE", "FOUR", "FIVE", "TEN", "TIMEZ",
                           "LAST", "WEEK", "ALL", "DAY", "SO"})


def _said_before(tokens: list[str], at: int) -> str | None:
    """The keyword of "I said stop twice now", "I already said stop 3 times": said, a
    keyword, then only how many times."""
    for k in range(max(0, at - 4), at):
        said = k and (tokens[k - 1] in ("SAID", "SAY", "TOLD", "TEXTED") or (
            k > 1 and tokens[k - 2] == "TOLD" and tokens[k - 1] in ("YOU", "U")) or (
            k > 2 and tokens[k - 3] == "TOLD" and tokens[k - 2] in ("YOU", "U")
            and tokens[k - 1] == "TO"))
        times = all(t in _TIMES or t in COURTESY or t.isdigit() for t in tokens[k + 1:at + 1])
        if tokens[k] in STRONG_STOPS and said and times and (
                tokens[0] not in QUESTIONS and tokens[0] not in ("WHO", "DID")):
            return tokens[k]
    return None


def _asks_someone_else(tokens: list[str], p: int) -> bool:
    """Whether the closing stop is asked of someone else: "ask him to stop", "tell the driver
    to please stop"."""
    while p > 0 and tokens[p] in COURTESY:
        p -= 1
    return tokens[p] == "TO" and p > 0 and (tokens[p - 1] in PEOPLE or (tokens[p - 1] in (
        "THEM", "DRIVER") and any(t in ("ASK", "TELL") for t in tokens[:p - 1])))


# Verbs for the texts a stop may open a clause with, which must take the person: "stop
# texting me", not "stop texting my son", "stop bothering my dog", "quit spamming the doorbell".
_VERBS_AT_ME: Final = frozenset({"TEXTING", "MESSAGING", "BOTHERING", "SPAMMING", "HARASSING",
                                 "CONTACTING", "CALLING", "BUGGING", "PESTERING"})
_AT_ME: Final = frozenset({"ME", "US", "MY", "THIS", "THE", "THAT", "NUMBER", "PHONE", "CELL",
                           "INBOX", "LINE", "ALREADY", "AGAIN", "ANYMORE", "NOW", "PLEASE", "PLS",
                           "PLZ", "ABOUT", "EVERY", "DAY", "SO", "MUCH", "MANY", "TIMES"})


def _stops_someone_else(tokens: list[str]) -> bool:
    """Whether a stop opening the clause takes a verb for texts whose object is not the
    person or their phone: "stop texting my son", "stop bothering my dog"."""
    core = core_words(tokens)
    if len(core) < 3 or core[0] not in STRONG_STOPS or core[1] not in _VERBS_AT_ME:
        return False
    if core[2] in ("MY", "HIS", "HER", "THE") and len(core) > 3 and (
            core[3] in PEOPLE or core[3].rstrip("S") in PEOPLE or core[3] in (
                "OLD", "WORK", "OTHER", "HOME", "LANDLINE", "PREVIOUS", "FORMER")):
        return True
    return core[1] in ("BOTHERING", "SPAMMING", "HARASSING", "BUGGING", "PESTERING") and not all(
        t in _AT_ME or t in COURTESY for t in core[2:])


def _opens_a_new_sentence(core: list[str], after: int) -> bool:
    """After a stop opening a text: a word that starts a new sentence ("STOP we moved",
    "STOP fake", "STOP sorry"), or an ordinal and "time" ("STOP 2nd time"); not what a stop
    takes (a place, a time, a thing: "stop outside", "stop Monday", "stop my package")."""
    nxt = core[after]
    if nxt in OPENING_STARTS:
        return True
    if nxt == "OR" and core[after + 1:after + 2] in (["ILL"], ["I"], ["IM"], ["WE"], ["ELSE"]):
        return True  # "STOP or I'll report you", "stop or else"
    return any(c.isdigit() for c in nxt) and core[after + 1:after + 2] in (["TIME"], ["TIMES"])


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
