"""No foreign link in a text: what a phone would render as a link, found and removed.

Real USPS texts carry no link at all (the Postal Inspection Service tells
customers so, because "USPS" texts with links are the commonest parcel scam),
so the engine's templates carry none by default, and text that comes from
outside (a shop's name at checkout) is cleaned before it is shown. A phone's
link detector (Android ``Linkify``, iOS data detectors) turns into a link:

- a scheme (``https://``, ``tel:``, ``facetime:``...) or ``www.``;
- a dotted name whose label after a dot is a top-level domain: any suffix of
  the Public Suffix List (the ``publicsuffixlist`` package bundles a recent
  copy, read once at import), so shorteners (``bit.ly``, ``t.co``) too, the
  retired ones Android's list still holds, and any punycode label; a label holds
  any character from U+00A0 up, and the name ends at a word boundary after its
  top-level domain (``evil.com-deals``), as in Android's ``Patterns.java``;
- an e-mail address whatever its last label (2 to 63 letters);
- a dotted-quad IP address;
- a phone number (tap to call, like ``tel:``): seven digits or more in groups
  separated by spaces, dots, hyphens, dashes or parentheses, maybe after a ``+``;
  not a range of years or a date (``12/14/2024``) that libphonenumber does not dial;
  fewer digits where libphonenumber dials them (``+44 7946``, ``1999 ext.5``);
- the same written with look-alikes: full-width letters and dots
  (``EVIL．ＣＯＭ``), ideographic full stops (``evil。com``), anything a reader
  takes for a dot (``uspsꓸcom``, Armenian ``usps։com``), invisible characters
  inside (``evil.c\\u200bom``, variation selectors, fillers), or letters of
  another script that look Latin (Cyrillic ``сом``): these are folded to what
  they look like before looking (NFKC, default-ignorable code points dropped,
  then the Unicode confusables table that the ``confusable_homoglyphs``
  package bundles); a dotted name mixing ASCII letters with any letter outside
  ASCII (``EVIL.coм``, ``evil.coᴍ``) is a disguised link whatever its last label.

A dotted name is replaced by its plain name (``Deals at EVIL.COM!`` becomes
``Deals at EVIL!``; ``USPS.com.redelivery.top`` becomes ``redelivery``), an
address, a phone number or a scheme's whole link is dropped, and each removal is reported
with a reason. The operator's own domain is kept only when the deployment
allows links (``Brand.links``), only written in plain ASCII, and only when the
host a browser would go to is the operator's (``_web_hosts``: user information,
fragments, backslashes and percent-escapes do not hide another host).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Final
from urllib.parse import unquote

import phonenumbers
from publicsuffixlist import PublicSuffixList

_PSL: Final = PublicSuffixList(accept_unknown=False)

# Every top-level label of the list (ICANN and private sections), ASCII and Unicode forms.
_TLDS: Final[frozenset[str]] = frozenset(
    label
    for line in resources.files("publicsuffixlist").joinpath("public_suffix_list.dat")
    .read_text(encoding="utf-8").splitlines()
    if (rule := line.strip()) and not rule.startswith("//")
    for label in {rule.lstrip("!*.").rsplit(".", 1)[-1].lower()}
    if label
)


# Top-level domains that Android's link detector still knows and the Public Suffix List
# no longer lists (retired since; Android's list, ``IANA_TOP_LEVEL_DOMAINS`` in AOSP's
# android/util/Patterns.java, was frozen in November 2015): a phone links them anyway.
_RETIRED_TLDS: Final = frozenset({
    "active", "bentley", "bnl", "boots", "budapest", "cancerresearch", "cartier", "ceb",
    "chloe", "cityeats", "csc", "dabur", "doha", "doosan", "everbank", "flsmidth", "goo",
    "hoteles", "iinet", "iwc", "jlc", "kinder", "lancaster", "liaison", "linde", "lixil",
    "lupin", "meo", "montblanc", "movistar", "mtpc", "mutuelle", "nadex", "panerai", "piaget",
    "redstone", "rocher", "sapo", "sca", "scor", "shriram", "spiegel", "spreadbetting",
    "starhub", "statoil", "telefonica", "vista", "vistaprint", "xperia",
})


def _ascii_of(homoglyphs: list[dict[str, str]]) -> str | None:
    for h in homoglyphs:
        c = h["c"]
        if len(c) == 1 and c.isascii() and c.isalnum():
            return c
    return None


def _visible(text: str) -> str:
    """``text`` without format characters (the table wraps right-to-left ones in marks)."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def _load_confusables() -> tuple[dict[int, str], frozenset[str]]:
    """Non-ASCII character -> the ASCII letter or digit it is drawn like; and the
    characters drawn like a full stop."""
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json")
                      .read_text(encoding="utf-8"))
    table: dict[int, str] = {}
    dots = {_visible(h["c"]) for h in data.get(".", ())}
    for char, homoglyphs in data.items():
        if len(char) == 1 and not char.isascii():
            ascii_char = _ascii_of(homoglyphs)
            if ascii_char is not None:
                table[ord(char)] = ascii_char
        if any(h["c"] == "." for h in homoglyphs):
            dots.add(_visible(char))
    return table, frozenset(c for c in dots if len(c) == 1 and not c.isascii())


