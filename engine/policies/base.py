"""The one small interface every frequency policy implements.

A policy looks at a notice on its way out and answers: pass (``None``),
``Drop(reason)``, or ``Hold(until, reason)``. Policies compose in order; a held
notice resumes at the next policy when it comes due. ``sent`` is called for
every notification actually sent, so counting policies (caps) can count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from engine.errors import LocalMisuse
from engine.state import Notice, Phone, Sub


@dataclass(frozen=True, slots=True)
class Drop:
    reason: str


@dataclass(frozen=True, slots=True)
class Hold:
    until: int
    reason: str


Verdict = Drop | Hold | None


# The longest a policy may hold a text, and the longest window it may count over: a
# held text must come due within the engine's reach (``MAX_AHEAD_S``, 366 days) and a
# text held a month tells nobody anything.
LONGEST_HOLD_MIN = 30 * 24 * 60
LONGEST_WINDOW_H = 366 * 24


def need_range(name: str, value: int, low: int, high: int, what: str = "") -> None:
    """Refuse a parameter outside [low, high], naming it and the range."""
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {low:,} to {high:,}{what}, not {value:,}")


class Policy:
    """Base class; subclasses set ``name`` and override ``check``."""

    name: ClassVar[str] = ""
    # True for policies that judge the moment of sending (caps, quiet hours):
    # a held notice meets them again when it comes due.
    at_send: ClassVar[bool] = False

    def check(self, notice: Notice, now: int) -> Verdict:
        raise NotImplementedError

    def sent(self, notice: Notice, now: int) -> None:
        """A notification passed every policy and was sent at ``now``."""

    def forget(self, subs: Sequence[Sub], phones: Sequence[Phone]) -> None:
        """The engine forgot these (``engine.retention``): drop what is kept about them."""

    def holds(self, phone: Phone, now: int) -> bool:
        """Whether this policy still counts a text sent to ``phone`` as of ``now`` (one in
        its cap's or budget's window): the engine then keeps the phone, so that forgetting
        it never lifts a cap or a budget early. May say True for longer than needed."""
        return False

    def describe(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in sorted(vars(self).items()) if k[0] != "_")
        return f"{self.name}({params})" if params else self.name


REGISTRY: dict[str, Callable[..., Policy]] = {}


def register(cls: type[Policy]) -> type[Policy]:
    """Class decorator: make a policy available by name (also for plug-ins)."""
    if not cls.name:
        raise LocalMisuse(f"policy class {cls.__qualname__} has no name")
    REGISTRY[cls.name] = cls
    return cls
