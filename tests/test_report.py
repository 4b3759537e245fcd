"""The HTML report (one offline file, Dutch and English, every table through the transform)
and the notebooks as committed (no outputs, a parameters cell)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from brugdata.publish.report import REPORT_CHARTS, REPORT_TABLES, write_report
from brugdata.store.store import Store
from tests.conftest import REPO, SAMPLE, write_csv

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))

try:
    import brugdata.analysis.pathways  # noqa: F401

    HAS_PATHWAYS = True
except ImportError:
    HAS_PATHWAYS = False

#: The sample's charts: the trend only where a store holds more than one school year.
EXPECTED_CHARTS = {
    c
    for c in REPORT_CHARTS
    if (HAS_PATHWAYS or c not in ("pathway_routes", "time_to_referral")) and c != "trend"
}


@pytest.fixture(scope="module")
def reports(sample_store: Store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The sample store's report in Dutch and English, each written alone into a folder."""
    out = {}
    for lang in ("nl", "en"):
        folder = tmp_path_factory.mktemp(f"report-{lang}")
        path = write_report(sample_store, folder / "report.html", lang=lang)  # type: ignore[arg-type]
        assert path == folder / "report.html"
        assert [p.name for p in folder.iterdir()] == ["report.html"]
        out[lang] = path.read_text(encoding="utf-8")
    return out


def specs(html: str) -> dict[str, dict]:
    """The chart specs embedded in a report, by chart name."""
    found = re.search(r'<script type="application/json" id="brugdata-specs">(.*?)</script>', html)
    assert found, "the report embeds its chart specs"
    return json.loads(found.group(1))


def table_rows(html: str, name: str) -> list[str]:
    """The body rows of the report table ``name``."""
    found = re.search(rf'<table data-table="{name}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert found, f"no table {name}"
    return re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_one_self_contained_file(reports: dict[str, str], lang: str) -> None:
    html = reports[lang]
    assert html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in html
    assert "https://cdn" not in html
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I), "no external scripts"
    assert not re.search(r"<link[^>]*href\s*=\s*[\"']?(https?:)?//", html, re.I)
    assert not re.search(r"@import|url\(\s*[\"']?https?:", html, re.I), "no external CSS"
    # the Vega / Vega-Lite / vega-embed bundle is inlined exactly once
    assert html.count("window.vegaEmbed=") == 1
    assert html.count("<script>") == 2  # the bundle and the few lines that draw the charts


def test_key_figures_in_the_language_asked(reports: dict[str, str]) -> None:
    nl, en = reports["nl"], reports["en"]
    assert "Ouders bereikt (% van gezinnen)" in nl
    assert "Parents reached (% of families)" not in nl
    assert "Parents reached (% of families)" in en
    assert "Ouders bereikt (% van gezinnen)" not in en
    assert "Kerncijfers" in nl and "Key figures" in en
    # Dutch numbers: thousands with a point, decimals with a comma
    assert "5.161" in nl and "17,8%" in nl
    assert "5,161" in en and "17.8%" in en
    rows = table_rows(nl, "key_figures")
    assert any("Contactmomenten" in r and "1.136" in r and "4.155" in r for r in rows)
    assert "p &lt; 0,001" in nl and "p &lt; 0.001" in en


def test_every_chart_has_its_container(reports: dict[str, str]) -> None:
    for html in reports.values():
        embedded = specs(html)
        assert set(embedded) == EXPECTED_CHARTS
        for name, spec in embedded.items():
            assert f'<div class="chart" id="chart-{name}" data-chart="{name}">' in html
            assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")


def test_data_quality_lists_every_sample_file(reports: dict[str, str]) -> None:
    sample_files = sorted(SAMPLE.glob("*/*.csv"))
    assert len(sample_files) >= 14  # 7 tables × 2 pilots, plus questionnaires
    for html in reports.values():
        rows = table_rows(html, "files")
        assert len(rows) == len(sample_files)
        for path in sample_files:
            assert f"{path.parent.name}/{path.name}" in html
    assert "Er zijn geen rijen afgewezen." in reports["nl"]
    assert "No rows were rejected." in reports["en"]


def test_sections_and_definitions(reports: dict[str, str]) -> None:
    for lang, html in reports.items():
        for section in ("summary", "reach", "seasons", "network", "time", "quality", "definitions"):
            assert f'<section id="{section}">' in html
        for key in ("reach", "population", "wilson", "bands", "seasonal_index", "chi_square"):
            assert f'<dt id="def-{key}">' in html
        assert ("40 schoolweken" if lang == "nl" else "40 school weeks") in html
    assert "Wilson" in reports["nl"] and "Seizoensindex" in reports["nl"]


