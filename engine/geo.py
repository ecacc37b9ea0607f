"""Where a recipient is, for quiet-hours rules.

Two independent clues locate a recipient: the parcel's destination ZIP code and the
area code (NPA) of their phone number.  ``Place.clues`` keeps both (they can disagree:
a Florida number with a California delivery ZIP), and the compliance rules
(``engine.compliance``) hold a text to every window either clue brings in.  ``Place.zone``
(the ZIP's zone when known, the area code's otherwise) is the one zone shown and used
for calendar days.  Strict-hours states (those whose rule in the compliance table ends
before the federal 9 PM) make a place strict when *either* clue points at one.

Pure: no I/O of its own, no clock, no randomness.  An area code's region comes from
``engine.areacodes`` (taken from the ``phonenumbers`` geocoding data, whose import
costs about 100 MB: only an area code missing there loads it) and its zone from the
library's time-zone data; both are memoised per area code.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType

import phonenumbers
from phonenumbers import timezone as pn_timezone

from engine.areacodes import REGION_OF_AREA_CODE
from engine.compliance import BY_STATE, FEDERAL, Clue
from engine.phones import is_plain_nanp

__all__ = [
    "DEFAULT_ZONE",
    "STATE_ZONES",
    "STRICT_HOURS_STATES",
    "Clue",
    "Place",
    "locate",
    "state_for_phone",
    "state_for_zip",
    "zone_for_phone",
    "zone_for_state",
    "zone_for_zip",
    "zones_for_phone",
]

#: States whose window (engine/data/compliance.toml) ends before the federal one.
STRICT_HOURS_STATES: frozenset[str] = frozenset(
    state for state, rule in BY_STATE.items() if rule.end < FEDERAL.end)

#: Documented fallback when neither the ZIP nor the area code gives a zone.
DEFAULT_ZONE = "America/New_York"

# code -> (English name as the phonenumbers geocoder spells it, IANA zone covering most of
# the region's population).  50 states + DC, inhabited US territories, Canadian provinces.
_REGIONS: dict[str, tuple[str, str]] = {
    "AL": ("Alabama", "America/Chicago"), "AK": ("Alaska", "America/Anchorage"),
    "AZ": ("Arizona", "America/Phoenix"), "AR": ("Arkansas", "America/Chicago"),
    "CA": ("California", "America/Los_Angeles"), "CO": ("Colorado", "America/Denver"),
    "CT": ("Connecticut", "America/New_York"), "DE": ("Delaware", "America/New_York"),
    "DC": ("Washington D.C.", "America/New_York"), "FL": ("Florida", "America/New_York"),
    "GA": ("Georgia", "America/New_York"), "HI": ("Hawaii", "Pacific/Honolulu"),
    "ID": ("Idaho", "America/Boise"), "IL": ("Illinois", "America/Chicago"),
    "IN": ("Indiana", "America/Indiana/Indianapolis"), "IA": ("Iowa", "America/Chicago"),
    "KS": ("Kansas", "America/Chicago"), "KY": ("Kentucky", "America/New_York"),
    "LA": ("Louisiana", "America/Chicago"), "ME": ("Maine", "America/New_York"),
    "MD": ("Maryland", "America/New_York"), "MA": ("Massachusetts", "America/New_York"),
    "MI": ("Michigan", "America/Detroit"), "MN": ("Minnesota", "America/Chicago"),
    "MS": ("Mississippi", "America/Chicago"), "MO": ("Missouri", "America/Chicago"),
    "MT": ("Montana", "America/Denver"), "NE": ("Nebraska", "America/Chicago"),
    "NV": ("Nevada", "America/Los_Angeles"), "NH": ("New Hampshire", "America/New_York"),
    "NJ": ("New Jersey", "America/New_York"), "NM": ("New Mexico", "America/Denver"),
    "NY": ("New York", "America/New_York"), "NC": ("North Carolina", "America/New_York"),
    "ND": ("North Dakota", "America/Chicago"), "OH": ("Ohio", "America/New_York"),
    "OK": ("Oklahoma", "America/Chicago"), "OR": ("Oregon", "America/Los_Angeles"),
    "PA": ("Pennsylvania", "America/New_York"), "RI": ("Rhode Island", "America/New_York"),
    "SC": ("South Carolina", "America/New_York"), "SD": ("South Dakota", "America/Chicago"),
    "TN": ("Tennessee", "America/Chicago"), "TX": ("Texas", "America/Chicago"),
    "UT": ("Utah", "America/Denver"), "VT": ("Vermont", "America/New_York"),
    "VA": ("Virginia", "America/New_York"), "WA": ("Washington State", "America/Los_Angeles"),
    "WV": ("West Virginia", "America/New_York"), "WI": ("Wisconsin", "America/Chicago"),
    "WY": ("Wyoming", "America/Denver"),
    "PR": ("Puerto Rico", "America/Puerto_Rico"),
    "VI": ("U.S. Virgin Islands", "America/St_Thomas"),
    "GU": ("Guam", "Pacific/Guam"), "MP": ("Northern Mariana Islands", "Pacific/Saipan"),
    "AS": ("American Samoa", "Pacific/Pago_Pago"),
    "AB": ("Alberta", "America/Edmonton"), "BC": ("British Columbia", "America/Vancouver"),
    "MB": ("Manitoba", "America/Winnipeg"), "NB": ("New Brunswick", "America/Moncton"),
    "NL": ("Newfoundland and Labrador", "America/St_Johns"),
    "NS": ("Nova Scotia", "America/Halifax"), "NT": ("Northwest Territories", "America/Edmonton"),
    "NU": ("Nunavut", "America/Iqaluit"), "ON": ("Ontario", "America/Toronto"),
    "PE": ("Prince Edward Island", "America/Halifax"), "QC": ("Quebec", "America/Toronto"),
    "SK": ("Saskatchewan", "America/Regina"), "YT": ("Yukon", "America/Whitehorse"),
}

#: Region code -> IANA zone covering most of its population (read-only view).
STATE_ZONES: Mapping[str, str] = MappingProxyType({k: z for k, (_, z) in _REGIONS.items()})

# Geocoder name -> code, including the geocoder's own spellings and shared-NPA names.
_CODE_BY_NAME: dict[str, str] = {name: code for code, (name, _) in _REGIONS.items()} | {
    "Washington": "WA", "British Colombia": "BC",
    "Nova Scotia/Prince Edward Island": "NS",  # NS holds ~85% of the pair's population
}

# USPS 3-digit ZIP prefixes: (first prefix of a run, region code or None for unassigned);
# each run lasts until the next entry.  AA/AE/AP are military mail (APO/FPO), no zone.
_ZIP_RUNS: tuple[tuple[int, str | None], ...] = (
    (0, None), (5, "NY"), (6, "PR"), (8, "VI"), (9, "PR"), (10, "MA"), (28, "RI"), (30, "NH"),
    (39, "ME"), (50, "VT"), (55, "MA"), (56, "VT"), (60, "CT"), (70, "NJ"), (90, "AE"),
    (99, None), (100, "NY"), (150, "PA"), (197, "DE"), (200, "DC"), (201, "VA"), (202, "DC"),
    (206, "MD"), (220, "VA"), (247, "WV"), (270, "NC"), (290, "SC"), (300, "GA"), (320, "FL"),
    (340, "AA"), (341, "FL"), (350, "AL"), (370, "TN"), (386, "MS"), (398, "GA"), (400, "KY"),
    (428, None), (430, "OH"), (460, "IN"), (480, "MI"), (500, "IA"), (529, None), (530, "WI"),
    (550, "MN"), (568, None), (569, "DC"), (570, "SD"), (578, None), (580, "ND"), (589, None),
    (590, "MT"), (600, "IL"), (630, "MO"), (659, None), (660, "KS"), (680, "NE"), (694, None),
    (700, "LA"), (715, None), (716, "AR"), (730, "OK"), (733, "TX"), (734, "OK"), (750, "TX"),
    (800, "CO"), (817, None), (820, "WY"), (832, "ID"), (839, None), (840, "UT"), (848, None),
    (850, "AZ"), (866, None), (870, "NM"), (885, "TX"), (886, None), (889, "NV"), (899, None),
    (900, "CA"), (962, "AP"), (967, "HI"), (969, "GU"), (970, "OR"), (980, "WA"), (995, "AK"),
)
_ZIP_STARTS: tuple[int, ...] = tuple(start for start, _ in _ZIP_RUNS)

# Whole prefixes whose zone differs from their state's majority zone.
_CENTRAL, _EASTERN, _MOUNTAIN = "America/Chicago", "America/New_York", "America/Denver"
_ZIP_ZONE_OVERRIDES: dict[int, str] = {
    324: _CENTRAL, 325: _CENTRAL,  # Florida panhandle (Panama City, Pensacola)
    373: _EASTERN, 374: _EASTERN, 376: _EASTERN, 377: _EASTERN, 378: _EASTERN,
    379: _EASTERN,  # East Tennessee (Chattanooga, Tri-Cities, Knoxville)
    420: _CENTRAL, 421: _CENTRAL, 422: _CENTRAL, 423: _CENTRAL, 424: _CENTRAL,  # W. Kentucky
    463: _CENTRAL, 464: _CENTRAL, 476: _CENTRAL, 477: _CENTRAL,  # Gary, Evansville IN
    577: _MOUNTAIN, 586: _MOUNTAIN, 693: _MOUNTAIN,  # Rapid City SD, Dickinson ND, NE panhandle
    798: _MOUNTAIN, 799: _MOUNTAIN, 885: _MOUNTAIN,  # El Paso TX
    835: "America/Los_Angeles", 838: "America/Los_Angeles",  # North Idaho
}

_ZIP_RE = re.compile(r"([0-9]{3})[0-9]{2}(?:-[0-9]{4})?")
_NANP_RE = re.compile(r"\+1([2-9][0-9]{2})[2-9][0-9]{6}")
_PHONE_SEPARATORS = re.compile(r"[\s().-]")
_UNKNOWN_ZONE = "Etc/Unknown"


@dataclass(frozen=True, slots=True)
class Place:
    """Best guess at a recipient's whereabouts for quiet-hours purposes."""

    state: str | None
    zone: str
    strict_hours: bool
    clues: tuple[Clue, ...] = ()


