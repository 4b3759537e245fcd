"""The report as a reader sees it, in four ordinary stores (the sample, two school years, a
questionnaire only, and a log beside a questionnaire), in Dutch and English.

The report's text and tables are parsed from the HTML (html.parser), and every figure checked
here equals an independent computation written in this test: plain SQL over the store's
tables, never the library's analyses. Figures hidden by small-cell protection (``<10``, ``x``)
are not compared; a figure the data has is never blank ("–") or "onbekend".
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import jsonschema
import pytest

import brugdata
from brugdata.publish.report import REPORT_CHARTS, write_report
from brugdata.store.store import Store
from tests.fixtures import add_earlier_year

Y, Y0 = "2024-2025", "2023-2024"
NAMES = {"den_bosch": "Den Bosch", "gooi_vechtstreek": "Gooi en Vechtstreek"}
WEEKS = 40  # school weeks a year, for contacts per officer-hour (docs/analyses.md)

# --------------------------------------------------------------------------- the page


@dataclass
class Page:
    """What a reader sees: section ids, the intro, tables by name and reading sentences."""

    sections: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    tables: dict[str, list[list[str]]] = field(default_factory=dict)  # name → header + rows
    items: list[str] = field(default_factory=list)  # list items: readings and footnotes
    specs: dict[str, Any] = field(default_factory=dict)  # chart name → its Vega-Lite spec


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page()
        self.stack: list[str] = []
        self.table: str | None = None
        self.row: list[str] | None = None
        self.text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "style"):
            self.stack.append(tag)
        elif tag == "section" and a.get("id"):
            self.page.sections.append(str(a["id"]))
        elif tag == "table":
            self.table = str(a.get("data-table"))
            self.page.tables[self.table] = []
        elif tag == "tr" and self.table is not None:
            self.row = []
        elif tag in ("td", "th", "li", "p"):
            self.text = []
        elif tag == "br" and self.text is not None:
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.stack:
            self.stack.pop()
        elif tag in ("td", "th") and self.row is not None and self.text is not None:
            self.row.append("".join(self.text).strip())
            self.text = None
        elif tag == "tr" and self.table is not None and self.row is not None:
            self.page.tables[self.table].append(self.row)
            self.row = None
        elif tag == "table":
            self.table = None
        elif tag == "li" and self.text is not None:
            self.page.items.append("".join(self.text).strip())
            self.text = None
        elif tag == "p" and self.text is not None:
            self.page.paragraphs.append("".join(self.text).strip())
            self.text = None

    def handle_data(self, data: str) -> None:
        if not self.stack and self.text is not None:
            self.text.append(data)


def parse(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    found = re.search(r'<script type="application/json" id="brugdata-specs">(.*?)</script>', html)
    if found:
        parser.page.specs = json.loads(found.group(1))
    return parser.page


def cell(page: Page, table: str, row_head: str, column: str) -> str:
    """The cell of ``table`` in the row whose first cell is ``row_head``, under ``column``."""
    head, *rows = page.tables[table]
    hits = [r for r in rows if r[0] == row_head]
    assert len(hits) == 1, (table, row_head, [r[0] for r in rows])
    return hits[0][head.index(column)]


def rows_of(page: Page, table: str, **where: str) -> list[dict[str, str]]:
    head, *rows = page.tables[table]
    out = [dict(zip(head, r, strict=True)) for r in rows]
    return [r for r in out if all(r[k] == v for k, v in where.items())]


# --------------------------------------------------------------------------- numbers as shown


def num(value: float, lang: str, decimals: int) -> str:
    """A number as the report writes it: 1.267,5 (nl) or 1,267.5 (en)."""
    text = f"{value:,.{decimals}f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "nl" else text


def pct(value: float, lang: str, decimals: int = 1) -> str:
    return num(value, lang, decimals) + "%"


def hidden(text: str) -> bool:
    """A cell hidden by small-cell protection."""
    return text.startswith("<") or text == "x"


# --------------------------------------------------------------------------- independent SQL

SCHOOL_YEAR = (
    "CAST(CASE WHEN month(c.date) >= 8 THEN year(c.date) ELSE year(c.date) - 1 END AS INT)"
)
CONTACTS = f"""
    SELECT c.*, {SCHOOL_YEAR} || '-' || ({SCHOOL_YEAR} + 1) AS sy,
           coalesce(s.pilot, o.pilot) AS pilot, s.families AS school_families
    FROM contacts c
    LEFT JOIN schools s ON s.school_id = c.school_id
         AND s.school_year = {SCHOOL_YEAR} || '-' || ({SCHOOL_YEAR} + 1)
    LEFT JOIN officers o ON o.officer_id = c.officer_id
