"""The store file is private and stays so; keys are strong; CSV outputs run no formula."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import brugdata
from brugdata.cli.app import app
from brugdata.config import Settings, key_fingerprint
from brugdata.errors import StoreError
from brugdata.publish.exports import csv_safe, write_csv
from tests.conftest import TODAY

runner = CliRunner()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_is_private_and_keeps_its_mode(tmp_path: Path, refs: Path) -> None:
    db = tmp_path / "s.duckdb"
    with brugdata.open(db) as s:
        assert mode(db) == 0o600
        assert mode(tmp_path / "s.duckdb.lock") == 0o600
        s.ingest(refs, today=TODAY)
        assert mode(db) == 0o600
        os.chmod(db, 0o640)  # the owner's choice is kept through copy-and-swap
        with s.transaction() as con:
            con.execute("DELETE FROM partners WHERE partner_id = 'PA-2'")
        assert mode(db) == 0o640
        assert s.counts()["partners"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs", "s.duckdb", "s.duckdb.lock"]


def test_the_copy_is_written_in_a_folder_only_the_owner_enters(tmp_path: Path, refs: Path) -> None:
    db = tmp_path / "s.duckdb"
    seen: list[tuple[str, int]] = []
    with brugdata.open(db) as s, s.transaction():
        for p in tmp_path.iterdir():
            if ".writing-" in p.name:
                seen.append((p.name.split("-")[0], mode(p)))
                seen += [(q.name, mode(q)) for q in p.iterdir() if q.suffix == ".duckdb"]
    assert seen == [("s.duckdb.writing", 0o700), ("s.duckdb", 0o600)]


def test_a_read_only_store_is_refused_and_left_as_it_is(tmp_path: Path, refs: Path) -> None:
    db = tmp_path / "s.duckdb"
    with brugdata.open(db) as s:
        s.ingest(refs, today=TODAY)
    before = db.read_bytes()
    os.chmod(db, 0o400)
    with brugdata.open(db) as s:
        with pytest.raises(StoreError, match="the store file is read-only") as info:
            s.ingest(refs / "schools.csv", table="schools", today=TODAY)
        with pytest.raises(StoreError, match="read-only"), s.transaction():
            pass
        assert s.counts()["schools"] == 3  # still readable
    assert "\n" not in str(info.value)
    assert mode(db) == 0o400 and db.read_bytes() == before


def test_a_store_behind_a_symlink_is_written_at_its_real_path(tmp_path: Path, refs: Path) -> None:
    real = tmp_path / "real" / "s.duckdb"
    real.parent.mkdir()
    with brugdata.open(real):
        pass
    link = tmp_path / "link.duckdb"
    link.symlink_to(real)
    with brugdata.open(link) as s:
        s.ingest(refs, today=TODAY)
        assert s.counts()["schools"] == 3
    assert link.is_symlink() and link.resolve() == real
    with brugdata.open(real, read_only=True) as s:
        assert s.counts()["schools"] == 3  # the real file has the new state
    # one lock, next to the real file
    assert not (tmp_path / "link.duckdb.lock").exists()
    assert (real.parent / "s.duckdb.lock").exists()
    assert mode(real) == 0o600


def test_a_refused_first_ingest_leaves_no_store_file(
    tmp_path: Path, refs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brugdata.config import settings

    monkeypatch.setattr(settings, "pseudonym_key_value", None)
    (refs / "contacten.csv").write_text(
        "contact_id,date,officer_id,school_id,counterpart,person_key,themes\n"
        "C-1,2025-03-14,O-1,91AB00,parent,P-001,armoede\n"
    )
    db = tmp_path / "new.duckdb"
    result = runner.invoke(app, ["ingest", str(refs), "--db", str(db)])
    assert result.exit_code == 2
    assert "no pseudonym key is set" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs"]


# ------------------------------------------------------------------ keys


def test_key_new_writes_a_strong_private_key_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "pilot.key"
    made = runner.invoke(app, ["key", "new", "--out", str(path)])
    assert made.exit_code == 0, made.output
    assert mode(path) == 0o600
    key = Settings(pseudonym_key_file=str(path)).pseudonym_key()
    assert key is not None and len(key) == 43  # 32 random bytes, URL-safe base64
    assert key_fingerprint(key) in made.output and key.decode() not in made.output
    before = path.read_bytes()
    again = runner.invoke(app, ["key", "new", "--out", str(path)])
    assert again.exit_code == 2 and "never overwritten" in again.output
    assert path.read_bytes() == before
    other = tmp_path / "other.key"
    assert runner.invoke(app, ["key", "new", "--out", str(other)]).exit_code == 0
    assert other.read_bytes() != before


# ------------------------------------------------------------------ CSV


def test_csv_cells_that_would_run_as_a_formula_are_neutralised() -> None:
    frame = pl.DataFrame(
        {
            "text": [
                '=HYPERLINK("http://x","klik")',
                "@SUM(A1:A9)",
                "+cmd|' /C calc'!A0",
                "-2+3",
                "\tTAB",
                "\rCR",
                "gewoon",
                "-5",
                "+3,5",
                None,
            ],  # fmt: skip
            "count": [1, -2, 3, -4, 5, 6, 7, 8, 9, 10],
            "share": [0.5, -1.25, None, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    safe = csv_safe(frame)
    assert safe["text"].to_list() == [
        '\'=HYPERLINK("http://x","klik")',
        "'@SUM(A1:A9)",
        "'+cmd|' /C calc'!A0",
        "'-2+3",
        "'\tTAB",
        "'\rCR",
        "gewoon",
        "-5",  # a number written as text stays a number
        "+3,5",
        None,
    ]
    assert safe["count"].dtype == pl.Int64 and safe["count"].to_list() == frame["count"].to_list()
    assert safe["share"].to_list() == frame["share"].to_list()
    text = write_csv(frame)
    assert text is not None
    assert text.splitlines()[2] == "'@SUM(A1:A9),-2,-1.25"


def test_the_rejects_export_neutralises_formulas(tmp_path: Path, refs: Path) -> None:
    (refs / "contacten.csv").write_text(
        "contact_id,date,officer_id,school_id,counterpart,person_key,themes,channel\n"
        'C-1,2025-03-14,O-1,91AB00,parent,P-1,armoede,=HYPERLINK("http://x")\n'
        "C-2,2025-03-14,O-1,91AB00,parent,P-2,armoede,@SUM(A1)\n"
    )
    db = tmp_path / "s.duckdb"
    with brugdata.open(db) as s:
        s.ingest(refs, today=TODAY)
    result = runner.invoke(app, ["rejects", "--db", str(db), "--format", "csv"])
    assert result.exit_code == 0
    cells = [line.split(",") for line in result.stdout.splitlines()[1:]]
    assert len(cells) == 2
    for line in result.stdout.splitlines():
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "@", "+")), line
    assert "'@SUM(A1)" in result.stdout


def test_the_demo_key_is_one_key_said_to_be_a_demo_key(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from brugdata.config import DEMO_KEY, check_key, settings

    spec = importlib.util.spec_from_file_location("dev", Path(__file__).parents[1] / "dev.py")
    assert spec is not None and spec.loader is not None
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    assert dev.DEMO_KEY == DEMO_KEY and "DEMO" in DEMO_KEY
    assert check_key(DEMO_KEY.encode()) == DEMO_KEY.encode()
    monkeypatch.setattr(settings, "pseudonym_key_value", None)
    monkeypatch.setattr(settings, "pseudonym_key_file", None)
    with pytest.warns(UserWarning, match="DEMO pseudonym key"):
        settings.use_demo_key()
    assert settings.pseudonym_key() == DEMO_KEY.encode()


def test_key_fingerprint_shows_the_key_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from brugdata.config import settings

    monkeypatch.setattr(settings, "pseudonym_key_value", "a-fingerprint-test-key-Zr4")
    shown = runner.invoke(app, ["key", "fingerprint"])
    assert shown.exit_code == 0
    assert shown.output.strip() == key_fingerprint(b"a-fingerprint-test-key-Zr4")
    monkeypatch.setattr(settings, "pseudonym_key_value", None)
    missing = runner.invoke(app, ["key", "fingerprint"])
    assert missing.exit_code == 2 and "no pseudonym key is set" in missing.output
