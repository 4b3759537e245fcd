"""The indicator set (``brugdata.indicators``, docs/indicators.md): every indicator on a
hand-made store, its numerator, denominator and value counted by hand in the comments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import brugdata
from brugdata.analysis import AnalysisError
from brugdata.store.store import Store
from tests.conftest import csv_text, write_csv

Y = "2024-2025"
AFTER = dt.date(2025, 8, 1)  # the school year is over: definitive

SCHOOLS = csv_text(
    ["school_id", "school_year", "name", "pilot", "municipality", "school_type", "pupils",
     "families", "region"],
    [
        ["91AA00", Y, "Een", "p1", "Utrecht", "po", "40", "20", "midden"],
        ["91AA01", Y, "Twee", "p1", "Utrecht", "so", "10", "8", "midden"],
        ["92BB", Y, "Drie", "p2", "Zeist", "vo", "100", "50", "midden"],
    ],
)  # fmt: skip
OFFICERS = csv_text(
    ["officer_id", "pilot", "role"],
    [
        ["O-1", "p1", "brugfunctionaris"],
        ["O-2", "p1", "brugfunctionaris"],
        ["O-3", "p2", "brugfunctionaris"],
        ["O-4", "p2", "brugfunctionaris"],  # no assignment, no contacts
    ],
)
PARTNERS = csv_text(
    ["partner_id", "name", "kind"],
    [["PA-1", "Wijkteam", "wijkteam"], ["PA-2", "Veilig Thuis", "veilig_thuis"],
     ["PA-3", "GGD", "ggd"]],
)  # fmt: skip
ASSIGNMENTS = csv_text(
    ["officer_id", "school_id", "school_year", "hours_per_week"],
    [
        ["O-1", "91AA00", Y, "10"],
        ["O-2", "91AA00", Y, "5"],
        ["O-2", "91AA01", Y, "5"],
        ["O-3", "92BB", Y, "25"],
    ],
)
_HEAD = ["contact_id", "date", "officer_id", "school_id", "counterpart", "person_key",
         "family_key", "colleague_role", "partner_id", "themes", "channel", "initiated_by",
         "duration_min", "referred_to"]  # fmt: skip
CONTACTS = csv_text(
    _HEAD,
    [
        # p1 -------------------------------------------------------------------------------
        ["C01", "2024-09-02", "O-1", "91AA00", "parent", "P-01", "G-01", "", "", "armoede",
         "phone", "parent", "10", ""],
        ["C02", "2024-09-10", "O-1", "91AA00", "pupil", "P-02", "G-01", "", "", "opvoeding|taal",
         "phone", "pupil", "10", ""],
        ["C03", "2024-09-20", "O-1", "91AA00", "parent", "P-01", "G-01", "", "",
         "voedsel|armoede", "phone", "parent", "10", "PA-1"],
        ["C04", "2024-10-01", "O-2", "91AA00", "parent", "P-03", "G-02", "", "", "gezondheid",
         "phone", "parent", "10", ""],
        ["C05", "2024-10-05", "O-2", "91AA00", "pupil", "P-04", "G-03", "", "", "mentaal",
         "phone", "pupil", "10", ""],
        ["C06", "2024-10-15", "O-2", "91AA01", "parent", "P-05", "G-04", "", "", "scheiding",
         "phone", "parent", "10", "PA-2"],
        ["C07", "2024-11-01", "O-2", "91AA01", "colleague", "", "", "leerkracht", "", "pesten",
         "phone", "colleague", "10", ""],
        ["C08", "2024-11-03", "O-1", "91AA00", "partner", "", "", "", "PA-3", "gezondheid",
         "phone", "partner", "10", ""],
        ["C09", "2024-11-10", "O-2", "91AA00", "parent", "P-03", "G-02", "", "",
         "thuissituatie", "phone", "parent", "10", "PA-1"],
        ["C10", "2024-12-01", "O-1", "91AA00", "pupil", "P-06", "", "", "", "sport_cultuur",
         "phone", "pupil", "10", ""],
        # p2 -------------------------------------------------------------------------------
        ["C11", "2024-09-05", "O-3", "92BB", "pupil", "P-07", "G-05", "", "", "gedrag",
         "phone", "pupil", "10", ""],
        ["C12", "2024-09-06", "O-3", "92BB", "parent", "P-08", "G-05", "", "", "opvoeding",
         "phone", "parent", "10", ""],
        ["C13", "2024-09-07", "O-3", "92BB", "partner", "", "", "", "PA-3", "gezondheid",
         "phone", "partner", "10", ""],
    ],
)  # fmt: skip
SURVEY = csv_text(
    ["officer_id", "pilot", "school_year", "school_type", "parents_helped", "pupils_helped",
     "families_total", "pupils_total", "pct_pupil_cases_parents_spoken", "internal_contacts",
     "external_contacts"],
    [["O-3", "p2", Y, "vo", "5", "4", "50", "100", "50", "3", "2"]],
)  # fmt: skip


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The hand-made files above, ingested into a store (every row loaded)."""
    folder = tmp_path_factory.mktemp("indicators")
    for name, text in (
        ("schools.csv", SCHOOLS),
        ("officers.csv", OFFICERS),
        ("partners.csv", PARTNERS),
        ("assignments.csv", ASSIGNMENTS),
        ("contacts.csv", CONTACTS),
        ("survey.csv", SURVEY),
    ):
        write_csv(folder, name, text)
    store = brugdata.open(":memory:")
    result = store.ingest(folder)
    assert result.rows_rejected == 0, result
    assert store.table("contacts").height == 13
    yield store
    store.close()


