"""The notification engine: typed inputs in, typed outputs out.

Sans-IO (like h11): no clock, no randomness, no I/O, no threads. Time arrives
with each input; the engine's "now" is the latest time it has seen. A text
postponed by a policy comes back as ``WakeAt``; the driver feeds ``Wake`` then
(any later input also releases what is due). The same inputs in the same
order give the same outputs, byte for byte: nothing here iterates a set or
depends on hashing order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

from engine import templates
from engine.errors import InvalidInput
from engine.inbound import OPTION_BITS, Inbound, option_names
from engine.inputs import Input, Receipt, Scan, SmsIn, Subscribe, Wake
from engine.outbox import IN_FLIGHT_LIMIT, message_id
from engine.outputs import Output, WakeAt
from engine.policies import Policy, build
from engine.policies.quiet import QuietHours
from engine.records import format_time
from engine.release import Release
from engine.retention import Retention, RetentionConfig
from engine.scanning import UNREACHABLE_AFTER
from engine.state import Notice, Parcel, Phone

__all__ = [
    "IN_FLIGHT_LIMIT", "OPTION_BITS", "UNREACHABLE_AFTER", "Engine", "EngineConfig",
    "message_id", "option_names",
]


# An input this far after the engine's clock is refused: time only moves forward, and
# a jump of years (a mistyped year) would make every parcel silent and forgotten.
MAX_AHEAD_S: Final = 366 * 86_400


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineConfig:
    """How the engine behaves. ``policies`` are specs for ``policies.build``."""

    policies: tuple[str, ...] = ("every_scan",)
    brand: templates.Brand = field(default_factory=templates.Brand)
    # What the engine forgets and when (engine.retention); None keeps everything.
    retention: RetentionConfig | None = field(default_factory=RetentionConfig)


class Engine(Retention, Inbound, Release):
    """One engine instance holds all state; ``handle`` is the only way in."""

    def __init__(self, config: EngineConfig | None = None) -> None:
        self.config = config or EngineConfig()
        self.brand = self.config.brand
        policies = build(self.config.policies)
        if not any(isinstance(p, QuietHours) for p in policies):
            # A person's own QUIET request holds whatever the operator's policies:
            # the legal window is then the whole day, only QUIET applies.
            policies += (QuietHours(start=0, end=24, strict_end=24),)
        self.policies: tuple[Policy, ...] = policies
        self.now = 0
        self.parcels: dict[str, Parcel] = {}
        self.phones: dict[str, Phone] = {}
        self._places: dict[str, int] = {"": 0}
        self._place_names: list[str] = [""]
        self._held: list[tuple[int, int, Notice]] = []
        self._seq = 0
        self._wake_asked: int | None = None
        self._in_flight: dict[str, Phone] = {}  # message id -> phone, until its receipt
        self._sids: dict[str, None] = {}  # provider ids of texts received (oldest first)
        self.unknown_receipts = 0
        self._init_retention(self.config.retention)
        self._dispatch: dict[type, Callable[[Input, list[Output]], None]] = {
            Scan: self._on_scan,  # type: ignore[dict-item]
            Subscribe: self._on_subscribe,  # type: ignore[dict-item]
            SmsIn: self._on_sms_in,  # type: ignore[dict-item]
            Receipt: self._on_receipt,  # type: ignore[dict-item]
            Wake: self._on_wake,  # type: ignore[dict-item]
        }

    # ------------------------------------------------------------------ entry
    def handle(self, inp: Input) -> list[Output]:
        """Process one input; return what to do, in order.

        Raises ``InvalidInput`` for bad input, having changed nothing.
        """
        handler = self._dispatch.get(type(inp))
        if handler is None:
            raise InvalidInput(f"not an engine input: {type(inp).__name__}")
        at = inp.at
        if type(inp) is Subscribe or type(inp) is SmsIn:
            self._check(inp)  # refuse bad input before anything moves, held texts included
        elif at > self.now + MAX_AHEAD_S and self.now:
            self._refuse_far_ahead(at)  # what _check does first, for the other kinds
        out: list[Output] = []
        if at >= self._next_sweep:
            self._retain(at)
        if at > self.now:
            self.now = at
        if type(inp) is Scan and self._tombstones:
            self._note_scan(inp.tracking_number)
        if self._held and self._held[0][0] <= at:
            self._release(out)
        handler(inp, out)
        if self._held:
            due = self._held[0][0]
            if due != self._wake_asked:
                self._wake_asked = due
                out.append(WakeAt(at=due))
        return out

    def feed(self, inp: Input) -> list[Output]:
        """``handle`` for drivers that keep time by the inputs themselves: first
        fire, as ``Wake`` inputs, the wake-ups due at or before ``inp.at``, so
        held texts go out at their own time, then handle ``inp``."""
        held = self._held
        at = inp.at
        if not held or held[0][0] > at:
            return self.handle(inp)
        self._check(inp)  # a bad input must not cost the texts its wake-ups release
        out: list[Output] = []
        while held and held[0][0] <= at:
            out.extend(self.handle(Wake(at=held[0][0])))
        out.extend(self.handle(inp))
        return out

    def drain(self, until: int | None = None) -> list[Output]:
        """Fire every wake-up (up to ``until``): the end of a trace."""
        out: list[Output] = []
        while self._held and (until is None or self._held[0][0] <= until):
            out.extend(self.handle(Wake(at=self._held[0][0])))
        return out

    def handle_all(self, inputs: Iterable[Input]) -> list[Output]:
        """Feed every input in order, then drain the held texts."""
        out: list[Output] = []
        for inp in inputs:
            out.extend(self.feed(inp))
        out.extend(self.drain())
        return out

    def validate(self, inp: Input) -> None:
        """Raise InvalidInput if ``handle`` would refuse ``inp``; change nothing.

        The one validation every driver runs before anything moves: a driver
        that fires due wake-ups itself (the HTTP shim) calls this first, so a
        refused input releases no held text, as in ``feed``."""
        self._check(inp)

    def _refuse_far_ahead(self, at: int) -> None:
        raise InvalidInput(
            f"'at' {format_time(at)} is more than {MAX_AHEAD_S // 86_400} days after the "
            f"engine's clock ({format_time(self.now)}): a mistyped year would make the engine "
            f"forget every parcel as silent", field="at")

    def _check(self, inp: Input) -> None:
        """Raise InvalidInput for what a handler would refuse, changing nothing."""
        if inp.at > self.now + MAX_AHEAD_S and self.now:
            self._refuse_far_ahead(inp.at)
        if type(inp) is Subscribe:
            self._e164(inp.phone)
            zip_code = inp.destination_zip
            if zip_code is not None and not (zip_code[:5].isdigit() and len(zip_code) in (5, 10)):
                raise InvalidInput(f"destinationZIP {zip_code!r} is not a ZIP code",
                                   field="destinationZIP")
        elif type(inp) is SmsIn:
            self._e164(inp.sender, field="from")

    @property
    def next_wake(self) -> int | None:
        """When the earliest held text comes due, if any."""
        return self._held[0][0] if self._held else None
