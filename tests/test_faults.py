"""Store and file-system faults: one sentence, a documented exit code, the store unchanged.

Exit codes: 0 ok, 1 rows rejected, 2 usage or unreadable input, 3 store or file-system fault,
4 internal error (``--debug`` prints the traceback). Tests run as root, which ignores
permission bits: read-only places and full disks are simulated by making the file-system call
fail with the errno the kernel gives (EROFS, ENOSPC, EACCES, EPERM), or made real where the
machine allows it (a path under a regular file, ``chattr +i``).
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner, Result

import brugdata
from brugdata.cli.app import app
from brugdata.errors import StoreFault
from brugdata.store import files
from brugdata.store.check import HEADER_BYTES, check_store
from brugdata.store.store import Store
from tests.conftest import OFFICERS, write_csv

runner = CliRunner()


def cli(*args: str) -> Result:
    return runner.invoke(app, list(args))


def assert_one_sentence(result: Result, code: int, *phrases: str) -> None:
    """The command ended with ``code`` and one error line on stderr holding ``phrases``."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


def leftovers(db: Path) -> list[str]:
    """Files a write left beside the store (its copy folder, a lock of a store not made)."""
    return sorted(p.name for p in db.parent.iterdir() if ".writing-" in p.name)


@pytest.fixture
def filled(tmp_path: Path, refs: Path) -> Path:
    """A store file holding the reference files."""
    db = tmp_path / "store.duckdb"
    with brugdata.open(db) as store:
        store.ingest(refs)
    return db


@pytest.fixture
def more(tmp_path: Path) -> Path:
    """A folder with one new officers file to ingest."""
    folder = tmp_path / "more"
    folder.mkdir()
    write_csv(folder, "officers.csv", OFFICERS + "O-3,p1,other\n")
    return folder


# --------------------------------------------------------------------------- missing folder


def test_db_in_a_missing_folder_is_made(tmp_path: Path, refs: Path) -> None:
    db = tmp_path / "out" / "deeper" / "x.duckdb"
    result = cli("ingest", str(refs), "--db", str(db))
    assert result.exit_code == 0, result.output
    with brugdata.open(db, read_only=True) as store:
        assert store.counts()["officers"] == 2