_LOOKALIKE, _DRAWN_AS_DOT = _load_confusables()
# Separators IDNA (and so browsers and phones) read as a dot.
_DOTS: Final = {0x3002: ".", 0xFF0E: ".", 0xFF61: ".", 0x2024: ".", 0xFE52: "."}
# What a reader takes for a dot: whatever the confusables table draws like one (Vai
# and Syriac full stops, Lisu tone mya ti, Arabic-Indic zeros...), and every punctuation
# mark Unicode names a FULL STOP, in whatever script (Armenian, Ethiopic, Mongolian...;
# the table draws some of them like a colon). Read as "." only to find links: the text
# shown keeps them, unless they were part of a link.
_FULL_STOPS: Final = "\u0589\u06d4\u0701\u0702\u1362\u166e\u1803\u1809\u2cf9\u2cfe\u2e3c" \
    "\u3002\ua4ff\ua60e\ua6f3\ufe12\ufe52\uff0e\uff61\U00016af5\U00016e98\U0001bc9f\U0001da88"
_READ_AS_DOT: Final = {ord(c): "." for c in sorted(_DRAWN_AS_DOT.union(_FULL_STOPS))}
# ...but a zero drawn like a dot (Arabic-Indic ٠, ۰) between two digits of its own kind
# is a digit (١٠١ is 101).
_DIGIT_DOTS: Final = "".join(sorted(c for c in _DRAWN_AS_DOT if c.isdecimal()))
_DIGIT_IN_NUMBER: Final = re.compile(f"(?<=[^\\D0-9])[{_DIGIT_DOTS}](?=[^\\D0-9])")
# Default_Ignorable_Code_Point, from Unicode's DerivedCoreProperties.txt (Unicode 14.0):
# drawn as nothing (zero-width and format characters, variation selectors, fillers,
# tags), so a reader, and a link detector, sees through them; with U+2800 BRAILLE
# PATTERN BLANK, drawn blank.
_IGNORABLE: Final = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")
# A scheme a phone links, with something after the colon (a browser takes "https:evil.top"
# and "https:\\evil.top" for "https://evil.top"), or "www.": wherever no Latin letter
# glues it to a word before ("Hotel:Paris" is no tel: link; "1https://", "Shop_www.",
# "፩https://" with a number sign Android's detector does not count as a word character,
# are links).
_SCHEME = re.compile(
    r"(?i)(?<![a-z])(?:(?:https?|ftp|file):(?=[/\\\w])|(?:mailto|tel|sms|smsto|mms|geo|intent|market"
    r"|javascript|data|facetime|facetime-audio|callto|skype|maps):(?=\S)|[a-z][a-z0-9+.-]{1,20}://|www\.(?=\w))\S*")
