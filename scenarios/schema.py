"""The scenario schema: plain validated data that the model is built from (as in Ciw).

A scenario is a TOML file; ``load`` turns it into a ``Scenario`` or raises
``ScenarioError`` whose message names the file and the offending field
(``scenarios/x.toml: network.facilities.2.capacity_per_hour: ...``). Every
model is ``extra="forbid"``: a misspelt key is an error, not a silent default.
Defaults are documented figures from docs/facts.md; the shipped files cite
them again where they use them.
"""

from __future__ import annotations

import math
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from scenarios.network import (  # noqa: F401  (the schema's public names)
    FACILITY_KINDS,
    LEGS,
    Delivery,
    Dist,
    Facility,
    Leg,
    Network,
    Region,
    _Model,
    known_zone,
)

SCENARIO_DIR = Path(__file__).resolve().parent


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names file and field."""


class Surge(_Model):
    """Volume multiplier on a range of dates (inclusive)."""

    start: date = Field(strict=False)  # first day
    end: date = Field(strict=False)  # last day (inclusive)
    factor: float = Field(gt=0, le=100)  # volume multiplier

    @model_validator(mode="after")
    def _ordered(self) -> Surge:
        if self.end < self.start:
            raise ValueError(f"a surge ends ({self.end}) before it starts ({self.start})")
        return self


class Volume(_Model):
    daily_parcels: float = Field(gt=0, le=1e9)  # at --scale 1, an ordinary weekday
    # Share of a day's acceptances in each local hour (24 weights, normalised).
    hourly_curve: list[Annotated[float, Field(le=1e6)]] = Field(
        default_factory=lambda: [0, 0, 0, 0, 0, 0, 0.5, 1, 3, 5, 7, 8, 9, 9, 9, 9, 8, 7, 6,
                                 4, 2, 1, 0.5, 0],
        min_length=24, max_length=24)
    # Monday..Sunday multipliers (light Sundays), each at most 10.
    weekday_factor: list[Annotated[float, Field(le=10)]] = Field(
        default_factory=lambda: [1.1, 1.05, 1.0, 1.0, 1.0, 0.8, 0.4], min_length=7,
        max_length=7)
    # Holiday surges; where they overlap their factors multiply, at most 100 on any day.
    surges: list[Surge] = Field(default_factory=list)
    label_lead_h: Dist = Dist(kind="lognormal", median=6, sigma=0.8)  # GX before 03

    @model_validator(mode="after")
    def _weights(self) -> Volume:
        for name in ("hourly_curve", "weekday_factor"):
            values = getattr(self, name)
            if min(values) < 0 or sum(values) <= 0:
                raise ValueError(f"{name}: weights must be non-negative, not all zero")
        # Overlapping surges multiply: a sweep over their starts and ends finds the day
        # with the largest product (10,000 surges of 1.01 on one day were 2e43 parcels).
        edges = sorted([(s.start.toordinal(), math.log(s.factor)) for s in self.surges]
                       + [(s.end.toordinal() + 1, -math.log(s.factor)) for s in self.surges])
        level = peak = 0.0
        for i, (day, step) in enumerate(edges):
            level += step
            if (i + 1 == len(edges) or edges[i + 1][0] != day) and level > peak:
                peak = level
                if peak > math.log(100) + 1e-12:
                    raise ValueError(f"surges: overlapping surges multiply to "
                                     f"{math.exp(min(peak, 700)):.3g} on "
                                     f"{date.fromordinal(day)}; at most 100 on any day")
        return self


class ScanQuality(_Model):
    """Scan errors (docs/facts.md, Inspector General audits). Defaults are 0:
    the shipped scenarios set the audit figures and say so."""

    missing_facility_scan: float = Field(default=0.0, ge=0, le=1)  # 9% (2023)
    premature_out_for_delivery: float = Field(default=0.0, ge=0, le=1)  # 33% (2023)
    early_delivered: float = Field(default=0.0, ge=0, le=1)  # 17% (FY2019)
    vague_location: float = Field(default=0.0, ge=0, le=1)  # "almost all" (2023)


class Fatigue(_Model):
    """Opt-out hazard per text received (see sim/customers.py):
    p = 1 - exp(-base * exp(slope * max(0, n24 - free)) * weekend), where n24 is
    the texts the person received in the last 24 hours including this one."""

    base: float = Field(default=0.002, ge=0)  # hazard per text, unfatigued
    slope: float = Field(default=0.35, ge=0, le=10)  # growth per text past `free`
    free: int = Field(default=2, ge=0)  # texts in 24 h before fatigue grows
    weekend_factor: float = Field(default=2.0, ge=0)  # multiplier at weekends


class Customers(_Model):
    """Who follows parcels by text, and how they behave."""

    # Share of parcels followed by text, by channel (docs/facts.md: checkout, tracking page, text).
    opt_in: dict[str, float] = Field(
        default_factory=lambda: {"checkout": 0.03, "tracking_page": 0.015, "text": 0.005})
    confirm_yes: float = Field(default=0.8, ge=0, le=1)  # tracking page: reply YES
    # Weights of the update options people choose.
    options: dict[str, Annotated[float, Field(le=1e6)]] = Field(
        default_factory=lambda: {"all": 0.6, "day_of_delivery": 0.15, "delivered": 0.15,
                                 "exceptions": 0.1})
    parcels_per_recipient: float = Field(default=1.5, ge=1)  # parcels per person following
    # Replies, each a chance per notification that reaches the phone (not opted out):
    # "<tracking number> WHEN" (any option set: the engine adds expected-delivery
    # updates to the subscription and keeps the rest), "HELP", and "QUIET" (at most
    # once per person). No public figure exists for these; the defaults are small
    # guesses that keep the inbound paths exercised, not facts.
    status_question: float = Field(default=0.01, ge=0, le=1)
    help_request: float = Field(default=0.001, ge=0, le=1)  # chance per notification of HELP
    quiet_request: float = Field(default=0.0005, ge=0, le=1)  # chance of QUIET (once per person)
    fatigue: Fatigue = Fatigue()  # opt-out hazard per text
    # "Where is my order": chance a late parcel's customer contacts care.
    care_if_uninformed: float = Field(default=0.35, ge=0, le=1)
    care_if_informed: float = Field(default=0.10, ge=0, le=1)  # the same, told by text
    care_delay_h: Dist = Dist(kind="exponential", mean=3.0)  # from lateness to the call
    # From a text to the person's reply.
    reaction_s: Dist = Dist(kind="lognormal", median=120, sigma=1.0)

    @model_validator(mode="after")
    def _shares(self) -> Customers:
        if sum(self.opt_in.values()) > 1:
            raise ValueError("opt-in shares sum above 1")
        if self.status_question + self.help_request + self.quiet_request > 1:
            raise ValueError("status_question + help_request + quiet_request sum above 1")
        for channel, share in self.opt_in.items():
            if channel not in ("checkout", "tracking_page", "text"):
                raise ValueError(f"opt_in: unknown channel {channel!r} (checkout, "
                                 "tracking_page, text)")
            if share < 0:
                raise ValueError(f"opt_in: {channel} share is negative")
        from engine.inputs import OPTIONS

        for name in self.options:
            if name not in OPTIONS:
                raise ValueError(f"unknown update option {name!r}")
        if not self.options or sum(self.options.values()) <= 0:
            raise ValueError("options need a positive weight")
        return self


class Shift(_Model):
    start_h: float = Field(ge=0, lt=24)  # local hour the shift starts
    end_h: float = Field(gt=0, le=24)  # local hour it ends
    agents: int = Field(ge=0, le=1_000_000)  # agents on shift

    @model_validator(mode="after")
    def _ordered(self) -> Shift:
        if self.end_h <= self.start_h:
            raise ValueError(f"a shift ends ({self.end_h:g}) after it starts "
                             f"({self.start_h:g}); a night shift is two: 20-24 and 0-8")
        return self


class Care(_Model):
    """The customer-care centre: agents by shift, calls wait and may abandon."""

    zone: Annotated[str, AfterValidator(known_zone)] = "America/Chicago"  # IANA zone of the shifts
    # Agents by shift.
    shifts: list[Shift] = Field(default_factory=lambda: [Shift(start_h=8, end_h=20, agents=10)])
    scale_agents: bool = True  # --scale multiplies agents
    service_s: Dist = Dist(kind="lognormal", median=300, sigma=0.5)  # talk time of one contact
    patience_s: Dist = Dist(kind="exponential", mean=600)  # wait before a caller abandons
    # Callers who find the centre closed call after it opens, this much later.
    open_delay_h: Dist = Dist(kind="exponential", mean=2.0)
    cost_per_contact_usd: float = Field(default=5.0, ge=0, le=1e6)  # docs/facts.md: vendor claim


class Retention(_Model):
    """How long the engine keeps a parcel it no longer needs (engine/retention.py): the
    memory of a long run is mostly parcels in transit and those kept here."""

    # Kept this long after its delivery or return: a late or repeated scan is still
    # known (a duplicate, not "forgotten") and a WHEN still gets its status.
    after_close_days: float = Field(default=3.0, ge=0, le=3660)
    silent_days: float = Field(default=30.0, gt=0, le=3660)  # kept this long after its last scan

    @model_validator(mode="after")
    def _order(self) -> Retention:
        if self.silent_days < self.after_close_days:
            raise ValueError("silent_days must be at least after_close_days")
        return self


class Gateway(_Model):
    """The SMS gateway and carriers (docs/facts.md: short code 100 msg/s; up to 5.1% failures)."""

    rate_per_s: float = Field(default=100, gt=0)  # messages a second (US short code)
    scale_rate: bool = False  # --scale multiplies the rate
    # From submission to the handset.
    carrier_delay_s: Dist = Dist(kind="lognormal", median=4, sigma=0.8)
    failure: float = Field(default=0.02, ge=0, le=1)  # chance an attempt fails
    retries: int = Field(default=2, ge=0)  # retries after a failure
    retry_after_s: float = Field(default=60, ge=0)  # wait before a retry
    validity_s: float = Field(default=4 * 3600, gt=0)  # undelivered by then: expired
    cost_per_segment_usd: float = Field(default=0.0083 + 0.0040, ge=0, le=1e6)  # docs/facts.md
    short_code_usd_per_month: float = Field(default=1000, ge=0, le=1e9)  # the short code's lease


class Fault(_Model):
    """A scheduled fault: a facility closed, the carrier down, or a storm
    multiplying transit times of trips leaving a region."""

    # Facility_closure, carrier_outage or storm.
    kind: Literal["facility_closure", "carrier_outage", "storm"]
    start: str  # ISO 8601 with offset, in the years 1971 to 2999
    hours: float = Field(gt=0, le=24 * 366)  # how long
    facility: str | None = None  # facility_closure: which facility
    region: str | None = None  # storm: trips leaving this region slow down
    factor: float = Field(default=1.0, gt=0, le=100)  # storm: transit time multiplier

    @field_validator("start", mode="before")
    @classmethod
    def _toml_datetime(cls, value: object) -> object:
        """A TOML date-time written bare (``start = 2026-11-10T10:00:00-07:00``) is the
        same time as the quoted string."""
        from datetime import datetime

        return value.isoformat() if isinstance(value, datetime) else value

    @model_validator(mode="after")
    def _target(self) -> Fault:
        if self.kind == "facility_closure" and not self.facility:
            raise ValueError("a facility_closure needs 'facility'")
        if self.kind == "storm" and not self.region:
            raise ValueError("a storm needs 'region'")
        from datetime import datetime

        try:
            at = datetime.fromisoformat(self.start)
            if at.utcoffset() is None:
                raise ValueError
        except ValueError:
            raise ValueError(f"start {self.start!r} must be ISO 8601 with an offset") from None
        if not 1971 <= at.year <= 2999:  # the years a scenario may start in
            raise ValueError(f"start {self.start!r} must be in the years 1971 to 2999")
        return self


class Station(_Model):
    """A continuous M/M/c-style station fed by Poisson arrivals (validation)."""

    arrival_rate_per_h: float = Field(gt=0, le=10_000)  # Poisson arrivals an hour
    servers: int = Field(ge=1, le=1000)  # c
    service_h: Dist  # service time: a positive mean, utilisation below 1
    warmup_h: float = Field(default=0, ge=0, le=24 * 366)  # the queueing check starts after this

    @model_validator(mode="after")
    def _stable(self) -> Station:
        mean = self.service_h.mean_value()
        if mean <= 0:
            raise ValueError("service_h: the mean service time must be above 0 (Erlang C "
                             "divides by it)")
        rho = self.arrival_rate_per_h * mean / self.servers
        if rho >= 1:
            raise ValueError(f"utilisation arrival_rate_per_h x mean service_h / servers is "
                             f"{rho:.4g}: it must be below 1 (an overloaded queue has no "
                             "steady state for Erlang C to check)")
        return self


WHAT_IFS = ("faults", "surges", "scans", "policies")


class Counterfactual(_Model):
    """What the scenario is compared with: itself with its what-if switched off, or a
    named baseline. ``eccc run`` runs both on the same seeds (common random numbers).

    ``off`` lists the what-ifs to switch off: ``faults`` (no closures, carrier
    outages or storms), ``surges`` (no volume surges), ``scans`` (no scan errors),
    ``policies`` (the ``policies`` given here instead of the scenario's), each at most
    once and only what the scenario has (``off = ["surges"]`` without surges is an
    error). Or ``scenario`` names another scenario (a shipped name, or a TOML path
    relative to this file's directory), run with the same seed, scale and days, so it
    cannot differ in those alone. ``eccc run`` refuses a counterfactual that would run
    exactly as the scenario (also once ``--policy`` is applied), and warns when a
    switched-off fault or surge lies wholly outside the run's days.
    """

    label: str = Field(min_length=1)  # what the counterfactual is, for the report
    # What-ifs to switch off: faults, surges, scans, policies.
    off: list[Literal["faults", "surges", "scans", "policies"]] = Field(default_factory=list)
    policies: list[str] | None = None  # with off = ["policies"]: the counterfactual's chain
    # Or: a named baseline (a shipped name, or a TOML path relative to this file).
    scenario: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Counterfactual:
        if not self.off and not self.scenario and self.policies is not None:
            raise ValueError("'policies' (the counterfactual's chain) is given without "
                             "off = [\"policies\"]: add it to switch the scenario's chain off")
        if bool(self.off) == bool(self.scenario):
            raise ValueError("give either 'off' (what-ifs to switch off) or 'scenario' "
                             "(a named baseline)")
        if ("policies" in self.off) != (self.policies is not None):
            raise ValueError("off = ['policies'] and 'policies' (the counterfactual's "
                             "chain) go together")
        return self

    @field_validator("policies")
    @classmethod
    def _policies(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            _check_policies(value)
        return value

    @field_validator("label")
    @classmethod
    def _label(cls, value: str) -> str:
        return _one_line(value)

    @field_validator("off")
    @classmethod
    def _once(cls, value: list[str]) -> list[str]:
        for i, what in enumerate(value):
            if what in value[:i]:
                raise ValueError(f"{what!r} is listed twice")
        return value


def _one_line(value: str) -> str:
    """A label shown in a heading and a terminal header: some text, on one line."""
    if not value.strip():
        raise ValueError("is blank: say what the counterfactual is (it heads the report)")
    bad = next((c for c in value if ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        raise ValueError(f"has a control character ({bad!r}): it must be one line of text")
    return value.strip()


def _check_policies(value: list[str]) -> None:
    from engine.policies import build

    try:
        build(tuple(value))
    except Exception as exc:
        raise ValueError(str(exc)) from None


# A name that is also a directory name under runs/: no path, no leading dot.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"


def check_name(name: str, where: object) -> None:
    """Refuse a sweep's or tune's ``name`` that could not be a directory under runs/."""
    if not re.fullmatch(NAME_PATTERN, name):
        raise ValueError(f"{where}: name {name[:100]!r} must be letters, digits, '_', '.' or "
                         "'-' (at most 80, not starting with '.'): it names the output directory")


# Bounds a run can use, shared with the command line (eccc run --scale, --days, --seed)
# and the study files' seeds.
MAX_SCALE = 100  # 1 is national volume
MAX_DAYS = 366
MAX_SEED = 2**63 - 1
# The simulated days after the last acceptance a run goes on for by default (``eccc run``,
# sim.run.run_to_dir and the model): the network empties, late texts and receipts come in,
# and a fault in them still reaches the run (a carrier outage while parcels still move).
DRAIN_DAYS = 4.0


class Scenario(_Model):
    name: str = Field(pattern=NAME_PATTERN)  # the run's name (runs/NAME-SEED/ by default)
    description: str = ""  # one line for reports
    # First day of acceptances (a TOML date, or the same written as a string).
    start: date = Field(ge=date(1971, 1, 1), le=date(2999, 12, 31), strict=False)
    days: float = Field(gt=0, le=MAX_DAYS)  # days of acceptances (the run then drains)
    seed: int = Field(default=1, ge=0, le=MAX_SEED)  # default seed (eccc run --seed overrides it)
    # Volume multiplier when the command line gives none (eccc run --scale overrides it).
    scale: float = Field(default=1.0, gt=0, le=MAX_SCALE)
    # Engine policy chain, in order, e.g. ["milestones", "cap_rolling:limit=3"].
    policies: list[str] = Field(default_factory=lambda: ["every_scan"])
    # The postal network (with volume); absent for station-only scenarios.
    network: Network | None = None
    volume: Volume | None = None  # parcels accepted by hour and day
    scans: ScanQuality = ScanQuality()  # scan errors
    customers: Customers = Customers()  # who follows parcels by text, and how
    care: Care = Care()  # the customer-care centre
    gateway: Gateway = Gateway()  # the SMS gateway and carriers
    retention: Retention = Retention()  # how long the engine keeps closed and silent parcels
    faults: list[Fault] = Field(default_factory=list)  # scheduled faults
    stations: list[Station] = Field(default_factory=list)  # continuous M/M/c stations (validation)
    # Figures this scenario is calibrated against: metric name -> target (docs/facts.md).
    calibration: dict[str, float] = Field(default_factory=dict)
    # A what-if's counterfactual: eccc run runs it too and reports what changed.
    counterfactual: Counterfactual | None = None
    # The file it was read from (``load``), so that a relative counterfactual.scenario is
    # found beside it and errors name it; None for a scenario built in memory.
    _source: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _whole(self) -> Scenario:
        if (self.network is None) != (self.volume is None):
            raise ValueError("network and volume go together")
        if self.network is None and not self.stations:
            raise ValueError("a scenario needs a network (with volume) or stations")
        if self.network is not None:
            names = {f.name for f in self.network.facilities}
            regions = {r.name for r in self.network.regions}
            for i, f in enumerate(self.faults):
                if f.facility and f.facility not in names:
                    raise ValueError(f"faults.{i}.facility: unknown facility {f.facility!r} "
                                     f"(the network's: {', '.join(sorted(names))})")
                if f.region and f.region not in regions:
                    raise ValueError(f"faults.{i}.region: unknown region {f.region!r} "
                                     f"(the network's: {', '.join(sorted(regions))})")
        return self

    @field_validator("policies")
    @classmethod
    def _policies(cls, value: list[str]) -> list[str]:
        _check_policies(value)
        return value

    @property
    def where(self) -> str:
        """How errors name this scenario: its file, else its name."""
        return self._source or f"scenario {self.name!r}"

    def without_what_if(self) -> Scenario:
        """The counterfactual scenario: this one with its what-ifs switched off, or the
        named one (``ScenarioError`` if it cannot be read)."""
        cf = self.counterfactual
        if cf is None:
            raise ValueError(f"scenario {self.name!r} names no counterfactual")
        if cf.scenario is not None:
            base = Path(self._source).parent if self._source else None
            try:
                return load(cf.scenario, relative_to=base)
            except ScenarioError as exc:
                raise ScenarioError(f"{self.where}: counterfactual.scenario: {exc}") from None
        data = self.model_dump(mode="json", exclude={"counterfactual"})
        if "faults" in cf.off:
            data["faults"] = []
        if "surges" in cf.off and data.get("volume"):
            data["volume"]["surges"] = []
        if "scans" in cf.off:
            data["scans"] = {}
        if "policies" in cf.off:
            data["policies"] = list(cf.policies or [])
        return Scenario.model_validate(data)


def resolve(name_or_path: str, relative_to: Path | None = None) -> Path:
    """A shipped scenario's name (``baseline``) or a path to a TOML file; a relative path
    is taken from ``relative_to`` when given (a scenario file's directory), else from the
    working directory."""
    p = Path(name_or_path)
    local = relative_to / p if relative_to is not None and not p.is_absolute() else p
    if local.is_file():
        return local
    shipped_file = SCENARIO_DIR / f"{name_or_path}.toml"
    if _is_name(name_or_path) and shipped_file.is_file():
        # A directory (or anything but a file) named tiny in the working directory does
        # not hide the shipped tiny: it is no scenario file ("tiny: no such scenario file").
        return shipped_file
    if p.suffix == ".toml" or local.exists():
        return local  # load says what it is: missing, a directory, not a regular file
    return shipped_file


def _is_name(text: str) -> bool:
    """A bare name (``tiny``), as a shipped scenario is named: no path, no suffix."""
    return bool(re.fullmatch(r"[A-Za-z0-9_-]+", text))


def shipped() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def _not_found(name_or_path: str, path: Path) -> str:
    """Why ``path`` (resolved from ``name_or_path``) is no scenario file, in one line,
    with a suggestion for a typo of a shipped name (as --policy and metrics do)."""
    import difflib

    if path.is_dir():
        same = SCENARIO_DIR / f"{path.name}.toml"
        return f"{path} is a directory, not a scenario file" + (
            f"; the shipped scenario is {path.name} ({same})" if same.is_file() else "")
    if path.exists():
        return f"{path} is not a regular file; a scenario is a TOML file"
    known = shipped()
    close = difflib.get_close_matches(Path(name_or_path).stem, known, n=3, cutoff=0.6)
    hint = ("; did you mean " + " or ".join(close) + "?") if close else ""
    return f"{path}: no such scenario file{hint} (shipped: {', '.join(known)})"


def load(name_or_path: str, relative_to: Path | None = None) -> Scenario:
    """Read and validate a scenario; ``ScenarioError`` names the file and field."""
    if not name_or_path.strip():  # Path("") is ".": it was "no such scenario file" of .
        raise ScenarioError("no scenario given (an empty name): name a shipped scenario "
                            f"({', '.join(shipped())}) or a TOML file")
    path = resolve(name_or_path, relative_to)
    if not path.is_file():
        raise ScenarioError(_not_found(name_or_path, path))
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))  # a BOM is allowed
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses on nested arrays: 5,000 '[' was a traceback
        raise ScenarioError(f"{path}: not a usable TOML file: arrays or tables nested too "
                            "deeply") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    sc = parse(data, str(path))
    sc._source = str(path)
    return sc


def parse(data: dict[str, object], source: str = "<scenario>") -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            msg = err["msg"].removeprefix("Value error, ")
            field = re.match(r"([a-z_]+(?:\.[a-z0-9_]+)+): ", msg)
            if field:  # a check of a whole table names the field it refuses
                where = field[1] if where == "(top level)" else f"{where}.{field[1]}"
                msg = msg[field.end():]
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            lines.append(f"{source}: {where}: {msg}")
        raise ScenarioError("\n".join(lines)) from None
