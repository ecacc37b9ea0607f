"""Types of the locustfiles' arguments: numbers checked in range as Locust parses them.

A plain ``locust -f loadtests/locustfile*.py`` run takes its settings from the
command line or ``ECCC_...`` variables; a negative speed-up or duration would
otherwise run and report nonsense. Locust's parser turns the error raised here
into one line naming the argument, exit 2. No Locust import: testable alone.
"""

from __future__ import annotations

import argparse
import math
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