# A dotted name. A label's characters are word characters and, as in Android's detector
# (``IRI_LABEL``), any other character from U+00A0 up: "Shop£.com" and "evil•.com" are
# links. No edge hyphen. Where a label stops being a name ("evil.com-deals",
# "evil.com»") is found by ``_tld_at``. The name is group 1: a search starts only where
# a run of label characters and hyphens starts (and skips its leading hyphens), since a
# name starting later in the run would be found from its start. Trying every position,
# each scanning to the run's end, was quadratic: 130 ms on 1,600 digits.
_LABEL_CHAR: Final = "\\w\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U000efffd"
_HOST = re.compile(f"(?<![{_LABEL_CHAR}-])-*+([{_LABEL_CHAR}](?:[{_LABEL_CHAR}-]*[{_LABEL_CHAR}])?"
                   f"(?:\\.[{_LABEL_CHAR}](?:[{_LABEL_CHAR}-]*[{_LABEL_CHAR}])?)+)")
_WORD_RUN: Final = re.compile(r"\w+")
# An e-mail address's domain: Android links "orders@acme.local" whatever its last label,
# if that is 2 to 63 letters.
_MAIL_TLD: Final = re.compile(r"[^\W\d_]{2,63}")
# A dotted quad anywhere but inside a longer number: ".1.2.3.4", "Shop8.8.4.4" and
# "፩8.8.4.4" (a number sign a detector may not count as part of a word) are links.
_IPV4 = re.compile(r"(?<!\d)\d{1,3}(?:\.\d{1,3}){3}(?!\d)")
# A phone number, as a phone's data detector takes one (tap to call): digits in groups
# separated by up to four spaces, dots, hyphens, dashes or parentheses, maybe a leading
# "+" or "(": one with seven digits or more (a local number) is a link; "Route 66",
# "7-Eleven" and "Shop 24" are not.
# Phone punctuation as libphonenumber (and so Android's detector) reads it: spaces, dots,
# hyphens and dashes, parentheses and square brackets, slashes, tildes, the long vowel
# mark and "x" ("555x/0199" is 555 0199).
_PHONE: Final = re.compile(
    r"\+?\s?[(\[]?\d(?:[-. ()\[\]/\\~xX\u2010-\u2015\u2212\u30fc\u301c\uff5e]{0,4}\d)+")
# A range of years is not a phone number: "Since 1999-2024", "Shop 2024-2025".
_YEARS: Final = re.compile(r"(?:1[89]|20)\d\d\s*[-\u2010-\u2015/]\s*(?:1[89]|20)\d\d")
# Nor is a date, day, month and year with one separator (libphonenumber, which Android's
# detector calls, leaves dates out; iOS reads them as dates): "Sale 12/14/2024",
# "Est. 14.12.1999", "Since 2024-12-14". Only when libphonenumber dials none of it.
_DATE: Final = re.compile(
    r"(?:0?[1-9]|[12]\d|3[01])([-./])(?:0?[1-9]|[12]\d|3[01])\1(?:1[89]|20)\d\d"
    r"|(?:1[89]|20)\d\d([-./])(?:0?[1-9]|1[0-2])\2(?:0?[1-9]|[12]\d|3[01])")
_PHONE_DIGITS: Final = 7
# Where libphonenumber (Android's detector) dials fewer than seven digits, so where it is
# asked itself: a "+" and a country code ("+44 7946", "Shop +49 1234"), and four digits
# then "ext." or "int." and a digit, which it reads as letters on a keypad ("1999 ext.5"
# is 1999-398).
_DIALLED_HINT: Final = re.compile(r"\+\s?[(\[]?\d|\d\s?(?i:ext|int)\.\s?\d")
_WEB_SCHEMES: Final = frozenset({"http", "https", "ftp", "file"})
_AUTHORITY_END: Final = re.compile(r"[/?#\\]")
_HOST_END: Final = re.compile(r"[/?#\\;]")
_PORT: Final = re.compile(r":[0-9]*\Z")
_PLAIN_HOST: Final = re.compile(r"[a-z0-9.-]+")
_BRACKETS = "()[]{}<>\"'«»“”‘’"
_OPENER: Final = {")": "(", "]": "[", "}": "{", ">": "<", "»": "«", "”": "“", "’": "‘"}