def test_no_person_or_family_keys(reports: dict[str, str], sample_store: Store) -> None:
    contacts = sample_store.table("contacts")
    keys = [
        *contacts["person_key"].drop_nulls().unique().sort().head(40).to_list(),
        *contacts["family_key"].drop_nulls().unique().sort().head(40).to_list(),
    ]
    assert keys
    for html in reports.values():
        leaked = [k for k in keys if k in html]
        assert not leaked


def test_transform_reaches_every_table_and_the_readings(
    sample_store: Store, tmp_path: Path
) -> None:
    seen: list[str] = []

    def suppress(name: str, frame: pl.DataFrame) -> pl.DataFrame:
        seen.append(name)
        if name == "files":
            return frame.with_columns(file=pl.lit("FILE-REPLACED"))
        if name == "key_figures":  # small-cell style: a count replaced by text
            return frame.with_columns(
                value=pl.when(pl.col("metric") == "contacts")
                .then(pl.lit("<10"))
                .otherwise(pl.col("value").cast(pl.String))
            )
        if name == "reach":
            return frame.with_columns(reached=pl.lit("SUPPRESSED"))
        return frame

    html = write_report(sample_store, tmp_path / "r.html", transform=suppress).read_text("utf-8")
    expected = set(REPORT_TABLES) - (
        set() if HAS_PATHWAYS else {"pathways_outcomes", "pathways_time_to_referral"}
    )
    expected -= {"compare"}  # the trend section: only with more than one school year
    assert set(seen) == expected
    assert len(seen) == len(expected), "each table once"
    assert html.count("FILE-REPLACED") == len(list(SAMPLE.glob("*/*.csv")))
    assert "&lt;10 contactmomenten" in html  # the reading uses the transformed table
    assert "SUPPRESSED gezinnen bereikt" in html
    assert any("Contactmomenten" in r and "&lt;10" in r for r in table_rows(html, "key_figures"))


def test_the_templates_escape_every_value(tmp_path: Path) -> None:
    """A pilot name with markup (from the data) is shown as text, never run as HTML."""
    import brugdata

    evil = '<script>alert("x")</script> & <b>Co</b>'
    with brugdata.open(tmp_path / "evil.duckdb") as store:
        store.ingest(SAMPLE)
        with store.transaction() as con:
            con.execute("UPDATE schools SET pilot = ? WHERE pilot = 'den_bosch'", [evil]).fetchall()
        html = write_report(
            store, tmp_path / "r.html", title="<i>T</i>", transform=lambda name, frame: frame
        ).read_text("utf-8")
    # outside the chart specs (JSON in a script element, where "</" is written "<\/")
    page = re.sub(r'<script type="application/json".*?</script>', "", html, flags=re.S)
    assert evil not in page and "<b>Co</b>" not in page and "<i>T</i>" not in page
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;"
    assert f"<strong>Pilots:</strong> {escaped}, " in page
    assert f'<th scope="col" class="num">{escaped}</th>' in page  # a table header
    assert f"<li>{escaped}: " in page  # a reading
    assert "<title>&lt;i&gt;T&lt;/i&gt;</title>" in page
    assert page.count("<script>") == 2  # the bundle and the runner: no script from the data
    assert "</script> &" not in html  # the JSON cannot close its script element
    in_json = json.dumps(evil, ensure_ascii=False)[1:-1].replace("</", "<\\/")
    found = re.search(r'id="brugdata-specs">(.*?)</script>', html, re.S)
    assert found and in_json in found.group(1)


def test_the_templates_are_package_data() -> None:
    from importlib.resources import files

    root = files("brugdata.publish.report")
    for name in ("labels.toml", "page.html.j2", "blocks.html.j2", "report.css", "runner.js"):
        path = name if name == "labels.toml" else f"templates/{name}"
        assert root.joinpath(path).is_file(), path


