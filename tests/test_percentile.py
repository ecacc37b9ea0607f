"""One percentile for the whole project: the inverted empirical CDF."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.tally import percentile, percentile_of_counts

SHARES = st.one_of(st.sampled_from([0.0, 0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 1.0]),
                   st.floats(0.0, 1.0))


@given(st.lists(st.integers(-1000, 1000), min_size=1, max_size=200), SHARES)
def test_matches_numpy_inverted_cdf(values: list[int], q: float) -> None:
    a = np.sort(np.asarray(values, dtype=float))
    assert percentile(a, q) == float(np.quantile(a, q, method="inverted_cdf"))
    assert percentile(sorted(values), q) == percentile(a, q)


@given(st.dictionaries(st.integers(0, 50), st.integers(1, 30), min_size=1), SHARES)
def test_histogram_gives_the_same_value_as_the_samples(hist: dict[int, int], q: float) -> None:
    values = sorted(hist)
    counts = [hist[v] for v in values]
    expanded = [v for v in values for _ in range(hist[v])]
    assert percentile_of_counts(values, counts, q) == percentile(expanded, q)


def test_nearest_rank_examples_and_edges() -> None:
    assert percentile([2, 2, 4, 9], 0.5) == 2.0  # at least half are <= 2
    assert percentile([2, 2, 4, 9], 0.51) == 4.0
    assert percentile(list(range(1, 21)), 0.95) == 19.0  # 0.95 * 20 is 19, not 19.000...1
    assert percentile([], 0.5) == 0.0 and percentile_of_counts([], [], 0.5) == 0.0
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        percentile([1.0], 95)
