"""The national-scale benchmark (bench/) runs, its equality check catches a difference and its
synthetic data is valid. No timing is asserted here: bench/RESULTS.md has the times. The tables
derived from contacts, which make the analyses fast, are tested in tests/test_derived.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import brugdata
from tests.conftest import REPO, TODAY

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
        # the ingest replaces person and family keys by keyed pseudonyms: it needs a key
        env={**os.environ, "BRUGDATA_PSEUDONYM_KEY": "brugdata-bench-test-key-not-secret-4Wz"},
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


def test_compare_agrees_three_ways_with_the_case_figures_and_the_year_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb
    import floor  # bench/floor.py
    import pandas_impl  # bench/pandas_impl.py

    monkeypatch.setenv("BRUGDATA_PSEUDONYM_KEY", "brugdata-bench-test-key-not-secret-4Wz")
    synth.write(synth.build(3000, years=2), tmp_path)
    year = synth.plan(3000, 2).school_years[-1]
    with brugdata.open(tmp_path / "store.duckdb") as store:
        store.ingest(tmp_path / "csv")
        ours = core.brugdata_calls(year)["compare"](store)
    cases = ours["figures"].filter(pl.col("metric") == "cases_no_referral_pct")
    assert cases.height and cases["value"].is_not_null().all()
    assert ours["previous"]["previous_value"].is_not_null().any()
    assert ours["previous_themes"].height
    with duckdb.connect() as con:
        on_files = floor.compare(con, tmp_path / "parquet", year)
    assert core.check_equal("compare", ours, on_files, "brugdata vs floor") == []
    in_pandas = pandas_impl.compare(pandas_impl.load(tmp_path / "parquet"), year)
    assert core.check_equal("compare", ours, in_pandas, "brugdata vs pandas") == []
    # a wrong value the year before is caught
    wrong = {"previous": in_pandas["previous"].with_columns(pl.col("previous_value") + 1)}
    problems = core.check_equal("compare", {"previous": ours["previous"]}, wrong, "x")
    assert problems and all("previous.previous_value" in p for p in problems), problems


def test_the_synthetic_data_validates_without_a_reject(tmp_path: Path) -> None:
    synth.write(synth.build(300), tmp_path)
    for fmt in ("csv", "parquet"):
        result = brugdata.validate(tmp_path / fmt, today=TODAY)
        assert result.rows_rejected == 0 and not result.errors, result.rejects()
    encodings = {f.encoding for f in brugdata.validate(tmp_path / "csv", today=TODAY).files}
    assert "windows-1252" in encodings
