"""Plain words that ask to stop, and the negations that undo them (docs/compliance.md
section 2, rules 1 and 2): a text's words with courtesy set aside, the keyword they spell,
a stop verb or a negation reaching a word for the texts, the fixed phrases; whether a stop
word is negated or taken back. ``engine.clauses`` reads a text clause by clause with these;
``engine.keywords`` says what a text means."""

from __future__ import annotations

from typing import Final

from engine.addressees import (
    BEFORE_A_THING,
    OTHERS,
    about_another_thing,
    own_habit,
    redirected,
    redirects,
    someone_elses,
    to_someone_else,
    whole_text_off_or_spam,
)
from engine.other_senses import (
    DELIVERY_THINGS,
    MAIL_THINGS,
    PEOPLE,
)
from engine.vocabulary import (
    CONDITIONS,
    COURTESY,
    DETERMINERS,
    ENGLISH_STOPS,
    FILLERS,
    JUNK_WORDS,
    NEG_FILLERS,
    NEGATED_OBJECTS,
    NEGATION_CHAIN,
    NEGATIONS,
    OPENING_PHRASE_LEADS,
    OPENING_PHRASES,
    OPT_OUT,
    PHRASE_LEAD,
    PHRASE_NOT_BEFORE,
    PHRASE_UNLESS_TEXTS,
    PHRASES,
    QUESTIONS,
    RECEIVE_WORDS,
    REPORT_WORDS,
    SPANISH_STOPS,
    STOP_FILLERS,
    STOP_VERBS,
    STRESS_PHRASES,
    TAKEN_BACK,
    TEXT_NOUNS,
    TEXT_WORDS,
    UNAMBIGUOUS,
    VERBAL_TEXT_WORDS,
    WHOLE_ASIDE,
    WHOLE_PHRASES,
    WISH_WORDS,
)
from engine.wording import joined_keywords


def core_words(tokens: list[str]) -> list[str]:
    """The words with courtesy and stress set aside ("please", "now", "at once")."""
    core = [t for t in tokens if t not in COURTESY]
    if len(core) > 2:
        for phrase in STRESS_PHRASES:
            n = len(phrase)
            for i in range(len(core) - n, -1, -1):
                if tuple(core[i : i + n]) == phrase:
                    del core[i : i + n]
    return core


def keyword_in(tokens: list[str], vocabulary: frozenset[str]) -> str | None:
    """The keyword the words spell, courtesy set aside: one word, one word in parts
    ("OPT OUT", "UN SUBSCRIBE"), or the same keyword repeated ("STOP STOP")."""
    core = core_words(tokens) or tokens
    joined = "".join(core)
    if joined in vocabulary:
        return joined
    if len(tokens) > 3 and all(len(t) == 1 for t in tokens) and (
            spelled := "".join(tokens)) in vocabulary:
        return spelled  # "U N S U B S C R I B E": letters spaced (U is courtesy alone)
    if core and all(t in vocabulary for t in core):
        return core[0]
    if vocabulary is OPT_OUT and (pieces := joined_keywords(joined, tails=False)):
        return pieces[0]  # "UN. SUBSCRIBE STOP": keywords in parts, then another
    return None


def find(tokens: list[str], phrase: tuple[str, ...]) -> int:
    """Where ``phrase`` first stands among the words, or -1."""
    n = len(phrase)
    first = phrase[0]
    for i in range(len(tokens) - n + 1):
        if tokens[i] == first and tuple(tokens[i : i + n]) == phrase:
            return i
    return -1


def contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    return find(tokens, phrase) >= 0


