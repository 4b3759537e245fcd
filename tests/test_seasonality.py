"""Seasonality of themes: hand-computed numbers on tiny frames, the calibrated sample, the chart."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import polars as pl
import pytest

from brugdata.analysis._contract import Frames
from brugdata.analysis.seasonality import _chi2_p_value, seasonality
from brugdata.publish.charts._seasonality import seasonality_heatmap
from brugdata.store.store import Store

YEAR = "2024-2025"


def _date(school_month: int, year: str = YEAR, day: int = 15) -> dt.date:
    """A date in ``school_month`` (1 = August) of the school ``year``."""
    start = int(year[:4])
    month = (school_month + 6) % 12 + 1
    return dt.date(start if month >= 8 else start + 1, month, day)


def _source(
    contacts: Sequence[tuple[int, Sequence[str]] | tuple[int, Sequence[str], dict[str, Any]]],
) -> dict[str, pl.DataFrame]:
    """Schools S1 (pilot p1) and S2 (pilot p2), officers O1 (p1) and O2 (p2), and contacts
    given as (school_month, themes[, overrides]); by default at S1 by O1 with a parent."""
    rows = []
    for i, item in enumerate(contacts):
        month, themes = item[0], item[1]
        row: dict[str, Any] = {
            "contact_id": f"C{i}",
            "date": _date(month),
            "officer_id": "O1",
            "school_id": "91AA00",
            "counterpart": "parent",
            "themes": list(themes),
        }
        row.update(item[2] if len(item) > 2 else {})  # type: ignore[misc]
        rows.append(row)
    schema = {
        "contact_id": pl.String,
        "date": pl.Date,
        "officer_id": pl.String,
        "school_id": pl.String,
        "counterpart": pl.String,
        "themes": pl.List(pl.String),
    }
    return {
        "schools": pl.DataFrame(
            {
                "school_id": ["91AA00", "91BB00"],
                "school_year": [YEAR, YEAR],
                "pilot": ["p1", "p2"],
                "school_type": ["po", "po"],
            }
        ),
        "officers": pl.DataFrame(
            {"officer_id": ["O1", "O2"], "pilot": ["p1", "p2"], "role": ["brugfunctionaris"] * 2}
        ),
        "contacts": pl.DataFrame(rows, schema=schema),
    }


@pytest.fixture
def small() -> dict[str, pl.DataFrame]:
    """Three contacts in August ([taal], [taal, armoede], [armoede]), one in January
    ([armoede])."""
    return _source([(1, ["taal"]), (1, ["taal", "armoede"]), (1, ["armoede"]), (6, ["armoede"])])


def _row(frame: pl.DataFrame, **keys: Any) -> dict[str, Any]:
    rows = frame.filter(**keys).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


# --------------------------------------------------------------------------- p-values


def test_chi2_p_value_missing() -> None:
    assert _chi2_p_value(None, 11) is None
    assert _chi2_p_value(math.nan, 11) is None


# --------------------------------------------------------------------------- small frames


def test_monthly_counts_shares_and_index(small: dict[str, pl.DataFrame]) -> None:
    result = seasonality(small)
    assert isinstance(result, Frames)
    assert result.by == ["pilot"]
    m = result.monthly
    assert m.columns == [
        "pilot",
        "school_year",
        "theme",
        "school_month",
        "month",
        "contacts",
        "share",
        "seasonal_index",
        "school_weeks",
        "contacts_per_school_week",
        "school_week_index",
    ]
    assert m.schema["contacts"] == pl.Int64
    # the schools have no region and no municipality: school weeks unknown
    assert m.get_column("school_weeks").null_count() == m.height
    # 2 themes seen in p1, each with all 12 months.
    assert m.height == 24
    assert sorted(m.get_column("theme").unique()) == ["armoede", "taal"]
    assert m.filter(theme="taal").get_column("school_month").to_list() == list(range(1, 13))
    assert m.filter(theme="taal").get_column("month").to_list() == [8, 9, 10, 11, 12, *range(1, 8)]
    taal_aug = _row(m, theme="taal", school_month=1)
    # taal: 2 contacts in August; August has 4 theme mentions (taal 2, armoede 2).
    assert taal_aug["contacts"] == 2
    assert taal_aug["month"] == 8
    assert taal_aug["share"] == pytest.approx(0.5)
    # year total 2 → even 2/12 a month → index 2 / (2/12) = 12.
    assert taal_aug["seasonal_index"] == pytest.approx(12.0)
    arm_aug = _row(m, theme="armoede", school_month=1)
    assert arm_aug["contacts"] == 2
    assert arm_aug["seasonal_index"] == pytest.approx(2 / (3 / 12))  # 8.0
    arm_jan = _row(m, theme="armoede", month=1)
    assert arm_jan["school_month"] == 6
    assert arm_jan["contacts"] == 1
    assert arm_jan["share"] == pytest.approx(1.0)  # the only mention in January
    assert arm_jan["seasonal_index"] == pytest.approx(4.0)
    taal_sep = _row(m, theme="taal", school_month=2)
    assert taal_sep["contacts"] == 0
    assert taal_sep["share"] is None  # September has no mentions at all
    assert taal_sep["seasonal_index"] == pytest.approx(0.0)
    assert m.get_column("contacts").sum() == 5  # 2 taal + 3 armoede mentions


def test_themes_chi2_and_peaks(small: dict[str, pl.DataFrame]) -> None:
    t = seasonality(small).themes
    assert t.columns == [
        "pilot",
        "school_year",
        "theme",
        "contacts",
        "chi2",
        "df",
        "p_value",
        "peak_start",
        "peak_end",
        "peak_school_month",
    ]
    taal = _row(t, theme="taal")
    # e = 2/12 = 1/6; chi2 = (2 - 1/6)^2 / (1/6) + 11 × (0 - 1/6)^2 / (1/6)
    #     = 121/6 + 11/6 = 22.0
    assert taal["contacts"] == 2
    assert taal["chi2"] == pytest.approx(22.0)
    assert taal["df"] == 11
    assert taal["p_value"] == pytest.approx(_chi2_p_value(22.0, 11))
    assert taal["p_value"] == pytest.approx(0.0243, abs=5e-4)
    # all of taal in Aug–Oct (1.0 >= 0.375) and p < 0.05
    assert taal["peak_start"] is True
    assert taal["peak_end"] is False
    assert taal["peak_school_month"] == 1
    armoede = _row(t, theme="armoede")
    # e = 3/12 = 0.25; chi2 = (2 - .25)^2/.25 + (1 - .25)^2/.25 + 10 × .25 = 12.25 + 2.25 + 2.5
    assert armoede["chi2"] == pytest.approx(17.0)
    assert armoede["p_value"] > 0.05
    # 2/3 in Aug–Oct, but not significant: no peak
    assert armoede["peak_start"] is False
    assert armoede["peak_end"] is False


def test_peaks_with_enough_contacts() -> None:
    contacts: list[tuple[int, Sequence[str]]] = []
    for month in range(1, 13):
        # start: 10 a month in Aug–Oct, 1 in the other months
        contacts += [(month, ["leerlingenvervoer"])] * (10 if month <= 3 else 1)
        # end: 10 a month in May–Jul, 1 in the other months
        contacts += [(month, ["sport_cultuur"])] * (10 if month >= 10 else 1)
        contacts += [(month, ["armoede"])] * 2  # flat
    t = seasonality(_source(contacts)).themes
    start = _row(t, theme="leerlingenvervoer")
    # total 39, e = 3.25; chi2 = 3 × 6.75^2 / 3.25 + 9 × 2.25^2 / 3.25 = 182.25 / 3.25
    assert start["contacts"] == 39
    assert start["chi2"] == pytest.approx(182.25 / 3.25)
    assert start["p_value"] < 1e-6
    assert (start["peak_start"], start["peak_end"]) == (True, False)
    assert start["peak_school_month"] == 1  # tie between Aug, Sep, Oct: the earliest
    end = _row(t, theme="sport_cultuur")
    assert end["chi2"] == pytest.approx(182.25 / 3.25)
    assert (end["peak_start"], end["peak_end"]) == (False, True)
    assert end["peak_school_month"] == 10
    flat = _row(t, theme="armoede")
    assert flat["chi2"] == pytest.approx(0.0)
    assert flat["p_value"] == pytest.approx(1.0)
    assert (flat["peak_start"], flat["peak_end"]) == (False, False)
    m = seasonality(_source(contacts)).monthly
    assert m.filter(theme="armoede").get_column("seasonal_index").to_list() == [1.0] * 12


def test_grouping_and_filters() -> None:
    other = {"school_id": "91BB00", "officer_id": "O2", "counterpart": "pupil"}
    src = _source(
        [
            (1, ["taal"]),
            (2, ["taal"], {"counterpart": "colleague"}),
            (3, ["pesten"], other),
            (4, ["pesten"], {**other, "date": _date(4, "2023-2024")}),
        ]
    )
    by_pilot = seasonality(src)
    # Without a school row for 2023-2024 the contact takes its officer's pilot (p2); school
    # years are never pooled: p2's pesten is one contact in each.
    assert by_pilot.themes.select("pilot", "school_year", "theme", "contacts").rows() == [
        ("p1", YEAR, "taal", 2),
        ("p2", "2023-2024", "pesten", 1),
        ("p2", YEAR, "pesten", 1),
    ]
    one = seasonality(src, by="school_year")
    assert one.by == []
    assert one.monthly.columns[:2] == ["school_year", "theme"]
    assert one.monthly.height == 36  # 2024-2025: taal, pesten; 2023-2024: pesten
    assert seasonality(src, by="school").by == ["school_id"]
    both = seasonality(src, by=["pilot", "officer"])
    assert both.by == ["pilot", "officer_id"]
    assert both.themes.select("pilot", "officer_id", "school_year", "theme").rows() == [
        ("p1", "O1", YEAR, "taal"),
        ("p2", "O2", "2023-2024", "pesten"),
        ("p2", "O2", YEAR, "pesten"),
    ]
    assert seasonality(src, pilots=["p2"]).themes.get_column("theme").to_list() == ["pesten"] * 2
    year = seasonality(src, school_year=YEAR).themes
    assert year.filter(theme="pesten").get_column("contacts").to_list() == [1]
    parents = seasonality(src, counterparts=["parent"]).themes
    assert parents.select("theme", "contacts").rows() == [("taal", 1)]
    assert set(seasonality(src).frames()) == {"monthly", "themes"}
    with pytest.raises(ValueError, match="cannot group seasonality by 'region'; choose from"):
        seasonality(src, by="region")  # type: ignore[arg-type]


def test_contact_counts_each_theme_once() -> None:
    m = seasonality(_source([(1, ["taal", "taal", "armoede"])])).monthly
    assert _row(m, theme="taal", school_month=1)["contacts"] == 1
    assert _row(m, theme="taal", school_month=1)["share"] == pytest.approx(0.5)


def test_empty_source() -> None:
    with pytest.raises(ValueError, match="seasonality needs logged contacts, and the store"):
        seasonality(_source([]))


# --------------------------------------------------------------------------- the sample


def test_sample_calibrated_pattern(sample_store: Store) -> None:
    t = seasonality(sample_store, pilots=["gooi_vechtstreek"]).themes
    peaks = {r["theme"]: r for r in t.to_dicts()}
    assert peaks["leerlingenvervoer"]["peak_start"] or peaks["schoolprocedures"]["peak_start"]
    assert peaks["sport_cultuur"]["peak_end"] or peaks["schoolspullen"]["peak_end"]
    assert not peaks["armoede"]["peak_start"]
    assert not peaks["armoede"]["peak_end"]


def test_sample_invariants(sample_store: Store) -> None:
    result = seasonality(sample_store, by=["pilot", "school"])
    m = result.monthly
    # every group × theme has 12 months; the index averages 1 over the year
    sizes = m.group_by("pilot", "school_id", "theme").agg(pl.len(), pl.col("seasonal_index").mean())
    assert sizes.get_column("len").unique().to_list() == [12]
    assert sizes.get_column("seasonal_index").to_list() == pytest.approx([1.0] * sizes.height)
    shares = m.group_by("pilot", "school_id", "school_month").agg(pl.col("share").sum())
    shares = shares.filter(pl.col("share") > 0)
    assert shares.get_column("share").to_list() == pytest.approx([1.0] * shares.height)
    totals = result.themes.get_column("contacts").sum()
    assert totals == m.get_column("contacts").sum()


# --------------------------------------------------------------------------- the chart


def _chart_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    if "values" in spec.get("data", {}):
        return spec["data"]["values"]
    return spec["datasets"][spec["data"]["name"]]


def test_heatmap_by_pilot(sample_store: Store) -> None:
    result = seasonality(sample_store)
    spec = seasonality_heatmap(result).to_dict()
    assert spec["mark"]["type"] == "rect"
    rows = _chart_rows(spec)
    assert len(rows) == result.monthly.height  # 2 pilots × 20 themes × 12 months
    assert spec["encoding"]["row"]["field"] == "pilot"
    assert spec["encoding"]["x"]["sort"][0] == "aug"
    assert spec["encoding"]["color"]["field"] == "seasonal_index"
    first = rows[0]
    assert first["theme_label"] == "Armoede en geldzorgen"
    assert first["month_label"] == "aug"
    aug = result.monthly.filter(pilot=first["pilot"], theme=first["theme"], school_month=1)
    assert first["seasonal_index"] == pytest.approx(aug.get_column("seasonal_index").item())


def test_heatmap_aggregates_finer_groups(sample_store: Store) -> None:
    result = seasonality(sample_store, by="officer")
    chart = seasonality_heatmap(result, lang="en", value="share")
    spec = chart.to_dict()
    rows = _chart_rows(spec)
    assert len(rows) == seasonality(sample_store, by="school_year").monthly.height
    assert len(rows) < 5000
    assert "row" not in spec["encoding"]
    assert spec["encoding"]["color"]["field"] == "share"
    assert spec["encoding"]["x"]["sort"][0] == "Aug"
    assert {r["month_label"] for r in rows} == {
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
    }
    assert "Poverty and money worries" in {r["theme_label"] for r in rows}
    one = seasonality(sample_store, pilots=["den_bosch"])
    assert "row" not in seasonality_heatmap(one.monthly).to_dict()["encoding"]


def test_heatmap_rejects_bad_arguments(small: dict[str, pl.DataFrame]) -> None:
    result = seasonality(small)
    with pytest.raises(ValueError, match="lang"):
        seasonality_heatmap(result, lang="de")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="value"):
        seasonality_heatmap(result, value="chi2")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- school weeks


def _regional() -> dict[str, pl.DataFrame]:
    """Pilot p1: 91AA00 in region noord (schools.region) and 91BB00 in Maastricht (zuid by
    its municipality); pilot p2: 91CC00 without region or municipality. Theme taal: 91AA00
    two contacts in October 2024 and one in December; 91BB00 one in October and one in
    August; 91CC00 one in October."""
    schools = pl.DataFrame(
        {
            "school_id": ["91AA00", "91BB00", "91CC00"],
            "school_year": [YEAR] * 3,
            "pilot": ["p1", "p1", "p2"],
            "school_type": ["po"] * 3,
            "region": ["noord", None, None],
            "municipality": [None, "Maastricht", None],
        }
    )
    contacts = [
        ("91AA00", "O1", dt.date(2024, 10, 1)),
        ("91AA00", "O1", dt.date(2024, 10, 2)),
        ("91AA00", "O1", dt.date(2024, 12, 2)),
        ("91BB00", "O1", dt.date(2024, 10, 3)),
        ("91BB00", "O1", dt.date(2024, 8, 15)),
        ("91CC00", "O2", dt.date(2024, 10, 4)),
    ]
    return {
        "schools": schools,
        "officers": pl.DataFrame(
            {"officer_id": ["O1", "O2"], "pilot": ["p1", "p2"], "role": ["brugfunctionaris"] * 2}
        ),
        "contacts": pl.DataFrame(
            {
                "contact_id": [f"C{i}" for i in range(len(contacts))],
                "date": [d for _, _, d in contacts],
                "officer_id": [o for _, o, _ in contacts],
                "school_id": [sid for sid, _, _ in contacts],
                "counterpart": ["parent"] * len(contacts),
                "themes": [["taal"]] * len(contacts),
            }
        ),
    }


def test_school_weeks_per_school_from_the_regional_calendar() -> None:
    m = seasonality(_regional(), by="school").monthly
    # October 2024 has 23 weekdays (1-4, 7-11, 14-18, 21-25, 28-31). Noord's herfstvakantie
    # (26 Oct - 3 Nov) takes 28-31: 19 school days; zuid's (19-27 Oct) takes 21-25: 18.
    noord_oct = _row(m, school_id="91AA00", school_month=3)
    assert noord_oct["school_weeks"] == pytest.approx(19 / 5)
    assert noord_oct["contacts_per_school_week"] == pytest.approx(2 / (19 / 5))
    zuid_oct = _row(m, school_id="91BB00", school_month=3)
    assert zuid_oct["school_weeks"] == pytest.approx(18 / 5)
    # December 2024: 22 weekdays, the kerstvakantie from 21 December leaves 2-6, 9-13, 16-20
    noord_dec = _row(m, school_id="91AA00", school_month=5)
    assert noord_dec["school_weeks"] == pytest.approx(3.0)
    assert noord_dec["contacts_per_school_week"] == pytest.approx(1 / 3)
    # August 2024: noord's zomervakantie runs to 1 September: no school week, no rate
    noord_aug = _row(m, school_id="91AA00", school_month=1)
    assert noord_aug["school_weeks"] == 0.0
    assert noord_aug["contacts_per_school_week"] is None
    # zuid's ends 18 August: 19-23 and 26-30 August are school days
    zuid_aug = _row(m, school_id="91BB00", school_month=1)
    assert zuid_aug["school_weeks"] == pytest.approx(2.0)
    assert zuid_aug["contacts_per_school_week"] == pytest.approx(0.5)
    # no region, no municipality: unknown, not guessed
    unknown = m.filter(school_id="91CC00")
    assert unknown.get_column("school_weeks").null_count() == 12
    assert unknown.get_column("school_week_index").null_count() == 12
    # existing columns keep their meaning: 2 of 3 contacts of 91AA00 fall in October
    assert noord_oct["seasonal_index"] == pytest.approx(2 / (3 / 12))


def test_school_weeks_of_a_pilot_average_its_schools() -> None:
    m = seasonality(_regional(), by="pilot").monthly
    p1 = {r["school_month"]: r for r in m.filter(pilot="p1").to_dicts()}
    # October: (19 + 18) / 2 = 18.5 school days = 3.7 weeks; 3 contacts
    assert p1[3]["school_weeks"] == pytest.approx(3.7)
    assert p1[3]["contacts_per_school_week"] == pytest.approx(3 / 3.7)
    # December: 15 days in both regions = 3 weeks; 1 contact
    assert p1[5]["school_weeks"] == pytest.approx(3.0)
    # August: (0 + 10) / 2 = 5 days = 1 week; 1 contact
    assert p1[1]["school_weeks"] == pytest.approx(1.0)
    assert p1[1]["contacts_per_school_week"] == pytest.approx(1.0)
    # the index compares months by their rate per school week: October / December
    assert p1[3]["school_week_index"] / p1[5]["school_week_index"] == pytest.approx(
        (3 / 3.7) / (1 / 3.0)
    )
    # weighted by the school weeks, the index averages 1 over the year
    weeks = sum(r["school_weeks"] for r in p1.values())
    weighted = sum(r["school_week_index"] * r["school_weeks"] for r in p1.values())
    assert weighted == pytest.approx(weeks)
    assert m.filter(pilot="p2").get_column("school_weeks").null_count() == 12


def test_heatmap_per_school_week() -> None:
    result = seasonality(_regional(), by=["pilot", "school"])
    spec = seasonality_heatmap(result, value="contacts_per_school_week").to_dict()
    assert spec["encoding"]["color"]["field"] == "contacts_per_school_week"
    assert spec["encoding"]["color"]["title"] == "Contacten per schoolweek"
    rows = {(r["pilot"], r["school_month"]): r for r in _chart_rows(spec)}
    # p1 in October: the mean of its schools' 3.8 and 3.6 weeks, 3 contacts
    assert rows[("p1", 3)]["school_weeks"] == pytest.approx(3.7)
    assert rows[("p1", 3)]["contacts_per_school_week"] == pytest.approx(3 / 3.7)
    en = seasonality_heatmap(result, lang="en", value="school_week_index").to_dict()
    assert en["encoding"]["color"]["title"] == "Seasonal index per school week"
    without = result.monthly.drop("school_weeks", "contacts_per_school_week", "school_week_index")
    with pytest.raises(ValueError, match="school_weeks"):
        seasonality_heatmap(without, value="contacts_per_school_week")
    assert "school_weeks" not in _chart_rows(seasonality_heatmap(without).to_dict())[0]