def test_one_number_format_for_nl_and_en() -> None:
    import doctest

    import brugdata.display
    from brugdata.cli.console import cell
    from brugdata.display import number, percent, table
    from brugdata.publish.report.texts import ci, fmt

    assert number(1234.5, "nl", 1) == "1.234,5"
    assert number(1234.5, "en", 1) == "1,234.5"
    assert number(1234567) == "1.234.567"
    assert number(1234567, "en") == "1,234,567"
    assert number(10**20, "en") == "100,000,000,000,000,000,000"  # exact, not via float
    assert number(0.125, "nl", 2) == "0,12" and number(0.135, "en", 2) == "0.14"
    assert number(-1234.0, "nl", 2) == "-1.234,00"
    assert number(2.50, "nl", 2, trim=True) == "2,5" and number(3.0, "en", 2, trim=True) == "3"
    assert number(1200.0, "nl", 2, trim=True) == "1.200"
    assert percent(17.84) == "17,8%" and percent(17.84, "en") == "17.8%"
    assert percent(5.0, "en", 0) == "5%"
    # the report's cells
    assert fmt(5161, "int", "nl") == "5.161" and fmt(5161, "int", "en") == "5,161"
    assert fmt(0.0004, "p", "nl") == "p < 0,001" and fmt(0.0213, "p", "en") == "p = 0.021"
    assert fmt(0.255, "frac", "nl") == "26%" and fmt(1.5, "dec2", "nl") == "1,50"
    assert fmt(None, "int", "nl") == "–" and fmt("<10", "int", "nl") == "<10"
    assert ci(15.81, 20.04, "nl") == "15,8–20,0" and ci(0.1, 0.25, "en", frac=True) == "10.0–25.0"
    # the console and the notebook tables: English, at most 2 decimals
    assert cell(1234.5) == "1,234.5" and cell(2.0) == "2" and cell(1234) == "1234"
    assert cell(0.00012) == "0.00012"
    assert '<td class="num">1,234.57</td>' in table(["x"], [[1234.567]])
    assert '<td class="num">12,345</td>' in table(["x"], [[12345]])
    failures, tried = doctest.testmod(brugdata.display)
    assert tried >= 4 and failures == 0


def test_transform_must_return_a_frame(sample_store: Store, tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="not a polars DataFrame"):
        write_report(sample_store, tmp_path / "r.html", transform=lambda name, frame: None)  # type: ignore[arg-type,return-value]


def test_rejects_shown_without_personal_values(tmp_path: Path, refs: Path) -> None:
    contacts = (
        "contact_id,date,officer_id,school_id,counterpart,person_key,family_key,themes,"
        "initiated_by,duration_min,referred_to\n"
        "C1,2024-10-01,O-1,91AB00,parent,P-0001,G-0001,opvoeding,parent,30,\n"
        "C2,2024-10-02,O-1,91AB00,pupil,P-0002,G-0001,gedrag,pupil,20,PA-1\n"
        "C3,2024-10-03,O-2,92EF,buurman,P-SECRET#7,G-0003,opvoeding,parent,30,\n"
        "C4,2024-10-04,O-2,92EF,parent,P-0004,G-0004,onbekendthema,parent,30,\n"
        "C5,2024-10-05,O-2,92EF,parent,P-0005,G-0005,opvoeding,parent,999,\n"
    )
    write_csv(refs, "contacts.csv", contacts)
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest(refs)
        assert store.rejects().height == 3
        # a person key is pseudonymised whatever it looks like, also in a rejected row
        assert "P-SECRET" not in str(store.rejected_rows().to_dicts())
        html = write_report(store, tmp_path / "r.html", lang="en").read_text("utf-8")
    rows = table_rows(html, "reject_reasons")
    assert len(rows) == 3
    text = " ".join(rows)
    # line, column and rule of every reason
    for line, column, rule in [
        (4, "counterpart", "unknown_code"),
        (5, "themes", "unknown_theme"),
        (6, "duration_min", "out_of_range"),
    ]:
        assert f"contacts.csv:{line}" in text  # the name relative to the folder ingested
        assert "refs/contacts.csv" not in text
        assert column in text and rule in text
    # the value only for columns without personal data
    assert "P-SECRET" not in html
    assert "onbekendthema" in text and "999" in text
    for key in ("P-0001", "P-0002", "G-0001", "P-0004"):
        assert key not in html


def test_pilots_and_errors(sample_store: Store, tmp_path: Path) -> None:
    html = write_report(
        sample_store, tmp_path / "r.html", pilots=["den_bosch"], title="Proeftuin <Den Bosch>"
    ).read_text("utf-8")
    assert "<strong>Pilots:</strong> Den Bosch</p>" in html
    assert "<title>Proeftuin &lt;Den Bosch&gt;</title>" in html
    assert '<th scope="col" class="num">Den Bosch</th>' in html  # the name, not the code
    before_quality = html.split('<section id="quality">')[0]
    assert "gooi_vechtstreek" not in before_quality
    assert "Gooi en Vechtstreek:" not in before_quality
    # the analyses' own sentence, naming what the store holds (and the code of a name)
    held = "it holds: den_bosch, gooi_vechtstreek"
    with pytest.raises(ValueError, match=f"no pilot 'nowhere' in the store; {held}$"):
        write_report(sample_store, tmp_path / "x.html", pilots=["nowhere"])
    with pytest.raises(ValueError, match="has the code 'gooi_vechtstreek'"):
        write_report(sample_store, tmp_path / "x.html", pilots=["Gooi en Vechtstreek"])
    with pytest.raises(ValueError, match="no school year '2030-2031' in the store; it holds"):
        write_report(sample_store, tmp_path / "x.html", school_year="2030-2031")
    with pytest.raises(ValueError, match="lang must be 'nl' or 'en'"):
        write_report(sample_store, tmp_path / "x.html", lang="de")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="image_format"):
        write_report(sample_store, tmp_path / "x.html", image_format="gif")  # type: ignore[arg-type]
    assert not (tmp_path / "x.html").exists()


