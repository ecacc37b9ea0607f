"""What the engine asks its driver to do, and what it decided not to do.

Every decision not to send is an output with a reason code, so metrics can
count them without looking inside the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from engine.frozen import quick_init


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Sms:
    """A notification text to send. ``message_id`` is a stable idempotency key;
    ``event_at`` is when the scan it tells of happened (None for welcome texts),
    so drivers can measure scan-to-handset latency."""

    kind: ClassVar[str] = "sms"
    at: int
    to: str
    body: str
    message_id: str
    tracking_number: str | None
    encoding: str
    segments: int
    cause: str
    event_at: int | None = None


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """A text answering an inbound text (HELP, STOP confirmation, status...)."""

    kind: ClassVar[str] = "reply"
    at: int
    to: str
    body: str
    message_id: str
    tracking_number: str | None
    encoding: str
    segments: int
    cause: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Suppressed:
    """A text the engine decided not to send, and why (``reason``)."""

    kind: ClassVar[str] = "suppressed"
    at: int
    to: str
    tracking_number: str | None
    reason: str
    cause: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Redacted:
    """Part of outside text (a shop's name) left out of every text, and why
    (``reason``: link_domain, link_address, link_scheme, link_lookalike, link_phone)."""

    kind: ClassVar[str] = "redacted"
    at: int
    to: str
    tracking_number: str | None
    reason: str
    cause: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Held:
    """A text postponed until ``until`` (quiet hours, digest window)."""

    kind: ClassVar[str] = "held"
    at: int
    to: str
    tracking_number: str | None
    until: int
    reason: str
    cause: str


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class WakeAt:
    """Please feed ``Wake(at=...)`` at this instant (or any input at or after it)."""

    kind: ClassVar[str] = "wake_at"
    at: int


Output = Sms | Reply | Suppressed | Redacted | Held | WakeAt
Text = Sms | Reply
TEXTS = (Sms, Reply)  # for isinstance: ``Sms | Reply`` there builds a union per call
