"""The network tables of a scenario: regions, facilities, legs, the last mile, and the
distributions their times are drawn from. ``scenarios.schema`` builds the whole
``Scenario`` on them; the same ``extra="forbid"`` rule holds (a misspelt key is an error).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.errors import InvalidInput
from engine.inputs import check_place

# People's phones (sim/people.py): the i-th of a region is +1, an area code of it, and
# the seven digits FIRST_NUMBER + i, up to LAST_NUMBER.
FIRST_NUMBER = 2_000_000
LAST_NUMBER = 9_999_999


def phone_number(area_code: str, number: int) -> str:
    return f"+1{area_code}{number:07d}"

FACILITY_KINDS = ("acceptance", "rpdc", "lpc", "sdc")
LEGS = ("acceptance_to_rpdc", "rpdc_to_lpc", "lpc_to_sdc")


def _place_name(name: str) -> str:
    """A region's or facility's name: 1 to 80 characters, none of them a control
    character (faults and reports name them; an empty name or a NUL was accepted)."""
    if not re.fullmatch(r"[^\x00-\x1f\x7f]{1,80}", name):
        raise ValueError(f"name {name[:100]!r} must be 1 to 80 characters, none of them a "
                         "control character")
    return name


PlaceName = Annotated[str, AfterValidator(_place_name)]


def known_zone(zone: str) -> str:
    """``zone`` if it is an IANA time zone this machine knows (``tzdata``), else ValueError."""
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{zone!r} is not an IANA time zone (e.g. America/Denver)") from None
    return zone


class _Model(BaseModel):
    # Strict: a number must be a number and a flag true or false (``days = "2"``, ``seed =
    # true`` are refused, not read as 2 and 1); dates may also be written as strings.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


class Dist(_Model):
    """A delay distribution, in the unit its field name says (``_h``, ``_s``).

    lognormal: ``median`` and ``sigma`` (of the log); exponential: ``mean``;
    fixed: ``value``; empirical: ``values`` drawn with ``weights``.
    """

    # Lognormal, exponential, fixed or empirical.
    kind: Literal["lognormal", "exponential", "fixed", "empirical"] = "lognormal"
    median: float | None = Field(default=None, gt=0, le=1e6)  # lognormal: the median
    sigma: float | None = Field(default=None, ge=0, le=5)  # lognormal: sigma of the log
    mean: float | None = Field(default=None, gt=0, le=1e6)  # exponential: the mean
    value: float | None = Field(default=None, ge=0, le=1e6)  # fixed: the value
    values: list[Annotated[float, Field(le=1e6)]] | None = None  # empirical: the values
    # Empirical: their weights (default equal).
    weights: list[Annotated[float, Field(le=1e6)]] | None = None

    @model_validator(mode="after")
    def _params(self) -> Dist:
        need = {"lognormal": ("median", "sigma"), "exponential": ("mean",),
                "fixed": ("value",), "empirical": ("values",)}[self.kind]
        for name in need:
            if getattr(self, name) is None:
                raise ValueError(f"a {self.kind} distribution needs {name!r}")
        if self.kind == "empirical":
            assert self.values is not None
            if not self.values or min(self.values) < 0:
                raise ValueError("empirical values must be a non-empty list of non-negatives")
            if self.weights is not None and (len(self.weights) != len(self.values)
                                             or min(self.weights) < 0 or sum(self.weights) <= 0):
                raise ValueError("weights must match values, be non-negative and sum above 0")
        return self

    def mean_value(self) -> float:
        import math

        if self.kind == "lognormal":
            assert self.median is not None and self.sigma is not None
            return self.median * math.exp(self.sigma**2 / 2)
        if self.kind == "exponential":
            assert self.mean is not None
            return self.mean
        if self.kind == "fixed":
            assert self.value is not None
            return self.value
        assert self.values is not None
        w = self.weights or [1.0] * len(self.values)
        return sum(v * x for v, x in zip(self.values, w, strict=True)) / sum(w)


class Region(_Model):
    """A place parcels start from and go to; its facilities share its zone."""

    name: PlaceName  # named by facilities and faults
    city: str  # eventCity of its scans
    state: str = Field(min_length=2, max_length=2)  # two-letter state
    zip: str = Field(pattern=r"^[0-9]{5}$")  # eventZIP of its scans
    zone: str  # IANA time zone, e.g. America/Denver

    @field_validator("zone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        return known_zone(zone)
    # Area codes of its recipients' phones (three digits, the first 2-9); each belongs to
    # one region: a phone number names one person, in one place.
    area_codes: list[Annotated[str, Field(pattern=r"^[2-9][0-9]{2}$")]] = Field(min_length=1)

    @field_validator("area_codes")
    @classmethod
    def _numbers_the_engine_accepts(cls, codes: list[str]) -> list[str]:
        """Each area code's phones must be numbers the engine takes (libphonenumber valid,
        US or Canada): 555, 911 (N11 codes), unassigned codes and Caribbean ones passed
        the pattern and the run died on its first text. The first and last numbers a
        region can hand out (sim/people.py) stand for all of them."""
        from engine.phones import normalise

        for i, code in enumerate(codes):
            for n in (FIRST_NUMBER, LAST_NUMBER):
                try:
                    normalise(phone_number(code, n), field="phone")
                except InvalidInput as exc:
                    raise ValueError(f"{i}: area code {code} gives phones the engine refuses "
                                     f"({exc}): use an assigned US or Canadian area code"
                                     ) from None
        return codes

    origin_share: float = Field(ge=0, le=1e6)  # relative share of acceptances
    destination_share: float = Field(ge=0, le=1e6)  # relative share of deliveries

    @model_validator(mode="after")
    def _place_shown_in_texts(self) -> Region:
        try:  # the engine's own rule for a scan's place (no link in a text)
            check_place(self.city, self.state, self.zip)
        except InvalidInput as exc:
            raise ValueError(str(exc).replace("eventCity", "city")) from None
        return self


class Facility(_Model):
    """A facility, in one of two modes.

    ``sort`` (default): machines run ``capacity_per_hour`` inside its windows, local
    hours ``[start, end)``; ``end`` may pass midnight (22, 30).
    ``station``: a continuous multi-server station, open around the clock: every
    parcel queues FIFO for one of ``servers`` and is served for a ``service_s`` draw
    (a G/G/c queue; exponential service and Poisson-ish arrivals make it M/M/c, so
    its mean wait is checked against Erlang C from ``warmup_h`` after the start to
    the end of acceptance). Not for acceptance post offices.
    """

    name: PlaceName  # named by faults
    kind: Literal["acceptance", "rpdc", "lpc", "sdc"]  # post office, RPDC, LPC or S&DC
    region: str  # the region it serves
    mode: Literal["sort", "station"] = "sort"  # sort (machines in windows) or station
    # Sort mode: local hours [start, end) the machines run.
    windows: list[tuple[float, float]] = Field(default_factory=lambda: [(0.0, 24.0)])
    capacity_per_hour: float | None = Field(default=None, gt=0, le=1e9)  # sort mode
    servers: int | None = Field(default=None, ge=1)  # station mode
    service_s: Dist | None = None  # station mode: service time of one parcel
    # Station mode: the queueing check starts this long after the start.
    warmup_h: float = Field(default=24, ge=0, le=24 * 366)
    scale_capacity: bool = True  # --scale multiplies capacity (or servers) as well as volume

    @field_validator("windows", mode="before")
    @classmethod
    def _pairs(cls, value: object) -> object:
        """TOML writes a pair as an array: a tuple to the schema, also when strict."""
        if isinstance(value, list):
            return [tuple(v) if isinstance(v, list) else v for v in value]
        return value

    @model_validator(mode="after")
    def _windows(self) -> Facility:
        for start, end in self.windows:
            if not (0 <= start < 24 and start < end <= start + 24):
                raise ValueError(f"window ({start}, {end}) must have 0 <= start < 24 and "
                                 "start < end <= start + 24")
        if self.mode == "sort":
            if self.capacity_per_hour is None:
                raise ValueError("a sort facility needs 'capacity_per_hour'")
            if not self.windows:
                raise ValueError("a sort facility needs at least one window (its machines "
                                 "would never run)")
            if self.servers is not None or self.service_s is not None:
                raise ValueError("'servers' and 'service_s' are for mode = \"station\"")
        else:
            if self.kind == "acceptance":
                raise ValueError("an acceptance post office cannot be a station")
            if self.servers is None or self.service_s is None:
                raise ValueError("a station needs 'servers' and 'service_s'")
            if self.capacity_per_hour is not None or self.windows != [(0.0, 24.0)]:
                raise ValueError("a station runs around the clock with 'servers': no "
                                 "'capacity_per_hour' or 'windows'")
        return self


class Leg(_Model):
    """Trips between two kinds of facility: departures (local hours at the origin),
    a cut-off before each, and the transit time of each trip."""

    departures: list[float] = Field(min_length=1)  # local hours trips leave the origin
    cutoff_min: float = Field(default=30, ge=0)  # parcels must be ready this long before
    transit_h: Dist  # transit time of a trip
    transit_cross_region_h: Dist | None = None  # for trips between regions
    # Each parcel of a trip draws its own transit time (a stream of shuttles rather
    # than one truck): a trip's parcels arrive spread out, not as one batch.
    transit_per_parcel: bool = False

    @model_validator(mode="after")
    def _hours(self) -> Leg:
        if any(not 0 <= h < 24 for h in self.departures):
            raise ValueError("departures are local hours in [0, 24)")
        return self


class Delivery(_Model):
    """The last mile: sorted parcels go out in the morning, delivered through the day."""

    out_for_delivery_h: float = Field(default=8.5, ge=4, le=12)  # local hour parcels go out (OF)
    delivery_h: Dist = Dist(kind="lognormal", median=4.0, sigma=0.45)  # after OF
    attempted: float = Field(default=0.03, ge=0, le=1)       # 02 notice left
    no_access: float = Field(default=0.004, ge=0, le=1)      # 30
    receptacle_full: float = Field(default=0.004, ge=0, le=1)  # 54
    refused: float = Field(default=0.002, ge=0, le=1)        # 04, then 09
    undeliverable: float = Field(default=0.003, ge=0, le=1)  # 05, then 09
    available_for_pickup: float = Field(default=0.01, ge=0, le=1)  # 16, then 17
    pickup_delay_h: Dist = Dist(kind="lognormal", median=26, sigma=0.5)  # from 16 to 17 (picked up)
    sunday_delivery: bool = False  # deliver on Sundays too

    @model_validator(mode="after")
    def _one_outcome(self) -> Delivery:
        total = (self.attempted + self.no_access + self.receptacle_full + self.refused
                 + self.undeliverable + self.available_for_pickup)
        if total > 1:
            raise ValueError(f"the outcomes other than delivery add up to {total:g}, more "
                             "than 1 (attempted, no_access, receptacle_full, refused, "
                             "undeliverable, available_for_pickup)")
        return self


class Network(_Model):
    regions: list[Region] = Field(min_length=1)  # places parcels start from and go to
    facilities: list[Facility] = Field(min_length=1)  # one of each kind per region
    # The three legs: acceptance_to_rpdc, rpdc_to_lpc and lpc_to_sdc.
    legs: dict[Literal["acceptance_to_rpdc", "rpdc_to_lpc", "lpc_to_sdc"], Leg]
    delivery: Delivery = Delivery()  # the last mile
    service_days_same_region: int = Field(default=2, ge=1, le=10)  # promised days within a region
    service_days_cross_region: int = Field(default=3, ge=1, le=10)  # promised days between regions
    tick_min: float = Field(default=15, ge=1, le=60)  # minutes per step of the sort machines

    @model_validator(mode="after")
    def _consistent(self) -> Network:
        names = [r.name for r in self.regions]
        if len(set(names)) != len(names):
            raise ValueError("region names must be unique")
        seen: set[str] = set()
        for f in self.facilities:
            if f.name in seen:
                raise ValueError(f"facility names must be unique ({f.name!r} twice): faults "
                                 "name them")
            seen.add(f.name)
        owner: dict[str, str] = {}
        for region in self.regions:
            for code in region.area_codes:
                if owner.setdefault(code, region.name) != region.name:
                    raise ValueError(f"area code {code} is listed for regions {owner[code]!r} "
                                     f"and {region.name!r}: each belongs to one region")
        have = {(f.region, f.kind) for f in self.facilities}
        for i, f in enumerate(self.facilities):
            if f.region not in names:
                raise ValueError(f"facilities.{i}.region: facility {f.name!r} is in unknown "
                                 f"region {f.region!r} (the regions: {', '.join(names)})")
        for r in names:
            for kind in FACILITY_KINDS:
                if (r, kind) not in have:
                    raise ValueError(f"region {r!r} has no {kind} facility")
        if len(have) != len(self.facilities):
            raise ValueError("one facility of each kind per region")
        for leg in LEGS:
            if leg not in self.legs:
                raise ValueError(f"legs.{leg} is missing")
        if sum(r.origin_share for r in self.regions) <= 0:
            raise ValueError("origin shares sum to zero")
        if sum(r.destination_share for r in self.regions) <= 0:
            raise ValueError("destination shares sum to zero")
        return self
