"""Errors the engine raises.

Two kinds, as in h11: misuse by the local driver (a bug in our code) and bad
input from outside (a scan feed, a person, an HTTP client). Each carries the
HTTP status a shell would map it to, so no driver invents its own mapping.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base of everything the engine raises on purpose."""

    status_hint = 500


class InvalidInput(EngineError, ValueError):
    """Input from outside is malformed or impossible; nothing was changed.

    ``field`` names the offending field so a driver can point at it.
    """

    status_hint = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class LocalMisuse(EngineError, RuntimeError):
    """The driver broke the engine's contract (e.g. an unknown policy name)."""

    status_hint = 500