def _dialled(candidate: str) -> bool:
    """Whether libphonenumber, which Android's detector calls, finds a number in a
    candidate with an "x" in it (rare: "555x/0199" is one, "1920x1080" none)."""
    return any(True for _ in phonenumbers.PhoneNumberMatcher(
        candidate, "US", leniency=phonenumbers.Leniency.POSSIBLE))


@dataclass(frozen=True, slots=True)
class Cleaned:
    """Text made safe to show, and why each removed part was removed."""

    text: str
    removed: tuple[str, ...]  # reasons, in order: link_scheme, link_address, link_domain,
    # link_lookalike (found only once look-alikes were folded), link_phone


def has_invisible(text: str) -> bool:
    """Whether ``text`` holds a character that shows nothing (``_IGNORABLE``)."""
    return _IGNORABLE.search(text) is not None


def fold(text: str) -> str:
    """``text`` as a phone's link detector (or a reader) would take it: compatibility
    forms folded, the dots IDNA reads as dots made dots, invisible characters gone."""
    text = unicodedata.normalize("NFKC", _IGNORABLE.sub("", text)).translate(_DOTS)
    text = _IGNORABLE.sub("", text)  # NFKC makes some (U+3164 to U+1160)
    return "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
                   for c in text if unicodedata.category(c) != "Cf")


def dotted(text: str) -> str:
    """Each character a reader takes for a dot made one (same length)."""
    view = text.translate(_READ_AS_DOT)
    if _DIGIT_DOTS and _DIGIT_IN_NUMBER.search(text):
        chars = list(view)
        for m in _DIGIT_IN_NUMBER.finditer(text):
            chars[m.start()] = m.group(0)
        view = "".join(chars)
    return view


def skeleton(text: str) -> str:
    """Each character replaced by the ASCII letter or digit it looks like (same length)."""
    return text.translate(_LOOKALIKE)


def _is_tld(label: str) -> bool:
    label = label.lower()
    if label in _TLDS or label in _RETIRED_TLDS:
        return True
    if label.startswith("xn--") and len(label) > 4:
        return True  # Android's PUNYCODE_TLD: "xn--" and anything, decodable or not
    try:
        return label.encode("idna").decode("ascii") in _TLDS or (
            label.startswith("xn--") and label.encode("ascii").decode("idna") in _TLDS)
    except (UnicodeError, ValueError):
        return False


def _tld_index(labels: list[str]) -> int:
    """Index of the rightmost label (after the first) that is a top-level domain, or 0."""
    for i in range(len(labels) - 1, 0, -1):
        if _is_tld(labels[i]):
            return i
    return 0


def _tld_at(labels: list[str]) -> tuple[int, int]:
    """Where a dotted name whose labels are no top-level domain whole still ends in one,
    as a detector reads it (a top-level domain then a word boundary): the rightmost
    label (after the first) whose first run of word characters is one, "com" in
    "evil.com-deals" or "evil.com»"; (its index, the run's length), or (0, 0)."""
    for i in range(len(labels) - 1, 0, -1):
        label = labels[i]
        run = _WORD_RUN.match(label)
        if (run is not None and run.end() < len(label)
                and unicodedata.category(label[run.end()])[0] != "M"  # "to̷p" is one label
                and _is_tld(run.group(0))):
            return i, run.end()
    return 0, 0


