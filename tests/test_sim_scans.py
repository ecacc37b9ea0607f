"""Scans as the model builds them (``sim.scans``, ``sim.dists.offset_min``)."""

from __future__ import annotations

from sim import dists


def test_one_int_per_utc_offset() -> None:
    """Every scan carries its UTC offset in minutes: one shared object per offset."""
    t = 1_765_000_000
    a = dists.offset_min(t, "America/New_York")
    b = dists.offset_min(t + 3_600, "America/New_York")
    assert a == b == -300 and a is b
    assert dists.offset_min(t, "America/Los_Angeles") == -480
