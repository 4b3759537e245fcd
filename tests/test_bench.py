"""The national-scale benchmark (bench/) runs, and what makes brugdata fast gives the same
numbers as before: the tables derived from contacts at ingest, and betweenness without
building networkx graphs. No timing is asserted here: bench/RESULTS.md has the times."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import networkx as nx
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import brugdata
from brugdata.analysis import _common, network, reach, seasonality, time_use
from brugdata.model.tables import TABLES
from brugdata.store import derived
from brugdata.store import store as store_module
from tests.conftest import REPO, SAMPLE, TODAY

BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))

import core  # noqa: E402  (bench/core.py)
import synth  # noqa: E402  (bench/synth.py)


@pytest.mark.slow
def test_the_benchmark_runs_at_a_tiny_size_and_the_three_implementations_agree(
    tmp_path: Path,
) -> None:
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--sizes",
            "6000",
            "--years",
            "2",
            "--repeat",
            "1",
            "--data",
            str(tmp_path / "data"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "give the same numbers" in proc.stdout
    text = out.read_text(encoding="utf-8")
    assert "| operation | brugdata | floor (DuckDB SQL on the files) | pandas |" in text
    for row in ("| reach |", "| seasonality |", "| network ³ |", "| time use |", "| compare ⁴ |"):
        line = next(line for line in text.splitlines() if line.startswith(row))
        assert "| yes |" in line, line  # same numbers
    assert "**NO**" not in text
    assert "ingest + validate, CSV (6," in text and "Windows-1252" in text
    assert "ingest + validate one more school year" in text
    assert "cores" in text and "Regenerate with `python bench/run.py" in text


def test_the_equality_check_catches_a_difference() -> None:
    a = {
        "reach": pl.DataFrame(
            {
                "school_id": ["91AA00"],
                "school_year": ["2024-2025"],
                "counterpart": ["parent"],
                "reached": [3],
                "population": [10],
                "pct": [30.0],
            }
        )
    }
    assert core.check_equal("reach", a, a, "x") == []
    off_by_one = {"reach": a["reach"].with_columns(reached=pl.lit(4))}
    assert core.check_equal("reach", a, off_by_one, "x")
    other_row = {"reach": a["reach"].with_columns(school_id=pl.lit("91AA01"))}
    assert core.check_equal("reach", a, other_row, "x")


def test_the_synthetic_data_validates_without_a_reject(tmp_path: Path) -> None:
    synth.write(synth.build(300), tmp_path)
    for fmt in ("csv", "parquet"):
        result = brugdata.validate(tmp_path / fmt, today=TODAY)
        assert result.rows_rejected == 0 and not result.errors, result.rejects()
    encodings = {f.encoding for f in brugdata.validate(tmp_path / "csv", today=TODAY).files}
    assert "windows-1252" in encodings


# --------------------------------------------------------------------------- betweenness


def _networkx(n: int, pairs: list[tuple[int, int]]) -> list[float]:
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(pairs)
    b = nx.betweenness_centrality(g, normalized=True)
    return [b[v] for v in range(n)]


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]]]:
    n = draw(st.integers(1, 24))
    possible = [(u, v) for u in range(n) for v in range(n) if u != v]
    chosen = draw(st.lists(st.sampled_from(possible), max_size=60)) if possible else []
    seen: set[frozenset[int]] = set()
    pairs = []
    for u, v in chosen:
        if frozenset((u, v)) not in seen:
            seen.add(frozenset((u, v)))
            pairs.append((u, v))
    return n, pairs


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_betweenness_is_networkx_to_the_last_bit(graph: tuple[int, list[tuple[int, int]]]) -> None:
    n, pairs = graph
    degree, between = network._degree_betweenness(n, pairs)
    assert between == _networkx(n, pairs)  # exactly, not approximately
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(pairs)
    assert degree == [g.degree(v) for v in range(n)]


def test_graph_measures_are_networkx_to_the_last_bit_on_synthetic_pilots() -> None:
    tables = synth.build(60_000)
    frames = {k: v for k, v in tables.items() if not k.startswith("_")}
    for name in ("contacts", "activities"):
        frames[name] = frames[name].with_columns(pl.col("themes").str.split("|"))
    result = brugdata.network(frames)
    counts = result.officers.select("pilot", "officer_id", "internal", "external")
    fast = network._metrics_frames(*network._metrics_numpy(result.edges, counts))
    slow = network._metrics_frames(*network._metrics_networkx(result.edges, counts))
    assert_frame_equal(fast[0].sort("officer_id"), slow[0].sort("officer_id"), check_exact=True)
    assert_frame_equal(fast[1], slow[1], check_exact=True)


def test_graphs_too_large_for_numpy_go_through_networkx(
    sample_store: brugdata.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = brugdata.network(sample_store)
    counts = result.officers.select("pilot", "officer_id", "internal", "external")
    monkeypatch.setattr(network, "_DENSE_LIMIT", 1)
    fast = network._metrics_frames(*network._metrics_numpy(result.edges, counts))
    slow = network._metrics_frames(*network._metrics_networkx(result.edges, counts))
    assert_frame_equal(fast[0].sort("officer_id"), slow[0].sort("officer_id"), check_exact=True)
    assert_frame_equal(fast[1], slow[1], check_exact=True)


# --------------------------------------------------------------------------- derived tables


def _analyses(source: object) -> dict[str, pl.DataFrame]:
    out = {
        "reach_school": reach.reach(source, by="school"),
        "reach_officer": reach.reach(source, by=["pilot", "officer"], school_year="2024-2025"),
        "reach_type": reach.reach(source, by="school_type", pilots=["gooi_vechtstreek"]),
        "bands": reach.reach_bands(source, level="officer"),
        "cases": reach.parents_of_pupil_cases(source, by="school"),
        "time_use": time_use.time_use(source),
    }
    s = seasonality.seasonality(source, by=["pilot", "school"], counterparts=["parent"])
    out |= {"seasonality": s.monthly, "seasonality_themes": s.themes}
    out["seasonality_all"] = seasonality.seasonality(source, by=None).monthly
    for name, frame in network.network(source, school_year="2024-2025").frames().items():
        out[f"network_{name}"] = frame.sort(frame.columns[:2])
    out["time_use_pilot"] = time_use.time_use(source, by="pilot")
    return out


def _frames(s: brugdata.Store) -> dict[str, pl.DataFrame]:
    return {name: s.table(name) for name in TABLES}


def _same(a: dict[str, pl.DataFrame], b: dict[str, pl.DataFrame]) -> None:
    for name in a:
        # averages over officers (time use by pilot) are summed in parallel by DuckDB, in
        # no fixed order: equal to the last few bits only
        exact = name != "time_use_pilot"
        assert_frame_equal(a[name], b[name], check_exact=exact, rel_tol=1e-12)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("derived") / "s.duckdb"
    with brugdata.open(path) as s:
        s.ingest(SAMPLE)
    return path


def test_the_store_keeps_the_derived_tables_and_they_give_the_same_numbers(
    sample_db: Path,
) -> None:
    with brugdata.open(sample_db, read_only=True) as s:
        assert derived.has_derived(s.con)
        assert _common.people_x(s.con) != _common.people_x(duckdb.connect())
        _same(_analyses(s), _analyses(_frames(s)))


def test_derived_tables_follow_every_ingest_and_are_not_used_when_out_of_step(
    tmp_path: Path,
) -> None:
    db = tmp_path / "s.duckdb"
    gv, db_pilot = SAMPLE / "gooi_vechtstreek", SAMPLE / "den_bosch"
    with brugdata.open(db) as s:
        s.ingest(*[p for p in gv.iterdir() if "contact" not in p.name])
        assert derived.has_derived(s.con)  # no contacts yet: empty and in step
        s.ingest(gv / "contacts.csv")
        s.ingest(db_pilot)
        assert derived.has_derived(s.con)
        _same(_analyses(s), _analyses(_frames(s)))
        with s.transaction() as con:  # contacts changed some other way
            con.execute("DELETE FROM contacts WHERE counterpart = 'pupil'").fetchall()
        assert not derived.has_derived(s.con)  # so the analyses read contacts
        assert (
            reach.reach(s, by="pilot").filter(pl.col("counterpart") == "pupil")["reached"].sum()
            == 0
        )
        _same(_analyses(s), _analyses(_frames(s)))
    extra = tmp_path / "more"
    extra.mkdir()
    text = (gv / "contacts.csv").read_text(encoding="utf-8").splitlines()
    header, first = text[0], text[1].split(",")
    first[0] = "GV-EXTRA-1"
    (extra / "contacts_extra.csv").write_text(header + "\n" + ",".join(first) + "\n")
    with brugdata.open(db) as s:
        s.ingest(extra, today=TODAY)  # the next ingest rebuilds them
        assert derived.has_derived(s.con)
        _same(_analyses(s), _analyses(_frames(s)))


def test_a_version_4_store_gets_the_derived_tables_in_the_new_layout(
    tmp_path: Path, sample_db: Path
) -> None:
    """Version 4 kept the school year's text in the derived tables; version 5 keeps its first
    year. The migration rebuilds them from the contacts."""
    db = tmp_path / "v4.duckdb"
    db.write_bytes(sample_db.read_bytes())
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE contacts_people")
    con.execute(
        "CREATE TABLE contacts_people (officer_id VARCHAR, school_id VARCHAR, "
        "school_year VARCHAR, counterpart VARCHAR, person_key VARCHAR, family_key VARCHAR)"
    )
    con.execute("DELETE FROM brugdata_schema")
    con.execute("INSERT INTO brugdata_schema VALUES (4, '0.1.0', now())")
    con.close()
    with brugdata.open(db) as s:
        assert s.schema_version == store_module.SCHEMA_VERSION == 5
        assert derived.has_derived(s.con)
        assert "start_year" in s.sql("SELECT * FROM contacts_people LIMIT 0").columns
        _same(_analyses(s), _analyses(_frames(s)))


def test_a_version_3_store_gains_the_derived_tables(tmp_path: Path, sample_db: Path) -> None:
    db = tmp_path / "v3.duckdb"
    db.write_bytes(sample_db.read_bytes())
    con = duckdb.connect(str(db))
    for name in [*derived.DERIVED, derived.DERIVED_STATE]:
        con.execute(f"DROP TABLE {name}")
    con.execute("DELETE FROM brugdata_schema")
    con.execute("INSERT INTO brugdata_schema VALUES (3, '0.1.0', now())")
    con.close()
    with brugdata.open(db) as s:
        assert s.schema_version == store_module.SCHEMA_VERSION
        assert derived.has_derived(s.con)
        _same(_analyses(s), _analyses(_frames(s)))


def test_a_theme_named_twice_counts_once_whoever_wrote_the_contact(
    tmp_path: Path, refs: Path
) -> None:
    """An ingest adds its (validated) contacts' themes as they are: validation leaves a
    contact each theme once. Contacts written some other way may repeat a theme or hold a
    null; the rebuild at the next ingest counts each distinct theme of a contact once."""
    header = "contact_id,date,officer_id,school_id,counterpart,person_key,themes\n"
    (refs / "contacts_a.csv").write_text(
        header + "C-1,2025-03-14,O-1,91AB00,parent,P-1,taal|Taal|armoede\n", encoding="utf-8"
    )
    db = tmp_path / "s.duckdb"

    def mentions(s: brugdata.Store) -> dict[str, int]:
        sql = f"SELECT theme, sum(n) FROM ({_common.themes_x(s.con)}) GROUP BY theme"
        return dict(s.con.execute(sql).fetchall())

    with brugdata.open(db) as s:
        s.ingest(refs, today=TODAY)
        assert derived.has_derived(s.con)
        assert mentions(s) == {"taal": 1, "armoede": 1}
        with s.transaction() as con:
            con.execute(
                "INSERT INTO contacts (contact_id, date, officer_id, school_id, counterpart, "
                "person_key, themes, _ingest_id) VALUES ('C-2', DATE '2025-03-15', 'O-1', "
                "'91AB00', 'parent', 'P-2', ['pesten', NULL, 'pesten', 'taal'], 99)"
            ).fetchall()
        assert not derived.has_derived(s.con)
        assert mentions(s) == {"taal": 2, "armoede": 1, "pesten": 1}  # read from contacts
        more = tmp_path / "more"
        more.mkdir()
        (more / "contacts_b.csv").write_text(
            header + "C-3,2025-03-16,O-1,91AB00,pupil,P-3,pesten\n", encoding="utf-8"
        )
        s.ingest(more, today=TODAY)  # rebuilds the derived tables from every contact
        assert derived.has_derived(s.con)
        assert mentions(s) == {"taal": 2, "armoede": 1, "pesten": 2}
