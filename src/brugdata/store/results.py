"""What an ingest gives back: per file what happened (:class:`FileIngest`) and the whole
call's outcome (:class:`IngestResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from brugdata.ingest.results import ValidationResult
from brugdata.store.html import ingest_html

__all__ = ["ALREADY", "FileIngest", "IngestResult", "Status"]

Status = Literal["loaded", "skipped", "error"]

#: The message of a file skipped because its content was ingested before.
ALREADY = "already ingested: same content as an earlier file"


@dataclass
class FileIngest:
    """What happened to one file in an ingest: ``status`` is loaded, skipped (its content was
    ingested before) or error (unreadable; ``message`` says why).

    Every row read is loaded, rejected, unchanged or skipped: ``rows_read == rows_loaded +
    rows_rejected + rows_unchanged + rows_skipped``. ``rows_unchanged``: rows of a reference
    table equal to the stored row with their key (not loaded again); ``rows_skipped``: rows
    above the file's header row; ``rows_updated``: loaded rows that replace a stored version
    (``update``), counted in ``rows_loaded`` too.

    ``sheet``: the sheet of a workbook loaded sheet by sheet, one :class:`FileIngest` per
    sheet (None for a file read whole, and for such a workbook skipped whole: ``table`` is
    then None too)."""

    path: Path
    table: str | None
    status: Status
    sha256: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    ingest_id: int | None = None
    message: str = ""
    rows_unchanged: int = 0
    rows_updated: int = 0
    rows_skipped: int = 0
    sheet: str | None = None

    @property
    def label(self) -> str:
        """The file as a reader names it: with its sheet, ``registratie.xlsx [contacten]``,
        when it is one sheet of a workbook loaded sheet by sheet."""
        return f"{self.path} [{self.sheet}]" if self.sheet is not None else str(self.path)


@dataclass
class IngestResult:
    """The outcome of :meth:`Store.ingest`: one :class:`FileIngest` per file, and the
    validation of the files that were read."""

    files: list[FileIngest]
    validation: ValidationResult = field(default_factory=lambda: ValidationResult([]))

    def _repr_html_(self) -> str:
        return ingest_html(self)

    @property
    def rows_read(self) -> int:
        """Rows read from the files that were not skipped."""
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        """Rows loaded into the store's tables."""
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        """Rows kept in the rejects tables instead."""
        return sum(f.rows_rejected for f in self.files)

    @property
    def rows_unchanged(self) -> int:
        """Reference rows equal to the stored ones, not loaded again."""
        return sum(f.rows_unchanged for f in self.files)

    @property
    def rows_skipped(self) -> int:
        """Rows above a file's header row, read but not data."""
        return sum(f.rows_skipped for f in self.files)

    @property
    def rows_updated(self) -> int:
        """Loaded reference rows that replace a stored version (kept in the history)."""
        return sum(f.rows_updated for f in self.files)

    @property
    def skipped(self) -> list[FileIngest]:
        """Files skipped because their content was ingested before."""
        return [f for f in self.files if f.status == "skipped"]

    @property
    def errors(self) -> list[FileIngest]:
        """Files that could not be read."""
        return [f for f in self.files if f.status == "error"]

    def summary(self) -> pl.DataFrame:
        """One row per file (per sheet of a workbook loaded sheet by sheet): file, sheet,
        table, status, rows_read, rows_loaded, rows_rejected, rows_unchanged, rows_updated,
        rows_skipped, message."""
        return pl.DataFrame(
            [
                {
                    "file": str(f.path),
                    "sheet": f.sheet,
                    "table": f.table,
                    "status": f.status,
                    "rows_read": f.rows_read,
                    "rows_loaded": f.rows_loaded,
                    "rows_rejected": f.rows_rejected,
                    "rows_unchanged": f.rows_unchanged,
                    "rows_updated": f.rows_updated,
                    "rows_skipped": f.rows_skipped,
                    "message": f.message,
                }
                for f in self.files
            ],
            schema={
                "file": pl.String,
                "sheet": pl.String,
                "table": pl.String,
                "status": pl.String,
                "rows_read": pl.Int64,
                "rows_loaded": pl.Int64,
                "rows_rejected": pl.Int64,
                "rows_unchanged": pl.Int64,
                "rows_updated": pl.Int64,
                "rows_skipped": pl.Int64,
                "message": pl.String,
            },
        )