def _row(frame: pl.DataFrame, indicator: str, **keys: Any) -> dict[str, Any]:
    """The one row of ``indicator`` for the keys given."""
    found = frame.filter(pl.col("indicator") == indicator)
    for key, value in keys.items():
        found = found.filter(pl.col(key) == value)
    assert found.height == 1, (indicator, keys, found)
    return found.row(0, named=True)


def _check(
    row: dict[str, Any], numerator: int | None, denominator: float, value: float | None
) -> None:
    """The row has this numerator, denominator and value."""
    assert row["numerator"] == numerator, row
    assert row["denominator"] == pytest.approx(denominator), row
    if value is None:
        assert row["value"] is None, row
    else:
        assert row["value"] == pytest.approx(value), row


#: p1, counted by hand from the files above (2024-2025):
#: - families reached: parent contacts C01, C03 (G-01), C04, C09 (G-02), C06 (G-04) → 3;
#:   families at p1's schools 20 + 8 = 28.
#: - pupils reached: pupil contacts C02 (P-02), C05 (P-04), C10 (P-06) → 3; pupils 40 + 10.
#: - contacts C01–C10 = 10; weekly hours 10 + 5 + 5 = 20, × 40 school weeks = 800.
#: - pupil cases: P-02 (G-01, whose parent was contacted), P-04 (G-03, not), P-06 (no
#:   family: not linked) → 1 of 2 linked.
#: - cases (a family at a school): 91AA00 G-01 (referred C03, 18 days after C01), G-02
#:   (referred C09, 40 days after C04), G-03 and P-06 (no referral); 91AA01 G-04 (referred
#:   on its first contact: 0 days) → 5 cases, 2 without a referral; median of 0, 18, 40 = 18.
#: - focus areas of the 10 contacts: armoede C01, C03 (voedsel|armoede counts once) = 2;
#:   zorg thuis C02 (opvoeding), C06 (scheiding), C09 (thuissituatie) = 3; participatie
#:   C02 (taal), C10 (sport_cultuur) = 2; gezondheid C04, C05 (mentaal), C08 = 3; other C07
#:   (pesten) = 1.
#: - external partners: O-1 PA-1 (referral C03), PA-3 (C08) = 2; O-2 PA-2 (C06), PA-1 (C09)
#:   = 2 → 4 over 2 officers.
P1 = {
    "families_reached_share": (3, 28, 3 / 28),
    "pupils_reached_share": (3, 50, 3 / 50),
    "contacts_per_officer_hour": (10, 800, 10 / 800),
    "families_reached_per_officer_hour": (3, 800, 3 / 800),
    "pupil_cases_parent_contact_share": (1, 2, 0.5),
    "cases_no_referral_share": (2, 5, 0.4),
    "median_days_to_referral": (None, 3, 18.0),
    "contacts_focus_armoede": (2, 10, 0.2),
    "contacts_focus_zorg_thuis": (3, 10, 0.3),
    "contacts_focus_participatie_wijk": (2, 10, 0.2),
    "contacts_focus_gezondheid": (3, 10, 0.3),
    "contacts_focus_other": (1, 10, 0.1),
    "external_partners_per_officer": (4, 2, 2.0),
}
#: p2: families G-05 (C12) 1 of 50; pupils P-07 (C11) 1 of 100; contacts 3 over 25 h × 40;
#: the pupil case P-07 (G-05) had its parent contacted; one case (G-05), not referred, so no
#: median over 0 referred cases; focus: gedrag (other), opvoeding (zorg thuis), gezondheid;
#: external: O-3 PA-3 (C13), O-4 none → 1 over 2 officers; the questionnaire: O-3 answered,
#: of the 2 officers of p2.
P2 = {
    "families_reached_share": (1, 50, 0.02),
    "pupils_reached_share": (1, 100, 0.01),
    "contacts_per_officer_hour": (3, 1000, 0.003),
    "families_reached_per_officer_hour": (1, 1000, 0.001),
    "pupil_cases_parent_contact_share": (1, 1, 1.0),
    "cases_no_referral_share": (1, 1, 1.0),
    "median_days_to_referral": (None, 0, None),
    "contacts_focus_armoede": (0, 3, 0.0),
    "contacts_focus_zorg_thuis": (1, 3, 1 / 3),
    "contacts_focus_participatie_wijk": (0, 3, 0.0),
    "contacts_focus_gezondheid": (1, 3, 1 / 3),
    "contacts_focus_other": (1, 3, 1 / 3),
    "external_partners_per_officer": (1, 2, 0.5),
    "response_rate": (1, 2, 0.5),
}