def _zip_prefix(zip_code: str) -> int | None:
    m = _ZIP_RE.fullmatch(zip_code.strip())
    return int(m.group(1)) if m else None


def state_for_zip(zip_code: str) -> str | None:
    """Region code for a 5-digit or ZIP+4 code; None if malformed or unassigned."""
    prefix = _zip_prefix(zip_code)
    if prefix is None:
        return None
    return _ZIP_RUNS[bisect_right(_ZIP_STARTS, prefix) - 1][1]


def zone_for_state(state: str) -> str | None:
    """IANA zone covering most of the region's population; None if unknown/military."""
    return STATE_ZONES.get(state.strip().upper())


def zone_for_zip(zip_code: str) -> str | None:
    """IANA zone for a ZIP: the state's zone unless the whole 3-digit prefix differs."""
    prefix = _zip_prefix(zip_code)
    if prefix is None:
        return None
    override = _ZIP_ZONE_OVERRIDES.get(prefix)
    if override is not None:
        return override
    state = state_for_zip(zip_code)
    return zone_for_state(state) if state is not None else None


def _area_code(e164: str) -> str | None:
    m = _NANP_RE.fullmatch(_PHONE_SEPARATORS.sub("", e164))
    return m.group(1) if m else None


def _code_for_description(description: str) -> str | None:
    code = _CODE_BY_NAME.get(description)
    if code is None and ", " in description:  # "San Francisco, CA", "Toronto, ON"
        suffix = description.rsplit(", ", 1)[1]
        code = suffix if suffix in _REGIONS else None
    return code


