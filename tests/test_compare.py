"""Pilot comparison: exact figures on the shared hand-made fixture."""

from __future__ import annotations

import polars as pl
import pytest

from brugdata.analysis.compare import METRICS, SCHOOL_WEEKS, compare
from brugdata.store.store import Store
from tests.fixtures import Y, frames


def value(out: pl.DataFrame, pilot: str, metric: str, label: str | None = None) -> object:
    hit = out.filter((pl.col("pilot") == pilot) & (pl.col("metric") == metric))
    if label is not None:
        hit = hit.filter(pl.col("label") == label)
    assert hit.height == 1, (pilot, metric, hit)
    return hit["value"][0]


def test_compare_figures_by_hand() -> None:
    out = compare(frames(), school_year=Y)
    assert set(out["metric"]) <= set(METRICS)
    # pilot A: schools S1, S2; officers O1, O2; hours 6 + 4 + 8
    assert value(out, "A", "schools") == 2
    assert value(out, "A", "officers") == 2
    assert value(out, "A", "officers_by_role", "other") == 2
    assert value(out, "A", "hours_per_week") == 18
    assert value(out, "A", "pupils") == 30
    # S2's families are unknown: the population and the share are over S1 alone, saying so
    assert value(out, "A", "families") == 8
    assert value(out, "A", "parents_reached") == 3
    # at S1: F1 and P3 (no family_key: the person) of 8 families; F4 at S2 is left out
    assert value(out, "A", "parents_reached_pct") == pytest.approx(200 / 8)
    partial = out.filter(
        (pl.col("pilot") == "A") & pl.col("metric").is_in(["families", "parents_reached_pct"])
    )
    assert partial["label"].to_list() == ["1 of 2 schools (count known)"] * 2
    z, k, n = 1.959963984540054, 2, 8  # Wilson score interval by hand, in percent
    mid, half = (
        (k + z * z / 2) / (n + z * z),
        z * (k * (n - k) / n + z * z / 4) ** 0.5 / (n + z * z),
    )
    low, high = 100 * (mid - half), 100 * (mid + half)
    assert value(out, "A", "parents_reached_pct") == pytest.approx(25.0)
    pct = partial.filter(pl.col("metric") == "parents_reached_pct")
    assert (pct["ci_low"][0], pct["ci_high"][0]) == (pytest.approx(low), pytest.approx(high))
    assert out.filter(pl.col("metric") == "pupils")["label"].is_null().all()  # all known
    assert value(out, "A", "pupils_reached_pct") == pytest.approx(200 / 30)
    assert value(out, "A", "parents_reached_per_weekly_hour") == pytest.approx(3 / 18)
    assert value(out, "A", "contacts") == 7  # the 2023-2024 contact is another school year
    assert value(out, "A", "contacts_per_officer_hour") == pytest.approx(7 / (18 * SCHOOL_WEEKS))
    assert value(out, "A", "pupil_cases_parents_contacted_pct") == 50.0
    assert value(out, "A", "top_theme", "armoede") == 100.0
    # network: no colleague or partner contacts in A; B's one colleague contact has no role
    assert value(out, "A", "internal_per_officer") == 0.0
    assert value(out, "A", "external_per_officer") == 0.0
    # pilot B: one vo school, 100 pupils, 50 families; one pupil reached; two contacts
    assert value(out, "B", "parents_reached_pct") == 0.0
    assert value(out, "B", "pupils_reached_pct") == 1.0
    assert value(out, "B", "contacts_per_officer_hour") == pytest.approx(2 / (20 * SCHOOL_WEEKS))


def test_compare_says_how_pilots_differ() -> None:
    out = compare(frames(), school_year=Y)
    pupils = out.filter(pl.col("metric") == "pupils_reached_pct")
    # 2/30 against 1/100: pooled 3/130; chi2 = 3.287 by hand, df 1
    assert pupils["method"].to_list() == [pupils["method"][0]] * 2
    assert "chi-square test of homogeneity" in pupils["method"][0]
    assert "chi2 = 3.29, df = 1" in pupils["method"][0]
    assert pupils["p_value"][0] == pytest.approx(0.0698, abs=1e-3)
    parents = out.filter(pl.col("metric") == "parents_reached_pct")
    # A over its school with a known population: 2 of 8 against B's 0 of 50
    assert "chi2 = 12.95, df = 1" in parents["method"][0]