def _mixes_scripts(name: str) -> bool:
    """Whether ``name`` holds both ASCII letters and a letter, digit or combining mark
    outside ASCII (another script's; not a symbol such as "£")."""
    return not name.isascii() and any(c.isascii() and c.isalpha() for c in name) and any(
        not c.isascii() and unicodedata.category(c)[0] in "LMN" for c in name)


def _marks_as_letters(text: str) -> str:
    """``text`` with each combining mark as a letter (same length), so that a label
    written with marks (Devanagari ``कॉम``, Tamil, a stroke over a Latin letter) is
    matched whole: Python's ``\\w`` leaves marks out."""
    if text.isascii():
        return text
    return "".join("a" if not c.isascii() and unicodedata.category(c)[0] == "M" else c
                   for c in text)


def is_own(host: str, domain: str) -> bool:
    """Whether ``host`` is the operator's ``domain`` or under it: percent-decoded (as a
    browser does) and without its port, plain ASCII letters, digits, hyphens and dots
    (anything else, ``%``, ``_``, ``@``, a look-alike, is not the operator's)."""
    host = unquote(_PORT.sub("", host), errors="replace").lower()
    return _PLAIN_HOST.fullmatch(host) is not None and (
        host == domain or host.endswith("." + domain))


def _web_hosts(link: str) -> list[str] | None:
    """The host a browser goes to for a web link (``https://...``, ``www....``), or None
    for another scheme. Read the way browsers do (WHATWG URL): after the scheme and any
    slashes or backslashes, the authority ends at the first of ``/ ? # \\``, and the
    host is what follows its last ``@`` (the rest is user information); and read as
    laxer parsers do, after the last ``@`` before the first ``/``, ending at the first of
    ``/ ? # \\ ;``. A link is the operator's only when every reading is."""
    lower = link.lower()
    if lower.startswith("www."):
        rest = lower
    else:
        scheme, colon, rest = lower.partition(":")
        if not colon or scheme not in _WEB_SCHEMES:
            return None
        rest = rest.lstrip("/\\")
    end = _AUTHORITY_END.search(rest)
    hosts = [(rest[: end.start()] if end else rest).rpartition("@")[2]]
    slash = rest.find("/")
    lax = (rest[:slash] if slash >= 0 else rest).rpartition("@")[2]
    end = _HOST_END.search(lax)
    hosts.append(lax[: end.start()] if end else lax)
    return hosts


def _is_own_link(link: str, domain: str) -> bool:
    """Whether ``link`` (a scheme's, as written) goes to the operator's ``domain``."""
    hosts = _web_hosts(link) if link.isascii() else None
    return bool(hosts) and all(is_own(host, domain) for host in hosts or ())


def has_link(text: str, own_domain: str | None = None) -> bool:
    """Whether a phone would render anything in ``text`` as a link (other than the
    operator's ``own_domain``, when given)."""
    return bool(_find(" ".join(fold(text).split()), own_domain))


