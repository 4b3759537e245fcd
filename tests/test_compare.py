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
    assert value(out, "A", "families") is None  # S2's families are unknown
    assert value(out, "A", "parents_reached") == 3
    assert value(out, "A", "parents_reached_pct") is None
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
    assert parents["method"].to_list() == [None, None]  # only B has a known population


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