"""


def sql(con: duckdb.DuckDBPyConnection, query: str, *params: Any) -> list[tuple[Any, ...]]:
    return con.execute(query, list(params)).fetchall()


def contacts_by_pilot(con: duckdb.DuckDBPyConnection, year: str) -> dict[str, int]:
    rows = sql(con, f"SELECT pilot, count(*) FROM ({CONTACTS}) WHERE sy = ? GROUP BY 1", year)
    return dict(rows)  # type: ignore[arg-type]


def hours_by_pilot(con: duckdb.DuckDBPyConnection, year: str) -> dict[str, float]:
    rows = sql(
        con,
        "SELECT s.pilot, sum(a.hours_per_week) FROM assignments a JOIN schools s "
        "ON s.school_id = a.school_id AND s.school_year = a.school_year "
        "WHERE a.school_year = ? GROUP BY 1",
        year,
    )
    return dict(rows)  # type: ignore[arg-type]


def parents(con: duckdb.DuckDBPyConnection, pilot: str, year: str) -> tuple[int, float, int, int]:
    """Families reached, the share over the schools whose families are known (%), and those
    schools out of all the pilot's schools that year."""
    reached = sql(
        con,
        f"SELECT count(DISTINCT coalesce(family_key, person_key)) FROM ({CONTACTS}) "
        "WHERE sy = ? AND pilot = ? AND counterpart = 'parent'",
        year,
        pilot,
    )[0][0]
    at_known = sql(
        con,
        f"SELECT count(DISTINCT coalesce(family_key, person_key)) FROM ({CONTACTS}) "
        "WHERE sy = ? AND pilot = ? AND counterpart = 'parent' AND school_families IS NOT NULL",
        year,
        pilot,
    )[0][0]
    known, schools, families = sql(
        con,
        "SELECT count(families), count(*), sum(families) FROM schools "
        "WHERE school_year = ? AND pilot = ?",
        year,
        pilot,
    )[0]
    return reached, 100 * at_known / families, known, schools


def pupils_pct(con: duckdb.DuckDBPyConnection, pilot: str, year: str) -> float:
    reached = sql(
        con,
        f"SELECT count(DISTINCT person_key) FROM ({CONTACTS}) "
        "WHERE sy = ? AND pilot = ? AND counterpart = 'pupil'",
        year,
        pilot,
    )[0][0]
    total = sql(
        con, "SELECT sum(pupils) FROM schools WHERE school_year = ? AND pilot = ?", year, pilot
    )[0][0]
    return 100 * reached / total


def cases(con: duckdb.DuckDBPyConnection, year: str) -> dict[str, tuple[int, int, float | None]]:
    """Per pilot: cases, cases without a referral and the median days to the first referral.
    A case is a family at a school in a school year: its parent and pupil contacts, and any
    contact naming the family (family_key) that refers (docs/analyses.md)."""
    rows = sql(
        con,
        f"""
        WITH x AS (SELECT * FROM ({CONTACTS}) WHERE sy = ?),
        member AS (
            SELECT pilot, school_id,
                   CASE WHEN counterpart IN ('parent', 'pupil')
                        THEN coalesce(family_key, person_key) ELSE family_key END AS fam,
                   date, referred_to
            FROM x
            WHERE (counterpart IN ('parent', 'pupil')
                   AND coalesce(family_key, person_key) IS NOT NULL)
               OR (referred_to IS NOT NULL AND family_key IS NOT NULL)
        ),
        one AS (
            SELECT pilot, school_id, fam, count(referred_to) AS refs,
                   date_diff('day', min(date), min(date) FILTER (referred_to IS NOT NULL))
                       AS days
            FROM member GROUP BY ALL
        )
        SELECT pilot, count(*), count(*) FILTER (refs = 0), median(days) FILTER (refs > 0)
        FROM one GROUP BY pilot
        """,
        year,
    )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


