"""Hypothesis strategies: realistic input streams for the notification engine.

A stream is a few parcels moving through the network over a few days of
peak season (December 2026), a few people following them, what those people
text to the short code, and the carrier's delivery receipts. Scans follow
plausible event-code paths (docs/facts.md): accepted, processed and departed
a few times, arrived at the unit, out for delivery, delivered, with the odd
attempt and retry, pickup at the counter, return to sender, alert codes, and
the OIG's premature "out for delivery" scan.

Phone numbers are fictional 555-01xx numbers with real area codes; each
phone has a home ZIP in the same state and zone, so "the recipient's zone" is
one zone per phone whether a subscription gives the ZIP or not.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Final

from hypothesis import strategies as st

from engine.core import message_id
from engine.inputs import CHANNELS, OPTIONS, Input, Receipt, Scan, SmsIn, Subscribe

DEC_14_2026: Final = 1_797_206_400  # 2026-12-14T00:00:00Z, the Monday of peak week
MINUTE: Final = 60
HOUR: Final = 3600
DAY: Final = 86_400
EPOCH_DAY: Final = DEC_14_2026 // DAY  # as days since 1970-01-01 (expectedDelivery)

TRACKING_NUMBERS: Final = (
    "9400111899223400000176",
    "9400111899223400000282",
    "9205590164917312751089",
    "9361289878700317633795",
    "9400136895232040154011",
)

# phone -> home ZIP (same state and zone as the area code)
PHONES: Final[dict[str, str]] = {
    "+13035550123": "80202",  # Denver CO
    "+13055550142": "33101",  # Miami FL: strict hours (8 AM-8 PM)
    "+12065550101": "98101",  # Seattle WA: strict hours
    "+12125550199": "10001",  # New York NY
    "+17875550123": "00901",  # San Juan PR: Atlantic time, east of Central by 2 h
    "+18085550110": "96813",  # Honolulu HI: west of Central by 4 h
}
PHONE_LIST: Final = tuple(PHONES)

# How people type their own number (the engine normalises to E.164).
_NATIONAL: Final = {p: f"({p[2:5]}) {p[5:8]}-{p[8:]}" for p in PHONES}

# (city, state, ZIP, UTC offset in minutes in December)
FACILITIES: Final = (
    ("DENVER", "CO", "80202", -420),
    ("MIAMI", "FL", "33101", -300),
    ("SEATTLE", "WA", "98101", -480),
    ("NEW YORK", "NY", "10001", -300),
    ("CHICAGO", "IL", "60601", -360),
    ("ATLANTA", "GA", "30303", -300),
    ("SAN JUAN", "PR", "00901", -240),
    ("HONOLULU", "HI", "96813", -600),
)

ATTEMPT_CODES: Final = ("02", "52", "53", "54", "55", "56", "30", "51", "71")
ALERT_CODES: Final = ("04", "05", "08", "15", "31", "44", "DX", "21", "24", "28")
# Texts that matter most to one property: opt-out and opt-in words, QUIET/AWAKE.
OPT_BODIES: Final = (
    "STOP", "stop.", "Stop", "END", "STOPALL", "optout", "Revoke!", "START", "YES", "unstop",
    "HELP",
)
QUIET_BODIES: Final = ("QUIET", "quiet", "Quiet.", "AWAKE", "STOP", "START")
# Phones whose daytime reaches into 11 PM-7 AM Central: San Juan's 8 AM is 6 AM
# Central, Honolulu's 8 PM is midnight Central; Seattle is strict and Pacific.
QUIET_EDGE_PHONES: Final = ("+17875550123", "+18085550110", "+12065550101")
MERCHANTS: Final = (None, "Acme Outfitters", "Bob's Bikes", "Shop now at deals.example.com")
KEYWORD_BODIES: Final = (
    "STOP", "stop.", "Stop", " stop ", "UNSUBSCRIBE", "cancel!", "Quit", "START", "YES",
    "yes", "UNSTOP", "HELP", "info", "QUIET", "quiet", "AWAKE", "awake.",
)


# ---------------------------------------------------------------- scans
@st.composite
def code_paths(
    draw: st.DrawFn, *, alerts: bool = True, regressions: bool = True, unknown: bool = False,
    truncate: bool = True, ranked_last: bool = False,
) -> list[str]:
    """A plausible sequence of event codes for one parcel, oldest first.

    ``regressions`` allows the OIG's premature out-for-delivery scan (OF while
    still at the unit, then 07/PC again); ``unknown`` allows a code not in the
    table; ``truncate`` cuts the path short (still moving at the end of the
    stream); ``ranked_last`` makes the newest scan one with a progress rank
    (not an alert nor an unknown code).
    """
    path: list[str] = []
    if draw(st.booleans()):
        path.append(draw(st.sampled_from(("GX", "MA"))))
    path.append(draw(st.sampled_from(("03", "03", "PA", "TM"))))
    for _ in range(draw(st.integers(1, 3))):
        path += ["10", "EF"]
    if regressions and draw(st.integers(0, 5)) == 0:
        path.append("OF")  # premature: still at the unit
    path += ["07", "PC"]
    ending = draw(st.sampled_from(("delivered", "delivered", "retry", "pickup", "return")))
    if ending == "delivered":
        path += ["OF", "01"]
    elif ending == "retry":
        for _ in range(draw(st.integers(1, 2))):
            path += ["OF", draw(st.sampled_from(ATTEMPT_CODES))]
        path += ["OF", "01"]
    elif ending == "pickup":
        if draw(st.booleans()):
            path += ["OF", "02", "16"]
        else:
            path += ["14", "16"]
        path.append(draw(st.sampled_from(("17", "43"))))
    else:
        path += ["OF", draw(st.sampled_from(ATTEMPT_CODES)), "16", "09"]
    if truncate and draw(st.booleans()):
        path = path[: draw(st.integers(1, len(path)))]
    first_after_accept = 2 if path[0] in ("GX", "MA") else 1
    if alerts:
        for _ in range(draw(st.integers(0, 2))):
            at = draw(st.integers(min(first_after_accept, len(path)), len(path)))
            path.insert(at, draw(st.sampled_from(ALERT_CODES)))
    if unknown and draw(st.integers(0, 3)) == 0:
        path.insert(draw(st.integers(1, len(path))), "ZZ")
    if ranked_last:
        while path and path[-1] in (*ALERT_CODES, "ZZ"):
            path.pop()
    return path


_LAST_MILE: Final = frozenset({"07", "PC", "OF", "01", "14", "16", "17", "43", *ATTEMPT_CODES})


@st.composite
def parcel_scans(
    draw: st.DrawFn, tn: str, start: int, *, min_gap: int = 5 * MINUTE,
    max_gap: int = 14 * HOUR, **path_options: bool,
) -> list[Scan]:
    """The scans of one parcel from ``start``, strictly increasing in time."""
    path = draw(code_paths(**path_options))
    origin = draw(st.sampled_from(FACILITIES))
    destination = draw(st.sampled_from(FACILITIES))
    eta: int | None = None
    scans: list[Scan] = []
    at = start
    for n, code in enumerate(path):
        if n:  # often within the hour (a busy plant, a van's round), else hours
            at += draw(st.integers(min_gap, max_gap if draw(st.booleans()) else HOUR))
        if code in ("03", "PA", "TM"):
            eta = (at // DAY) + draw(st.integers(1, 4))
        elif eta is not None and draw(st.integers(0, 9)) == 0:
            eta += 1  # the network slipped a day
        city, state, zip_code, offset = destination if code in _LAST_MILE else origin
        if code in ("10", "EF") and draw(st.booleans()):
            city, state, zip_code, offset = draw(st.sampled_from(FACILITIES))
        scans.append(Scan(
            at=at, tracking_number=tn, event_code=code, offset_min=offset, city=city,
            state=state, zip=zip_code, event_id=f"{tn[-6:]}-{n}",
            expected_delivery=eta if draw(st.booleans()) else None,
        ))
    return scans


def reworded(scan: Scan, variant: int) -> Scan:
    """The same event as the feed may send it twice: another id, another place wording."""
    city = scan.city.title() if variant % 2 else f"{scan.city} DISTRIBUTION CENTER"
    return replace(scan, event_id=f"{scan.event_id}-resent{variant}", city=city,
                   zip=scan.zip if variant % 3 else f"{scan.zip}-0001")


# ------------------------------------------------------- people's inputs
def phone_spellings(phone: str) -> st.SearchStrategy[str]:
    return st.sampled_from((phone, phone, _NATIONAL[phone]))


options = st.one_of(
    st.just(("all",)),
    st.lists(st.sampled_from(OPTIONS), min_size=1, max_size=3, unique=True).map(tuple),
)


@st.composite
def subscriptions(
    draw: st.DrawFn, tn: str, at: int, phones: tuple[str, ...] = PHONE_LIST, *,
    channels: tuple[str, ...] = CHANNELS, all_updates: bool = False,
) -> Subscribe:
    phone = draw(st.sampled_from(phones))
    return Subscribe(
        at=at, tracking_number=tn, phone=draw(phone_spellings(phone)),
        channel=draw(st.sampled_from(channels)),
        options=("all",) if all_updates else draw(options),
        merchant=draw(st.sampled_from(MERCHANTS)),
        destination_zip=draw(st.sampled_from((None, PHONES[phone]))),
    )


@st.composite
def bodies(draw: st.DrawFn, tns: tuple[str, ...], words: tuple[str, ...] = KEYWORD_BODIES,
           ) -> str:
    """Half the time one of ``words``, else a tracking command or junk."""
    if draw(st.booleans()):
        return draw(st.sampled_from(words))
    tn = st.sampled_from(tns)
    return draw(st.one_of(
        tn.map(lambda t: f"{t} AA"),
        tn.map(lambda t: f"STOP {t}"),
        tn,
        tn.map(lambda t: f"{t} DND"),
        tn.map(lambda t: f"when {t}?"),
        st.text(alphabet="abcSTOPyes 12.!?", max_size=12),
    ))


@st.composite
def inbound_texts(
    draw: st.DrawFn, tns: tuple[str, ...], phones: tuple[str, ...], lo: int, hi: int,
    words: tuple[str, ...] = KEYWORD_BODIES,
) -> SmsIn:
    phone = draw(st.sampled_from(phones))
    at, sender, body = draw(st.integers(lo, hi)), draw(phone_spellings(phone)), \
        draw(bodies(tns, words))
    # The provider's id names one message: the same text at the same second is a retry.
    sid = hashlib.blake2b(f"{at}|{sender}|{body}".encode(), digest_size=8).hexdigest()
    return SmsIn(at=at, sender=sender, body=body, message_sid=f"SM{sid}")


@st.composite
def receipts(draw: st.DrawFn, scans: list[Scan], phones: tuple[str, ...]) -> Receipt:
    """A receipt for a text the engine may have sent about a scan (its message id
    is a pure function of recipient, parcel, cause and event time), or junk."""
    scan = draw(st.sampled_from(scans))
    if draw(st.integers(0, 4)) == 0:
        mid = f"{draw(st.integers(0, 2**40)):020x}"
    else:
        phone = draw(st.sampled_from(phones))
        mid = message_id(phone, scan.tracking_number, f"scan:{scan.event_code}@{scan.at}")
    status = draw(st.sampled_from(("delivered", "delivered", "delivered", "undelivered",
                                   "failed")))
    return Receipt(at=scan.at + draw(st.integers(1, 3 * HOUR)), message_id=mid, status=status)


def by_time(inputs: list[Input]) -> list[Input]:
    """A clean stream: sorted by time, ties in generation order."""
    return sorted(inputs, key=lambda i: i.at)


@st.composite
def streams(
    draw: st.DrawFn, *, max_parcels: int = 3, min_texts: int = 0, max_texts: int = 6,
    max_receipts: int = 4,
    channels: tuple[str, ...] = CHANNELS, phone_pool: tuple[str, ...] = PHONE_LIST,
    words: tuple[str, ...] = KEYWORD_BODIES, **path_options: bool,
) -> list[Input]:
    """A clean (time-sorted) stream: parcels, subscriptions, inbound texts, receipts.

    Up to three people from ``phone_pool`` follow the parcels; their texts
    favour the keywords in ``words``."""
    tns = tuple(draw(st.lists(st.sampled_from(TRACKING_NUMBERS), min_size=1,
                              max_size=max_parcels, unique=True)))
    phones = tuple(draw(st.lists(st.sampled_from(phone_pool), min_size=1, max_size=3,
                                 unique=True)))
    inputs: list[Input] = []
    scans: list[Scan] = []
    for tn in tns:
        start = DEC_14_2026 + draw(st.integers(0, 2 * DAY))
        parcel = draw(parcel_scans(tn, start, **path_options))
        scans += parcel
        middle = parcel[len(parcel) // 2].at
        for _ in range(draw(st.integers(1, 2))):
            at = draw(st.integers(start - 3 * HOUR, middle))
            inputs.append(draw(subscriptions(tn, at, phones, channels=channels)))
    inputs += scans
    lo = min(i.at for i in inputs)
    hi = max(i.at for i in inputs)
    inputs += draw(st.lists(inbound_texts(tns, phones, lo, hi, words), min_size=min_texts,
                            max_size=max_texts))
    inputs += draw(st.lists(receipts(scans, phones), max_size=max_receipts))
    return by_time(inputs)


# ----------------------------------------------------- stream variations
@st.composite
def with_duplicates(draw: st.DrawFn, clean: list[Input]) -> list[Input]:
    """``clean`` with some scans sent again: the same record, or the same event
    (time and code) under another id and place wording; each right after the
    original or anywhere later."""
    stream = list(clean)
    scan_positions = [i for i, inp in enumerate(clean) if isinstance(inp, Scan)]
    chosen = draw(st.lists(st.sampled_from(scan_positions), min_size=1, max_size=4))
    inserts: list[tuple[int, int, Input]] = []
    for n, i in enumerate(chosen):
        scan = clean[i]
        assert isinstance(scan, Scan)
        dup = scan if draw(st.booleans()) else reworded(scan, draw(st.integers(1, 6)))
        where = i + 1 if draw(st.booleans()) else draw(st.integers(i + 1, len(clean)))
        inserts.append((where, n, dup))
    for where, _, dup in sorted(inserts, key=lambda t: (t[0], t[1]), reverse=True):
        stream.insert(where, dup)
    return stream


@st.composite
def late_arrivals(draw: st.DrawFn, clean: list[Input]) -> list[Input]:
    """``clean`` as a feed with delays delivers it: some scans arrive late (by
    minutes to most of a day, as a batch from a facility that was offline),
    keeping their own event time. Other inputs arrive on time."""
    keyed: list[tuple[int, int, Input]] = []
    for n, inp in enumerate(clean):
        delay = 0
        if isinstance(inp, Scan) and draw(st.integers(0, 2)) == 0:
            delay = draw(st.sampled_from((10 * MINUTE, 2 * HOUR, 9 * HOUR, 20 * HOUR)))
            delay += draw(st.integers(0, 59))
        keyed.append((inp.at + delay, n, inp))
    return [inp for _, _, inp in sorted(keyed, key=lambda t: (t[0], t[1]))]


@st.composite
def digest_bursts(draw: st.DrawFn) -> tuple[list[Input], list[Scan]]:
    """One parcel's history, its subscribers (all updates), then hours later a
    burst of 2-6 scans within 30 minutes (one digest window). Returns the clean
    prefix and the burst (time order). Burst scans all carry the same expected
    date, so no scan's expected date depends on which scans arrived first."""
    tn = draw(st.sampled_from(TRACKING_NUMBERS))
    path = draw(code_paths(alerts=True, regressions=False, truncate=False))
    split = draw(st.integers(1, len(path) - 2))
    prefix_codes, burst_codes = path[:split], path[split:][: draw(st.integers(2, 6))]
    facility = draw(st.sampled_from(FACILITIES))
    city, state, zip_code, offset = facility
    day = DEC_14_2026 + draw(st.integers(0, 1)) * DAY
    eta = EPOCH_DAY + draw(st.integers(2, 4))
    prefix: list[Input] = []
    at = day + draw(st.integers(0, 4 * HOUR))
    for n, code in enumerate(prefix_codes):
        prefix.append(Scan(at=at, tracking_number=tn, event_code=code, offset_min=offset,
                           city=city, state=state, zip=zip_code, event_id=f"p{n}",
                           expected_delivery=eta))
        at += draw(st.integers(10 * MINUTE, 2 * HOUR))
    burst_start = at + draw(st.integers(4 * HOUR, 20 * HOUR))
    phones = draw(st.lists(st.sampled_from(PHONE_LIST), min_size=1, max_size=2, unique=True))
    for phone in phones:
        prefix.append(draw(subscriptions(tn, burst_start - draw(st.integers(1, 3 * HOUR)),
                                         (phone,), channels=("checkout", "text"),
                                         all_updates=True)))
    burst_eta = draw(st.sampled_from((None, eta, eta + 1)))
    burst: list[Scan] = []
    at = burst_start
    for n, code in enumerate(burst_codes):
        burst.append(Scan(at=at, tracking_number=tn, event_code=code, offset_min=offset,
                          city=city, state=state, zip=zip_code, event_id=f"b{n}",
                          expected_delivery=burst_eta))
        at += draw(st.integers(1, 6 * MINUTE))
    return by_time(prefix), burst