def test_png_dir_gets_one_image_per_chart(sample_store: Store, tmp_path: Path) -> None:
    path = write_report(sample_store, tmp_path / "r.html", png_dir=tmp_path / "png")
    charts = set(specs(path.read_text("utf-8")))
    images = sorted((tmp_path / "png").iterdir())
    assert {p.stem for p in images} == charts
    assert all(p.suffix == ".png" for p in images)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in images)


def test_svg_export(sample_store: Store, tmp_path: Path) -> None:
    write_report(
        sample_store,
        tmp_path / "r.html",
        pilots=["den_bosch"],
        png_dir=tmp_path / "svg",
        image_format="svg",
        lang="en",
    )
    images = sorted((tmp_path / "svg").iterdir())
    assert images and all(p.suffix == ".svg" for p in images)
    assert all(p.read_text("utf-8").lstrip().startswith("<svg") for p in images)


# --------------------------------------------------------------------------- notebooks


def test_the_three_notebooks_are_there() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01_quickstart.ipynb",
        "02_compare_pilots.ipynb",
        "03_evaluation_report.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean(path: Path) -> None:
    import nbformat

    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    assert book.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in book.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), (
        "strip the outputs before committing"
    )
    assert book.cells[0].cell_type == "markdown" and book.cells[0].source.startswith("# ")
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "one cell tagged `parameters`"
    assert code.index(tagged[0]) == 0, "the parameters come first"
    # the store from the environment (a test runs each notebook on a two-year store), else
    # a temporary one made of the sample
    for name in ('STORE = os.environ.get("BRUGDATA_NOTEBOOK_STORE")', "SAMPLE_DIR = ", "PILOTS = "):
        assert name in tagged[0].source


def test_a_report_of_many_pilots_is_written(tmp_path: Path) -> None:
    """Regression: altair refused charts over 5,000 rows (MaxRowsError), so the report failed
    from about 21 pilots on (seasonality has pilots × themes × 12 months rows). Here every
    sample school is a pilot of its own: 30 pilots, 7,200 rows of seasonality."""
    import altair as alt

    import brugdata

    with brugdata.open(tmp_path / "many.duckdb") as store:
        store.ingest(SAMPLE)
        with store.transaction() as con:
            con.execute("UPDATE schools SET pilot = 'pilot_' || school_id").fetchall()
        pilots = store.info()["pilots"]
        assert len(pilots) >= 30
        path = write_report(store, tmp_path / "report.html", lang="en")
    spec = specs(path.read_text(encoding="utf-8"))["seasonality_heatmap"]
    rows = sum(len(d.get("values", [])) for d in _datasets(spec))
    assert rows > 5000
    # the limit is lifted for the report only, not for the user's own charts
    with pytest.raises(alt.MaxRowsError):
        alt.Chart(pl.DataFrame({"x": range(5001)})).mark_point().encode(x="x:Q").to_dict()


def _datasets(spec: dict) -> list[dict]:
    """The inline data sets of a Vega-Lite spec (top-level ``datasets`` or ``data``)."""
    found = [{"values": v} for v in spec.get("datasets", {}).values()]
    if isinstance(spec.get("data"), dict) and "values" in spec["data"]:
        found.append(spec["data"])
    return found


def test_charts_show_pilots_by_their_display_names(reports: dict[str, str]) -> None:
    """Every chart's data names a pilot as a reader knows it (model/data/pilots.toml), never
    by its code: codes stay in exports."""
    pilots_seen: set[str] = set()
    for spec in specs(reports["nl"]).values():
        for data in _datasets(spec):
            for row in data["values"]:
                if isinstance(row, dict) and row.get("pilot") is not None:
                    pilots_seen.add(str(row["pilot"]))
    assert pilots_seen, "some chart carries a pilot"
    assert pilots_seen <= {"Den Bosch", "Gooi en Vechtstreek"}, pilots_seen
    assert "Gooi en Vechtstreek" in pilots_seen