def test_compare_pilot_filter(sample_store: Store) -> None:
    out = compare(sample_store, pilots=["den_bosch"])
    assert out["pilot"].unique().to_list() == ["den_bosch"]
    assert value(out, "den_bosch", "schools") == 6
    assert value(out, "den_bosch", "officers") == 12
    assert value(out, "den_bosch", "hours_per_week") == 72  # 12 officers × 6 hours
    ext = value(out, "den_bosch", "external_per_officer")
    assert isinstance(ext, float) and ext > 0


def test_compare_includes_the_referral_pathways(sample_store: Store) -> None:
    import brugdata

    out = compare(sample_store)
    outcomes = brugdata.pathways(sample_store).outcomes
    for pilot in ("den_bosch", "gooi_vechtstreek"):
        share = outcomes.filter(pl.col("pilot") == pilot)["share_no_referral"][0]
        assert value(out, pilot, "cases_no_referral_pct") == pytest.approx(100 * share)
    assert value(out, "den_bosch", "cases_no_referral_pct") > value(  # type: ignore[operator]
        out, "gooi_vechtstreek", "cases_no_referral_pct"
    )
    rows = out.filter(pl.col("metric") == "cases_no_referral_pct")
    assert rows["p_value"].null_count() == 0


def test_compare_never_sums_over_school_years() -> None:
    out = compare(frames())
    contacts = out.filter(pl.col("metric") == "contacts").select("pilot", "school_year", "value")
    # A: one contact in 2023-2024 (F1, 1 Sep 2023) and 7 in 2024-2025; B: 2 in 2024-2025
    assert contacts.rows() == [("A", "2023-2024", 1.0), ("A", Y, 7.0), ("B", Y, 2.0)]
    one_year = compare(frames(), school_year=Y)
    assert out.filter(pl.col("school_year") == Y).equals(one_year)
    with pytest.raises(ValueError, match="no pilot 'C' in the store; it holds: A, B"):
        compare(frames(), pilots=["C"])


def test_change_to_the_year_before_with_its_test() -> None:
    """Two school years: each figure beside the year before, a share with a chi-square test."""
    import math

    data = frames()
    old = "2023-2024"
    data["schools"] = pl.concat(  # the same schools (and populations) a year earlier
        [data["schools"], data["schools"].with_columns(school_year=pl.lit(old))]
    )
    out = compare(data, pilots=["A"])
    assert set(out["school_year"]) == {old, Y}

    def row(metric: str, year: str = Y) -> dict[str, object]:
        hit = out.filter((pl.col("metric") == metric) & (pl.col("school_year") == year))
        assert hit.height == 1, hit
        return hit.row(0, named=True)

    # A: 7 contacts in 2024-2025, 1 in 2023-2024
    contacts = row("contacts")
    assert (contacts["previous_school_year"], contacts["previous_value"]) == (old, 1.0)
    assert (contacts["change"], contacts["change_p_value"]) == (6.0, None)  # a count: no test
    # pupils reached: K1 and K2 of A's 10 + 20 pupils in 2024-2025, none of 30 in 2023-2024
    pupils = row("pupils_reached_pct")
    assert pupils["value"] == pytest.approx(100 * 2 / 30)
    assert (pupils["previous_value"], pupils["change"]) == (0.0, pytest.approx(100 * 2 / 30))
    # 2 of 30 vs 0 of 30: pooled 2/60, expected 1 and 29 in each year
    chi2 = 2 * ((2 - 1) ** 2 / 1 + (28 - 29) ** 2 / 29)
    assert pupils["change_p_value"] == pytest.approx(math.erfc(math.sqrt(chi2 / 2)))
    assert "over the two school years" in str(pupils["change_method"])
    first = out.filter(pl.col("school_year") == old)
    assert first["previous_value"].is_null().all() and first["change"].is_null().all()
    # one school year asked: the same rows, the change still worked out
    assert compare(data, pilots=["A"], school_year=Y).equals(out.filter(pl.col("school_year") == Y))


def test_top_themes_narrowed_from_every_theme_equal_compare_with_that_many(
    sample_store: Store,
) -> None:
    # the report takes its key figures from compare over every year with every theme: the
    # narrowed frame must be exactly compare(top_themes=n) of the year, themes and order
    from brugdata.analysis.compare import top_themes_only

    every = compare(sample_store, top_themes=1000)
    themes = every.filter(pl.col("metric") == "top_theme")
    assert themes.group_by("pilot", "school_year").len()["len"].max() > 3  # something to cut
    for n in (1, 3):
        assert top_themes_only(every, n).equals(compare(sample_store, top_themes=n))
