"""HTML summaries for notebooks: what they show, and that every value is escaped."""

from __future__ import annotations

from pathlib import Path

import polars as pl

import brugdata
from brugdata.display import COLUMN_DEFINITIONS, frame_html, frames_html
from brugdata.ingest.html import validation_html
from brugdata.store.html import ingest_html, store_html
from brugdata.store.store import Store
from tests.conftest import write_csv

BAD_SCHOOLS = """school_id,school_year,name,pilot,school_type,pupils,families,colour
91XA00,2024-2025,De Kleine Beer,demo,po,210,150,red
91XB00,2024/2026,De Grote Beer,demo,po,-5,,blue
XYZ,2024-2025,Het Lyceum,demo,<script>alert(1)</script>,800,600,green
"""


def test_validation_html_shows_rejects_with_line_column_rule(tmp_path: Path) -> None:
    write_csv(tmp_path, "schools.csv", BAD_SCHOOLS)
    result = brugdata.validate(tmp_path)
    html = validation_html(result)
    assert html.startswith('<div class="brugdata">')
    assert "2 rows rejected" in html
    assert "schools.csv" in html
    for line, column, rule in [
        (3, "pupils", "out_of_range"),
        (3, "school_year", "school_year_format"),
        (4, "school_id", "brin_format"),
        (4, "school_type", "unknown_code"),
    ]:
        assert f'<td class="num">{line}</td><td>{column}</td><td>{rule}</td>' in html
    assert "colour" in html  # the unknown column is named
    # the value is escaped, never markup
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_validation_html_of_a_clean_result(tmp_path: Path) -> None:
    write_csv(
        tmp_path,
        "schools.csv",
        BAD_SCHOOLS.splitlines()[0] + "\n" + BAD_SCHOOLS.split("\n")[1] + "\n",
    )
    html = validation_html(brugdata.validate(tmp_path))
    assert "all rows valid" in html
    assert "rows rejected" not in html


def test_validation_html_names_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_bytes(b"")
    html = validation_html(brugdata.validate(tmp_path))
    assert "contacts.csv" in html
    assert 'class="bad"' in html


def test_store_html(sample_store: Store) -> None:
    html = store_html(sample_store)
    assert "den_bosch" in html and "gooi_vechtstreek" in html
    assert "2024-2025" in html
    assert "schema version" in html
    assert "contacten.csv" in html and "contacts.csv" in html
    assert "5,291" in html  # rows of contacts: 1,136 + 4,155 data lines of the two contact files
    assert "No rows were rejected." in html


def test_store_html_lists_top_reasons(tmp_path: Path, refs: Path) -> None:
    contacts = (
        "contact_id,date,officer_id,school_id,counterpart,person_key,family_key,themes\n"
        "C1,2024-10-01,O-1,91AB00,parent,P-0001,G-0001,opvoeding\n"
        "C2,2024-10-02,O-1,91AB00,parent,P-0002,G-0002,<b>bold</b>\n"
        "C3,2024-10-03,O-9,91AB00,parent,P-0003,G-0003,opvoeding\n"
    )
    write_csv(refs, "contacts.csv", contacts)
    with brugdata.open(tmp_path / "s.duckdb") as store:
        result = store.ingest(refs)
        html = store_html(store)
        ingest = ingest_html(result)
    assert "Why rows were rejected" in html
    assert "unknown_theme" in html and "unknown_reference" in html
    assert "<b>bold</b>" not in html and "<b>bold</b>" not in ingest
    assert "&lt;b&gt;bold&lt;/b&gt;" in ingest
    assert "2 rejected" in ingest
    assert "loaded" in ingest


def test_frame_html_escapes_and_shows_definitions() -> None:
    frame = pl.DataFrame(
        {
            "pilot": ["<script>x</script>", "p2"],
            "reached": [12, 1500],
            "pct": [12.3456, None],
            "themes": [["a", "b"], []],
        }
    )
    html = frame_html(frame, title="Reach <of> parents")
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "Reach &lt;of&gt; parents" in html
    assert "2 rows × 4 columns" in html
    assert "1,500" in html and "12.35" in html and "a, b" in html
    assert COLUMN_DEFINITIONS["reached"][:30] in html  # built-in definitions of its columns
    own = frame_html(frame, definitions={"pct": "my <own> definition"})
    assert "my &lt;own&gt; definition" in own
    assert COLUMN_DEFINITIONS["reached"][:30] not in own


def test_frame_html_shows_the_first_rows_only() -> None:
    frame = pl.DataFrame({"n": list(range(50))})
    html = frame_html(frame, max_rows=5, definitions={})
    assert "50 rows × 1 columns; the first 5 shown" in html
    assert html.count("<tr>") == 6  # header + 5 rows
    assert "Definitions" not in html


def test_frames_html_of_an_analysis_result(sample_store: Store) -> None:
    result = brugdata.network(sample_store)
    html = frames_html(result.frames(), title="Network")
    for name in ("edges", "officers", "partner_kinds", "pilots"):
        assert f"<h5>{name}</h5>" in html
    assert "Distinct partner organisations" in html  # the definition of ``external``


def test_objects_show_themselves_in_a_notebook(sample_store: Store) -> None:
    import brugdata

    assert "<table" in sample_store._repr_html_()
    for result in (
        brugdata.seasonality(sample_store),
        brugdata.network(sample_store),
        brugdata.pathways(sample_store),
    ):
        html = result._repr_html_()
        assert "<table" in html
        for name in result.frames():
            assert name in html