def _reaches_text_word(tokens: list[str], start: int, fillers: frozenset[str],
                       wished: bool = False, alone: bool = False) -> bool:
    """Whether only fillers stand between ``start`` and a word for texts (a verb for
    them, such as SENDING, only when what it takes is the texts or nothing: "stop
    sending me these", not "stop sending me packages"); after a negation, the end after
    a wish to receive, or a wish and these or them ("I no longer wish to receive these",
    "I don't want these"), or, in a text of one clause (``alone``), a wish and this no
    longer ("I don't want this anymore", "I no longer want this"; not "I don't want this
    parcel anymore", nor "I don't want this anymore, can I return it")."""
    received = sent = got = False
    for k in range(start, len(tokens)):
        tok = tokens[k]
        if tok in VERBAL_TEXT_WORDS:
            return _takes_texts(tokens, k + 1)
        if tok in JUNK_WORDS and _junk_mail(tokens, k):
            return False  # "stop sending me junk mail": the post, not the texts
        if tok in TEXT_WORDS or tok in JUNK_WORDS or (
                tok == "CONTACTED" and tokens[k - 1] == "BE"):
            return True  # "... to be contacted"
        if tok in WISH_WORDS:
            wished = True
        elif tok in RECEIVE_WORDS and wished:
            received = True
        elif tok == "SEND":
            sent = True
        elif (tok in NEGATED_OBJECTS or tok == "THIS" or tok == "THAT") and wished and (
                fillers is NEG_FILLERS) and all(t in _AFTER_OBJECT for t in tokens[k + 1:]) and (
                tok in NEGATED_OBJECTS or tokens[start - 1] == "MORE" or (
                    tok == "THIS" and alone and (tokens[start - 1] == "LONGER" or any(
                        t in _NO_LONGER for t in tokens[k + 1:])))):
            # "I don't want these (any more)", "no more of this", "I don't want this anymore"
            return True
        elif (tok in NEGATED_OBJECTS or tok == "THIS") and k > start and (
                tokens[k - 1] in RECEIVE_WORDS):
            got = True  # "stop getting these", "stop receiving them", "stop getting this"
        elif (tok not in fillers and not (got and tok in COURTESY)) or (
                got and tok in ("PACKAGE", "PARCEL", "DELIVERY")):
            # "stop the daily texts", "no more emails or texts"; not "stop getting these packages"
            return _described_texts(tokens, k)
    return got or (((wished and received) or sent) and fillers is NEG_FILLERS)


def _junk_mail(tokens: list[str], k: int) -> bool:
    """Whether the junk word at ``k`` is the post ("junk mail", "junk flyers")."""
    return k + 1 < len(tokens) and tokens[k + 1] in MAIL_THINGS


def _described_texts(tokens: list[str], k: int) -> bool:
    """Whether ``tokens[k]`` is one of one or two words between a determiner and a word for
    the texts, which describe them ("stop the daily texts", "cancel these useless alerts",
    "stop sending me random texts", "no more emails or texts"; not "stop the driver text me",
    "don't send the package to my wife")."""
    if not k or tokens[k - 1] not in DETERMINERS:
        return False
    for j in (k, k + 1):
        if j >= len(tokens):
            return False
        tok = tokens[j]
        if tok in TEXT_NOUNS:
            return j > k and not redirected(tokens, j)
        if tok in PEOPLE or tok in DELIVERY_THINGS or tok in MAIL_THINGS or tok in TEXT_WORDS or (
                not tok.isalpha()) or tok in COURTESY or tok in TAKEN_BACK:
            return False
    return j + 1 < len(tokens) and tokens[j + 1] in TEXT_NOUNS and not redirected(tokens, j + 1)


_AFTER_OBJECT: Final = frozenset({"ANYMORE", "AGAIN", "PLEASE", "PLS", "NOW", "THANKS",
                                   "EVER", "THX", "ANY", "MORE", "NO", "LONGER"})
# What makes "I don't want this" about something that goes on: the texts.
_NO_LONGER: Final = frozenset({"ANYMORE", "MORE", "LONGER"})


def _takes_texts(tokens: list[str], start: int) -> bool:
    """After a verb for texts: nothing, or fillers then a word for texts."""
    for k in range(start, len(tokens)):
        tok = tokens[k]
        if tok in JUNK_WORDS and _junk_mail(tokens, k):
            return False
        if tok in TEXT_WORDS or tok in JUNK_WORDS:
            return True
        if tok in _AFTER_TEXTS or tok == "SEND":
            continue  # "stop sending these now", "permission to send me these"
        if tok not in FILLERS or tok in ("PACKAGE", "PARCEL", "DELIVERY"):
            return _described_texts(tokens, k)
    return True


