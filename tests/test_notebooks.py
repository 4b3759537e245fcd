"""The notebooks render offline and read well: executed with nbclient and converted with
nbconvert, no page loads a script from the internet, every chart is an SVG in the page, tables
show counts as whole numbers and percentages with one decimal, and each notebook runs on a
store holding two school years. The formatting of :func:`brugdata.readable` is checked
against hand-written values without a kernel (not slow)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import brugdata
from brugdata.publish.notebook import RENDERER, offline_bundle, readable, use_offline_charts
from tests.conftest import REPO, SAMPLE

NOTEBOOKS = REPO / "notebooks"
#: The code cells that draw a chart, counted by hand in each notebook (0-based cell index).
CHART_CELLS = {
    "01_quickstart": [18],
    "02_compare_pilots": [8, 12, 17, 20, 21, 24],
    "03_evaluation_report": [4, 11, 14, 18, 24, 26, 27],
}
SVG = "image/svg+xml"
#: The scripts nbconvert's "lab" template itself names on a CDN (file names).
NBCONVERT_SCRIPTS = {
    "require.min.js",
    "latest.js",  # MathJax
    "mermaid.esm.min.mjs",
    "mermaid-layout-elk.esm.min.mjs",
}
#: a script loaded from anywhere but the page itself
EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//", re.IGNORECASE)


# --------------------------------------------------------------------------- readable (fast)


def test_readable_formats_counts_whole_and_percentages_with_one_decimal() -> None:
    frame = pl.DataFrame(
        {
            "pilot": ["a", "b"],
            "reached": [1234, None],  # integers: grouped thousands; null: empty
            "population": [2026.0, None],  # a float count (a sum of answers): whole
            "pct": [17.758485, 20.0],
            "share": [0.666667, 0.086957],  # a fraction, shown as a percentage
            "p_value": [0.0004, 0.0312],
            "hours": [6.25, 4.0],  # any other number: two decimals
        }
    )
    en = readable(frame, "en").text
    assert en.rows() == [
        ("a", "1,234", "2,026", "17.8", "66.7%", "< 0.001", "6.25"),
        ("b", "", "", "20.0", "8.7%", "0.031", "4.00"),
    ]
    nl = readable(frame, "nl").text
    assert nl.row(0) == ("a", "1.234", "2.026", "17,8", "66,7%", "< 0,001", "6,25")
    assert en.schema == dict.fromkeys(frame.columns, pl.String)


def test_readable_formats_a_value_by_its_unit_and_pivots() -> None:
    figures = pl.DataFrame(
        {
            "pilot": ["p1", "p1", "p1", "p2", "p2", "p2"],
            "metric": ["pupils", "pct", "per_hour"] * 2,
            "unit": ["n", "%", "n/h"] * 2,
            "value": [2026.0, 17.758485, 3.126, 540.0, 22.04, 1.5],
        }
    )
    table = readable(figures, "en", on="pilot")
    assert table.text.columns == ["metric", "p1", "p2"]
    assert table.text.rows() == [
        ("pupils", "2,026", "540"),
        ("pct", "17.8", "22.0"),
        ("per_hour", "3.13", "1.50"),  # n/h: two decimals
    ]
    html = table._repr_html_()
    assert '<td class="num">2,026</td>' in html and "<td>pupils</td>" in html
    assert "2026.0" not in html and "2026.0" not in repr(table)


def test_readable_escapes_text_in_html() -> None:
    html = readable(pl.DataFrame({"note": ["<b>x</b> & y"]}), "en")._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in html and "<b>x" not in html


def test_offline_renderer_gives_svg_valid_in_a_notebook_file() -> None:
    import altair as alt
    import nbformat

    before = alt.renderers.active
    try:
        assert use_offline_charts() == RENDERER == alt.renderers.active
        chart = alt.Chart(pl.DataFrame({"a": [1, 2], "b": [3, 4]})).mark_bar().encode(x="a", y="b")
        bundle = offline_bundle(chart.to_dict())
        assert set(bundle) == {SVG, "text/plain"}
        assert bundle[SVG].startswith("<svg")
        assert bundle[SVG].count('aria-roledescription="bar"') == 2  # the two bars, drawn
        assert "<script" not in bundle[SVG] and "http" not in bundle["text/plain"]
        # as the kernel sends it, the output must be valid in an .ipynb (nbconvert checks)
        shown = chart._repr_mimebundle_()
        data = shown[0] if isinstance(shown, tuple) else shown
        assert data == bundle
        output = nbformat.v4.new_output("display_data", data=data)
        cell = nbformat.v4.new_code_cell("chart", outputs=[output])
        nbformat.validate(nbformat.v4.new_notebook(cells=[cell]))
    finally:
        alt.renderers.enable(before)


# --------------------------------------------------------------------------- executed (slow)


def _execute(name: str, folder: Path) -> Any:
    """The notebook ``name`` executed in its folder (as a kernel started now runs it), saved
    to ``folder`` and read back as a reader opens it."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    nbformat.write(nb, folder / f"{name}.ipynb")
    return nbformat.read(folder / f"{name}.ipynb", as_version=4)


