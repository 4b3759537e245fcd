"""The school calendar: school years and weeks, shipped holidays, the Rijksoverheid JSON loader,
school days and weeks, and the municipality → region table."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from brugdata import calendar as cal
from brugdata.errors import BrugdataError
from brugdata.store.store import Store
from tests.conftest import write_csv

D = dt.date
NAMES = {"herfstvakantie", "kerstvakantie", "voorjaarsvakantie", "meivakantie", "zomervakantie"}


# --------------------------------------------------------------------------- school years


def test_school_year_of_turns_on_1_august() -> None:
    assert cal.school_year_of(D(2024, 7, 31)) == "2023-2024"
    assert cal.school_year_of(D(2024, 8, 1)) == "2024-2025"
    assert cal.school_year_of(dt.datetime(2025, 1, 15, 9, 30)) == "2024-2025"
    assert cal.school_year_of("2025-07-31") == "2024-2025"


def test_school_year_start_end_and_count_date() -> None:
    assert cal.school_year_start("2024-2025") == D(2024, 8, 1)
    assert cal.school_year_end("2024-2025") == D(2025, 7, 31)
    assert cal.count_date("2024-2025") == D(2024, 10, 1)
    assert cal.school_year_start("2024/25") == D(2024, 8, 1)
    with pytest.raises(BrugdataError, match="not a school year"):
        cal.school_year_start("2024-2026")


def test_school_week_is_monday_based_from_the_week_of_1_august() -> None:
    # 2024-08-01 is a Thursday: week 1 runs Monday 29 July to Sunday 4 August 2024.
    assert cal.school_week(D(2024, 8, 1)) == 1
    assert cal.school_week(D(2024, 8, 4)) == 1
    assert cal.school_week(D(2024, 8, 5)) == 2
    # 29-31 July 2024 belong to 2023-2024, whose week 1 began Monday 31 July 2023.
    assert cal.school_week(D(2024, 7, 29)) == 53
    # 31 July 2025 is 367 days after Monday 29 July 2024: week 53.
    assert cal.school_week(D(2025, 7, 31)) == 53
    assert cal.school_week(D(2024, 10, 28)) == 14


# --------------------------------------------------------------------------- shipped holidays


def test_shipped_holidays_cover_four_years_five_holidays_three_regions() -> None:
    frame = cal.holidays()
    assert frame.columns == list(cal.HOLIDAY_COLUMNS)
    assert dict(frame.schema) == cal.HOLIDAY_COLUMNS
    for year in ("2023-2024", "2024-2025", "2025-2026", "2026-2027"):
        for region in cal.REGIONS:
            rows = cal.holidays(region, year)
            assert set(rows["name"]) == NAMES, (year, region)
            assert rows.height == 5
            assert (rows["end"] >= rows["start"]).all()
            # every holiday starts on a Saturday and ends on a Sunday
            assert {d.weekday() for d in rows["start"]} == {5}
            assert {d.weekday() for d in rows["end"]} == {6}


def test_shipped_holidays_known_dates() -> None:
    midden = cal.holidays("midden", "2024-2025")
    herfst = midden.filter(pl.col("name") == "herfstvakantie").row(0, named=True)
    assert (herfst["start"], herfst["end"], herfst["advisory"]) == (
        D(2024, 10, 26),
        D(2024, 11, 3),
        True,
    )
    zomer = cal.holidays("zuid", "2024-2025").filter(pl.col("name") == "zomervakantie")
    assert zomer.row(0, named=True)["start"] == D(2025, 7, 5)
    assert zomer.row(0, named=True)["advisory"] is False
    kerst = cal.holidays(school_year="2025-2026").filter(pl.col("name") == "kerstvakantie")
    assert kerst.height == 3
    assert set(kerst["start"]) == {D(2025, 12, 20)}
    # unverified shipped dates are flagged advisory and say so in source
    unverified = cal.holidays().filter(pl.col("source").str.contains("unverified"))
    assert unverified.height > 0
    assert unverified["advisory"].all()


def test_holidays_refuses_an_unknown_region() -> None:
    with pytest.raises(BrugdataError, match="not a holiday region"):
        cal.holidays("oost")
    assert cal.holidays("Regio Noord", "2024-2025").height == 5


# --------------------------------------------------------------------------- Rijksoverheid JSON

RIJKSOVERHEID = {
    "id": "b9c3b3b9",
    "type": "schoolvakanties",
    "canonical": "https://opendata.rijksoverheid.nl/v1/infotypes/schoolholidays/schoolyear/2024-2025",
    "content": [
        {
            "title": "Schoolvakanties 2024-2025",
            "schoolyear": "2024-2025 ",
            "vacations": [
                {
                    "type": "\n  Herfstvakantie  \n",
                    "compulsorydates": "false",
                    "regions": [
                        {
                            "region": "noord",
                            # 22:00 UTC on the 19th is midnight of the 20th in Amsterdam (CEST)
                            "startdate": "2024-10-19T22:00:00.000Z",
                            # 27 October: clocks went back at 01:00 UTC, so 22:30 UTC is 23:30
                            "enddate": "2024-10-27T22:30:00.000Z",
                        },
                        {
                            "region": "Midden",
                            "startdate": "2024-10-25T22:00:00.000Z",
                            "enddate": "2024-11-02T23:00:00.000Z",
                        },
                        {
                            "region": "regio zuid",
                            "startdate": "2024-10-18T22:00:00.000Z",
                            "enddate": "2024-10-26T22:00:00.000Z",
                        },
                    ],
                },
                {
                    "type": "Kerstvakantie",
                    "compulsorydates": "true",
                    "regions": [
                        {
                            "region": "heel Nederland",
                            # winter time: 23:00 UTC is midnight of the 21st
                            "startdate": "2024-12-20T23:00:00.000Z",
                            "enddate": "2025-01-04T23:00:00.000Z",
                        }
                    ],
                },
            ],
        }
    ],
    "license": "CC0",
}


def test_load_rijksoverheid_json_shifts_utc_to_amsterdam_dates() -> None:
    frame = cal.load_rijksoverheid_json(json.dumps(RIJKSOVERHEID))
    assert dict(frame.schema) == cal.HOLIDAY_COLUMNS
    herfst = {
        r["region"]: r
        for r in frame.filter(pl.col("name") == "herfstvakantie").iter_rows(named=True)
    }
    assert set(herfst) == {"noord", "midden", "zuid"}
    assert herfst["noord"]["start"] == D(2024, 10, 20)  # not the 19th
    assert herfst["noord"]["end"] == D(2024, 10, 27)
    assert herfst["midden"]["start"] == D(2024, 10, 26)
    assert herfst["midden"]["end"] == D(2024, 11, 3)
    assert herfst["zuid"]["end"] == D(2024, 10, 27)
    assert all(r["advisory"] for r in herfst.values())
    assert all(r["school_year"] == "2024-2025" for r in herfst.values())


def test_load_rijksoverheid_json_expands_heel_nederland_and_flags_compulsory() -> None:
    frame = cal.load_rijksoverheid_json(json.dumps(RIJKSOVERHEID))
    kerst = frame.filter(pl.col("name") == "kerstvakantie").sort("region")
    assert kerst["region"].to_list() == ["midden", "noord", "zuid"]
    assert set(kerst["start"]) == {D(2024, 12, 21)}
    assert set(kerst["end"]) == {D(2025, 1, 5)}
    assert not kerst["advisory"].any()
    assert set(frame["source"]) == {"rijksoverheid open data"}


def test_load_rijksoverheid_json_reads_a_file_and_a_list_of_documents(tmp_path: Path) -> None:
    path = tmp_path / "schoolvakanties.json"
    path.write_text(json.dumps([RIJKSOVERHEID]), encoding="utf-8")
    frame = cal.load_rijksoverheid_json(path)
    assert frame.height == 6
    assert set(frame["source"]) == {"schoolvakanties.json"}


@pytest.mark.parametrize(
    "text",
    [
        '{"content": []}',
        '{"foo": 1}',
        "not json at all {",
        json.dumps(
            {
                "content": [
                    {
                        "schoolyear": "2024-2025",
                        "vacations": [
                            {
                                "type": "Herfstvakantie",
                                "regions": [
                                    {"region": "oost", "startdate": "2024-10-19", "enddate": "x"}
                                ],
                            }
                        ],
                    }
                ]
            }
        ),
    ],
)
def test_load_rijksoverheid_json_refuses_unknown_content_in_one_sentence(text: str) -> None:
    with pytest.raises(BrugdataError) as info:
        cal.load_rijksoverheid_json(text if text.lstrip().startswith(("{", "[")) else "[" + text)
    message = str(info.value)
    assert "\n" not in message
    assert message.count(". ") == 0


def test_a_loaded_year_can_be_added_to_the_shipped_holidays() -> None:
    # a school year that is not shipped, as the Rijksoverheid would publish it
    doc = {
        "content": [
            {
                "schoolyear": "2027-2028",
                "vacations": [
                    {
                        "type": "Herfstvakantie",
                        "compulsorydates": "false",
                        "regions": [
                            {
                                "region": "heel Nederland",
                                "startdate": "2027-10-15T22:00:00.000Z",
                                "enddate": "2027-10-23T22:00:00.000Z",
                            }
                        ],
                    }
                ],
            }
        ]
    }
    extra = cal.load_rijksoverheid_json(json.dumps(doc))
    assert cal.holidays(school_year="2027-2028").height == 0
    added = cal.holidays("zuid", "2027-2028", extra=extra)
    assert added.row(0, named=True)["start"] == D(2027, 10, 16)
    # a loaded row replaces the shipped row of the same year, region and holiday
    replaced = cal.holidays(
        "noord", "2024-2025", extra=cal.load_rijksoverheid_json(json.dumps(RIJKSOVERHEID))
    )
    herfst = replaced.filter(pl.col("name") == "herfstvakantie")
    assert herfst.height == 1
    assert herfst.row(0, named=True)["start"] == D(2024, 10, 20)
    assert replaced.height == 5


# --------------------------------------------------------------------------- school days


def test_is_school_day() -> None:
    assert cal.is_school_day(D(2024, 10, 28), "zuid")  # Monday after zuid's herfstvakantie
    assert not cal.is_school_day(D(2024, 10, 28), "midden")  # midden: 26 Oct - 3 Nov
    assert not cal.is_school_day(D(2024, 9, 7), "noord")  # a Saturday
    assert not cal.is_school_day(D(2025, 4, 21), "noord")  # Tweede Paasdag
    assert not cal.is_school_day(D(2025, 5, 29), "zuid")  # Hemelvaartsdag
    assert cal.is_school_day(D(2025, 5, 30), "zuid")  # the Friday after: up to the school
    with pytest.raises(BrugdataError, match="no school holidays known for 2030-2031"):
        cal.is_school_day(D(2030, 9, 2), "noord")


def test_school_weeks_2024_2025_midden() -> None:
    # Hand count for midden 2024-2025. Weeks run Monday-Sunday; week 1 is 29 Jul - 4 Aug 2024.
    # - Summer 2024 (midden) lasts until Sunday 25 Aug: weeks 1-4 have no school day, so the
    #   first school week is week 5 (Mon 26 Aug 2024).
    # - Summer 2025 (midden) starts Saturday 19 Jul: the last school week is the week of
    #   Mon 14 Jul 2025, 350 days after 29 Jul 2024: week 51. Weeks 5..51 are 47 weeks.
    # - Weeks wholly inside a holiday: herfst 26 Oct-3 Nov (1), kerst 21 Dec-5 Jan (2),
    #   voorjaar 22 Feb-2 Mar (1), mei 26 Apr-4 May (1) = 5 weeks.
    # - 47 - 5 = 42 (weeks with Tweede Paasdag, Hemelvaart or Pinksteren still have school).
    assert cal.school_weeks("2024-2025", "midden") == 42
    for year in ("2023-2024", "2024-2025", "2025-2026", "2026-2027"):
        for region in cal.REGIONS:
            assert 39 <= cal.school_weeks(year, region) <= 43, (year, region)


def test_school_weeks_needs_the_previous_summer() -> None:
    with pytest.raises(BrugdataError, match="no school holidays known for 2027-2028"):
        cal.school_weeks("2027-2028", "noord")
    with pytest.raises(BrugdataError, match="school days of 2027-2028"):
        cal.school_days_by_month("2027-2028", "noord")


def test_school_days_by_month_2024_2025_noord() -> None:
    days = cal.school_days_by_month("2024-2025", "noord")
    assert list(days) == list(range(1, 13))  # school months, 1 = August
    # August 2024: the summer holiday (noord) lasts until Sunday 1 September
    assert days[1] == 0
    # September 2024: 21 weekdays (2-6, 9-13, 16-20, 23-27, 30), no holiday
    assert days[2] == 21
    # October 2024: 23 weekdays; herfstvakantie 26 Oct - 3 Nov takes 28-31
    assert days[3] == 19
    # December 2024: 22 weekdays; kerstvakantie from 21 Dec takes 23-27 and 30-31
    assert days[5] == 15
    # February 2025: 20 weekdays; voorjaarsvakantie 15-23 Feb takes 17-21
    assert days[7] == 15
    # May 2025: 22 weekdays; meivakantie to 4 May takes 1-2, Hemelvaart 29 May
    assert days[10] == 19
    # July 2025: the summer holiday starts Saturday 12 July: 1-4, 7-11
    assert days[12] == 9


# --------------------------------------------------------------------------- regions


def test_region_of() -> None:
    assert cal.region_of("'s-Hertogenbosch") == "zuid"
    assert cal.region_of("Den Bosch") == "zuid"
    assert cal.region_of("S-HERTOGENBOSCH") == "zuid"
    assert cal.region_of("Groningen") == "noord"
    assert cal.region_of("Utrecht") == "midden"
    assert cal.region_of("Den Haag") == "midden"
    assert cal.region_of("Súdwest-Fryslân") == "noord"
    assert cal.region_of("sudwest fryslan") == "noord"
    # Hilversum is in Noord-Holland, wholly in region noord (its schools' compulsory summer
    # holidays follow noord), although it lies close to Utrecht.
    assert cal.region_of("Hilversum") == "noord"
    # the split provinces
    assert cal.region_of("Zeewolde") == "midden"
    assert cal.region_of("Lelystad") == "noord"
    assert cal.region_of("Hattem") == "noord"
    assert cal.region_of("Apeldoorn") == "midden"
    assert cal.region_of("Nijmegen") == "zuid"
    assert cal.region_of("Eemnes") == "noord"
    assert cal.region_of("Altena") == "midden"
    # old names of merged municipalities, ambiguous and unknown names
    assert cal.region_of("Weesp") == "noord"
    assert cal.region_of("Bergen (L.)") == "zuid"
    assert cal.region_of("Bergen NH") == "noord"
    assert cal.region_of("Bergen") is None
    assert cal.region_of("Atlantis") is None
    assert cal.region_of(None) is None


def test_municipality_table_has_every_municipality_once() -> None:
    table = cal.municipality_regions()
    assert table.columns == ["municipality", "province", "region"]
    assert table.height == 342
    assert table["municipality"].n_unique() == 342
    assert set(table["region"]) == set(cal.REGIONS)
    assert table["province"].n_unique() == 12
    by_province = table.group_by("province").agg(pl.col("region").unique())
    split = {r["province"] for r in by_province.iter_rows(named=True) if len(r["region"]) > 1}
    assert split == {"Flevoland", "Gelderland", "Utrecht", "Noord-Brabant"}
    # every name is found by region_of
    for name in table["municipality"]:
        assert cal.region_of(name) is not None, name


SCHOOLS = """school_id,school_year,name,pilot,municipality,school_type,pupils,families,region
91AB00,2024-2025,De Vlinder,p1,Utrecht,po,200,,zuid
91AB01,2024-2025,De Zeeën,p1,'s-Hertogenbosch,po,100,,
92EF,2024-2025,Het Lyceum,p2,Atlantis,vo,800,,
"""


def test_school_regions(store: Store, tmp_path: Path) -> None:
    result = store.ingest(write_csv(tmp_path, "schools.csv", SCHOOLS))
    assert result.rows_rejected == 0
    from brugdata.analysis._common import school_regions

    frame = school_regions(store)
    rows = {r["school_id"]: r for r in frame.iter_rows(named=True)}
    assert frame.columns == ["school_id", "school_year", "region", "region_source"]
    assert (rows["91AB00"]["region"], rows["91AB00"]["region_source"]) == ("zuid", "schools")
    assert (rows["91AB01"]["region"], rows["91AB01"]["region_source"]) == ("zuid", "municipality")
    assert (rows["92EF"]["region"], rows["92EF"]["region_source"]) == (None, None)