def test_every_indicator_per_pilot_by_hand(hand: Store) -> None:
    frame = brugdata.indicators(hand, today=AFTER)
    assert frame.columns == [
        "pilot", "school_year", "indicator", "numerator", "denominator", "value", "measure",
        "unit", "population_date", "status", "source", "label_nl", "label_en", "note",
    ]  # fmt: skip
    for pilot, expected in (("p1", P1), ("p2", P2)):
        rows = frame.filter(pl.col("pilot") == pilot)
        assert rows["indicator"].to_list() == list(expected), pilot  # the table's order
        for code, (numerator, denominator, value) in expected.items():
            _check(_row(rows, code, school_year=Y), numerator, denominator, value)
    # one row per indicator, pilot and school year
    assert frame.select("pilot", "school_year", "indicator").is_unique().all()


def test_unit_source_population_date_and_status(hand: Store) -> None:
    frame = brugdata.indicators(hand, today=AFTER)
    # p1 has po and so schools (BRIN6), p2 a vo school (BRIN4); per officer(-hour): officer
    assert _row(frame, "families_reached_share", pilot="p1")["unit"] == "BRIN6"
    assert _row(frame, "cases_no_referral_share", pilot="p2")["unit"] == "BRIN4"
    for code in ("contacts_per_officer_hour", "external_partners_per_officer"):
        assert _row(frame, code, pilot="p1")["unit"] == "officer"
    response = _row(frame, "response_rate", pilot="p2")
    assert (response["unit"], response["source"]) == ("officer", "questionnaire")
    assert set(frame.filter(pl.col("indicator") != "response_rate")["source"]) == {"log"}
    # the population's count date: 1 October of the school year, on the reach shares only
    reach = frame.filter(pl.col("indicator").str.ends_with("_reached_share"))
    assert set(reach["population_date"]) == {dt.date(2024, 10, 1)}
    assert frame.filter(pl.col("indicator") == "response_rate")["population_date"][0] is None
    assert set(frame["status"]) == {"definitive"}
    # while the school year runs (up to and including 31 July): provisional
    for today in (dt.date(2025, 3, 1), dt.date(2025, 7, 31)):
        assert set(brugdata.indicators(hand, today=today)["status"]) == {"provisional"}
    measures = dict(zip(frame["indicator"], frame["measure"], strict=False))
    assert measures["median_days_to_referral"] == "median"
    assert measures["contacts_per_officer_hour"] == "rate"
    assert measures["external_partners_per_officer"] == "mean"
    assert measures["families_reached_share"] == "share"
    labels = _row(frame, "cases_no_referral_share", pilot="p1")
    assert labels["label_nl"].startswith("Casussen zonder verwijzing")
    assert labels["label_en"].startswith("Cases handled without a referral")