@pytest.fixture(scope="module")
def on_sample(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Any]:
    """The notebooks executed on the synthetic sample, each once for this module."""
    folder = tmp_path_factory.mktemp("executed")
    done: dict[str, Any] = {}

    def executed(name: str) -> Any:
        if name not in done:
            with pytest.MonkeyPatch.context() as mp:
                mp.delenv("BRUGDATA_NOTEBOOK_STORE", raising=False)
                done[name] = _execute(name, folder)
        return done[name]

    return executed


def _outputs(cell: Any) -> list[Any]:
    return list(cell.get("outputs", []))


def _svg_outputs(html: str) -> int:
    """How many outputs of a page are SVG images held in the page itself (the lab template
    marks an output by its mime type, the basic one by a class)."""
    output = r'(?:data-mime-type="image/svg\+xml"|class="output_svg[^"]*")[^>]*>\s*'
    image = r'(?:<img [^>]*?src="data:image/svg\+xml;base64,|<svg)'
    return len(re.findall(output + image, html))


def _html(nb: Any, template: str) -> str:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name=template).from_notebook_node(nb)
    return str(body)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CHART_CELLS))
def test_notebook_html_has_no_external_script_and_every_chart_is_svg(
    name: str, on_sample: Callable[[str], Any], tmp_path: Path
) -> None:
    nb = on_sample(name)
    errors = [o for c in nb.cells for o in _outputs(c) if o.output_type == "error"]
    assert not errors, errors
    charts = [i for i, c in enumerate(nb.cells) for o in _outputs(c) if SVG in o.get("data", {})]
    assert charts == CHART_CELLS[name]
    for i in charts:
        (out,) = [o for o in _outputs(nb.cells[i]) if o.output_type == "execute_result"]
        assert out.data[SVG].lstrip().startswith("<svg")
    for c in nb.cells:
        for o in _outputs(c):
            text = str(o.get("data", {})) + str(o.get("text", ""))
            assert "cdn.jsdelivr" not in text and not EXTERNAL_SCRIPT.search(text), (name, c)

    # nbconvert's "basic" template: the notebook's own content, as mkdocs-jupyter embeds it
    basic = _html(nb, "basic")
    assert not EXTERNAL_SCRIPT.search(basic) and "cdn.jsdelivr" not in basic
    assert _svg_outputs(basic) == len(charts)
    # the "lab" template (jupyter nbconvert --to html), read back from the file: the only
    # scripts it names on the internet are nbconvert's own page furniture (require.js,
    # MathJax, mermaid), which no output of ours needs
    page = tmp_path / f"{name}.html"
    page.write_text(_html(nb, "lab"), encoding="utf-8")
    lab = page.read_text(encoding="utf-8")
    scripts = " ".join(re.findall(r"<script\b.*?</script>", lab, re.DOTALL))
    urls = {re.sub(r"[?#].*", "", u) for u in re.findall(r"https?://[^\"'\s)]+", scripts)}
    external = {u for u in urls if re.search(r"\.m?js$", u)}  # what a script could load
    assert {u.rsplit("/", 1)[-1] for u in external} == NBCONVERT_SCRIPTS, external
    assert "cdn.jsdelivr" not in lab and "vega" not in " ".join(external)
    assert _svg_outputs(lab) == len(charts)