# What may close a request after a verb for the texts: "You can stop sending these now".
_AFTER_TEXTS: Final = frozenset({"NOW", "ANYMORE", "PLEASE", "PLS", "PLZ", "ASAP", "AGAIN",
                                 "THANKS", "THX", "EVER"})


def is_request_to_stop(tokens: list[str], question: bool = False, alone: bool = True) -> bool:
    """Rule 2 of the module docstring: plain words that clearly ask to stop.
    ``question``: the text ends with a question mark, so "no more updates?" reports
    rather than asks. ``alone``: the words are the whole text, so "no thanks" is its
    answer (not in "No thanks, I'll pick it up myself", which answers something else)."""
    if not tokens:
        return False
    core = tuple(t for t in tokens if t not in WHOLE_ASIDE)
    thanked = any(t in ("THANKS", "THANK", "THX", "TY", "MERCI", "GRACIAS") for t in tokens)
    if alone and not question and (core in WHOLE_PHRASES or (
            thanked and (*core, "THANKS") in WHOLE_PHRASES) or (
            thanked and not core and any(t in ("NAH", "NOPE") for t in tokens))):
        return True  # "no thank you", "I'm out", "nah thanks"; not "No" alone, nor "no more?"
    if alone and not question and whole_text_off_or_spam(core):
        return True  # "texts off", "spam", "this is spam", "I'm blocking you"
    report = question or any(t in REPORT_WORDS for t in tokens)
    # "when will you stop sending updates?", "Do you stop texting after delivery?": asked
    # about, not asked for ("can you stop texting me?" is asked for).
    # "will you stop texting me after it's delivered", its question mark left off, asks too.
    asked_about = ((question or _opening(tokens) == "WILL") and any(
        t in ("AFTER", "ONCE", "WHEN", "UNTIL", "IF") for t in tokens)) or (
        tokens[0] in QUESTIONS and tokens[0] not in ("WHY", "HOW") and not (
            tokens[0] in ("WILL", "WOULD", "CAN", "COULD") and tokens[1:2] in (["YOU"], ["U"])))
    for i, tok in enumerate(tokens):
        if tok in UNAMBIGUOUS and not negated(tokens, i) and not about_another_thing(
                tokens, i) and not hypothetical(tokens, i, question):
            return True
        if tok in STOP_VERBS and not asked_about and _verb_stops(tokens, i) and not any(
                t in CONDITIONS for t in tokens[:i]) and not someone_elses(tokens, i) and (
                _reaches_text_word(tokens, i + 1, STOP_FILLERS)) and not negated(tokens, i) and (
                not redirects(tokens, i)):
            return True
        prev = tokens[i - 1] if i > 0 else ""
        negation = tok in NEGATIONS or (tok == "NOT" and prev in ("DO", "DOES", "YOU", "U",
                                                                  "PREFER", "RATHER")) or (
            tok in ("MORE", "LONGER", "MAS", "FURTHER") and prev == "NO") or (
            tok == "NEED" and prev == "NO" and any(t in ("ME", "US", "ANYMORE") for t in tokens)
        ) or (tok == "NEED" and prev == "NO" and tokens[i + 1:i + 2] == ["FOR"]) or (
            tok == "INTERESTED" and prev == "NOT") or (
            tok == "NO" and tokens[i + 1 : i + 2] in (
                ["QUIERO"], ["ME"], ["DESEO"], ["ENVIEN"], ["MANDEN"], ["ESCRIBAN"], ["ENVIAR"],
                ["MANDAR"], ["MOLESTAR"], ["MOLESTEN"], ["CONTACTEN"], ["AUTORIZO"])) or (
            tok == "PLUS" and prev == "NE") or (  # French "ne plus m'envoyer de messages"
            # "plus de messages", "Pas de messages svp", "je ne veux plus (recevoir) de textos"
            tok in ("PLUS", "PAS") and tokens[i + 1:i + 2] in (
                ["DE"], ["RECEVOIR"], ["AUCUN"], ["AUCUNE"]) and (
                all(t in COURTESY for t in tokens[:i]) or "NE" in tokens[max(0, i - 3):i]
                or prev in ("VEUX", "VEUT"))) or (  # "je veux plus de messages", spoken
            tok == "NE" and tokens[i + 1:i + 2] in (["MENVOYEZ"], ["MENVOYER"], ["ME"],
                                                    ["MECRIVEZ"], ["MECRIRE"], ["MECRIS"]))
        wished = prev in ("PREFER", "RATHER") or (tok == "MORE" and prev == "NO") or (
            tok == "INTERESTED")  # "I'm not interested in receiving these"
        if negation and i and tokens[i - 1] in OTHERS and tok in NEGATIONS:
            continue  # "you never texted me", "the driver never contacted me": a report
        if negation and tok == "NOT" and i > 1 and tokens[i - 2] in OTHERS:
            continue  # "you do not text on weekends"
        if negation and own_habit(tokens, i):
            continue  # "I never text, call me", "I don't text": what the sender does
        if (negation and not report and not to_someone_else(tokens, i + 1)
                and _reaches_text_word(tokens, i + 1, NEG_FILLERS, wished, alone)
                and not redirects(tokens, i)
                and not any(t in STOP_VERBS or t in OPT_OUT for t in tokens[i + 1:])):
            return True  # not "I don't want the texts to stop"
    lead = [t for t in tokens if t not in COURTESY] or tokens
    if lead[0] == "NO" and len(lead) > 1 and lead[1] in TEXT_WORDS and not report and all(
            t in COURTESY or t in TEXT_WORDS for t in lead[2:]):
        return True  # "no texts please", "please no texts"; not "no text yet?"
    if ("FOR" in tokens or "MINE" in tokens) and not question and tokens[0] not in QUESTIONS and (
            _not_for_me(tokens)):
        return True
    for i, tok in enumerate(tokens):  # each word looks up the phrases it may open
        for phrase, opening in _PHRASES_AT.get(tok, ()):
            if tuple(tokens[i:i + len(phrase)]) != phrase:
                continue
            if hypothetical(tokens, i, question):
                continue  # "What happens if I opt out?"
            if question and phrase[0] == "WRONG" and _asks_if_reached(tokens):
                continue  # "Am I texting the wrong number?": asks if this is the service
            if _opens(tokens, i, phrase) if opening else not _negated_phrase(tokens, i, phrase):
                return True
    return False


