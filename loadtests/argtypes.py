"""Types of the locustfiles' arguments: numbers checked in range as Locust parses them.

A plain ``locust -f loadtests/locustfile*.py`` run takes its settings from the
command line or ``ECCC_...`` variables; a negative speed-up or duration would
otherwise run and report nonsense. Locust's parser turns the error raised here
into one line naming the argument, exit 2. No Locust import: testable alone.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable


def positive(text: str) -> float:
    """A finite number above 0 (a length, a rate, a threshold)."""
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number above 0, got {text!r}")
    return value


def at_least_zero(text: str) -> float:
    """A finite number, 0 or more (0 is "off" or "not given" where the help says so)."""
    value = float(text)
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a finite number, 0 or more, got {text!r}")
    return value


def whole(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"must be a whole number, {low} or more, "
                                             f"got {text!r}")
        return value
    parse.__name__ = "whole number"  # argparse names the type in "invalid ... value"
    return parse


_LENGTH = re.compile(r"(?:(\d+(?:\.\d*)?)h)?(?:(\d+(?:\.\d*)?)m)?(?:(\d+(?:\.\d*)?)s)?")


def seconds(text: str) -> float:
    """A length in seconds: a number (``30``, ``-5``: range-checked later, by name) or
    Locust's ``--run-time`` form (``10s``, ``2m``, ``1h30m``, ``-5s``)."""
    stripped = text.strip()
    try:
        return float(stripped)
    except ValueError:
        pass
    sign = -1.0 if stripped.startswith("-") else 1.0
    body = stripped[1:] if stripped[:1] in ("+", "-") else stripped
    m = _LENGTH.fullmatch(body)
    if m is None or not any(m.groups()):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a length: give seconds (30) or units as Locust's --run-time "
            f"takes them (10s, 2m, 1h30m)")
    h, mi, s = (float(g) if g else 0.0 for g in m.groups())
    return sign * (h * 3600 + mi * 60 + s)