def test_db_under_a_regular_file_is_a_fault(tmp_path: Path, refs: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("a file, not a folder")
    result = cli("ingest", str(refs), "--db", str(blocker / "x.duckdb"))
    assert_one_sentence(result, 3, str(blocker / "x.duckdb"))
    assert blocker.read_text() == "a file, not a folder"


# --------------------------------------------------------------------------- writes that fail


def _failing(code: int) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    return fail


@pytest.mark.parametrize(
    ("target", "code", "phrase"),
    [
        ("shutil.copyfile", errno.ENOSPC, "the disk is full"),  # the copy fills the disk
        ("os.replace", errno.ENOSPC, "the disk is full"),
        ("os.replace", errno.EROFS, "the file system is read-only"),
        ("os.replace", errno.EPERM, "not permitted"),  # an immutable store
        ("os.mkdir", errno.EACCES, "permission denied"),  # a read-only folder
        ("os.mkdir", errno.EROFS, "the file system is read-only"),
    ],
)
def test_a_write_that_fails_leaves_the_store_as_it_was(
    filled: Path,
    more: Path,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    code: int,
    phrase: str,
) -> None:
    before = filled.read_bytes()
    module, name = target.split(".")
    monkeypatch.setattr({"shutil": shutil, "os": os}[module], name, _failing(code))
    with brugdata.open(filled) as store, pytest.raises(StoreFault, match=phrase):
        store.ingest(more)
    assert_one_sentence(cli("ingest", str(more), "--db", str(filled)), 3, str(filled), phrase)
    monkeypatch.undo()
    assert filled.read_bytes() == before
    assert leftovers(filled) == []
    with brugdata.open(filled, read_only=True) as store:
        assert store.counts()["officers"] == 2


def test_a_failing_flush_to_disk_is_a_fault(
    filled: Path, more: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = filled.read_bytes()
    monkeypatch.setattr(os, "fsync", _failing(errno.EIO))
    assert_one_sentence(cli("ingest", str(more), "--db", str(filled)), 3, "input/output error")
    monkeypatch.undo()
    assert filled.read_bytes() == before


def test_a_new_store_on_a_full_disk_leaves_nothing(
    tmp_path: Path, more: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "new.duckdb"
    monkeypatch.setattr(os, "replace", _failing(errno.ENOSPC))
    assert_one_sentence(cli("ingest", str(more), "--db", str(db)), 3, "the disk is full")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["more"]


def test_an_immutable_store_is_refused(filled: Path, more: Path) -> None:
    if subprocess.run(["chattr", "+i", str(filled)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i does not work here (the simulated EPERM case above runs)")
    try:
        before = filled.read_bytes()
        assert_one_sentence(cli("ingest", str(more), "--db", str(filled)), 3, "immutable")
        assert filled.read_bytes() == before
    finally:
        subprocess.run(["chattr", "-i", str(filled)], check=True)


# --------------------------------------------------------------------------- damaged stores


def flip_a_data_block(db: Path, table: str = "contacts", column: str = "date") -> int:
    """Flip one byte inside the data of ``table.column`` (a block that no count or minimum
    reads); return the block's number."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        block, offset, size = con.execute(
            "SELECT block_id, block_offset, (SELECT block_size FROM pragma_database_size()) "
            f"FROM pragma_storage_info('{table}') "
            "WHERE column_name = ? AND block_id >= 0 AND segment_type <> 'VALIDITY' LIMIT 1",
            [column],
        ).fetchall()[0]
    finally:
        con.close()
    at = HEADER_BYTES + int(block) * int(size) + 8 + int(offset) + 16
    with db.open("r+b") as handle:
        handle.seek(at)
        byte = handle.read(1)
        handle.seek(at)
        handle.write(bytes([byte[0] ^ 0xFF]))
    return int(block)


@pytest.fixture
def damaged(sample_store: Store, tmp_path: Path) -> Path:
    """A copy of the sample store with one byte flipped in a block of contacts' data."""
    db = tmp_path / "damaged.duckdb"
    shutil.copyfile(sample_store.path, db)
    flip_a_data_block(db)
    return db


def test_a_sound_store_checks_sound(sample_store: Store) -> None:
    found = check_store(sample_store.path)
    assert found.sound and found.problems == []
    tables = sample_store.sql("SELECT table_name FROM duckdb_tables()")["table_name"]
    counted = [int(sample_store.sql(f"SELECT count(*) FROM {t}").item()) for t in tables]
    assert (found.tables, found.rows) == (len(tables), sum(counted))
    assert found.rows > sample_store.counts()["contacts"] > 1000
    assert sample_store.check().sound
    result = cli("check", "--db", sample_store.path)
    assert result.exit_code == 0
    assert "the store is sound" in result.stdout


def test_a_flipped_data_block_is_found_by_check_and_stops_every_command(
    damaged: Path, more: Path
) -> None:
    before = damaged.read_bytes()
    found = check_store(damaged)
    assert not found.sound
    assert "does not match its checksum" in found.problems[0]
    assert found.problems[0].startswith("table contacts")
    assert_one_sentence(cli("check", "--db", str(damaged)), 3, "the store is damaged", "checksum")
    # counts come from metadata: info would not notice, so it checks first
    assert_one_sentence(cli("info", "--db", str(damaged)), 3, "the store is damaged")
    # an analysis that reads the damaged block: one sentence, not a traceback
    assert_one_sentence(cli("analyse", "reach", "--db", str(damaged)), 3, "the store is damaged")
    # ingest does not copy the damage into a new store
    assert_one_sentence(cli("ingest", str(more), "--db", str(damaged)), 3, "the store is damaged")
    with brugdata.open(damaged) as store, pytest.raises(StoreFault, match="damaged"):
        store.ingest(more)
    assert damaged.read_bytes() == before
    assert leftovers(damaged) == []


def test_a_truncated_store_is_found(sample_store: Store, tmp_path: Path, more: Path) -> None:
    db = tmp_path / "truncated.duckdb"
    shutil.copyfile(sample_store.path, db)
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.truncate(size // 2)
    found = check_store(db)
    assert not found.sound
    assert f"the file is truncated ({size // 2} bytes" in found.problems[0]
    assert "blocks in use need at least" in found.problems[0]
    assert_one_sentence(cli("check", "--db", str(db)), 3, "truncated")
    assert_one_sentence(cli("info", "--db", str(db)), 3, "damaged")
    assert_one_sentence(cli("ingest", str(more), "--db", str(db)), 3, "damaged")
    assert db.stat().st_size == size // 2


def test_a_store_cut_inside_its_header_is_a_fault(tmp_path: Path, filled: Path) -> None:
    with filled.open("r+b") as handle:
        handle.truncate(3000)
    assert_one_sentence(cli("info", "--db", str(filled)), 3, str(filled), "damaged")
    assert_one_sentence(cli("check", "--db", str(filled)), 3, "damaged")


def test_check_of_no_store_is_usage(tmp_path: Path) -> None:
    assert_one_sentence(cli("check", "--db", str(tmp_path / "none.duckdb")), 2, "no store there")


# --------------------------------------------------------------------------- other commands


def test_sample_into_an_unwritable_place_is_a_fault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_one_sentence(cli("sample", "--out", str(blocker / "sample")), 3, str(blocker))
    monkeypatch.setattr(os, "mkdir", _failing(errno.EACCES))
    assert_one_sentence(cli("sample", "--out", str(tmp_path / "s")), 3, "permission denied")


def test_an_internal_error_is_one_sentence_and_exit_4(
    filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Store, *, check: bool = False) -> dict[str, Any]:
        return {}["no such key"]  # type: ignore[no-any-return]

    monkeypatch.setattr(Store, "info", broken)
    result = cli("info", "--db", str(filled))
    assert_one_sentence(result, 4, "internal error (KeyError)", "--debug")
    debug = cli("--debug", "info", "--db", str(filled))
    assert debug.exit_code == 4
    assert "Traceback" in debug.stderr and "KeyError" in debug.stderr


def test_fault_sentences_name_the_store_and_say_it_is_unchanged() -> None:
    sentence = str(files.fault(Path("x.duckdb"), OSError(errno.ENOSPC, "No space left")))
    assert sentence == (
        "x.duckdb: cannot write the store: the disk is full; the store is left as it was"
    )