# How a question whether the sender reached the right service opens: "Am I texting the
# wrong number?", "is this the wrong number for tracking?".
_REACHED_OPENINGS: Final = (("AM", "I"), ("IS", "THIS"), ("IS", "THAT"), ("IS", "IT"),
                            ("DID", "I"), ("HAVE", "I"), ("DO", "I"), ("IM", "I"))


def _asks_if_reached(tokens: list[str]) -> bool:
    """Whether a question opens by asking whether the sender has the wrong number."""
    core = [t for t in tokens if t not in COURTESY and t not in ("SO", "SORRY", "UM", "HI")]
    return tuple(core[:2]) in _REACHED_OPENINGS


def hypothetical(tokens: list[str], i: int, question: bool) -> bool:
    """Whether the stop word at ``i`` is asked about as a condition, its consequences the
    question ("What happens if I opt out?", "If I unsubscribe will I still get my package?"),
    not asked for; "how do I unsubscribe?" and "unsubscribe me if you can" are asked for."""
    before = tokens[:i]
    if tokens[i].endswith("ING") and [t for t in before if t not in COURTESY] in _ASKED_OF:
        return True  # "does opting out cancel my delivery?", "will unsubscribing cancel my order"
    if question and any(t in ("HAPPENS", "HAPPEN", "HAPPENED") for t in before) and any(
            t in ("WHEN", "AFTER", "ONCE", "IF") for t in before):
        return True  # "what happens when I unsubscribe?", "What happens after I opt out?"
    return any(t in ("IF", "WHETHER") for t in before) and (question or any(
        t in _CONSEQUENCES for t in tokens))