# --------------------------------------------------------------------------- the stores


def _copy(sample: Store, folder: Path, name: str) -> Path:
    path = folder / f"{name}.duckdb"
    shutil.copy(sample.path, path)
    return path


def _two_years(path: Path) -> None:
    """The sample a school year earlier beside it, a third of its contacts left out."""
    add_earlier_year(path, Y0)


def _questionnaire_only(path: Path) -> None:
    """Gooi en Vechtstreek's questionnaire, its schools and officers: no contact log."""
    with brugdata.open(path) as store, store.transaction() as con:
        for t in ("contacts", "time_use", "activities"):
            con.execute(f"DELETE FROM {t}")
        con.execute("DELETE FROM schools WHERE pilot <> 'gooi_vechtstreek'")
        con.execute("DELETE FROM officers WHERE pilot <> 'gooi_vechtstreek'")
        con.execute(
            "DELETE FROM assignments WHERE officer_id NOT IN (SELECT officer_id FROM officers)"
        )


def _mixed(path: Path) -> None:
    """Den Bosch logs (with referrals on partner contacts that name a family); Gooi en
    Vechtstreek has only its questionnaire."""
    with brugdata.open(path) as store, store.transaction() as con:
        gv = "(SELECT officer_id FROM officers WHERE pilot = 'gooi_vechtstreek')"
        for t in ("contacts", "time_use", "activities"):
            con.execute(f"DELETE FROM {t} WHERE officer_id IN {gv}")
        con.execute(
            """UPDATE contacts c SET
                   family_key = (SELECT min(p.family_key) FROM contacts p
                                 WHERE p.school_id = c.school_id AND p.counterpart = 'parent'
                                   AND p.family_key IS NOT NULL),
                   referred_to = c.partner_id
               WHERE c.counterpart = 'partner' AND c.partner_id IS NOT NULL
                 AND hash(c.contact_id) % 4 = 0"""
        )


