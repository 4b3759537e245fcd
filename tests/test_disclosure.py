"""The disclosure audit, written as an attacker: every published output (the report's HTML,
its embedded chart data, the SVG files and their aria-labels, ``analyse --publish`` in JSON
and CSV) is parsed and each attack of docs/privacy.md is tried. No hidden value may come back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

import brugdata
from brugdata.cli.app import app
from brugdata.publish.protect import Publication, PublicationError, declaration, protect
from brugdata.publish.protect.compare import wilson_n
from brugdata.store.store import Store

T = 10
#: Fields of embedded chart data that count people or contacts.
COUNT_FIELDS = {"reached", "contacts", "cases", "referrals", "pupil_cases", "parents_contacted"}
#: Fields derived from them: absent wherever a count of their record is.
DERIVED_FIELDS = {
    "pct", "ci_low", "ci_high", "share", "seasonal_index", "contacts_per_school_week",
    "school_week_index", "median_days", "p25_days", "p75_days", "min_days", "max_days",
    "weight", "reached_per_weekly_hour", "pct_low", "pct_high",
}  # fmt: skip


# ----------------------------------------------------------------------------- the outputs


@pytest.fixture(scope="module")
def published(sample_store: Store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample store's report with its SVG charts and output log, as an attacker gets
    them."""
    from brugdata.publish.report import write_report

    folder = tmp_path_factory.mktemp("published")
    path = write_report(
        sample_store,
        folder / "report.html",
        png_dir=folder / "svg",
        image_format="svg",
        checks=True,
    )
    page = path.read_text("utf-8")
    return {
        "html": page,
        "specs": specs(page),
        "svg": {p.name: p.read_text("utf-8") for p in sorted((folder / "svg").glob("*.svg"))},
        "checks": json.loads((folder / "report.checks.json").read_text("utf-8")),
    }


def specs(page: str) -> dict[str, Any]:
    """The chart specs embedded in the page."""
    found = re.search(
        r'<script type="application/json" id="brugdata-specs">(.*?)</script>', page, re.S
    )
    assert found, "no chart specs in the page"
    return dict(json.loads(found[1].replace("<\\/", "</")))


