"""Small statistical helpers in pure Python (no numpy or scipy needed)."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["chi2_homogeneity", "chi2_sf", "gamma_q"]

_EPS = 1e-15
_MAX_ITER = 500


def gamma_q(a: float, x: float) -> float:
    """The regularized upper incomplete gamma function Q(a, x) (Numerical Recipes 6.2)."""
    if a <= 0:
        raise ValueError("a must be positive")
    if x <= 0:
        return 1.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:  # series for P(a, x), then Q = 1 - P
        term = total = 1.0 / a
        ap = a
        for _ in range(_MAX_ITER):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * _EPS:
                break
        return max(0.0, 1.0 - total * math.exp(log_front))
    # continued fraction for Q(a, x) (modified Lentz)
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, _MAX_ITER):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < _EPS:
            break
    return min(1.0, math.exp(log_front) * h)


def chi2_sf(chi2: float, df: int) -> float:
    """P(X ≥ chi2) for a chi-square distribution with ``df`` degrees of freedom."""
    if df <= 0:
        raise ValueError("df must be positive")
    if math.isnan(chi2):
        return math.nan
    return gamma_q(df / 2, chi2 / 2)


def chi2_homogeneity(successes: Sequence[int], totals: Sequence[int]) -> tuple[float, int, float]:
    """Chi-square test that groups share one proportion: (chi2, df, p_value).

    ``successes[i]`` of ``totals[i]`` in group i; groups with a total of 0 are left out. With
    fewer than two groups, or no variation at all, the result is (nan, 0, nan).
    """
    pairs = [(k, n) for k, n in zip(successes, totals, strict=True) if n > 0]
    if len(pairs) < 2:
        return (math.nan, 0, math.nan)
    k_all = sum(k for k, _ in pairs)
    n_all = sum(n for _, n in pairs)
    p = k_all / n_all
    if p in (0.0, 1.0):
        return (math.nan, 0, math.nan)
    chi2 = 0.0
    for k, n in pairs:
        for observed, expected in ((k, n * p), (n - k, n * (1 - p))):
            chi2 += (observed - expected) ** 2 / expected
    df = len(pairs) - 1
    return (chi2, df, chi2_sf(chi2, df))