def test_by_school_by_hand(hand: Store) -> None:
    """91AA00: families G-01, G-02 of 20; pupils P-02, P-04, P-06 of 40; contacts C01–C05,
    C08–C10 = 8 over (10 + 5) h × 40; cases G-01, G-02 (referred), G-03, P-06 → 2 of 4
    without a referral, median of 18 and 40 = 29. 91AA01: family G-04 of 8; no pupil of 10;
    contacts C06, C07 over 5 h × 40; one case, referred (0 days)."""
    frame = brugdata.indicators(hand, by="school", today=AFTER)
    assert frame.columns[0] == "school_id" and "pilot" not in frame.columns
    at = {"school_id": "91AA00", "school_year": Y}
    _check(_row(frame, "families_reached_share", **at), 2, 20, 0.1)
    _check(_row(frame, "pupils_reached_share", **at), 3, 40, 3 / 40)
    _check(_row(frame, "contacts_per_officer_hour", **at), 8, 600, 8 / 600)
    _check(_row(frame, "cases_no_referral_share", **at), 2, 4, 0.5)
    _check(_row(frame, "median_days_to_referral", **at), None, 2, 29.0)
    _check(_row(frame, "contacts_focus_gezondheid", **at), 3, 8, 3 / 8)
    at = {"school_id": "91AA01", "school_year": Y}
    _check(_row(frame, "families_reached_share", **at), 1, 8, 1 / 8)
    _check(_row(frame, "pupils_reached_share", **at), 0, 10, 0.0)
    _check(_row(frame, "contacts_per_officer_hour", **at), 2, 200, 0.01)
    _check(_row(frame, "cases_no_referral_share", **at), 0, 1, 0.0)
    _check(_row(frame, "median_days_to_referral", **at), None, 1, 0.0)
    # about officers and the questionnaire: per pilot only
    assert not set(frame["indicator"]) & {"external_partners_per_officer", "response_rate"}


def test_by_school_type_municipality_and_year(hand: Store) -> None:
    frame = brugdata.indicators(hand, by="school_type", today=AFTER)
    _check(_row(frame, "families_reached_share", school_type="so"), 1, 8, 1 / 8)
    _check(_row(frame, "families_reached_share", school_type="vo"), 1, 50, 0.02)
    assert _row(frame, "families_reached_share", school_type="so")["unit"] == "BRIN6"
    assert _row(frame, "families_reached_share", school_type="vo")["unit"] == "BRIN4"
    frame = brugdata.indicators(hand, by="municipality", today=AFTER)  # Utrecht is p1
    for code, (numerator, denominator, value) in P1.items():
        if code != "external_partners_per_officer":
            _check(_row(frame, code, municipality="Utrecht"), numerator, denominator, value)
    # the school year alone: both pilots' numerators and denominators summed
    frame = brugdata.indicators(hand, by="school_year", today=AFTER)
    assert frame.columns[0] == "school_year"
    _check(_row(frame, "families_reached_share"), 4, 78, 4 / 78)
    _check(_row(frame, "contacts_per_officer_hour"), 13, 1800, 13 / 1800)
    _check(_row(frame, "cases_no_referral_share"), 3, 6, 0.5)
    _check(_row(frame, "external_partners_per_officer"), 5, 4, 1.25)
    _check(_row(frame, "response_rate"), 1, 2, 0.5)  # the officers of pilots that answered
    assert _row(frame, "families_reached_share")["unit"] == "BRIN6+BRIN4"


