"""Whose texts, and whose doing, a stop is about (docs/compliance.md section 2): a stop
asked for the person's own phone is a revocation; one about someone else's phone or
another phone ("stop texting my husband", "don't text my landline": a redirect), a thing
of the delivery ("revoke the signature waiver"), what the sender themself does not do ("I
never text, call me"), someone else's doing ("the driver quit calling me") or QUIT in its
past tense ("you guys quit sending updates after Denver") is not. ``engine.requests_to_stop``
asks these of the words around a stop word."""

from __future__ import annotations

from typing import Final

from engine.other_senses import (
    DELIVERY_THINGS,
    PEOPLE,
    SPAM_REPORT,
    SPAM_REPORT_ASIDE,
)
from engine.vocabulary import (
    TEXT_NOUNS,
    TEXT_WORDS,
    VERBAL_TEXT_WORDS,
)

# Phones that are not the one the texts go to now: "my old number", "my work phone", "my
# landline".
_OTHER_PHONES: Final = frozenset({"OLD", "WORK", "OTHER", "HOME", "PREVIOUS", "FORMER", "EX",
                                  "LANDLINE", "OFFICE", "BUSINESS"})


def redirected(tokens: list[str], k: int) -> bool:
    """Whether the texts named at ``k`` are someone else's, or another phone's: a person or
    another phone after them ("stop texting my husband", "don't send updates to my old
    number", "don't text my landline"): a request to send them elsewhere, not to stop."""
    j = k + 1
    if j < len(tokens) and tokens[j] == "TO":
        j += 1
    if j >= len(tokens) or tokens[j] not in ("MY", "HIS", "HER", "OUR", "THE"):
        return False
    for tok in tokens[j + 1:j + 3]:
        if tok in PEOPLE or tok in _OTHER_PHONES or tok.rstrip("S") in PEOPLE:
            return True
        if tok in ("NUMBER", "PHONE", "CELL"):
            return False
    return False


# Words between a subject, its negation and its verb that change nothing: "I really don't
# text", "I do not usually text".
_ADVERBS: Final = frozenset({"REALLY", "USUALLY", "EVEN", "EVER", "ACTUALLY", "JUST", "REGULARLY",
                             "GENERALLY", "NORMALLY", "OFTEN"})
# Words for texts that are the verb of a sentence whose subject is the sender.
_TEXT_VERBS: Final = frozenset({"TEXT", "TXT", "TEXTS", "MESSAGE", "MSG", "SMS"})


def own_habit(tokens: list[str], i: int) -> bool:
    """Whether the negation at ``i`` says what the sender does not do, with a word for
    texts as its verb ("I never text", "I don't text, call me", "we do not text"), not
    what they ask ("never text me", "I don't want texts")."""
    k = i - 1
    if tokens[i] == "NOT":
        k -= 1  # "I do not"
    while k >= 0 and tokens[k] in _ADVERBS:
        k -= 1
    if k < 0 or tokens[k] not in ("I", "WE"):
        return False
    j = i + 1
    while j < len(tokens) and tokens[j] in _ADVERBS:
        j += 1
    return j < len(tokens) and tokens[j] in _TEXT_VERBS


# Who, before a negation, makes it a report of texts not sent, not a request.
OTHERS: Final = frozenset({"YOU", "U", "IT", "HE", "SHE", "THEY", "DRIVER", "NOBODY", "APP",
                            "CARRIER", "MAILMAN", "GUYS", "WHO"})


# Who the texts go to or come from when they are not the sender's own: "Don't send the
# updates to my wife", "Don't contact the seller", "never text while driving".
_THIRD_PARTY: Final = frozenset({"SELLER", "SENDER", "RECIPIENT", "DRIVER", "WHILE",
                                 "CALL", "CARRIER", "MAILMAN", "OFFICE", "STORE", "MERCHANT",
                                 "WEEKENDS"}) | (PEOPLE - {"HIM", "HER", "HE", "SHE"})


def redirects(tokens: list[str], i: int) -> bool:
    """Whether the first word for the texts after ``i`` is someone else's or another phone's
    ("stop texting my son", "don't send updates to my old number")."""
    for k in range(i + 1, min(len(tokens), i + 6)):
        if tokens[k] in TEXT_WORDS or tokens[k] in VERBAL_TEXT_WORDS:
            return redirected(tokens, k)
    return False


def about_another_thing(tokens: list[str], i: int) -> bool:
    """Whether the revoke or unsubscribe at ``i`` takes a thing of the delivery or another
    subscription ("revoke the signature waiver", "revoke my vacation hold", "unsubscribe from
    the newsletter"), the texts not named."""
    if any(t in TEXT_WORDS for t in tokens) or not tokens[i].startswith(("REVOK", "UNSUB")):
        return False  # "untrack this package" is the service's own stop for it
    after = tokens[i + 1:i + 6]
    if after[:1] == ["FROM"]:
        # "unsubscribe from the paper catalog", "unsubscribe from the weekly deals email": any
        # words describing a thing one unsubscribes from, up to four
        return any(t in DELIVERY_THINGS or t in SUBSCRIBED_THINGS for t in after[1:])
    for tok in after[:4]:
        if tok in DELIVERY_THINGS or tok in SUBSCRIBED_THINGS:
            return True
        if tok not in BEFORE_A_THING:
            return False
    return False