def records(spec: Any) -> Iterator[dict[str, Any]]:
    """Every data record anywhere in a Vega-Lite spec (datasets and inline values)."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("datasets",) and isinstance(value, dict):
                for rows in value.values():
                    yield from (r for r in rows if isinstance(r, dict))
            elif key == "values" and isinstance(value, list):
                yield from (r for r in value if isinstance(r, dict))
            else:
                yield from records(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from records(item)


def small(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < T


def leaks(rows: Iterator[dict[str, Any]], *, text: bool = False) -> list[str]:
    """Records that hold a small count, or a derived figure beside a hidden count (null in
    chart data; a marker such as ``<10`` or ``x`` in a table's data when ``text``)."""
    found = []
    for r in rows:
        for field in COUNT_FIELDS & set(r):
            value = r[field]
            if isinstance(value, str) and value.isdigit():
                value = int(value)
            if small(value):
                found.append(f"{field}={r[field]} in {r}")

        def gone(v: Any) -> bool:
            return isinstance(v, str) and not v.isdigit() if text else v is None

        hidden = [f for f in COUNT_FIELDS & set(r) if gone(r[f])]
        if hidden:
            shown = {f: r[f] for f in DERIVED_FIELDS & set(r) if r[f] is not None}
            if shown:
                found.append(f"{shown} beside hidden {hidden} in {r}")
    return found


def recoverable(name: str, rows: list[dict[str, Any]]) -> list[str]:
    """Hidden counts an attacker works out by differencing: a row total less its shown parts
    (one part hidden), a total less its shown parts giving a small unpublished rest, and a
    margin group with exactly one hidden cell beside shown non-zero ones (the group's total
    elsewhere gives it)."""
    from brugdata.publish.protect.cells import default_margins

    declared = declaration(name)
    found = []

    def shown(v: Any) -> bool:
        return isinstance(v, int) or (isinstance(v, str) and v.isdigit())

    for r in rows:
        for rel in declared.relations:
            cells = [rel.total, *rel.parts]
            if not all(c in r for c in cells):
                continue
            hidden = [c for c in cells if not shown(r[c])]
            if len(hidden) == 1 and not rel.remainder:
                found.append(f"{hidden[0]} = {rel.total} − parts in {r}")
            if not hidden and rel.remainder:
                rest = int(r[rel.total]) - sum(int(r[p]) for p in rel.parts)
                if small(rest):
                    found.append(f"{rel.total} − {rel.parts} = {rest} in {r}")
    if rows:
        frame = pl.DataFrame(rows, infer_schema_length=None)
        for group in default_margins(frame, declared):
            for c in (c for c in declared.counts if c in frame.columns):
                text = pl.col(c).cast(pl.String)
                bad = (
                    frame.with_columns(
                        _h=~text.str.contains(r"^\d+$").fill_null(False),
                        _v=text.str.contains(r"^[1-9]\d*$").fill_null(False),
                    )
                    .group_by(group or pl.lit(1))
                    .agg(pl.col("_h").sum(), pl.col("_v").sum())
                    # with every other cell 0 the total is the hidden cell: hidden there too
                    .filter((pl.col("_h") == 1) & (pl.col("_v") > 0))
                )
                if bad.height:
                    found.append(f"{name}: one hidden {c} in a group of {group}: {bad.rows()}")
    return found


#: Row or column headers of the report's tables that hold counts of people or contacts.
COUNT_HEADERS = (
    "Bereikt",
    "Contacten",
    "contacten (verwijzingen)",
    "Casussen",
    "Leerlingcasussen",
    "Met gezinssleutel",
    "Ouders gesproken",
    "Ouders (gezinnen) bereikt",
    "Leerlingen bereikt",
    "Contactmomenten",
    "Zonder verwijzing",
    "Lichte ondersteuning",
    "Specialistisch",
    "Verwijzingen",
)


class _Tables(HTMLParser):
    """Every table cell of a page with its row and column header."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str, str]] = []
        self._heads: list[str] = []
        self._row: list[tuple[str, str]] = []
        self._cell: list[str] | None = None
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self._heads = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell, self._tag = [], tag

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self._row.append((self._tag, " ".join("".join(self._cell).split())))
            self._cell = None
        elif tag == "tr":
            if not self._heads and all(t == "th" for t, _ in self._row):
                self._heads = [text for _, text in self._row]
                return
            label = next((text for t, text in self._row if t == "th"), "")
            for i, (t, text) in enumerate(self._row):
                if t == "td":
                    column = self._heads[i] if i < len(self._heads) else ""
                    self.cells.append((label, column, text))


def table_leaks(page: str) -> list[str]:
    """Cells of the page's tables under a count header holding a number from 1 to T − 1."""
    parser = _Tables()
    parser.feed(page)
    found = []
    for row, column, text in parser.cells:
        if any(h.lower() in f"{row} | {column}".lower() for h in COUNT_HEADERS):
            words = f"{row} | {column}".lower()
            if (
                "%" in text
                or "%" in words
                or any(w in words for w in ("dagen", "gemiddeld", "mediaan", " per ", "percentiel"))
            ):
                continue  # a percentage, a mean or rate, a number of days: not a count
            numbers = [int(n) for n in re.findall(r"(?<![\d.,])\d+(?![\d.,])", text)]
            if any(small(n) for n in numbers):
                found.append(f"{row} | {column}: {text}")
    return found


# ----------------------------------------------------------------------------- the audit


def test_no_small_count_in_the_report_tables(published: dict[str, Any]) -> None:
    assert "&lt;10" in published["html"]
    assert not table_leaks(published["html"])


def test_no_small_count_or_its_figures_in_any_embedded_dataset(published: dict[str, Any]) -> None:
    for name, spec in published["specs"].items():
        assert not leaks(records(spec)), name


def test_reach_ci_embeds_no_school_with_a_small_reach(published: dict[str, Any]) -> None:
    rows = list(records(published["specs"]["reach_ci"]))
    assert rows and not any(small(r.get("reached")) for r in rows)


def test_pathway_routes_embed_no_small_route(published: dict[str, Any]) -> None:
    rows = list(records(published["specs"].get("pathway_routes", {})))
    assert not any(small(r.get("cases")) or small(r.get("referrals")) for r in rows)
    labels = [r["text"] for r in rows if r.get("text")]
    assert not any(re.search(r"\(([1-9])\)$", t) for t in labels), labels


def test_time_to_referral_shows_no_quantiles_of_small_groups(published: dict[str, Any]) -> None:
    for r in records(published["specs"].get("time_to_referral", {})):
        if r.get("cases") is None or small(r.get("cases")):
            assert all(r.get(f) is None for f in ("median_days", "min_days", "max_days")), r


def test_seasonality_heatmap_has_no_small_cells(published: dict[str, Any]) -> None:
    rows = list(records(published["specs"]["seasonality_heatmap"]))
    assert rows and not any(small(r.get("contacts")) for r in rows)
    assert not any(r.get("contacts") is None and r.get("seasonal_index") is not None for r in rows)


def test_svg_text_and_aria_labels_hold_no_hidden_value(published: dict[str, Any]) -> None:
    titles = ("Contacten", "Casussen", "Verwijzingen", "reached", "cases", "contacts")
    pattern = re.compile(rf"(?:{'|'.join(titles)}): ([0-9.]+)(?:;|\"|$)")
    for name, svg in published["svg"].items():
        for label in re.findall(r'aria-label="([^"]*)"', svg):
            for value in pattern.findall(label):
                assert not small(float(value.replace(".", ""))), (name, label)
        assert not re.search(r">[^<>]*\(([1-9])\)</text>", svg), name


def test_every_hidden_cell_is_absent_from_the_chart_data(
    published: dict[str, Any], sample_store: Store
) -> None:
    """Each hidden cell of the output log: its value is not beside its keys in any record."""
    hidden = published["checks"]["hidden_cells"]
    assert hidden, "the sample data has small cells"
    rows = [r for spec in published["specs"].values() for r in records(spec)]
    for cell in hidden:
        column = cell["column"]
        if column == "value":
            continue
        wanted = ("pilot", "school_id", "officer_id", "theme")
        keys = {k: v for k, v in cell.items() if k in wanted}
        for r in rows:
            same = keys and set(keys) <= set(r) and all(r[k] == v for k, v in keys.items())
            if column in r and same:
                assert r[column] is None or not small(r[column]), (cell, r)


def test_the_output_log_lists_files_profile_and_hidden_cells(published: dict[str, Any]) -> None:
    log = published["checks"]
    assert log["profile"] == "rivm" and log["threshold"] == T and log["protected"]
    assert log["version"] == brugdata.__version__
    assert [f["file"] for f in log["files"]][0] == "report.html"
    assert all(len(f["sha256"]) == 64 for f in log["files"])
    assert {c["reason"] for c in log["hidden_cells"]} <= {"primary", "secondary"}
    assert any(c["reason"] == "secondary" for c in log["hidden_cells"])


def test_the_report_explains_its_markers(published: dict[str, Any]) -> None:
    assert "brugdata-legend" in published["html"]
    assert "niet beschermd" not in published["html"]


# ----------------------------------------------------------------------------- the attacks


def test_attack_pilot_total_minus_its_other_schools() -> None:
    """591 for the pilot, 582 for the other 23 schools: the 24th school had 9."""
    schools = pl.DataFrame(
        {
            "pilot": ["A"] * 4,
            "school_year": ["2024-2025"] * 4,
            "counterpart": ["parent"] * 4,
            "school_id": list("abcd"),
            "reached": [9, 200, 182, 200],
        }
    )
    shown = Publication(threshold=T).chart("reach", schools)["reached"].to_list()
    assert shown.count(None) >= 2  # the total less the others gives two schools together
    assert sum(v for v in shown if v is not None) < 591 - T


def test_attack_network_weight_minus_referrals() -> None:
    edges = pl.DataFrame(
        {
            "pilot": ["A", "A", "A"],
            "school_year": ["2024-2025"] * 3,
            "officer_id": ["O1", "O1", "O2"],
            "node": ["P1", "P2", "P1"],
            "node_kind": ["partner"] * 3,
            "partner_kind": ["ggd"] * 3,
            "partner_name": ["x", "y", "x"],
            "contacts": [1, 30, 40],
            "referrals": [22, 12, 11],
            "weight": [23, 42, 51],
            "source": ["log"] * 3,
        }
    )
    out = Publication(threshold=T).chart("network.edges", edges)
    assert out["contacts"][0] is None and out["weight"][0] is None


def test_attack_pathways_cases_minus_light_and_referred() -> None:
    """cases 19, light 13, referred 18: no_referral 1 and specialised 5 follow."""
    outcomes = pl.DataFrame(
        {
            "pilot": ["A", "B"],
            "school_year": ["2024-2025"] * 2,
            "cases": [19, 300],
            "no_referral": [1, 100],
            "light": [13, 100],
            "specialised": [5, 100],
            "unclassified": [0, 0],
            "referred_cases": [18, 200],
        }
    )
    out = Publication(threshold=T).chart("pathways.outcomes", outcomes).row(0, named=True)
    known = {k: v for k, v in out.items() if isinstance(v, int)}
    if {"cases", "referred_cases"} <= set(known):
        assert known["cases"] - known["referred_cases"] >= T
    if {"referred_cases", "light"} <= set(known):
        assert known["referred_cases"] - known["light"] - known.get("unclassified", 0) >= T
    assert out["no_referral"] is None and out["specialised"] is None


def test_attack_compare_percentage_of_few_cases() -> None:
    """5.3% of 19 cases is one case: the Wilson interval gives the 19 away."""
    n, k = 19, 1
    p = k / n
    z = 1.959963984540054
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    assert round(wilson_n(100 * p, 100 * (centre - half), 100 * (centre + half)) or 0) == n
    frame = pl.DataFrame(
        {
            "pilot": ["A", "A"],
            "school_year": ["2024-2025"] * 2,
            "metric": ["cases_no_referral_pct", "cases_specialised_pct"],
            "label": [None, None],
            "value": [100 * (1 - p), 100 * p],
            "ci_low": [100 * (1 - centre - half), None],
            "ci_high": [100 * (1 - centre + half), None],
            "unit": ["%", "%"],
            "source": ["contacts"] * 2,
            "method": [None, None],
            "p_value": [0.5, None],
        }
    )
    out = protect("compare", frame, threshold=T)
    assert out["value"].to_list() == [None, None]
    assert out["p_value"][0] is None


def _wilson_bounds(k: int, n: int) -> tuple[float, float]:
    """The 95% Wilson interval of k of n, in percent, as the analyses give it."""
    p, z = k / n, 1.959963984540054
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    return 100 * (centre - half), 100 * (centre + half)


@pytest.mark.parametrize(("reached", "hidden"), [(63, True), (80, False)])
def test_attack_compare_partial_reach_minus_all_reached(reached: int, hidden: bool) -> None:
    """A reach over the 1 of 2 schools whose families are known: 60 of 200 families there
    (the interval gives the 200 and so the 60); with 63 reached in all, 3 were reached at
    the other school, a count never published: the percentage must go (with 80: 20, fine)."""
    low, high = _wilson_bounds(60, 200)
    frame = pl.DataFrame(
        {
            "pilot": ["A", "A", "A"],
            "school_year": ["2024-2025"] * 3,
            "metric": ["families", "parents_reached", "parents_reached_pct"],
            "label": ["1 of 2 schools (count known)", None, "1 of 2 schools (count known)"],
            "value": [200.0, float(reached), 30.0],
            "ci_low": [None, None, low],
            "ci_high": [None, None, high],
            "unit": ["n", "n", "%"],
            "source": ["schools", "contacts", "contacts"],
            "method": [None, None, None],
            "p_value": [None, None, None],
        }
    )
    out = protect("compare", frame, threshold=T)
    assert out["value"].to_list()[:2] == [200.0, float(reached)]  # counts shown either way
    assert (out["value"][2] is None) is hidden


@pytest.mark.parametrize(("reached", "hidden"), [(63, True), (80, False)])
def test_attack_reach_minus_reached_at_the_known_schools(reached: int, hidden: bool) -> None:
    """reach() gives reached (all schools) beside reached_known (the schools whose count is
    known): their difference, those reached at the other schools, is never published, so
    when it is small reached_known (and the share made from it) is hidden."""
    frame = pl.DataFrame(
        {
            "pilot": ["A"],
            "school_year": ["2024-2025"],
            "counterpart": ["parent"],
            "reached": [reached],
            "population": [None],
            "pct": [30.0],
            "schools": [2],
            "reached_known": [60],
            "population_known": [200],
            "schools_known": [1],
        },
        schema_overrides={"population": pl.Int64},
    )
    row = Publication(threshold=T).chart("reach", frame).row(0, named=True)
    assert row["reached"] == reached
    assert (row["reached_known"] is None) is hidden
    assert (row["pct"] is None) is hidden


def test_attack_chi_square_beside_its_counts() -> None:
    themes = pl.DataFrame(
        {
            "pilot": ["A", "A", "A"],
            "school_year": ["2024-2025"] * 3,
            "theme": ["armoede", "taal", "gezondheid"],
            "contacts": [7, 120, 130],
            "chi2": [20.1, 3.0, 4.0],
            "df": [11, 11, 11],
            "p_value": [0.04, 0.9, 0.8],
            "peak_start": [True, False, False],
            "peak_end": [False, False, False],
            "peak_school_month": [1, 2, 3],
        }
    )
    out = protect("seasonality.themes", themes, threshold=T)
    assert out.row(0, named=True)["chi2"] is None and out.row(0, named=True)["p_value"] is None


def test_attack_median_and_quartiles_of_a_small_group() -> None:
    times = pl.DataFrame(
        {
            "pilot": ["A", "A", "B"],
            "school_year": ["2024-2025"] * 3,
            "referral_class": ["light", "specialised", "light"],
            "cases": [40, 5, 50],
            "median_days": [10.0, 12.0, 9.0],
            "p25_days": [5.0, 3.0, 4.0],
            "p75_days": [20.0, 30.0, 19.0],
            "min_days": [0, 1, 0],
            "max_days": [100, 57, 90],
        }
    )
    out = Publication(threshold=T).chart("pathways.time_to_referral", times)
    assert out.row(1) == ("A", "2024-2025", "specialised", None, None, None, None, None, None)


def test_attack_parents_of_pupil_cases_linked_minus_contacted() -> None:
    """linked 19, parents contacted 15: 4 linked cases without a parent contact."""
    frame = pl.DataFrame(
        {
            "pilot": ["A", "B"],
            "school_year": ["2024-2025"] * 2,
            "pupil_cases": [19, 400],
            "linked": [19, 380],
            "parents_contacted": [15, 300],
            "pct": [78.9, 78.9],
            "source": ["log", "log"],
        }
    )
    out = Publication(threshold=T).chart("parents_of_pupil_cases", frame).row(0, named=True)
    if out["linked"] is not None and out["parents_contacted"] is not None:
        assert out["linked"] - out["parents_contacted"] >= T
    assert out["pct"] is None


def test_attack_the_same_count_in_two_tables() -> None:
    """Reach hides pilot B's families as a second cell; the key figures must not show it."""
    publication = Publication(threshold=T)
    reach = pl.DataFrame(
        {
            "pilot": ["A", "B", "C"],
            "school_year": ["2024-2025"] * 3,
            "counterpart": ["parent"] * 3,
            "reached": [3, 40, 50],
        }
    )
    assert publication.table("reach", reach)["reached"].to_list() == ["<10", "x", "50"]
    figures = pl.DataFrame(
        {
            "pilot": ["B", "C"],
            "school_year": ["2024-2025"] * 2,
            "metric": ["parents_reached"] * 2,
            "label": [None, None],
            "value": [40.0, 50.0],
            "ci_low": [None, None],
            "ci_high": [None, None],
            "unit": ["n", "n"],
            "source": ["contacts"] * 2,
            "method": [None, None],
            "p_value": [None, None],
        }
    )
    assert publication.chart("key_figures", figures)["value"].to_list() == [None, 50.0]


# ----------------------------------------------------------------------------- declarations


def test_an_undeclared_frame_or_column_cannot_be_published() -> None:
    frame = pl.DataFrame({"pilot": ["A"], "school_year": ["2024-2025"], "reached": [40]})
    with pytest.raises(PublicationError, match="'trend_new': it has no declared protection"):
        protect("trend_new", frame)
    with pytest.raises(PublicationError, match="column 'families_new' has no declared"):
        protect("reach", frame.with_columns(families_new=pl.lit(3)))
    with pytest.raises(PublicationError, match="one row per case"):
        declaration("cases")


def test_every_analysis_frame_is_declared(sample_store: Store) -> None:
    from brugdata.analysis import ANALYSES, run

    for name in ANALYSES:
        result = run(name, sample_store)
        frames = result.frames()
        for key, frame in frames.items():
            full = name if len(frames) == 1 else f"{name}.{key}"
            try:
                declaration(full, frame)
            except PublicationError as exc:
                assert "free text" in str(exc) or "one row per case" in str(exc), exc


def test_a_publication_refuses_a_threshold_below_5() -> None:
    with pytest.raises(PublicationError, match="at least 5"):
        Publication(threshold=1)
    with pytest.raises(PublicationError, match="at least 5"):
        Publication(threshold=0)
    Publication(threshold=0, protected=False)  # analysts only


def test_the_nco_profile_hides_5_or_fewer_and_clamps_percentages() -> None:
    frame = pl.DataFrame(
        {
            "pilot": ["A", "B", "C"],
            "school_year": ["2024-2025"] * 3,
            "counterpart": ["parent"] * 3,
            "reached": [5, 6, 600],
            "population": [100, 100, 610],
            "pct": [5.0, 6.0, 98.4],
        }
    )
    out = Publication(profile="nco").table("reach", frame.with_columns(ci_high=pl.lit(99.0)))
    assert out["reached"].to_list()[0] == "<6"
    assert out["pct"].to_list()[2] == 95.0
    assert out["ci_high"].to_list()[2] == 95.0


def test_the_cbs_profile_rounds_counts_before_the_derived_figures() -> None:
    frame = pl.DataFrame(
        {
            "pilot": ["A", "B"],
            "school_year": ["2024-2025"] * 2,
            "counterpart": ["parent"] * 2,
            "reached": [3, 23],
            "population": [100, 100],
            "pct": [3.0, 23.0],
            "ci_low": [1.0, 15.9],
            "ci_high": [8.5, 32.0],
        }
    )
    out = Publication(profile="cbs").chart("reach", frame.with_columns(reached=pl.Series([0, 23])))
    assert out["reached"].to_list() == [0, 25]
    assert out["pct"].to_list() == [0.0, 25.0]  # from the rounded count, not 23
    assert out["ci_low"][1] == pytest.approx(17.5, abs=0.1)
    assert Publication(profile="cbs").describe("en").startswith("cbs: counts rounded")
    compare = pl.DataFrame(
        {
            "pilot": ["A", "A"],
            "school_year": ["2024-2025"] * 2,
            "metric": ["parents_reached", "parents_reached_pct"],
            "label": [None, None],
            "value": [23.0, 23.0],
            "ci_low": [None, 15.9],
            "ci_high": [None, 32.0],
            "unit": ["n", "%"],
            "source": ["contacts"] * 2,
            "method": [None, None],
            "p_value": [None, 0.01],
        }
    )
    out = Publication(profile="cbs").chart("compare", compare)
    assert out["value"].to_list() == [25.0, pytest.approx(25.0)]
    assert out["p_value"].to_list() == [None, None]


def test_an_unprotected_report_says_so(
    sample_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brugdata.config import settings
    from brugdata.publish.report import write_report

    monkeypatch.setattr(settings, "protect", False)
    path = write_report(
        sample_store, tmp_path / "r.html", checks=True, png_dir=tmp_path / "c", image_format="svg"
    )
    page = path.read_text("utf-8")
    assert "niet beschermd / not protected" in page
    # the attacker finds what an unprotected report gives away: the audit can see a leak
    assert table_leaks(page)
    assert any(leaks(records(spec)) for spec in specs(page).values())
    for svg in (tmp_path / "c").glob("*.svg"):
        assert "niet beschermd / not protected" in svg.read_text("utf-8"), svg.name
    write_report(sample_store, tmp_path / "p.html", png_dir=tmp_path / "p")
    assert (tmp_path / "p" / "reach_ci.png").read_bytes()[:4] == b"\x89PNG"
    log = json.loads((tmp_path / "r.checks.json").read_text("utf-8"))
    assert log["protected"] is False and log["rules"] == "niet beschermd / not protected"


# ----------------------------------------------------------------------------- the CLI


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["reach", "--by", "pilot", "--by", "school"], "reach"),
        (["reach"], "reach"),
        (["parents-of-pupil-cases"], "parents_of_pupil_cases"),
        (["pathways"], "pathways.outcomes"),
        (["network"], "network.edges"),
        (["seasonality"], "seasonality.monthly"),
    ],
)
def test_no_hidden_count_follows_by_differencing(args: list[str], name: str) -> None:
    result = CliRunner().invoke(
        app, ["analyse", *args, "--db", str(_sample_path()), "--publish", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    rows = data[name.split(".")[-1]] if "." in name else next(iter(data.values()))
    assert not recoverable(name, rows)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_analyse_publish_gives_no_small_count(fmt: str, tmp_path: Path) -> None:
    # every table of each analysis, as written with --out: read back as a reader would
    db = Path(str(_sample_path()))
    for name in ("reach", "pathways", "network", "seasonality", "parents-of-pupil-cases"):
        out = tmp_path / f"{name}-{fmt}"
        result = CliRunner().invoke(
            app, ["analyse", name, "--db", str(db), "--publish", "--format", fmt, "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert (out / f"{name}.checks.json").exists()  # the output log beside the tables
        written = [p for p in sorted(out.glob(f"*.{fmt}")) if not p.name.endswith(".checks.json")]
        assert written
        for path in written:
            if fmt == "json":
                # a hidden cell is null (its reason beside it): no derived figure beside it
                rows = json.loads(path.read_text("utf-8"))
                assert not leaks(iter(rows)), path.name
            else:
                frame = pl.read_csv(path, infer_schema=False)
                for column in COUNT_FIELDS & set(frame.columns):
                    values = [v for v in frame[column].to_list() if v and v.isdigit()]
                    assert not any(small(int(v)) for v in values), (path.name, column)


def test_analyse_publish_refuses_free_text_and_small_thresholds() -> None:
    db = str(_sample_path())
    result = CliRunner().invoke(app, ["analyse", "untagged-answers", "--db", db, "--publish"])
    assert result.exit_code != 0 and "free text" in result.output
    result = CliRunner().invoke(
        app, ["analyse", "reach", "--db", db, "--publish", "--threshold", "1"]
    )
    assert result.exit_code != 0 and "at least 5" in result.output
    # the questionnaire's frames are published, its free text left out (said so)
    result = CliRunner().invoke(
        app, ["analyse", "survey", "--db", db, "--publish", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert "not published: untagged_answers" in result.output
    data = json.loads(result.output[result.output.index("{") :])
    assert "untagged_answers" not in data and "reach" in data


_SAMPLE: list[Path] = []


@pytest.fixture(autouse=True)
def _remember_sample(sample_store: Store) -> None:
    if not _SAMPLE:
        _SAMPLE.append(Path(sample_store.path))


def _sample_path() -> Path:
    return _SAMPLE[0]


def test_report_with_png_and_svg_logs_every_file(tmp_path: Path) -> None:
    """`brugdata report --png DIR --svg DIR` writes both image sets from the one protected
    build, and its output log names every file written with its SHA-256."""
    import hashlib

    out = tmp_path / "r.html"
    args = ["report", "--db", str(_sample_path()), "--out", str(out)]
    result = CliRunner().invoke(
        app, [*args, "--png", str(tmp_path / "p"), "--svg", str(tmp_path / "s")]
    )
    assert result.exit_code == 0, result.output
    written = [
        out,
        *sorted((tmp_path / "p").glob("*.png")),
        *sorted((tmp_path / "s").glob("*.svg")),
    ]
    assert any(p.suffix == ".png" for p in written) and any(p.suffix == ".svg" for p in written)
    log = json.loads((tmp_path / "r.checks.json").read_text("utf-8"))
    logged = {(f["file"], f["sha256"]) for f in log["files"]}
    for path in written:
        assert (path.name, hashlib.sha256(path.read_bytes()).hexdigest()) in logged, path.name
    assert len(log["files"]) == len(written)


# ----------------------------------------------------------------------------- indicators

#: Indicators whose numerator counts no people or contacts (partners, officers).
_PUBLIC_INDICATORS = {"external_partners_per_officer"}


def _number(value: Any) -> float | None:
    """A cell as a number (a table shows numbers as text), None when hidden or empty."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None if value is None else float(value)


def _gone(r: dict[str, Any]) -> bool:
    """Whether an indicator row is hidden: a reason beside a cell (a data file) or a marker
    such as ``<10`` or ``x`` in its place (a table)."""
    if any(r.get(f"{c}_hidden") for c in ("numerator", "denominator", "value")):
        return True
    return any(isinstance(r.get(c), str) and _number(r[c]) is None
               for c in ("numerator", "denominator"))  # fmt: skip


def indicator_leaks(rows: list[dict[str, Any]]) -> list[str]:
    """What an attacker works out of a published indicator table: a numerator below T shown;
    a share's rest (denominator − numerator) below T; a value beside a hidden count; the
    count of a hidden row shown in another row of its group (families reached twice,
    contacts as the focus areas' denominator, cases less the referred cases of the median
    row); one hidden row of an indicator among groups that add up to a total, or among a
    group's focus areas."""
    found: list[str] = []
    fixed = {"indicator", "numerator", "denominator", "value", "measure", "unit", "status",
             "population_date", "source", "label_nl", "label_en", "note",
             "school_year"}  # fmt: skip
    keys = [k for k in rows[0] if k not in fixed and not k.endswith("_hidden")] if rows else []
    groups: dict[tuple[Any, ...], dict[str, dict[str, Any]]] = {}
    for r in rows:
        code = r["indicator"]
        numerator, denominator = _number(r["numerator"]), _number(r["denominator"])
        if code not in _PUBLIC_INDICATORS and small(numerator):
            found.append(f"numerator {numerator} in {r}")
        if (
            r["measure"] == "share"
            and code not in (*_PUBLIC_INDICATORS, "response_rate")
            and numerator is not None
            and denominator is not None
            and small(denominator - numerator)
        ):
            found.append(f"rest {denominator - numerator} in {r}")
        if _gone(r) and r["value"] is not None:
            found.append(f"value beside a hidden count in {r}")
        group = (*(r[k] for k in keys), r["school_year"], r["source"])
        groups.setdefault(group, {})[code] = r
    for group, by_code in groups.items():
        hidden = {c for c, r in by_code.items() if _gone(r)}

        def shown(code: str, column: str, rows_of: dict[str, Any] = by_code) -> bool:
            return code in rows_of and _number(rows_of[code][column]) is not None

        if "families_reached_share" in hidden and shown(
            "families_reached_per_officer_hour", "numerator"
        ):
            found.append(f"families reached shown beside its hidden share in {group}")
        if "cases_no_referral_share" in hidden and shown("median_days_to_referral", "denominator"):
            found.append(f"referred cases shown beside hidden cases without one in {group}")
        if "median_days_to_referral" in hidden and shown("cases_no_referral_share", "numerator"):
            found.append(f"cases shown beside hidden referred cases in {group}")
        focus = [c for c in by_code if c.startswith("contacts_focus_")]
        if "contacts_per_officer_hour" in hidden and any(shown(c, "denominator") for c in focus):
            found.append(f"contacts shown as a focus denominator in {group}")
        gone = [c for c in focus if c in hidden]
        rest = [c for c in focus if c not in hidden and (_number(by_code[c]["numerator"]) or 0)]
        if len(gone) == 1 and rest:
            found.append(f"one focus area hidden beside shown ones in {group}")
    if keys:  # one hidden group of an indicator beside shown ones: the total gives it
        margins: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for r in rows:
            key = (*(r[k] for k in keys[:-1]), r["school_year"], r["source"], r["indicator"])
            margins.setdefault(key, []).append(r)
        for key, members in margins.items():
            gone_rows = [r for r in members if _gone(r)]
            rest_rows = [r for r in members if not _gone(r) and _number(r["numerator"])]
            if len(members) > 1 and len(gone_rows) == 1 and rest_rows:
                found.append(f"one hidden group beside shown ones in {key}")
    return found


def _indicator_rows(**columns: list[Any]) -> pl.DataFrame:
    n = len(columns["indicator"])
    base: dict[str, Any] = {
        "pilot": ["A"] * n,
        "school_year": ["2024-2025"] * n,
        "measure": ["share"] * n,
        "unit": ["BRIN6"] * n,
        "population_date": [None] * n,
        "status": ["definitive"] * n,
        "source": ["log"] * n,
        "label_nl": ["x"] * n,
        "label_en": ["x"] * n,
        "note": [None] * n,
    }
    frame = pl.DataFrame({**base, **columns})
    return frame.with_columns(
        pl.col("numerator").cast(pl.Int64),
        pl.col("denominator").cast(pl.Float64),
        value=pl.col("numerator") / pl.col("denominator"),
    )


def test_attack_indicators_small_numerators_and_what_gives_them_away() -> None:
    """Pilot A: 3 families reached (so in the per-hour row too); 40 of 48 cases without a
    referral, so 8 referred in the median row; focus areas 4, 30, 30, 36 of 100 contacts."""
    frame = _indicator_rows(
        indicator=[
            "families_reached_share",
            "families_reached_per_officer_hour",
            "cases_no_referral_share",
            "median_days_to_referral",
            "contacts_per_officer_hour",
            "contacts_focus_armoede",
            "contacts_focus_zorg_thuis",
            "contacts_focus_participatie_wijk",
            "contacts_focus_gezondheid",
            "external_partners_per_officer",
        ],
        numerator=[3, 3, 40, None, 100, 4, 30, 30, 36, 4],
        denominator=[500, 800, 48, 8, 800, 100, 100, 100, 100, 2],
    )
    published = Publication(threshold=T).table("indicators", frame)
    rows = published.to_dicts()
    assert not indicator_leaks(rows), indicator_leaks(rows)
    shown = {r["indicator"]: r for r in rows}
    assert shown["families_reached_share"]["numerator"] == "<10"
    assert shown["families_reached_per_officer_hour"]["numerator"] == "<10"
    assert shown["families_reached_per_officer_hour"]["value"] is None
    # 48 − 40 = 8 referred: the case share and the median row go together
    assert shown["cases_no_referral_share"]["numerator"] == "x"
    assert shown["median_days_to_referral"]["denominator"] == "<10"
    assert shown["median_days_to_referral"]["value"] is None
    # armoede (4) hidden: the smallest other area (30) too; contacts stay
    assert shown["contacts_focus_armoede"]["numerator"] == "<10"
    areas = ("zorg_thuis", "participatie_wijk", "gezondheid")
    assert [shown[f"contacts_focus_{a}"]["numerator"] for a in areas] == ["x", "30", "36"]
    assert shown["contacts_per_officer_hour"]["numerator"] == "100"
    # partners and officers are no secret about children: shown, however few
    assert shown["external_partners_per_officer"]["value"] == 2.0
    # the hidden families are hidden in the key figures of the same publication too
    publication = Publication(threshold=T)
    publication.table("indicators", frame)
    figures = pl.DataFrame(
        {
            "pilot": ["A"],
            "school_year": ["2024-2025"],
            "metric": ["cases_no_referral_pct"],
            "label": [None],
            "value": [83.3],
            "ci_low": [None],
            "ci_high": [None],
            "unit": ["%"],
            "source": ["contacts"],
            "method": [None],
            "p_value": [None],
        }
    )
    assert publication.chart("key_figures", figures)["value"].to_list() == [None]


def test_attack_indicators_school_total_minus_its_other_schools() -> None:
    """Pilot A's families reached per school 9, 200, 182: the pilot's 391 (in the key figures)
    less the others gives the first; a second school is hidden with it."""
    frame = _indicator_rows(
        indicator=["families_reached_share"] * 3,
        numerator=[9, 200, 182],
        denominator=[100, 900, 900],
    ).with_columns(school_id=pl.Series(["a", "b", "c"]))
    frame = frame.select("pilot", "school_id", *[c for c in frame.columns if c not in
                         ("pilot", "school_id")])  # fmt: skip
    rows = Publication(threshold=T).table("indicators", frame).to_dicts()
    assert [r["numerator"] for r in rows].count("x") == 1
    assert [r["numerator"] for r in rows].count("<10") == 1
    assert not indicator_leaks(rows)


@pytest.mark.parametrize("by", [[], ["--by", "school"], ["--by", "municipality"]])
def test_indicators_publish_recovers_no_small_numerator(by: list[str]) -> None:
    """`brugdata indicators --publish` on the sample: no numerator below the threshold is
    shown or follows from what is (and the same rows with publishing off do hold some, for
    the school groups, so the test can fail)."""
    db = str(_sample_path())
    result = CliRunner().invoke(
        app, ["indicators", "--db", db, *by, "--publish", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["indicators"]
    assert rows and not indicator_leaks(rows), indicator_leaks(rows)
    raw = brugdata.indicators(brugdata.open(db, read_only=True), by=by[1] if by else "pilot")
    if by == ["--by", "school"]:
        assert any(small(v) for v in raw["numerator"].to_list())  # there was something to hide
        assert any(_gone(r) for r in rows)


def test_indicators_under_the_cbs_and_nco_profiles() -> None:
    """cbs: 93 of 2,026 pupils is shown as 95 and 95 / 2,026; nco: a share of 0.99 is shown
    as 0.95."""
    frame = _indicator_rows(
        indicator=["pupils_reached_share", "families_reached_share"],
        numerator=[93, 990],
        denominator=[2026, 1000],
    )
    cbs = Publication(profile="cbs").chart("indicators", frame).to_dicts()
    assert cbs[0]["numerator"] == 95 and cbs[0]["value"] == pytest.approx(95 / 2026)
    nco = Publication(profile="nco").chart("indicators", frame).to_dicts()
    assert nco[1]["numerator"] == 990 and nco[1]["value"] == pytest.approx(0.95)