@pytest.fixture(scope="module")
def stores(sample_store: Store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("acceptance")
    out = {"sample": Path(sample_store.path)}
    for name, make in (
        ("two_years", _two_years),
        ("questionnaire", _questionnaire_only),
        ("mixed", _mixed),
    ):
        out[name] = _copy(sample_store, folder, name)
        make(out[name])
    return out


@pytest.fixture(scope="module")
def pages(
    sample_store: Store, stores: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Page]:
    """Each store's report in each language, parsed: key ``"<store>-<lang>"``."""
    folder = tmp_path_factory.mktemp("acceptance-reports")
    out = {}
    for name, path in stores.items():
        store = sample_store if name == "sample" else brugdata.open(path, read_only=True)
        try:
            for lang in ("nl", "en"):
                html = write_report(store, folder / f"{name}-{lang}.html", lang=lang)  # type: ignore[arg-type]
                out[f"{name}-{lang}"] = parse(html.read_text("utf-8"))
        finally:
            if store is not sample_store:
                store.close()
    return out


@pytest.fixture
def con(stores: dict[str, Path], request: pytest.FixtureRequest) -> Iterator[Any]:
    """Read-only connections to the stores' files, by store name."""
    opened: dict[str, duckdb.DuckDBPyConnection] = {}

    def get(name: str) -> duckdb.DuckDBPyConnection:
        if name not in opened:
            opened[name] = duckdb.connect(str(stores[name]), read_only=True)
        return opened[name]

    yield get
    for c in opened.values():
        c.close()


# --------------------------------------------------------------------------- the sample

LABELS: dict[str, tuple[str, str]] = {  # (nl, en)
    "contacts": ("Contactmomenten", "Contacts"),
    "parents_reached": ("Ouders (gezinnen) bereikt", "Parents (families) reached"),
    "parents_pct": ("Ouders bereikt (% van gezinnen)", "Parents reached (% of families)"),
    "no_referral_key": ("Casussen zonder verwijzing (%)", "Cases handled without a referral (%)"),
    "cases": ("Casussen", "Cases"),
    "no_referral": ("Zonder verwijzing (%)", "Without referral (%)"),
    "median_days": ("Mediaan dagen tot verwijzing", "Median days to referral"),
    "per_hour": ("Contacten per functionarisuur", "Contacts per officer-hour"),
    "pupils_pct": ("Leerlingen bereikt (% van leerlingen)", "Pupils reached (% of pupils)"),
    "schools": ("Scholen", "Schools"),
    "hours": ("Uren per week (totaal)", "Hours per week (total)"),
    "pupils": ("Leerlingen op de scholen", "Pupils at the schools"),
    "families_hour": ("Gezinnen bereikt per uur per week", "Families reached per weekly hour"),
}


def label(key: str, lang: str) -> str:
    return LABELS[key][0 if lang == "nl" else 1]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_sample_key_figures(pages: dict[str, Page], con: Any, lang: str) -> None:
    page, db = pages[f"sample-{lang}"], con("sample")
    head = page.tables["key_figures"][0]
    assert head[1:3] == [NAMES["den_bosch"], NAMES["gooi_vechtstreek"]]  # names, not codes
    contacts = contacts_by_pilot(db, Y)
    cases_ = cases(db, Y)
    for code, name in NAMES.items():
        assert cell(page, "key_figures", label("contacts", lang), name) == num(
            contacts[code], lang, 0
        )
        reached, share, known, schools = parents(db, code, Y)
        assert cell(page, "key_figures", label("parents_reached", lang), name) == num(
            reached, lang, 0
        )
        shown = cell(page, "key_figures", label("parents_pct", lang), name)
        assert shown.startswith(pct(share, lang)), (name, shown)  # never "onbekend"
        assert shown.endswith("*") == (known < schools)
        n, none, _ = cases_[code]
        shown = cell(page, "key_figures", label("no_referral_key", lang), name)
        assert shown.startswith(pct(100 * none / n, lang))
        schools_, pupils, hours = sql(
            db,
            "SELECT count(*), sum(pupils), (SELECT sum(a.hours_per_week) FROM assignments a "
            "JOIN schools t ON t.school_id = a.school_id AND t.school_year = a.school_year "
            "WHERE t.pilot = ? AND a.school_year = ?) FROM schools "
            "WHERE pilot = ? AND school_year = ?",
            code,
            Y,
            code,
            Y,
        )[0]
        assert cell(page, "key_figures", label("schools", lang), name) == num(schools_, lang, 0)
        assert cell(page, "key_figures", label("pupils", lang), name) == num(pupils, lang, 0)
        assert cell(page, "key_figures", label("hours", lang), name) == num(hours, lang, 0)
        assert cell(page, "key_figures", label("families_hour", lang), name) == num(
            reached / hours, lang, 2
        )
        assert cell(page, "key_figures", label("pupils_pct", lang), name).startswith(
            pct(pupils_pct(db, code, Y), lang)
        )
        per_hour = contacts[code] / (hours * WEEKS)
        assert cell(page, "key_figures", label("per_hour", lang), name) == num(per_hour, lang, 2)
    # the footnote says over how many of how many schools the share is
    _, _, known, schools = parents(db, "gooi_vechtstreek", Y)
    assert known < schools
    assert any(
        item.startswith(f"* {NAMES['gooi_vechtstreek']}:")
        and f" {schools - known} " in item
        and f" {known} " in item
        for item in page.items
    )


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_sample_referral_section_is_filled(pages: dict[str, Page], con: Any, lang: str) -> None:
    page, db = pages[f"sample-{lang}"], con("sample")
    assert "pathways" in page.sections
    for code, (n, none, median) in cases(db, Y).items():
        name = NAMES[code]
        assert cell(page, "pathways_outcomes", label("cases", lang), name) == num(n, lang, 0)
        share = cell(page, "pathways_outcomes", label("no_referral", lang), name)
        assert share.startswith(pct(100 * none / n, lang, 0)), share
        assert median is not None
        days = cell(page, "pathways_outcomes", label("median_days", lang), name)
        assert days == num(median, lang, 0 if float(median).is_integer() else 1)
        reading = (
            f"{name}: {pct(100 * none / n, lang, 0)} van de {num(n, lang, 0)} casussen"
            if lang == "nl"
            else f"{name}: {pct(100 * none / n, lang, 0)} of the {num(n, lang, 0)} cases"
        )
        assert any(item.startswith(reading) for item in page.items), reading
    blank = [r for r in page.tables["pathways_outcomes"][1:] if "–" in r[1:3]]
    assert not blank, blank


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_sample_reach_table_gives_the_partial_population(
    pages: dict[str, Page], con: Any, lang: str
) -> None:
    page, db = pages[f"sample-{lang}"], con("sample")
    families = sql(
        db,
        "SELECT sum(families) FROM schools WHERE school_year = ? AND pilot = 'gooi_vechtstreek'",
        Y,
    )[0][0]
    _, share, _, _ = parents(db, "gooi_vechtstreek", Y)
    parent = "ouder" if lang == "nl" else "parent"
    (row,) = [
        r for r in page.tables["reach"][1:] if r[0] == NAMES["gooi_vechtstreek"] and r[1] == parent
    ]
    assert row[3] == num(families, lang, 0) + " *"
    assert row[4] == pct(share, lang) + " *"


# --------------------------------------------------------------------------- every chart


def test_every_chart_spec_is_valid_vega_lite(pages: dict[str, Page]) -> None:
    """The report writes its chart specs unvalidated (altair's validation is slow for a large
    chart): every spec embedded in every report is validated here, as the page holds it."""
    import altair as alt

    validated = set()
    for page in pages.values():
        for name, spec in page.specs.items():
            alt.Root.validate(spec)  # raises jsonschema.ValidationError
            validated.add(name)
    assert validated == set(REPORT_CHARTS)  # the trend too (two school years)
    bars = pages["sample-nl"].specs["network_bands"]
    assert bars["mark"]["type"] == "bar"
    with pytest.raises(jsonschema.ValidationError):  # the check can fail
        alt.Root.validate({**bars, "mark": {**bars["mark"], "type": "no_such_mark"}})


# --------------------------------------------------------------------------- two school years


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_two_years_trend(pages: dict[str, Page], con: Any, lang: str) -> None:
    page, db = pages[f"two_years-{lang}"], con("two_years")
    assert "trend" in page.sections
    head = page.tables["compare"][0]
    assert head[2:4] == [Y0, Y]
    for code, name in NAMES.items():
        per_hour = {}
        for year in (Y0, Y):
            contacts, hours = contacts_by_pilot(db, year)[code], hours_by_pilot(db, year)[code]
            per_hour[year] = contacts / (hours * WEEKS)
        (row,) = rows_of(page, "compare", **{head[0]: name, head[1]: label("per_hour", lang)})
        assert row[Y0] == num(per_hour[Y0], lang, 2) and row[Y] == num(per_hour[Y], lang, 2)
        change = round(per_hour[Y], 2) - round(per_hour[Y0], 2)
        assert abs(float(row[head[4]].replace(",", ".").lstrip("+")) - change) <= 0.011
        (row,) = rows_of(page, "compare", **{head[0]: name, head[1]: label("pupils_pct", lang)})
        for year in (Y0, Y):
            assert row[year] == pct(pupils_pct(db, code, year), lang)
        assert row[head[5]].startswith("p ")  # the change is tested
        _, _, known, schools = parents(db, code, Y)
        figure = label("parents_pct", lang) + (" *" if known < schools else "")  # a footnote
        (row,) = rows_of(page, "compare", **{head[0]: name, head[1]: figure})
        for year in (Y0, Y):
            assert row[year] == pct(parents(db, code, year)[1], lang)  # never blank
    # the trend chart draws the same figures, a line per pilot (by its name) over the years
    drawn = {
        (r["pilot"], r["school_year"], r["metric"]): r["value"]
        for rows in page.specs["trend"]["datasets"].values()
        for r in rows
    }
    for code, name in NAMES.items():
        for year in (Y0, Y):
            per_hour = contacts_by_pilot(db, year)[code] / (hours_by_pilot(db, year)[code] * WEEKS)
            assert drawn[(name, year, "contacts_per_officer_hour")] == pytest.approx(per_hour)
            assert drawn[(name, year, "pupils_reached_pct")] == pytest.approx(
                pupils_pct(db, code, year)
            )
            assert drawn[(name, year, "parents_reached_pct")] == pytest.approx(
                parents(db, code, year)[1]
            )
    # the key figures are those of the latest year alone
    for code, name in NAMES.items():
        assert cell(page, "key_figures", label("contacts", lang), name) == num(
            contacts_by_pilot(db, Y)[code], lang, 0
        )


# --------------------------------------------------------------------------- questionnaire only


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_questionnaire_only_store(pages: dict[str, Page], con: Any, lang: str) -> None:
    page, db = pages[f"questionnaire-{lang}"], con("questionnaire")
    assert page.sections == ["survey", "quality", "definitions"]
    intro = next(p for p in page.paragraphs if len(p) > 200)
    assert ("vragenlijst" if lang == "nl" else "questionnaire") in intro
    assert ("netwerk" if lang == "nl" else "network") not in intro
    name = NAMES["gooi_vechtstreek"]
    respondents, officers = sql(
        db, "SELECT (SELECT count(*) FROM survey), (SELECT count(*) FROM officers)"
    )[0]
    (row,) = page.tables["survey.response"][1:]
    assert row == [
        name,
        num(respondents, lang, 0),
        num(officers, lang, 0),
        pct(100 * respondents / officers, lang, 0),
    ]
    helped, both, population = sql(
        db,
        "SELECT sum(parents_helped), "
        "sum(parents_helped) FILTER (families_total IS NOT NULL AND parents_helped IS NOT NULL), "
        "sum(families_total) FILTER (families_total IS NOT NULL AND parents_helped IS NOT NULL) "
        "FROM survey",
    )[0]
    parent = "ouder" if lang == "nl" else "parent"
    (row,) = [r for r in page.tables["survey.reach"][1:] if r[1] == parent]
    assert row[2:5] == [
        num(helped, lang, 0),
        num(population, lang, 0),
        pct(100 * both / population, lang),
    ]
    for table in (
        "survey.bands",
        "survey.time_use",
        "survey.contact_bands",
        "survey.themes",
        "survey.partner_kinds",
        "survey.answer_codes",
    ):
        assert len(page.tables[table]) > 1, table


# --------------------------------------------------------------------------- mixed


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_mixed_store(pages: dict[str, Page], con: Any, lang: str) -> None:
    page, db = pages[f"mixed-{lang}"], con("mixed")
    for section in ("summary", "reach", "pathways", "survey"):
        assert section in page.sections
    # the log sections are about the pilot that logs; the questionnaire about the other
    assert {r[0] for r in page.tables["reach"][1:]} == {NAMES["den_bosch"]}
    assert {r[0] for r in page.tables["survey.response"][1:]} == {NAMES["gooi_vechtstreek"]}
    respondents = sql(db, "SELECT count(*) FROM survey")[0][0]
    key = "Respondenten vragenlijst" if lang == "nl" else "Questionnaire respondents"
    survey = "vragenlijst" if lang == "nl" else "questionnaire"
    assert cell(page, "key_figures", key, NAMES["gooi_vechtstreek"]) == (
        f"{num(respondents, lang, 0)} ({survey})"
    )
    # referrals on partner contacts that name a family belong to the family's case
    partner_refs = sql(
        db,
        "SELECT count(*) FROM contacts WHERE counterpart = 'partner' "
        "AND family_key IS NOT NULL AND referred_to IS NOT NULL",
    )[0][0]
    assert partner_refs > 0
    n, none, _ = cases(db, Y)["den_bosch"]
    name = NAMES["den_bosch"]
    assert cell(page, "pathways_outcomes", label("cases", lang), name) == num(n, lang, 0)
    shown = cell(page, "pathways_outcomes", label("no_referral", lang), name)
    assert hidden(shown) or shown.startswith(pct(100 * none / n, lang, 0))