@pytest.mark.slow
def test_notebook_03_is_up_to_date_and_shows_counts_as_whole_numbers(
    on_sample: Callable[[str], Any],
) -> None:
    nb = on_sample("03_evaluation_report")
    prose = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "later version" not in prose and "## 6. The questionnaire" in prose
    html = _html(nb, "basic")
    # the sample's questionnaire: 16 of 21 officers responded (sample/generate.py)
    # response rate 16 / 21 = 0.7619...: 76.2%
    assert '<td class="num">16</td>' in html and '<td class="num">76.2%</td>' in html
    survey = next(
        c for c in nb.cells if c.cell_type == "code" and "compare(store, survey=True)" in c.source
    )
    (out,) = _outputs(survey)
    cells = re.findall(r'<td class="num">([^<]*)</td>', out.data["text/html"])
    assert cells and all(not re.fullmatch(r"\d[\d,]*\.0", v) for v in cells), cells


# --------------------------------------------------------------------------- two school years


def _second_year(store: brugdata.Store, folder: Path) -> Path:
    """The sample's yearly tables once more for 2025-2026: dates a year later, new contact and
    activity ids, every fifth contact left out so the years differ. Returns the folder."""
    folder.mkdir()
    yearly = ["schools", "assignments", "contacts", "activities", "time_use"]
    yearly += [t for t in brugdata.TABLES if t.startswith("survey")]
    for name in yearly:
        frame = store.table(name)
        frame = frame.select([c for c in frame.columns if not c.startswith("_")])
        if "school_year" in frame.columns:
            frame = frame.with_columns(school_year=pl.lit("2025-2026"))
        if "date" in frame.columns:
            frame = frame.with_columns(pl.col("date").dt.offset_by("1y"))
        for key in ("contact_id", "activity_id"):
            if key in frame.columns:
                frame = frame.with_columns(("Y2-" + pl.col(key)).alias(key))
        if name == "contacts":
            frame = frame.filter(pl.int_range(pl.len()) % 5 != 0)
        lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
        frame = frame.with_columns(pl.col(c).list.join("|") for c in lists)
        frame.write_csv(folder / f"{name}.csv")
    return folder


@pytest.fixture(scope="module")
def two_year_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file with the sample's school year 2024-2025 and a second, 2025-2026."""
    tmp = tmp_path_factory.mktemp("two_years")
    path = tmp / "two_years.duckdb"
    with brugdata.open(path) as store:
        store.ingest(SAMPLE)
        result = store.ingest(_second_year(store, tmp / "2025-2026"))
        assert result.rows_rejected == 0 and result.rows_loaded == result.rows_read > 0
        years = store.table("schools")["school_year"].unique().sort().to_list()
        assert years == ["2024-2025", "2025-2026"]
    return path


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CHART_CELLS))
def test_notebooks_run_on_a_store_of_two_school_years(
    name: str, two_year_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRUGDATA_NOTEBOOK_STORE", str(two_year_store))
    nb = _execute(name, tmp_path)
    errors = [o for c in nb.cells for o in _outputs(c) if o.output_type == "error"]
    assert not errors, errors
    text = " ".join(
        str(o.get("data", {}).get("text/html", "")) + str(o.get("text", ""))
        for c in nb.cells
        for o in _outputs(c)
    )
    assert str(two_year_store) in text or name == "01_quickstart"
    assert "2024-2025" in text and "2025-2026" in text
