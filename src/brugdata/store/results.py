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
    ingested before) or error (unreadable; ``message`` says why)."""

    path: Path
    table: str | None
    status: Status
    sha256: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    ingest_id: int | None = None
    message: str = ""


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
    def skipped(self) -> list[FileIngest]:
        """Files skipped because their content was ingested before."""
        return [f for f in self.files if f.status == "skipped"]

    @property
    def errors(self) -> list[FileIngest]:
        """Files that could not be read."""
        return [f for f in self.files if f.status == "error"]

    def summary(self) -> pl.DataFrame:
        """One row per file: file, table, status, rows_read, rows_loaded, rows_rejected,
        message."""
        return pl.DataFrame(
            [
                {
                    "file": str(f.path),
                    "table": f.table,
                    "status": f.status,
                    "rows_read": f.rows_read,
                    "rows_loaded": f.rows_loaded,
                    "rows_rejected": f.rows_rejected,
                    "message": f.message,
                }
                for f in self.files
            ],
            schema={
                "file": pl.String,
                "table": pl.String,
                "status": pl.String,
                "rows_read": pl.Int64,
                "rows_loaded": pl.Int64,
                "rows_rejected": pl.Int64,
                "message": pl.String,
            },
        )