# A yes/no question opening on a revoking, its subject: what it would do is asked about.
_ASKED_OF: Final = [["DOES"], ["DO"], ["WILL"], ["WOULD"], ["DID"], ["COULD"],
                    ["WONT"], ["DOESNT"], ["WOULDNT"]]


# What makes an "if I unsubscribe" a question about what follows, its mark left off.
_CONSEQUENCES: Final = frozenset({"WILL", "WOULD", "HAPPENS", "HAPPEN", "STILL", "WOULDNT",
                                  "WONT", "GONNA", "AFFECT", "MEAN"})


# The fixed phrases by their first word, and whether each counts only opening a clause.
_PHRASES_AT: Final[dict[str, tuple[tuple[tuple[str, ...], bool], ...]]] = {
    first: tuple((p, opening) for p, opening in [*((p, False) for p in PHRASES),
                                                 *((p, True) for p in OPENING_PHRASES)]
                 if p[0] == first)
    for first in {p[0] for p in PHRASES} | {p[0] for p in OPENING_PHRASES}}


def _opening(tokens: list[str]) -> str:
    """The first word past courtesy and "so", "and", "but" ("Ok so will you ...")."""
    return next((t for t in tokens if t not in COURTESY and t not in ("SO", "AND", "BUT")), "")


def _not_for_me(tokens: list[str]) -> bool:
    """Whether the texts are said not to be the sender's, the way "wrong number" says it:
    "these texts are not for me", "this message isn't meant for me", "these texts are not
    mine" (not "this package is not for me", "the texts are not for me to answer")."""
    for j in range(2, len(tokens)):
        if tokens[j] == "MINE":
            end = j + 1
        elif tokens[j] == "FOR" and tokens[j + 1:j + 2] in (["ME"], ["US"]):
            end = j + 2
        else:
            continue
        k = j - 1
        while k > 0 and tokens[k] in ("MEANT", "INTENDED", "REALLY", "EVEN"):
            k -= 1
        if tokens[k] not in ("NOT", "ARENT", "ISNT", "NT"):
            continue
        k -= 1
        while k >= 0 and tokens[k] in ("ARE", "IS", "WERE", "WAS", "R"):
            k -= 1
        return k >= 0 and tokens[k] in TEXT_WORDS and all(
            t in COURTESY or t in _AFTER_OBJECT for t in tokens[end:])
    return False


# Stop words "No" may stand before as "No, stop" (not Spanish: "no cancelar", "no me des de
# baja").
_NO_STOP: Final = (ENGLISH_STOPS | UNAMBIGUOUS | {"REMOVE", "DELETE", "TAKE", "LEAVE", "OPT"}
                   ) - SPANISH_STOPS


def _verb_stops(tokens: list[str], i: int) -> bool:
    """Whether the stop verb at ``i`` means stopping: not "turn them on" (TURN needs OFF),
    "the end of the tracking" (END OF is a noun), "para recibir", "para más mensajes"
    (Spanish "in order to", "for"),
    "deje el mensaje" (DEJA without DE is "leave")."""
    tok, rest = tokens[i], tokens[i + 1:]
    if tok in ("TURN", "SHUT", "SWITCH"):
        return "OFF" in rest
    if tok == "KNOCK":
        return rest[:2] == ["IT", "OFF"]  # "knock it off with the texts"
    if tok == "CUT":
        return "OUT" in rest[:2]  # "cut out the texts", "cut it out with the texts"
    if tok == "END":
        return rest[:1] != ["OF"]
    if tok == "PARA":  # not "para más mensajes" ("for more messages"), "para mis alertas"
        return i == 0 and rest[:1] not in (["RECIBIR"], ["EL"], ["LOS"], ["LAS"], ["LA"],
                                           ["MAS"], ["MIS"], ["MI"], ["SUS"], ["TUS"])
    if tok in ("DEJA", "DEJE", "DEJEN"):
        return rest[:1] == ["DE"]
    return True


