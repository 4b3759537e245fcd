"""The pure-Python statistics: chi-square tail probabilities and the homogeneity test."""

from __future__ import annotations

import math

import pytest

from brugdata.analysis._stats import chi2_homogeneity, chi2_sf


@pytest.mark.parametrize(
    ("chi2", "df", "p"),
    [
        (19.675, 11, 0.05),  # tabulated critical values of chi-square with 11 df
        (24.725, 11, 0.01),
        (17.275, 11, 0.10),
        (3.841, 1, 0.05),
        (0.0, 11, 1.0),
    ],
)
def test_chi2_p_value_known_values(chi2: float, df: int, p: float) -> None:
    assert chi2_sf(chi2, df) == pytest.approx(p, abs=2e-5)


@pytest.mark.parametrize("x", [0.1, 1.0, 3.0, 7.5, 15.0, 40.0])
def test_chi2_p_value_closed_forms_for_even_df(x: float) -> None:
    # For even df = 2k, Q(k, x/2) = exp(-x/2) * sum_{i<k} (x/2)^i / i!; x covers both the
    # series (x/2 < k + 1) and the continued fraction branch.
    for k in (1, 2, 5):
        expected = math.exp(-x / 2) * sum((x / 2) ** i / math.factorial(i) for i in range(k))
        assert chi2_sf(x, 2 * k) == pytest.approx(expected, rel=1e-10, abs=1e-300)


def test_chi2_homogeneity_by_hand() -> None:
    # 10/100 vs 20/100: pooled p = 0.15; expected 15/85 per group;
    # chi2 = 2 × (25/15 + 25/85) = 3.92157, df 1, p = erfc(sqrt(chi2 / 2)) = 0.04767
    chi2, df, p = chi2_homogeneity([10, 20], [100, 100])
    assert chi2 == pytest.approx(3.92157, abs=1e-5)
    assert df == 1
    assert p == pytest.approx(math.erfc(math.sqrt(chi2 / 2)))
    assert p == pytest.approx(0.04767, abs=1e-5)
    assert math.isnan(chi2_homogeneity([3], [10])[0])  # one group: no test
    assert math.isnan(chi2_homogeneity([0, 0], [10, 5])[2])  # no variation: no test