def library_state(npa: str) -> str | None:
    """The region of an area code as the ``phonenumbers`` geocoder names it (loaded on
    first use: it holds every country's place names)."""
    from phonenumbers import geocoder

    number = phonenumbers.parse("+1" + npa + "5550100")
    return _code_for_description(geocoder.description_for_number(number, "en"))


@cache
def _npa_info(npa: str) -> tuple[str | None, str | None]:
    """(region code, IANA zone) for a NANP area code, memoised per area code."""
    state = REGION_OF_AREA_CODE.get(npa)
    if state is None:
        state = library_state(npa)
    number = phonenumbers.parse("+1" + npa + "5550100")
    zones = [z for z in pn_timezone.time_zones_for_number(number) if z != _UNKNOWN_ZONE]
    if len(zones) == 1:  # phonenumbers' own zone for the area code
        return state, zones[0]
    # Split area codes (907 Alaska lists Adak first) or non-geographic (toll-free):
    # prefer the region's population-majority zone; none at all for toll-free.
    return state, (zone_for_state(state) if state is not None else None)


@cache
def _split_area_codes() -> Mapping[str, tuple[str, ...]]:
    """Area codes whose exchanges lie in more than one zone (850: the Florida panhandle's
    Central part; 605 and 701: the Dakotas' Mountain part; 208: northern Idaho's Pacific),
    with every zone, from the library's time-zone data by number prefix."""
    from phonenumbers.tzdata import TIMEZONE_DATA

    found: dict[str, set[str]] = {}
    for prefix, zones in TIMEZONE_DATA.items():
        if len(prefix) >= 4 and prefix[0] == "1":
            found.setdefault(prefix[1:4], set()).update(z for z in zones if z != _UNKNOWN_ZONE)
    return MappingProxyType({npa: tuple(sorted(z)) for npa, z in found.items() if len(z) > 1})


