"""Referral pathways: exact numbers on a small hand-made fixture (hand counts in the comments),
the pattern in the sample data, and the two charts."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import polars as pl
import pytest

import brugdata
from brugdata.analysis._common import wilson
from brugdata.analysis.pathways import (
    cases,
    class_label,
    partner_class,
    partner_classes,
    pathways,
)
from brugdata.model.vocab import vocabulary
from brugdata.publish.charts._pathways import pathway_routes, time_to_referral
from brugdata.store.store import Store

Y = "2024-2025"
OLD = "2023-2024"


def frames() -> dict[str, pl.DataFrame]:
    """Pilot A: schools 91AA00 and 91AA01; pilot B: school 92BB. Cases (school year Y unless
    said otherwise), days from first contact to first referral in brackets:

    A  91AA00  F1  parent 10-01, pupil 10-05, parent 10-11 → FONDS    light (10)
    A  91AA00  F2  parent 11-04, themes armoede + opvoeding          none
    A  91AA00  P3  no family_key: parent 01-06 → JZ, 01-20 → WELZ    specialised (0)
    A  91AA01  F4  pupil 02-03                                       none
    A  91AA00  F1  parent 2023-09-01 (school year 2023-2024)         none
    B  92BB    F5  parent 03-03, parent 03-08 → SCH                  light (5)
    B  92BB    F6  parent 03-10, partner 03-17 naming F6 → VT        specialised (7)
    B  92BB    F7  pupil 04-01, parent 04-15 → FONDS                 light (14)
    B  92BB    F8  parent 05-01 → FONDS                              light (0)

    Partner contacts without a referral (consultations): A: GGD twice; B: WELZ and VT once.
    A partner contact that names a family and refers (VT for F6) is part of that family's case;
    one that refers and names no family (JZ at 91AA01) is neither a case nor a consultation but
    an unattached referral; a
    colleague contact is not part of a case.
    """
    schools = pl.DataFrame(
        {
            "school_id": ["91AA00", "91AA01", "92BB"],
            "school_year": [Y, Y, Y],
            "pilot": ["A", "A", "B"],
            "school_type": ["po", "po", "vo"],
            "pupils": [10, 20, 100],
            "families": [8, 15, 50],
        }
    )
    officers = pl.DataFrame(
        {"officer_id": ["O1", "O2", "O3"], "pilot": ["A", "A", "B"], "role": ["other"] * 3}
    )
    partners = pl.DataFrame(
        {
            "partner_id": ["FONDS", "WELZ", "SCH", "GGD", "JZ", "VT"],
            "name": ["Leergeld", "Welzijn", "Schuldhulp", "GGD", "Jeugdhulp", "Veilig Thuis"],
            "kind": ["fonds", "welzijn", "schuldhulp", "ggd", "jeugdzorg", "veilig_thuis"],
        }
    )
    rows = [
        # officer, school, counterpart, person, family, date, themes, partner_id, referred_to
        ("O1", "91AA00", "parent", "P1", "F1", "2024-10-01", ["armoede"], None, None),
        ("O1", "91AA00", "pupil", "K1", "F1", "2024-10-05", ["opvoeding"], None, None),
        ("O2", "91AA00", "parent", "P1", "F1", "2024-10-11", ["armoede"], None, "FONDS"),
        ("O1", "91AA00", "parent", "P2", "F2", "2024-11-04", ["armoede", "opvoeding"], None, None),
        ("O2", "91AA00", "parent", "P3", None, "2025-01-06", ["opvoeding"], None, "JZ"),
        ("O2", "91AA00", "parent", "P3", None, "2025-01-20", ["opvoeding"], None, "WELZ"),
        ("O1", "91AA00", "colleague", None, None, "2025-01-07", ["opvoeding"], None, None),
        ("O1", "91AA00", "partner", None, None, "2025-01-08", ["opvoeding"], "GGD", None),
        ("O2", "91AA00", "partner", None, None, "2025-02-08", ["armoede"], "GGD", None),
        ("O2", "91AA01", "pupil", "K4", "F4", "2025-02-03", ["schoolprocedures"], None, None),
        ("O2", "91AA01", "partner", None, None, "2025-02-04", ["schoolprocedures"], "JZ", "JZ"),
        ("O1", "91AA00", "parent", "P1", "F1", "2023-09-01", ["armoede"], None, None),
        ("O3", "92BB", "parent", "P5", "F5", "2025-03-03", ["armoede"], None, None),
        (
            "O3",
            "92BB",
            "parent",
            "P5",
            "F5",
            "2025-03-08",
            ["armoede", "schoolspullen"],
            None,
            "SCH",
        ),
        ("O3", "92BB", "parent", "P6", "F6", "2025-03-10", ["armoede"], None, None),
        ("O3", "92BB", "pupil", "K7", "F7", "2025-04-01", ["opvoeding"], None, None),
        ("O3", "92BB", "parent", "P7", "F7", "2025-04-15", ["armoede"], None, "FONDS"),
        ("O3", "92BB", "parent", "P8", "F8", "2025-05-01", ["armoede"], None, "FONDS"),
        ("O3", "92BB", "partner", None, None, "2025-03-20", ["armoede"], "WELZ", None),
        ("O3", "92BB", "partner", None, None, "2025-03-21", ["thuissituatie"], "VT", None),
        ("O3", "92BB", "partner", None, "F6", "2025-03-17", ["thuissituatie"], "VT", "VT"),
    ]
    contacts = pl.DataFrame(
        {
            "contact_id": [f"C{i}" for i in range(len(rows))],
            "officer_id": [r[0] for r in rows],
            "school_id": [r[1] for r in rows],
            "counterpart": [r[2] for r in rows],
            "person_key": [r[3] for r in rows],
            "family_key": [r[4] for r in rows],
            "date": [dt.date.fromisoformat(r[5]) for r in rows],
            "themes": [r[6] for r in rows],
            "partner_id": [r[7] for r in rows],
            "referred_to": [r[8] for r in rows],
        }
    )
    return {"schools": schools, "officers": officers, "partners": partners, "contacts": contacts}


def row(frame: pl.DataFrame, **where: object) -> dict[str, Any]:
    hit = frame.filter(*[pl.col(k) == v for k, v in where.items()])
    assert hit.height == 1, hit
    return hit.row(0, named=True)


# --------------------------------------------------------------------------- classification


def test_every_partner_kind_is_in_exactly_one_class() -> None:
    classes = partner_classes()
    assert set(classes) == set(vocabulary("partner_kind").code_list)
    assert set(classes.values()) == {"light", "specialised"}
    for kind in ("welzijn", "wijkteam", "fonds", "voedselbank", "schuldhulp", "huisarts", "ggd"):
        assert classes[kind] == "light"
    for kind in ("jeugdzorg", "veilig_thuis", "jeugdconsulent", "politie"):
        assert classes[kind] == "specialised"
    assert partner_class("zzz") == "unclassified"
    assert partner_class(None) == "unclassified"
    assert class_label("none", "en") == "no referral"
    assert class_label("specialised", "nl") == "specialistische zorg en veiligheid"


# --------------------------------------------------------------------------- cases


def test_cases_one_row_per_family_school_and_year() -> None:
    out = cases(frames())
    # A: F1, F2, P3 (91AA00), F4 (91AA01), F1 in 2023-2024; B: F5, F6, F7, F8
    assert out.height == 9
    f1 = row(out, case="F1", school_year=Y)
    assert f1 == {
        "pilot": "A",
        "school_id": "91AA00",
        "school_year": Y,
        "case": "F1",
        "first_contact": dt.date(2024, 10, 1),
        "last_contact": dt.date(2024, 10, 11),
        "contacts": 3,  # parent, pupil, parent
        "themes": ["armoede", "opvoeding"],
        "counterparts": ["parent", "pupil"],
        "referrals": 1,
        "referred_to": ["FONDS"],
        "first_referral": dt.date(2024, 10, 11),
        "days_to_referral": 10,  # 1 → 11 October
        "referral_class": "light",  # fonds
    }
    p3 = row(out, case="P3")  # no family_key: the person is the case
    assert (p3["contacts"], p3["referrals"], p3["referred_to"]) == (2, 2, ["JZ", "WELZ"])
    assert (p3["days_to_referral"], p3["referral_class"]) == (0, "specialised")  # jeugdzorg wins
    f2 = row(out, case="F2")
    assert (f2["themes"], f2["referrals"], f2["referred_to"]) == (["armoede", "opvoeding"], 0, [])
    assert (f2["first_referral"], f2["days_to_referral"], f2["referral_class"]) == (
        None,
        None,
        "none",
    )
    old = row(out, case="F1", school_year=OLD)
    assert (old["pilot"], old["contacts"], old["referral_class"]) == ("A", 1, "none")
    f7 = row(out, case="F7")
    assert (f7["days_to_referral"], f7["counterparts"]) == (14, ["parent", "pupil"])


def test_cases_filter_by_pilot_and_year() -> None:
    assert cases(frames(), pilots=["B"])["case"].to_list() == ["F5", "F6", "F7", "F8"]
    assert cases(frames(), school_year=OLD)["case"].to_list() == ["F1"]


def test_referral_to_an_unknown_partner_or_kind_is_unclassified() -> None:
    data = frames()
    data["partners"] = pl.concat(
        [data["partners"], pl.DataFrame({"partner_id": ["ODD"], "name": ["?"], "kind": ["zzz"]})]
    )
    contacts = data["contacts"].filter(  # without F6's referral on a partner contact
        (pl.col("counterpart") != "partner") | pl.col("family_key").is_null()
    )
    data["contacts"] = contacts.with_columns(
        referred_to=pl.when(pl.col("person_key") == "P6")
        .then(pl.lit("GHOST"))  # not in the partners table
        .when(pl.col("person_key") == "P2")
        .then(pl.lit("ODD"))  # a kind in no class
        .otherwise(pl.col("referred_to"))
    )
    out = cases(data)
    assert row(out, case="F6")["referral_class"] == "unclassified"
    assert row(out, case="F2")["referral_class"] == "unclassified"
    result = pathways(data)
    b = row(result.outcomes, pilot="B")
    assert (b["unclassified"], b["share_unclassified"], b["no_referral"]) == (1, 0.25, 0)
    ghost = row(result.routes, pilot="B", theme="armoede", partner_class="unclassified")
    assert (ghost["partner_kind"], ghost["cases"]) == (None, 1)


# --------------------------------------------------------------------------- outcomes


def test_outcomes_by_pilot() -> None:
    out = pathways(frames()).outcomes
    assert out.select("pilot", "school_year").rows() == [("A", OLD), ("A", Y), ("B", Y)]
    a = row(out, pilot="A", school_year=Y)
    # F1 light, F2 none, P3 specialised, F4 none
    assert (a["cases"], a["no_referral"], a["light"], a["specialised"], a["unclassified"]) == (
        4,
        2,
        1,
        1,
        0,
    )
    shares = ("share_no_referral", "share_light", "share_specialised", "share_unclassified")
    assert [a[s] for s in shares] == [0.5, 0.25, 0.25, 0.0]
    low, high = wilson(2, 4)  # fractions, like the shares
    assert a["ci_low"] == pytest.approx(low)
    assert a["ci_high"] == pytest.approx(high)
    assert a["referred_cases"] == 2
    assert a["median_days_to_referral"] == 5.0  # median of 10 (F1) and 0 (P3)
    b = row(out, pilot="B")
    # F5, F7, F8 light; F6 specialised (its referral is logged on a partner contact)
    assert (b["cases"], b["no_referral"], b["light"], b["specialised"]) == (4, 0, 3, 1)
    assert [b[s] for s in shares] == [0.0, 0.75, 0.25, 0.0]
    assert b["median_days_to_referral"] == 6.0  # median of 5, 14, 0, 7
    # 2/4 vs 0/4: pooled p = 2/8, expected 1 and 3 per pilot;
    # chi2 = 1 + 1 + 1/3 + 1/3 = 8/3, df = 1, p = erfc(sqrt(chi2 / 2))
    assert a["p_value"] == b["p_value"] == pytest.approx(math.erfc(math.sqrt(4 / 3)))
    assert a["method"] == b["method"]
    assert "chi-square test of homogeneity" in a["method"]
    assert "chi2 = 2.67, df = 1" in a["method"]
    old = row(out, pilot="A", school_year=OLD)  # one pilot that year: no test
    assert (old["cases"], old["share_no_referral"], old["method"], old["p_value"]) == (
        1,
        1.0,
        None,
        None,
    )
    assert old["median_days_to_referral"] is None
    total = out.select(pl.sum_horizontal(shares).alias("t"))["t"]
    assert total.to_list() == pytest.approx([1.0, 1.0, 1.0])


def test_outcomes_by_theme_count_a_case_under_each_theme() -> None:
    out = pathways(frames(), by=["pilot", "theme"], school_year=Y).outcomes
    assert out.columns[:3] == ["pilot", "theme", "school_year"]
    a_armoede = row(out, pilot="A", theme="armoede")  # F1 light, F2 none
    assert (a_armoede["cases"], a_armoede["no_referral"], a_armoede["light"]) == (2, 1, 1)
    a_opvoeding = row(out, pilot="A", theme="opvoeding")  # F1 light, F2 none, P3 specialised
    assert (a_opvoeding["cases"], a_opvoeding["specialised"]) == (3, 1)
    b_armoede = row(out, pilot="B", theme="armoede")  # F5, F6, F7, F8
    assert (b_armoede["cases"], b_armoede["light"]) == (4, 3)
    assert row(out, pilot="B", theme="schoolspullen")["cases"] == 1  # F5
    assert out["p_value"].is_null().all()  # the test is only by pilot


def test_outcomes_by_school_carry_the_pilot() -> None:
    result = pathways(frames(), by="school", school_year=Y)
    out = result.outcomes
    assert result.by == ["pilot", "school_id"]
    assert out.select("pilot", "school_id", "cases", "no_referral").rows() == [
        ("A", "91AA00", 3, 1),  # F1, F2, P3
        ("A", "91AA01", 1, 1),  # F4
        ("B", "92BB", 4, 0),
    ]
    with pytest.raises(ValueError, match="choose from: pilot, school, theme"):
        pathways(frames(), by="officer")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- routes, time


def test_routes_go_from_the_referred_question_to_the_partner_kind() -> None:
    out = pathways(frames()).routes
    assert out.select(
        "pilot", "theme", "partner_kind", "partner_class", "cases", "rank"
    ).rows() == [
        # F1's referral carries armoede only (its opvoeding contact did not refer)
        ("A", "armoede", "fonds", "light", 1, 1),
        ("A", "opvoeding", "jeugdzorg", "specialised", 1, 2),  # P3
        ("A", "opvoeding", "welzijn", "light", 1, 3),  # P3 again
        ("B", "armoede", "fonds", "light", 2, 1),  # F7, F8
        ("B", "armoede", "schuldhulp", "light", 1, 2),  # F5's referral has two themes
        ("B", "schoolspullen", "schuldhulp", "light", 1, 3),
        ("B", "thuissituatie", "veilig_thuis", "specialised", 1, 4),  # F6, on a partner contact
    ]
    assert out["referrals"].to_list() == [1, 1, 1, 2, 1, 1, 1]


def test_time_to_referral_per_pilot_and_class() -> None:
    out = pathways(frames()).time_to_referral
    assert out.rows() == [
        # pilot, school year, class, cases, median, p25, p75, min, max
        ("A", Y, "light", 1, 10.0, 10.0, 10.0, 10, 10),  # F1
        ("A", Y, "specialised", 1, 0.0, 0.0, 0.0, 0, 0),  # P3
        # B: 0, 5, 14 → p25 = 0 + 0.5 × 5, p75 = 5 + 0.5 × 9
        ("B", Y, "light", 3, 5.0, 2.5, 9.5, 0, 14),
        ("B", Y, "specialised", 1, 7.0, 7.0, 7.0, 7, 7),  # F6: 03-10 → 03-17
    ]


def test_consultations_are_partner_contacts_without_referral() -> None:
    result = pathways(frames())
    out = result.consultations
    assert out.columns == [
        "pilot",
        "school_year",
        "partner_kind",
        "partner_class",
        "contacts",
        "partners",
        "share",
        "total_contacts",
        "total_partners",
    ]
    assert out.rows() == [
        ("A", Y, "ggd", "light", 2, 1, 1.0, 2, 1),  # the JZ partner contact refers: not counted
        ("B", Y, "veilig_thuis", "specialised", 1, 1, 0.5, 2, 2),
        ("B", Y, "welzijn", "light", 1, 1, 0.5, 2, 2),
    ]
    by_school = pathways(frames(), by="school").consultations
    assert by_school.select("pilot", "school_id", "partner_kind", "contacts").rows() == [
        ("A", "91AA00", "ggd", 2),
        ("B", "92BB", "veilig_thuis", 1),
        ("B", "92BB", "welzijn", 1),
    ]


def test_a_referral_on_a_partner_contact_naming_a_family_is_that_familys() -> None:
    f6 = row(cases(frames()), case="F6")
    assert (f6["contacts"], f6["referrals"], f6["referred_to"]) == (2, 1, ["VT"])
    assert (f6["counterparts"], f6["days_to_referral"]) == (["parent", "partner"], 7)
    # a case of a family known only from a partner referral
    data = frames()
    extra = (
        data["contacts"]
        .tail(1)
        .with_columns(contact_id=pl.lit("X1"), family_key=pl.lit("F10"), date=dt.date(2025, 6, 2))
    )
    data["contacts"] = pl.concat([data["contacts"], extra])
    f10 = row(cases(data), case="F10")
    assert (f10["pilot"], f10["contacts"], f10["referral_class"]) == ("B", 1, "specialised")


def test_referrals_naming_no_family_are_counted_apart() -> None:
    out = pathways(frames()).unattached_referrals
    # JZ on a partner contact at 91AA01 without family_key
    assert out.rows() == [("A", Y, "partner", 1, 1)]
    assert pathways(frames(), pilots=["B"]).unattached_referrals.is_empty()


def test_frames_and_filters() -> None:
    result = pathways(frames(), pilots=["B"], school_year=Y)
    assert list(result.frames()) == [
        "outcomes",
        "routes",
        "consultations",
        "time_to_referral",
        "unattached_referrals",
    ]
    for frame in result.frames().values():
        assert set(frame["pilot"].to_list()) <= {"B"}
    b = row(result.outcomes, pilot="B")
    assert (b["method"], b["p_value"]) == (None, None)  # one pilot: nothing to compare


def test_no_contacts_says_what_the_store_holds() -> None:
    data = frames()
    data["contacts"] = data["contacts"].clear()
    holds = "it holds 3 school rows and 3 officers"
    with pytest.raises(ValueError, match=f"cases needs logged contacts, .*; {holds}"):
        cases(data)
    with pytest.raises(ValueError, match=f"pathways needs logged contacts, .*; {holds}"):
        pathways(data)
    # a selection without contacts: the outcomes keep their columns, empty
    only = frames()
    only["contacts"] = only["contacts"].filter(pl.col("school_id") != "92BB")
    b = pathways(only, by="school_year", pilots=["A"])
    assert b.outcomes.columns[0] == "school_year" and "share_no_referral" in b.outcomes.columns


# --------------------------------------------------------------------------- sample data


def test_pathways_over_a_store_equals_pathways_over_frames(sample_store: Store) -> None:
    tables = {name: sample_store.table(name) for name in brugdata.TABLES}
    a, b = pathways(sample_store), pathways(tables)
    for name, frame in a.frames().items():
        assert frame.equals(b.frames()[name]), name


def test_sample_den_bosch_handles_more_in_school(sample_store: Store) -> None:
    out = pathways(sample_store).outcomes
    share = dict(zip(out["pilot"], out["share_no_referral"], strict=True))
    assert share["den_bosch"] > share["gooi_vechtstreek"]  # the direction only
    assert out["p_value"][0] < 0.05
    consultations = pathways(sample_store).consultations
    assert consultations.filter(pl.col("pilot") == "den_bosch")["contacts"].sum() > 0


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_charts_validate(sample_store: Store, lang: str) -> None:
    result = pathways(sample_store)
    for chart in (
        pathway_routes(result, lang=lang),  # type: ignore[arg-type]
        pathway_routes(result.routes, lang=lang, top=5),  # type: ignore[arg-type]
        time_to_referral(result, lang=lang),  # type: ignore[arg-type]
    ):
        spec = chart.to_dict(validate=True)
        datasets = spec["datasets"]
        assert datasets
        assert all(0 < len(rows) < 5_000 for rows in datasets.values())
    routes_spec = str(pathway_routes(result, lang=lang).to_dict())  # type: ignore[arg-type]
    assert ("Verwijsroutes" if lang == "nl" else "Referral routes") in routes_spec
    assert ("Armoede" if lang == "nl" else "Poverty") in routes_spec


def test_chart_arguments_are_checked(sample_store: Store) -> None:
    result = pathways(sample_store)
    with pytest.raises(ValueError, match="lang must be 'nl' or 'en'"):
        time_to_referral(result, lang="de")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="top must be at least 1"):
        pathway_routes(result, top=0)


def test_a_school_year_reads_the_dates_from_1_august_to_31_july() -> None:
    """With a school year the contacts are narrowed by date before their school year is
    worked out (fast on a large store); the boundaries must fall as the school year does."""
    from brugdata.analysis._common import contacts_x
    from brugdata.sql import query

    dates = [dt.date(2024, 7, 31), dt.date(2024, 8, 1), dt.date(2025, 7, 31), dt.date(2025, 8, 1)]
    contacts = pl.DataFrame(
        {
            "contact_id": [f"C{i}" for i in range(len(dates))],
            "date": dates,
            "officer_id": ["O1"] * len(dates),
            "school_id": ["91AA00"] * len(dates),
            "counterpart": ["parent"] * len(dates),
            "person_key": [f"F{i}" for i in range(len(dates))],
        }
    )
    source = {"contacts": contacts}
    for year, expected in ((Y, ["C1", "C2"]), (OLD, ["C0"]), ("2025-2026", ["C3"])):
        narrowed = query(source, f"SELECT contact_id FROM ({contacts_x(year)}) ORDER BY 1")
        assert narrowed["contact_id"].to_list() == expected
        found = cases(source, school_year=year)["case"].to_list()
        assert found == [f"F{c[1:]}" for c in expected]
    assert query(source, f"SELECT count(*) AS n FROM ({contacts_x('2024-2026')})")["n"][0] == 4