def test_the_indicators_are_the_figures_of_the_other_analyses(hand: Store) -> None:
    """Each indicator is the figure compare (the report's key figures) and pathways give."""
    frame = brugdata.indicators(hand, today=AFTER)
    key = brugdata.compare(hand)
    same = {
        "families_reached_share": ("parents_reached_pct", 100),
        "pupils_reached_share": ("pupils_reached_pct", 100),
        "contacts_per_officer_hour": ("contacts_per_officer_hour", 1),
        "pupil_cases_parent_contact_share": ("pupil_cases_parents_contacted_pct", 100),
        "cases_no_referral_share": ("cases_no_referral_pct", 100),
        "median_days_to_referral": ("median_days_to_referral", 1),
        "external_partners_per_officer": ("external_per_officer", 1),
    }
    for pilot in ("p1", "p2"):
        for code, (metric, scale) in same.items():
            figure = key.filter((pl.col("pilot") == pilot) & (pl.col("metric") == metric))
            value = _row(frame, code, pilot=pilot)["value"]
            if value is None:
                assert figure.height == 0 or figure["value"][0] is None, (pilot, code)
            else:
                assert figure["value"][0] == pytest.approx(value * scale), (pilot, code)
    outcomes = brugdata.pathways(hand, by="school").outcomes
    per_school = brugdata.indicators(hand, by="school", today=AFTER)
    for row in outcomes.iter_rows(named=True):
        mine = _row(per_school, "cases_no_referral_share", school_id=row["school_id"])
        assert (mine["numerator"], mine["denominator"]) == (row["no_referral"], row["cases"])
    response = brugdata.response(hand)
    assert _row(frame, "response_rate", pilot="p2")["value"] == response["response_rate"][0]


def test_focus_areas_can_be_edited(hand: Store, tmp_path: Path) -> None:
    """pesten to zorg thuis: p1's C07 moves from other (1 → 0) to zorg thuis (3 → 4)."""
    frame = brugdata.indicators(hand, focus_areas={"pesten": "zorg_thuis"}, today=AFTER)
    _check(_row(frame, "contacts_focus_zorg_thuis", pilot="p1"), 4, 10, 0.4)
    _check(_row(frame, "contacts_focus_other", pilot="p1"), 0, 10, 0.0)
    own = tmp_path / "areas.toml"
    own.write_text(
        '[[area]]\ncode = "armoede"\nnl = "Armoede"\nen = "Poverty"\n'
        'themes = ["armoede", "voedsel", "opvoeding"]\n',
        encoding="utf-8",
    )
    frame = brugdata.indicators(hand, focus_areas=own, today=AFTER)
    codes = [c for c in frame["indicator"].unique(maintain_order=True) if "focus" in c]
    assert codes == ["contacts_focus_armoede", "contacts_focus_other"]
    # armoede: C01, C02 (opvoeding), C03 = 3; other: a theme in no area, C02 (taal) and
    # C04–C10 = 8 of 10 (C02 counts in both)
    _check(_row(frame, "contacts_focus_armoede", pilot="p1"), 3, 10, 0.3)
    _check(_row(frame, "contacts_focus_other", pilot="p1"), 8, 10, 0.8)
    own.write_text("[[area]]\ncode = 'a'\nthemes = ['taal']\n[[area]]\ncode = 'b'\n"
                   "themes = ['taal']\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(AnalysisError, match="theme 'taal' is in two areas, 'a' and 'b'$"):
        brugdata.indicators(hand, focus_areas=own)


def test_every_theme_has_a_shipped_focus_area() -> None:
    from brugdata.analysis._focus import focus_areas

    shipped = focus_areas()
    assert list(shipped.areas)[:4] == ["armoede", "zorg_thuis", "participatie_wijk", "gezondheid"]
    assert set(brugdata.themes().code_list) == set(shipped.themes)


def test_a_share_over_the_schools_whose_count_is_known() -> None:
    """tests/fixtures.py: pilot A's school 91AA01 has no number of families; the share is over
    91AA00 (8 families; reached there F1 and P3 = 2), as the key figures give it."""
    from tests.fixtures import frames

    row = _row(brugdata.indicators(frames()), "families_reached_share", pilot="A", school_year=Y)
    _check(row, 2, 8, 0.25)
    assert row["note"] == "over 1 of 2 schools (count known)"


def test_a_bad_by_and_an_empty_store() -> None:
    from tests.fixtures import frames

    with pytest.raises(AnalysisError, match="^cannot group indicators by 'officer'; choose from: "
                       "pilot, school, municipality, school_type, school_year$"):  # fmt: skip
        brugdata.indicators(frames(), by="officer")  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="it holds no data yet$"):
        brugdata.indicators({})