@cache
def _npa_zones(npa: str) -> tuple[str, ...]:
    """Every zone an area code's clue names: its own zone first, then the other zones its
    exchanges lie in (a number keeps its area code wherever in it the person is)."""
    zone = _npa_info(npa)[1]
    if zone is None:
        return ()
    return (zone, *(z for z in _split_area_codes().get(npa, ()) if z != zone))


def state_for_phone(e164: str) -> str | None:
    """US state / territory or Canadian province code of a +1 number's area code."""
    npa = _area_code(e164)
    return _npa_info(npa)[0] if npa is not None else None


def zone_for_phone(e164: str) -> str | None:
    """IANA zone for a +1 number's area code; None if non-geographic or unknown."""
    npa = _area_code(e164)
    return _npa_info(npa)[1] if npa is not None else None


def zones_for_phone(e164: str) -> tuple[str, ...]:
    """Every zone a +1 number's area code spans, its own zone first; () if none."""
    npa = _area_code(e164)
    return _npa_zones(npa) if npa is not None else ()


def locate(e164: str, destination_zip: str | None) -> Place:
    """Combine ZIP and area code: ZIP wins for state/zone, either can make it strict,
    and both are kept as clues."""
    zip_state, zip_zone = _zip_info(destination_zip) if destination_zip is not None \
        else (None, None)
    # A plain +1 number needs no separators stripped: its area code is e164[2:5], when
    # the exchange starts 2-9 as _NANP_RE asks.
    if is_plain_nanp(e164):
        npa: str | None = e164[2:5] if e164[5] >= "2" else None
    else:
        npa = _area_code(e164)
    phone_state, phone_zone = _npa_info(npa) if npa is not None else (None, None)
    return _place(phone_state, phone_zone, zip_state, zip_zone,
                  _npa_zones(npa) if npa is not None else ())


@lru_cache(maxsize=1 << 16)
def _zip_info(destination_zip: str) -> tuple[str | None, str | None]:
    """(state, zone) of a ZIP code, memoised (a run sees the same codes again and again;
    bounded, since a shim can be sent any text)."""
    return state_for_zip(destination_zip), zone_for_zip(destination_zip)


@cache
def _place(phone_state: str | None, phone_zone: str | None, zip_state: str | None,
           zip_zone: str | None, phone_zones: tuple[str, ...] = ()) -> Place:
    """One shared (frozen) place per combination of clues: a few hundred at most."""
    zone = zip_zone or phone_zone or DEFAULT_ZONE
    strict = zip_state in STRICT_HOURS_STATES or phone_state in STRICT_HOURS_STATES
    return Place(state=zip_state or phone_state, zone=zone, strict_hours=strict,
                 clues=_clues(phone_state, phone_zones or (
                     (phone_zone,) if phone_zone is not None else ()), zip_state, zip_zone))


@cache
def _clues(phone_state: str | None, phone_zones: tuple[str, ...], zip_state: str | None,
           zip_zone: str | None) -> tuple[Clue, ...]:
    """One shared tuple per combination (a subscription keeps a reference, not a copy); an
    area code that spans zones gives a clue in each."""
    clues = []
    for phone_zone in phone_zones:
        clues.append(Clue("area_code", phone_state, phone_zone))
    if zip_zone is not None:
        clues.append(Clue("address", zip_state, zip_zone))
    if not clues:
        clues.append(Clue("default", phone_state or zip_state, DEFAULT_ZONE))
    return tuple(clues)
