"""A mixed selection: pilot A logs contacts, pilot B only has a questionnaire. ``source="auto"``
gives each pilot its own source, said in the ``source`` column (never zeros for B)."""

from __future__ import annotations

import polars as pl
import pytest

import brugdata
from brugdata.analysis._mixed import split_sources
from brugdata.sql import connect
from tests.fixtures import Y, frames


def mixed() -> dict[str, pl.DataFrame]:
    data = frames()
    data["contacts"] = data["contacts"].filter(pl.col("officer_id") != "O3")  # B keeps no log
    data["survey"] = pl.DataFrame(
        {
            "officer_id": ["O3"],
            "pilot": ["B"],
            "school_year": [Y],
            "school_type": ["vo"],
            "parents_helped": [12],
            "pupils_helped": [30],
            "families_total": [50],
            "pupils_total": [100],
            "pct_pupil_cases_parents_spoken": [40.0],
            "internal_contacts": [8],
            "external_contacts": [5],
        }
    )
    return data


def test_split_sources() -> None:
    con = connect(mixed())
    assert split_sources(con, None, Y) == (["A"], ["B"])
    assert split_sources(con, ["A"], Y) is None
    assert split_sources(connect(frames()), None, Y) is None  # both log: nothing to split


def test_auto_gives_each_pilot_its_source() -> None:
    out = brugdata.reach(mixed(), school_year=Y)
    assert out.select("pilot", "counterpart", "reached", "source").sort(
        "pilot", "counterpart"
    ).rows() == [
        ("A", "parent", 3, "log"),  # F1, P3, F4
        ("A", "pupil", 2, "log"),  # K1, K2
        ("B", "parent", 12, "survey"),  # the respondent's own numbers
        ("B", "pupil", 30, "survey"),
    ]
    b = out.filter((pl.col("pilot") == "B") & (pl.col("counterpart") == "parent"))
    assert b["pct"][0] == pytest.approx(100 * 12 / 50)
    # an explicit source is kept for every pilot
    logged = brugdata.reach(mixed(), school_year=Y, source="log")
    assert set(logged["source"]) == {"log"}
    # a key the questionnaire does not group by: the log's rows alone
    schools = brugdata.reach(mixed(), by="school", school_year=Y)
    assert set(schools["source"]) == {"log"}
