"""Reach: exact numbers on a small hand-made fixture (hand counts in the comments)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import brugdata
from brugdata.analysis._common import wilson
from brugdata.analysis.reach import parents_of_pupil_cases, reach, reach_bands
from brugdata.ingest.duo import read_duo
from brugdata.store.population import fill_population
from brugdata.store.store import Store
from tests.conftest import OFFICERS, write_csv
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
    # S2's families unknown: no guess at the population of the pilot, and the share over
    # the one school whose count is known: F1 and P3 of S1's 8 families = 25%
    assert a_parent["population"] is None
    assert (a_parent["schools_known"], a_parent["schools"]) == (1, 2)
    assert (a_parent["reached_known"], a_parent["population_known"]) == (2, 8)
    assert a_parent["pct"] == 25.0
    assert a_parent["ci_low"] == pytest.approx(7.147, abs=1e-2)  # Wilson 2/8, as above
    assert a_parent["note"] == (
        "population unknown: families not known at 1 of 2 schools; "
        "pct over the 1 of 2 schools whose count is known"
    )
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


def test_reach_bands_by_officer_and_the_old_level_keyword() -> None:
    out = reach_bands(frames(), by="officer", school_year=Y)
    a = out.filter(pl.col("pilot") == "A")
    # O1: F1 of S1's 8 families = 12.5%; O2: P3, F4 of S1 + S2, whose families are unknown
    # at S2: over S1 alone P3 of 8 = 12.5%; both in 0–20%
    assert a["band"].to_list() == ["0–20%", "20–40%", "40–60%", "60–80%", "80–100%"]
    assert a["units"].to_list() == [2, 0, 0, 0, 0]  # no unit unknown: no "unknown" band
    assert set(out["source"]) == {"log"}
    with pytest.warns(DeprecationWarning, match="by="):
        old = reach_bands(frames(), level="officer", school_year=Y)
    assert old.equals(out)
    with pytest.raises(ValueError, match="choose from: school, officer"):
        reach_bands(frames(), by="pilot")  # type: ignore[arg-type]


def test_reach_keeps_school_years_apart_and_groups_by_municipality() -> None:
    data = frames()
    data["schools"] = data["schools"].with_columns(
        municipality=pl.Series(["Utrecht", "Utrecht", "Zeist"])
    )
    out = reach(data, by="municipality")
    utrecht = out.filter(pl.col("municipality") == "Utrecht", pl.col("counterpart") == "parent")
    # 2024-2025: F1, P3 at S1 and F4 at S2; the 2023-2024 contact's school has no row that
    # year, so no municipality: a row of its own, never added to 2024-2025
    assert utrecht.select("school_year", "reached").rows() == [("2024-2025", 3)]
    unknown = out.filter(pl.col("municipality").is_null(), pl.col("counterpart") == "parent")
    assert unknown.select("school_year", "reached").rows() == [("2023-2024", 1)]
    total = reach(data, by="school_year").filter(pl.col("counterpart") == "pupil")
    assert total.select("school_year", "reached", "population").rows() == [("2024-2025", 3, 130)]


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
    bands = reach_bands(sample_store, by="officer", pilots=["gooi_vechtstreek"])
    units = dict(zip(bands["band"], bands["units"], strict=True))
    assert units["20–40%"] > units["40–60%"] > 0  # most 20–40%, a sizeable group 40–60%
    parents = parents_of_pupil_cases(sample_store, pilots=["gooi_vechtstreek"])
    assert 70 <= parents["pct"][0] <= 100


# --------------------------------------------------------------------------- DUO bounds

#: A hand-made DUO po file: 91AB00 20 + <5 + 15 → 36..39 pupils (one <5 cell); 91AB01
#: <5 + <5 + 10 → 12..18 (two); 93CD00 30 + 25 + 25 → 80..80.
BOUNDS_DUO = (
    '"INSTELLINGSCODE";"VESTIGINGSCODE";"SOORT_PO";"LEEFTIJD_4";"LEEFTIJD_5";"LEEFTIJD_6"\n'
    '"91AB";"91AB00";"BO";"20";"<5";"15"\n'
    '"91AB";"91AB01";"BO";"<5";"<5";"10"\n'
    '"93CD";"93CD00";"BO";"30";"25";"25"\n'
)
#: 91AB00 keeps its 38 pupils (within 36..39), 91AB01 and 93CD00 are filled with the low
#: bound (12, 80), 91AB02 is not in the DUO file: no bounds row, its 20 pupils count as both.
BOUNDS_SCHOOLS = """school_id,school_year,name,pilot,municipality,school_type,pupils,families,region
91AB00,2024-2025,De Vlinder,p1,Utrecht,po,38,30,midden
91AB01,2024-2025,De Zeeën,p1,Utrecht,po,,10,midden
93CD00,2024-2025,'t Kwetternest,p2,'s-Hertogenbosch,po,,50,zuid
91AB02,2024-2025,De Regenboog,p2,Utrecht,po,20,15,midden
"""
BOUNDS_CONTACTS = """contact_id,date,officer_id,school_id,counterpart,person_key,family_key,themes
C1,2024-10-01,O-1,91AB00,pupil,P-0001,G-0001,opvoeding
C2,2024-10-02,O-1,91AB00,pupil,P-0002,G-0002,opvoeding
C3,2024-10-03,O-1,91AB00,pupil,P-0003,G-0003,opvoeding
C4,2024-10-04,O-1,91AB00,parent,P-0101,G-0001,opvoeding
C5,2024-10-07,O-1,91AB01,pupil,P-0004,G-0004,opvoeding
C6,2024-10-08,O-1,91AB01,pupil,P-0005,G-0005,opvoeding
C7,2024-10-09,O-2,93CD00,pupil,P-0006,G-0006,opvoeding
"""
#: O-1 works at 91AB01 only (its contacts at 91AB00 count, its population is 91AB01's).
BOUNDS_ASSIGNMENTS = """officer_id,school_id,school_year,hours_per_week
O-1,91AB01,2024-2025,6
O-2,93CD00,2024-2025,8
"""


@pytest.fixture
def bounded(store: Store, tmp_path: Path) -> Store:
    """A store with the schools above, their contacts and the DUO file loaded."""
    folder = tmp_path / "data"
    folder.mkdir()
    write_csv(folder, "schools.csv", BOUNDS_SCHOOLS)
    write_csv(folder, "officers.csv", OFFICERS)
    write_csv(folder, "contacts.csv", BOUNDS_CONTACTS)
    write_csv(folder, "assignments.csv", BOUNDS_ASSIGNMENTS)
    assert store.ingest(folder).rows_rejected == 0
    duo = read_duo(write_csv(tmp_path, "duo.csv", BOUNDS_DUO, encoding="cp1252"))
    update = fill_population(store, duo, school_year=Y)
    assert update.refused == 0 and update.missing["school_id"].to_list() == ["91AB02"]
    return store


def test_a_store_without_bounds_gives_pct_for_both_bounds(store: Store, tmp_path: Path) -> None:
    write_csv(tmp_path, "schools.csv", BOUNDS_SCHOOLS)
    write_csv(tmp_path, "officers.csv", OFFICERS)
    write_csv(tmp_path, "contacts.csv", BOUNDS_CONTACTS)
    assert store.ingest(tmp_path).rows_rejected == 0
    out = reach(store, by="school").filter(pl.col("counterpart") == "pupil")
    s0 = row(out, school_id="91AB00")
    assert (s0["reached"], s0["population"], s0["pct"]) == (3, 38, 300 / 38)
    assert out["pct_low"].to_list() == out["pct"].to_list()
    assert out["pct_high"].to_list() == out["pct"].to_list()
    assert not out["population_bounded"].any()
    # a mapping of frames has no population_bounds table either
    frames_out = reach(frames(), by="school")
    assert frames_out["pct_low"].to_list() == frames_out["pct"].to_list()
    assert not frames_out["population_bounded"].any()


def test_reach_per_school_with_duo_bounds(bounded: Store) -> None:
    out = reach(bounded, by="school", school_year=Y)
    s0 = row(out, school_id="91AB00", counterpart="pupil")
    # 3 pupils of 38 (kept), bounds 36..39
    assert (s0["reached"], s0["population"], s0["population_bounded"]) == (3, 38, True)
    assert s0["pct"] == pytest.approx(300 / 38)
    assert s0["pct_low"] == pytest.approx(300 / 39)
    assert s0["pct_high"] == pytest.approx(300 / 36)
    assert s0["note"] == (
        "pupils bounded: DUO gave counts of 1-4 as <5 at 1 of 1 schools; "
        "reach lies between pct_low and pct_high"
    )
    s1 = row(out, school_id="91AB01", counterpart="pupil")
    # 2 pupils of 12 (filled with the low bound), bounds 12..18
    assert (s1["reached"], s1["population"], s1["population_bounded"]) == (2, 12, True)
    assert s1["pct"] == pytest.approx(200 / 12)
    assert s1["pct_low"] == pytest.approx(200 / 18)
    assert s1["pct_high"] == pytest.approx(200 / 12)
    s3 = row(out, school_id="93CD00", counterpart="pupil")
    # 1 of 80, no <5 cell: one number
    assert (s3["pct"], s3["pct_low"], s3["pct_high"]) == (1.25, 1.25, 1.25)
    assert (s3["population_bounded"], s3["note"]) == (False, None)
    s2 = row(out, school_id="91AB02", counterpart="pupil")
    # no bounds row: its 20 pupils are both bounds
    assert (s2["reached"], s2["pct"], s2["pct_low"], s2["pct_high"]) == (0, 0.0, 0.0, 0.0)
    assert s2["population_bounded"] is False
    p0 = row(out, school_id="91AB00", counterpart="parent")
    # families are not counted by DUO: 1 family of 30, no range
    assert p0["pct"] == p0["pct_low"] == p0["pct_high"] == pytest.approx(100 / 30)
    assert (p0["population_bounded"], p0["note"]) == (False, None)


def test_reach_per_pilot_sums_the_bounds(bounded: Store) -> None:
    out = reach(bounded, by="pilot", school_year=Y)
    p1 = row(out, pilot="p1", counterpart="pupil")
    # 5 pupils; pupils 38 + 12 = 50, low 36 + 12 = 48, high 39 + 18 = 57
    assert (p1["reached"], p1["population"], p1["pct"]) == (5, 50, 10.0)
    assert p1["pct_low"] == pytest.approx(500 / 57)
    assert p1["pct_high"] == pytest.approx(500 / 48)
    assert p1["population_bounded"] is True
    assert "at 2 of 2 schools" in p1["note"]
    p2 = row(out, pilot="p2", counterpart="pupil")
    # 1 pupil of 80 + 20 = 100, neither school bounded
    assert (p2["pct"], p2["pct_low"], p2["pct_high"], p2["population_bounded"]) == (
        1.0,
        1.0,
        1.0,
        False,
    )
    parents = out.filter(pl.col("counterpart") == "parent")
    assert not parents["population_bounded"].any()
    assert parents["pct_low"].to_list() == parents["pct"].to_list()


def test_reach_per_officer_uses_the_bounds_of_the_assigned_schools(bounded: Store) -> None:
    out = reach(bounded, by="officer", school_year=Y)
    o1 = row(out, officer_id="O-1", counterpart="pupil")
    # 5 pupils reached against 91AB01 only: 12 pupils, bounds 12..18
    assert (o1["reached"], o1["population"], o1["pct"]) == (5, 12, pytest.approx(500 / 12))
    assert o1["pct_low"] == pytest.approx(500 / 18)
    assert o1["pct_high"] == pytest.approx(500 / 12)
    assert o1["population_bounded"] is True
    o2 = row(out, officer_id="O-2", counterpart="pupil")
    assert (o2["pct"], o2["pct_low"], o2["pct_high"]) == (1.25, 1.25, 1.25)


def test_pupils_edited_outside_the_bounds_widen_them(bounded: Store) -> None:
    # 91AB00 set to 40 by hand after the load, outside DUO's 36..39: bounds 36..40
    bounded.con.execute(
        "UPDATE schools SET pupils = 40 WHERE school_id = '91AB00' AND school_year = ?", [Y]
    ).fetchall()
    s0 = row(reach(bounded, by="school"), school_id="91AB00", counterpart="pupil")
    assert s0["pct"] == pytest.approx(300 / 40)
    assert s0["pct_low"] == pytest.approx(300 / 40)
    assert s0["pct_high"] == pytest.approx(300 / 36)


def test_the_report_gives_the_range_of_a_bounded_reach(bounded: Store, tmp_path: Path) -> None:
    from brugdata.publish.report import write_report

    path = write_report(
        bounded, tmp_path / "report.html", lang="en", transform=lambda name, frame: frame
    )
    text = path.read_text(encoding="utf-8")
    # p1: 5 pupils of 48..57 (DUO <5 cells): 5 / 57 = 8.8%, 5 / 48 = 10.4%
    assert "so reach lies between 8.8% and 10.4%" in text
    # p2 has no <5 cell: no range
    assert text.count("so reach lies between") == 1
