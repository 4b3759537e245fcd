"""Reach: exact numbers on a small hand-made fixture (hand counts in the comments)."""

from __future__ import annotations

import polars as pl
import pytest

import brugdata
from brugdata.analysis._common import wilson
from brugdata.analysis.reach import parents_of_pupil_cases, reach, reach_bands
from brugdata.store import Store
from tests.fixtures import Y, frames


def row(frame: pl.DataFrame, **where: str) -> dict[str, object]:
    hit = frame.filter(*[pl.col(k) == v for k, v in where.items()])
    assert hit.height == 1, hit
    return hit.row(0, named=True)


def test_wilson_interval_matches_hand_computation() -> None:
    # 2/8: centre 0.33110, half-width 0.25963 → [0.07147, 0.59073]
    low, high = wilson(2, 8)
    assert low == pytest.approx(0.07147, abs=1e-4)
    assert high == pytest.approx(0.59073, abs=1e-4)
    assert wilson(0, 10)[0] == 0.0


def test_reach_by_school() -> None:
    out = reach(frames(), by="school")
    s1p = row(out, school_id="91AA00", school_year=Y, counterpart="parent")
    assert (s1p["reached"], s1p["population"], s1p["pct"]) == (2, 8, 25.0)  # F1, P3 of 8
    assert s1p["ci_low"] == pytest.approx(7.147, abs=1e-2)
    assert s1p["ci_high"] == pytest.approx(59.073, abs=1e-2)
    assert (s1p["hours_per_week"], s1p["reached_per_weekly_hour"]) == (10.0, 0.2)
    s1k = row(out, school_id="91AA00", school_year=Y, counterpart="pupil")
    assert (s1k["reached"], s1k["population"], s1k["pct"]) == (2, 10, 20.0)  # K1, K2 of 10
    s2p = row(out, school_id="91AA01", school_year=Y, counterpart="parent")
    assert (s2p["reached"], s2p["population"], s2p["pct"], s2p["ci_low"]) == (1, None, None, None)
    assert s2p["note"] == "population unknown: families not known at 1 of 1 schools"
    s2k = row(out, school_id="91AA01", school_year=Y, counterpart="pupil")
    assert (s2k["reached"], s2k["population"], s2k["pct"]) == (0, 20, 0.0)
    s3k = row(out, school_id="92BB", school_year=Y, counterpart="pupil")
    assert (s3k["reached"], s3k["population"], s3k["pct"]) == (1, 100, 1.0)
    old = row(out, school_id="91AA00", school_year="2023-2024", counterpart="parent")
    assert (old["reached"], old["population"]) == (1, None)
    assert old["note"].startswith("no population")
    assert out.height == 7  # 3 schools × 2 sides + the 2023-2024 parent row


def test_reach_by_pilot_counts_a_family_once_across_schools_and_officers() -> None:
    out = reach(frames(), by="pilot", school_year=Y)
    a_parent = row(out, pilot="A", counterpart="parent")
    assert a_parent["reached"] == 3  # F1, P3, F4
    assert a_parent["pct"] is None  # S2's families unknown: no guess
    a_pupil = row(out, pilot="A", counterpart="pupil")
    assert (a_pupil["reached"], a_pupil["population"]) == (2, 30)
    assert a_pupil["pct"] == pytest.approx(200 / 30)
    assert a_pupil["hours_per_week"] == 18.0
    b_parent = row(out, pilot="B", counterpart="parent")
    assert (b_parent["reached"], b_parent["population"], b_parent["pct"]) == (0, 50, 0.0)


def test_reach_by_officer_uses_assigned_schools_and_hours() -> None:
    out = reach(frames(), by="officer", school_year=Y)
    o1 = row(out, officer_id="O1", counterpart="parent")
    assert (o1["reached"], o1["population"], o1["pct"], o1["hours_per_week"]) == (1, 8, 12.5, 6.0)
    o2k = row(out, officer_id="O2", counterpart="pupil")
    assert (o2k["reached"], o2k["population"], o2k["schools"]) == (1, 30, 2)
    assert o2k["reached_per_weekly_hour"] == pytest.approx(1 / 12)


def test_reach_by_two_keys_and_pilot_filter() -> None:
    out = reach(frames(), by=["pilot", "school_type"], school_year=Y, pilots=["B"])
    assert out.select("pilot", "school_type", "counterpart", "reached").rows() == [
        ("B", "vo", "parent", 0),
        ("B", "vo", "pupil", 1),
    ]
    with pytest.raises(ValueError, match="choose from: pilot, school, officer, school_type"):
        reach(frames(), by="region")  # type: ignore[arg-type]


def test_reach_bands_per_school() -> None:
    out = reach_bands(frames(), school_year=Y)
    a = out.filter(pl.col("pilot") == "A")
    assert a["band"].to_list() == ["0–20%", "20–40%", "40–60%", "60–80%", "80–100%", "unknown"]
    assert a["units"].to_list() == [0, 1, 0, 0, 0, 1]  # S1 at 25%, S2 unknown
    assert a["share"].to_list()[:2] == [0.0, 1.0]
    b = out.filter(pl.col("pilot") == "B")
    assert b.filter(pl.col("units") > 0)["band"].to_list() == ["0–20%"]  # S3 at 0%


def test_parents_of_pupil_cases() -> None:
    out = parents_of_pupil_cases(frames(), school_year=Y)
    a = row(out, pilot="A")
    assert (a["pupil_cases"], a["linked"], a["parents_contacted"], a["pct"]) == (2, 2, 1, 50.0)
    b = row(out, pilot="B")
    assert (b["pupil_cases"], b["parents_contacted"], b["pct"]) == (1, 0, 0.0)


def test_reach_over_a_store_equals_reach_over_frames(sample_store: Store) -> None:
    tables = {name: sample_store.table(name) for name in brugdata.TABLES}
    assert reach(sample_store, by="school").equals(reach(tables, by="school"))


def test_sample_is_calibrated_like_the_evaluation(sample_store: Store) -> None:
    bands = reach_bands(sample_store, level="officer", pilots=["gooi_vechtstreek"])
    units = dict(zip(bands["band"], bands["units"], strict=True))
    assert units["20–40%"] > units["40–60%"] > 0  # most 20–40%, a sizeable group 40–60%
    parents = parents_of_pupil_cases(sample_store, pilots=["gooi_vechtstreek"])
    assert 70 <= parents["pct"][0] <= 100