# What else one unsubscribes from, besides the texts: "unsubscribe from the paper catalog",
# "unsubscribe from emails", "unsubscribe from the promotions".
SUBSCRIBED_THINGS: Final = frozenset({"EMAIL", "EMAILS", "NEWSLETTER", "NEWSLETTERS", "CATALOG",
                                      "CATALOGS", "CATALOGUE", "CATALOGUES", "MAGAZINE",
                                      "MAGAZINES", "PROMOTIONS", "PROMOTION", "PROMOS", "PROMO",
                                      "MARKETING", "ADS", "OFFERS", "DEALS", "COUPONS", "MAILER",
                                      "MAILERS", "FLYERS", "FLYER", "CIRCULAR", "CIRCULARS",
                                      "MAILINGS", "MAILING", "PAPER", "PAPERS", "JOURNAL",
                                      "DIGEST", "PODCAST", "CHANNEL", "BLOG", "SURVEYS"})


BEFORE_A_THING: Final = frozenset({"THE", "MY", "THIS", "THAT", "YOUR", "A", "AN", "OUR", "FROM",
                                    "AS", "OF", "ANY", "OLD", "PLEASE"})
# "texts off", "text alerts off please", "tracking notifications off".
_OFF_WORDS: Final = TEXT_NOUNS | {"TRACKING", "DELIVERY", "PACKAGE", "USPS", "ALL", "TEXTING"}


def whole_text_off_or_spam(core: tuple[str, ...]) -> bool:
    """A whole text that turns the texts off ("sms off", "alerts off") or reports them as
    spam or blocks them ("spam", "this is spam", "reported as junk", "I'm blocking you")."""
    if len(core) >= 2 and core[-1] == "OFF" and all(t in _OFF_WORDS for t in core[:-1]) and any(
            t in TEXT_NOUNS for t in core):
        return True
    return bool(core) and any(t in SPAM_REPORT for t in core) and all(
        t in SPAM_REPORT or t in SPAM_REPORT_ASIDE for t in core) and not (
        core[-1] in ("REPORT", "BLOCK") and len(core) > 1 and core[0] in ("I", "IM"))


def to_someone_else(tokens: list[str], start: int) -> bool:
    """Whether the texts a negation is about are someone else's (a third party named)."""
    return any(t in _THIRD_PARTY for t in tokens[start:])


# Who, right before a stop verb, makes it a report or someone else's doing: "it quit
# sending updates", "Verizon may block your texts", "driver stop calling me".
_SUBJECTS_BEFORE: Final = frozenset({"IT", "HE", "SHE", "THEY", "APP", "DRIVER", "CARRIER",
                                     "PHONE", "MAY", "MIGHT", "ITS", "MAILMAN", "SYSTEM"})


def someone_elses(tokens: list[str], i: int) -> bool:
    """Whether the stop verb at ``i`` is not the person's request: its subject is someone
    or something else, or it is asked of a third party ("tell the driver to quit calling
    me")."""
    prev = tokens[i - 1] if i else ""
    return prev in _SUBJECTS_BEFORE or (
        prev == "TO" and any(t in _THIRD_PARTY for t in tokens[:i])) or reports_quit(tokens, i)


def reports_quit(tokens: list[str], i: int) -> bool:
    """Whether the QUIT at ``i`` is the past tense, reporting: after "you" or "you guys",
    with a time it happened ("You guys quit sending updates after Denver", "you quit
    texting me 2 days ago"); not with none ("you guys quit texting me"), nor one still to
    come ("you guys quit texting me after it's delivered": a request)."""
    if tokens[i] != "QUIT" or not i or tokens[i - 1] not in _QUIT_SUBJECTS:
        return False
    after = tokens[i + 1:]
    return any(t in _WHEN_IT_HAPPENED for t in after) and not any(t in _NOT_YET for t in after)


# QUIT is its own past tense; who it is said of, and the times that make it a report.
_QUIT_SUBJECTS: Final = frozenset({"YOU", "U", "GUYS", "YALL", "USPS", "YOUALL", "FOLKS", "ALL",
                                   "PEOPLE", "TRACKING", "WEBSITE", "SITE"})
_WHEN_IT_HAPPENED: Final = frozenset({"AFTER", "SINCE", "AGO", "YESTERDAY", "LAST", "WHEN",
                                      "ONCE", "DAYS", "WEEK", "WEEKS", "HOURS", "MONDAY",
                                      "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY",
                                      "SUNDAY", "EARLIER"})
_NOT_YET: Final = frozenset({"ITS", "IS", "ARRIVES", "ARRIVE", "GETS", "COMES", "DELIVERY",
                             "TODAY", "TONIGHT", "TOMORROW", "NOW", "IM", "WILL", "FROM"})