def test_the_report_shows_the_sample_indicators(sample_store: Store, tmp_path: Path) -> None:
    """The report's indicator table holds the sample's indicators, and each figure is the one
    the key figures table of the same report shows."""
    from brugdata.publish.report import write_report
    from tests.test_report_acceptance import cell, hidden, num, parse, pct, rows_of

    page = parse(write_report(sample_store, tmp_path / "r.html", lang="nl").read_text("utf-8"))
    assert "indicators" in page.sections
    frame = brugdata.indicators(sample_store)
    names = {"den_bosch": "Den Bosch", "gooi_vechtstreek": "Gooi en Vechtstreek"}
    shown = rows_of(page, "indicators")
    assert len(shown) == frame.height > 20
    for row in frame.iter_rows(named=True):
        hits = rows_of(page, "indicators", Pilot=names[row["pilot"]], Indicator=row["label_nl"])
        assert len(hits) == 1, row
        got = hits[0]
        if hidden(got["Teller"]) or hidden(got["Noemer"]):
            continue
        if row["numerator"] is not None:
            assert got["Teller"] == num(row["numerator"], "nl", 0), (row, got)
        assert got["Noemer"] == num(row["denominator"], "nl", 0), (row, got)
        decimals = {"share": None, "rate": 2, "mean": 2, "median": 1}[row["measure"]]
        if decimals is None:
            assert got["Waarde"] == pct(100 * row["value"], "nl"), (row, got)
        else:
            assert got["Waarde"] == num(row["value"], "nl", decimals), (row, got)
    # the same figure in the key figures table (its first number: the value)
    same = {
        "families_reached_share": "Ouders bereikt (% van gezinnen)",
        "pupils_reached_share": "Leerlingen bereikt (% van leerlingen)",
        "contacts_per_officer_hour": "Contacten per functionarisuur",
        "pupil_cases_parent_contact_share": "Leerlingcasussen met oudercontact (%)",
        "cases_no_referral_share": "Casussen zonder verwijzing (%)",
        "median_days_to_referral": "Dagen tot verwijzing (mediaan)",
        "external_partners_per_officer": "Externe partners per functionaris (gemiddeld)",
    }
    compared = 0
    for code, figure in same.items():
        for pilot, name in names.items():
            mine = rows_of(page, "indicators", Pilot=name, Indicator=_row(frame, code,
                           pilot=pilot)["label_nl"])[0]["Waarde"]  # fmt: skip
            theirs = cell(page, "key_figures", figure, name).split(" ")[0]
            if hidden(mine) or hidden(theirs):
                continue
            assert _as_float(mine) == pytest.approx(_as_float(theirs), abs=0.051), (code, name)
            compared += 1
    assert compared >= 12


def _as_float(text: str) -> float:
    """A number as the Dutch report writes it (``1.267,5``, ``17,8%``)."""
    return float(text.rstrip("%").replace(".", "").replace(",", "."))


def test_the_command_line(tmp_path: Path) -> None:
    """`brugdata indicators`: the library's table as CSV (read back), and one sentence with
    exit code 2 for a key it does not take."""
    import io

    from typer.testing import CliRunner

    from brugdata.cli.app import app

    folder = tmp_path / "files"
    folder.mkdir()
    for name, text in (("schools.csv", SCHOOLS), ("officers.csv", OFFICERS),
                       ("partners.csv", PARTNERS), ("assignments.csv", ASSIGNMENTS),
                       ("contacts.csv", CONTACTS), ("survey.csv", SURVEY)):  # fmt: skip
        write_csv(folder, name, text)
    db = tmp_path / "s.duckdb"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(folder), "--db", str(db)]).exit_code == 0
    result = runner.invoke(
        app, ["indicators", "--db", str(db), "--by", "school", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    shown = pl.read_csv(io.StringIO(result.stdout), infer_schema=False)
    at = shown.filter(
        (pl.col("school_id") == "91AA00") & (pl.col("indicator") == "contacts_per_officer_hour")
    )
    assert at.select("numerator", "denominator").row(0) == ("8", "600.0")  # C01–C05, C08–C10
    with brugdata.open(db, read_only=True) as store:
        assert shown.height == brugdata.indicators(store, by="school").height
    table = runner.invoke(app, ["indicators", "--db", str(db)])
    assert table.exit_code == 0 and "families_reached_share" in table.stdout
    bad = runner.invoke(app, ["indicators", "--db", str(db), "--by", "officer"])
    assert bad.exit_code == 2
    assert "cannot group indicators by 'officer'; choose from: pilot, school" in bad.output
    assert "Traceback" not in bad.output