def _find(text: str, own_domain: str | None) -> list[tuple[int, int, str, str]]:
    """(start, end, reason, replacement) of each link, in order, non-overlapping."""
    folded = fold(text)
    dots = dotted(folded)
    looks = skeleton(dots)
    found: list[tuple[int, int, str, str]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _r, _t in found)

    for m in _SCHEME.finditer(looks):
        end = m.end()
        while end > m.start() and looks[end - 1] in _BRACKETS + ".,;:!?":
            opener = _OPENER.get(looks[end - 1])
            if opener and looks.count(opener, m.start(), end) >= looks.count(
                    looks[end - 1], m.start(), end):
                break  # "http://[::1]", "https://x/a_(b)": a bracket it opened is its own
            end -= 1
        if own_domain and _is_own_link(folded[m.start() : end], own_domain):
            continue
        found.append((m.start(), end, "link_scheme", ""))
    for m in _IPV4.finditer(looks):
        if free(m.start(), m.end()):
            found.append((m.start(), m.end(), "link_address", ""))
    for m in _HOST.finditer(_marks_as_letters(looks)):
        start, end = m.span(1)
        if not free(start, end):
            continue
        shown = looks[start:end]
        labels = shown.split(".")
        written = dots[start:end]
        k = max(_tld_index(labels), _tld_index(written.split(".")))
        if not k:
            i, run = _tld_at(labels)
            if i:  # "evil.com-deals": the link is "evil.com"
                end = start + len(".".join(labels[:i])) + 1 + run
                shown, written = looks[start:end], dots[start:end]
                labels, k = shown.split("."), i
            elif (start and looks[start - 1] == "@" and start > 1
                  and not looks[start - 2].isspace() and _MAIL_TLD.fullmatch(labels[-1])):
                k = len(labels) - 1  # an e-mail address: "orders@acme.local"
        disguised = written != shown or _mixes_scripts(written)
        if not k and disguised:
            # A dotted name in letters drawn like Latin ones ("EVIL.сом" reads ".com"),
            # or Latin letters mixed with anything outside ASCII ("EVIL.coм", with a
            # Cyrillic m the table draws like no ASCII letter; "evil.coᴍ"; "evil.c̶om"
            # with a combining stroke): a disguised address whatever its last label says.
            k = len(labels) - 1
        if not k:
            continue
        if own_domain and is_own(folded[start:end], own_domain):
            continue
        host = ".".join(labels[: k + 1]).lower()
        if not _tld_index(labels):
            host = ".".join(written.split(".")[: k + 1]).lower()
        suffix = _PSL.publicsuffix(host)
        name_index = k - len(suffix.split(".")) if suffix and _PSL.privatesuffix(host) else 0
        name = written.split(".")[name_index]
        if name != labels[name_index] and any(c.isascii() and c.isalpha() for c in name):
            name = labels[name_index]  # Latin mixed with look-alikes: shown as it reads
        plain = looks[start:end] == folded[start:end] and (
            not disguised or _tld_index(written.split(".")) > 0)  # e.g. münchen.de
        reason = "link_domain" if plain else "link_lookalike"
        found.append((start, end, reason, name))
    for m in _PHONE.finditer(looks):
        start, end = m.start(), m.end()
        if sum(c.isdecimal() for c in m.group(0)) < _PHONE_DIGITS or _YEARS.fullmatch(
                m.group(0).strip()):
            continue
        if _DATE.fullmatch(m.group(0).strip(" ([")) and not _dialled(m.group(0)):
            continue  # "12/14/2024" is a date
        if ("x" in m.group(0) or "X" in m.group(0)) and not _dialled(m.group(0)):
            continue  # "1920x1080" is a size, where "555x/0199" is dialled
        if m.group(0).count("(") > m.group(0).count(")") and looks[end : end + 1] == ")":
            end += 1  # "(800 555 1234)": its closing parenthesis too
        if free(start, end):
            found.append((start, end, "link_phone", ""))
    if _DIALLED_HINT.search(looks):
        for number in phonenumbers.PhoneNumberMatcher(
                looks, "US", leniency=phonenumbers.Leniency.POSSIBLE):
            if free(number.start, number.end):
                found.append((number.start, number.end, "link_phone", ""))
    found.sort()
    return found


def strip_links(text: str, own_domain: str | None = None, *, limit: int | None = None
                ) -> Cleaned:
    """``text`` with every link removed (see the module docstring), whitespace
    collapsed, at most ``limit`` characters; the reasons of what was removed."""
    reasons: list[str] = []
    current = " ".join(fold(text).split())
    for _ in range(8):  # removing can join what surrounds it; a few passes settle
        found = _find(current, own_domain)
        if found:
            parts, at = [], 0
            for start, end, reason, replacement in found:
                parts.append(current[at:start])
                parts.append(replacement)
                reasons.append(reason)
                at = end
            parts.append(current[at:])
            current = "".join(parts)
        current = " ".join(current.split())
        if limit is not None and len(current) > limit:
            current = current[:limit].rstrip()
            continue
        if not found:
            break
    return Cleaned(current, tuple(reasons))
