"""How big the noise is: t-based confidence intervals and Welch's test.

Sweeps report each point's mean with a 95% interval over its replications, and
``eccc compare`` asks whether a difference between two groups of replications
is larger than their noise. Both need Student's t distribution; rather than
pull in SciPy for two functions, the CDF is computed from the regularised
incomplete beta function (continued fraction, Numerical Recipes 6.4), which is
accurate to ~1e-12 for the degrees of freedom a sweep ever sees.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

CONFIDENCE = 0.95


def _beta_fraction(a: float, b: float, x: float) -> float:
    # Lentz's method for the continued fraction of I_x(a, b).
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c if abs(1.0 + aa / c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-14:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b) for a, b > 0 and 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
          + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(ln) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(ln) * _beta_fraction(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with ``df`` degrees of freedom."""
    if math.isinf(t):
        return 0.0
    return incomplete_beta(df / 2.0, 0.5, df / (df + t * t))


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile (p > 0.5) of Student's t, by bisection on the CDF."""
    target = 2.0 * (1.0 - p)  # two-sided tail mass beyond the quantile
    lo, hi = 0.0, 1.0
    while t_two_sided_p(hi, df) > target:
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if t_two_sided_p(mid, df) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return (lo + hi) / 2.0


@dataclass(frozen=True, slots=True)
class Interval:
    """A mean and its two-sided confidence interval (NaN bounds when n < 2)."""

    n: int
    mean: float
    low: float
    high: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0


def mean_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> Interval:
    """Mean with a t interval: replications are few, so the normal quantile would lie."""
    n = len(values)
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan)
    if all(v == values[0] for v in values):
        # Identical replications: the mean is that value and the interval has zero width,
        # exactly (fsum / n of three 0.8s is 0.8000000000000002, and the rounding would
        # give a spurious width around a spurious mean).
        first = float(values[0])
        return Interval(n, first, first, first) if n >= 2 else Interval(
            n, first, math.nan, math.nan)
    mean = math.fsum(values) / n
    if n < 2:
        return Interval(n, mean, math.nan, math.nan)
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = t_quantile(0.5 + confidence / 2.0, n - 1) * math.sqrt(var / n)
    return Interval(n, mean, mean - half, mean + half)


@dataclass(frozen=True, slots=True)
class Welch:
    """Welch's unequal-variance t test of ``b - a``."""

    difference: float
    t: float
    df: float
    p: float

    def exceeds_noise(self, alpha: float = 1.0 - CONFIDENCE) -> bool:
        return self.p < alpha


def welch(a: Sequence[float], b: Sequence[float]) -> Welch | None:
    """Welch's test; None when either group has fewer than two values (noise unknown)."""
    na, nb = len(a), len(b)
    if na < 2 or nb < 2:
        return None
    ma, mb = math.fsum(a) / na, math.fsum(b) / nb
    va = math.fsum((x - ma) ** 2 for x in a) / (na - 1)
    vb = math.fsum((x - mb) ** 2 for x in b) / (nb - 1)
    diff = mb - ma
    se2 = va / na + vb / nb
    if se2 == 0.0:  # both groups constant: any difference is exact, not noise
        return Welch(diff, math.copysign(math.inf, diff) if diff else 0.0, na + nb - 2.0,
                     0.0 if diff else 1.0)
    t = diff / math.sqrt(se2)
    df = se2**2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
    return Welch(diff, t, df, t_two_sided_p(t, df))
