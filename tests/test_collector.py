"""A run raises the collector's thresholds while it runs and puts the caller's back."""

from __future__ import annotations

import gc
from typing import Any

from scenarios.schema import load
from sim.model import Model
from sim.pumpqueue import few_collections


def test_a_run_collects_less_often_and_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    seen: list[tuple[int, ...]] = []

    def progress(m: Any, now: float) -> None:
        seen.append(gc.get_threshold())

    m = Model(load("tiny"), days=0.2, drain_days=0.2, log_messages=False)
    m.run(progress=progress)
    assert seen and all(t[0] > before[0] for t in seen)
    assert gc.get_threshold() == before


def test_nested_settings_return_to_the_outer_one() -> None:
    before = gc.get_threshold()
    with few_collections():
        outer = gc.get_threshold()
        with few_collections():
            pass
        assert gc.get_threshold() == outer != before  # no restore in the middle of a run
    assert gc.get_threshold() == before
