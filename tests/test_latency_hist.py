"""Latency histograms: fixed bins, exact merges, percentiles within a bin of the raw values."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from engine.tally import percentile
from sim.latency import LatencyHistogram, bin_of, lower_edge

values = st.lists(st.floats(min_value=0.0, max_value=1e6, allow_nan=False), min_size=1,
                  max_size=300)


def _hist(xs: list[float]) -> LatencyHistogram:
    h = LatencyHistogram()
    for x in xs:
        h.add(x)
    return h


@given(values, st.sampled_from([0.0, 0.5, 0.95, 0.99, 1.0]))
def test_percentile_is_the_bin_of_the_raw_percentile(xs: list[float], q: float) -> None:
    exact = percentile(sorted(xs), q)
    got = _hist(xs).percentile(q)
    assert got == round(lower_edge(bin_of(exact)), 6)
    assert got <= exact + 1e-6
    assert exact - got <= max(1e-3, 1e-3 * exact) + 1e-6


@given(values, values)
def test_two_histograms_merge_into_the_histogram_of_both(a: list[float], b: list[float]) -> None:
    ha, hb = _hist(a), _hist(b)
    ha.merge(hb)
    both = _hist(a + b)
    assert ha.counts == both.counts and ha.n == both.n
    assert np.isclose(ha.total, both.total)
    assert ha.to_json()["values"] == both.to_json()["values"]


def test_mean_is_exact_and_quantiles_follow_the_cdf() -> None:
    xs = [0.25, 3.5, 3.5, 100.0, 86_400.0]
    h = _hist(xs)
    assert h.mean == sum(xs) / len(xs)
    q = h.quantiles(5)
    assert q == sorted(q) and len(q) == 5 and q[0] == 0.25 and abs(q[-1] - 86_400) < 87