def _opens(tokens: list[str], i: int, phrase: tuple[str, ...]) -> bool:
    """Whether ``phrase``, at ``i``, opens the clause, courtesy or "you have the", "this
    is" aside, in its own sense."""
    return all(t in COURTESY or t in OPENING_PHRASE_LEADS for t in tokens[:i]) and (
        not _other_sense(tokens, i + len(phrase), phrase))


# The most words a negation stands before the stop word it negates ("I really do not ever
# want you to have to stop texting me": eleven); further back it negates something else,
# and a long text is read in linear time.
NEGATION_REACH: Final = 12


def negated(tokens: list[str], i: int) -> bool:
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
            # "no" opening a clause before an English stop with only courtesy between is
            # "No, stop" ("no thanks stop", "No pls stop", "no I said stop"); before a Spanish
            # verb or further back, a negation ("no cancelar", "no need to stop").
            if tok == "NO" and j == i - 1 and tokens[i] not in ("STOP", "STOPALL", "STP"):
                return True  # "No cancel", "No unsubscribe", "No opt out": not "No, stop"
            if tok == "NO" and tokens[i] in _NO_STOP and all(
                    t in COURTESY or t in ("I", "SAID", "SAY") for t in tokens[j + 1:i]) and all(
                    t in COURTESY for t in tokens[:j]):
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


def _negated_phrase(tokens: list[str], i: int, phrase: tuple[str, ...]) -> bool:
    """Whether the phrase at ``i`` is negated ("don't take me off") or means something else
    by what follows it ("wrong number of boxes")."""
    lead = i  # "don't take my number off the list": the verb the phrase completes
    while lead and tokens[lead - 1] in PHRASE_LEAD:
        lead -= 1
    return negated(tokens, i) or negated(tokens, lead) or _other_sense(
        tokens, i + len(phrase), phrase)


def _other_sense(tokens: list[str], end: int, phrase: tuple[str, ...]) -> bool:
    """Whether what follows the phrase gives it another sense ("wrong number on the label",
    "stop all deliveries", "opt out of the signature requirement"; not "opt out of these
    texts")."""
    if phrase in _LIST_PHRASES and _takes_a_delivery_thing(tokens, end):
        return True  # "take me off the hold list", "remove me as the recipient"
    not_before = PHRASE_NOT_BEFORE.get(phrase)
    if not not_before:
        return False
    one = tokens[end] if end < len(tokens) else ""
    two = " ".join(tokens[end:end + 2])
    if one not in not_before and two not in not_before:
        return False
    return not (phrase in PHRASE_UNLESS_TEXTS and _takes_texts(tokens, end + 1))


# Phrases that take someone off a list, which may be a list of the delivery's.
_LIST_PHRASES: Final = frozenset({("TAKE", "ME", "OFF"), ("REMOVE", "ME"), ("REMOVE", "FROM"),
                                  ("GET", "ME", "OFF"), ("DELETE", "ME"), ("REMOVED", "FROM"),
                                  ("TAKE", "MY", "NUMBER"), ("REMOVE", "MY", "NUMBER"),
                                  ("OFF", "THE", "LIST"), ("FROM", "THE", "LIST")})


def _takes_a_delivery_thing(tokens: list[str], end: int) -> bool:
    """Whether what a list phrase takes is a thing of the delivery, not the texts ("take me
    off the delivery schedule", "remove me from this address"; "take me off the hold list"),
    no word for the texts near."""
    near = tokens[end:end + 5]
    if any(t in TEXT_WORDS or t in JUNK_WORDS for t in near):
        return False
    for tok in near:
        if tok in DELIVERY_THINGS:
            return True
        if tok not in BEFORE_A_THING:
            return False
    return False
