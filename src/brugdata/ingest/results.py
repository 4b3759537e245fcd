"""What validation gives back: per-file results with valid rows and explained rejects."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from brugdata.ingest.privacy import redact_label
from brugdata.model.tables import TABLES, table

__all__ = ["REJECT_SCHEMA", "FileError", "FileResult", "Known", "ValidationResult"]

#: Columns of a rejects frame: one row per broken rule.
REJECT_SCHEMA: dict[str, pl.DataType] = {
    "line": pl.Int64(),
    "column": pl.String(),
    "rule": pl.String(),
    "value": pl.String(),
    "message": pl.String(),
    "sheet": pl.String(),
}


#: Tables whose keys other tables reference (schools, officers, partners).
REFERENCED: frozenset[str] = frozenset(
    c.references for spec in TABLES.values() for c in spec.columns if c.references
)


@dataclass
class Known:
    """Keys that exist already: in the store, or in reference files validated earlier in the
    same call. ``keys[table]`` is a frame of that table's key columns.

    ``stored``, when set, looks keys up where they are kept instead of holding them all:
    ``stored(table_name, keys)`` returns the rows of the frame ``keys`` (the table's key
    columns) that are already stored. :meth:`brugdata.store.store.Store.known` sets it so that
    millions of stored contact ids are checked in DuckDB, not copied into memory."""

    keys: dict[str, pl.DataFrame] = field(default_factory=dict)
    stored: Callable[[str, pl.DataFrame], pl.DataFrame] | None = None
    #: the school years (their first calendar year) of the dates stored: two-digit years
    #: are read near them (:mod:`brugdata.ingest.validate.dates`)
    school_years: set[int] = field(default_factory=set)
    #: the keys added from files of this call, by table: (the file's name, its keys)
    origins: dict[str, list[tuple[str, pl.DataFrame]]] = field(default_factory=dict)

    def add(self, table_name: str, frame: pl.DataFrame, source: str | None = None) -> None:
        """Add the key columns of ``frame`` (rows of ``table_name``); ``source``: the name of
        the file they come from (None: the store), which :meth:`origin` gives back."""
        part = frame.select(table(table_name).key)
        old = self.keys.get(table_name)
        self.keys[table_name] = part if old is None else pl.concat([old, part])
        if source is not None:
            self.origins.setdefault(table_name, []).append((source, part))

    def origin(self, table_name: str, keys: pl.DataFrame) -> pl.DataFrame:
        """``keys`` (distinct key columns of ``table_name``, as :meth:`matching` gives them)
        with ``_origin``: the name of the file added with :meth:`add` that holds the key
        first, null for a key of the store."""
        key = list(table(table_name).key)
        parts = [
            part.with_columns(pl.lit(source, pl.String).alias("_origin"))
            for source, part in self.origins.get(table_name, [])
        ]
        if not parts:
            return keys.with_columns(pl.lit(None, pl.String).alias("_origin"))
        first = pl.concat(parts).unique(subset=key, keep="first", maintain_order=True)
        first = first.with_columns(pl.col(c).cast(keys.schema[c]) for c in key)
        return keys.join(first, on=key, how="left")

    def forget_stored(self) -> None:
        """Stop holding the keys that ``stored`` finds now: an ingest calls this once the
        files added so far are in the store. The keys of the tables other tables reference
        (schools, officers, partners: small) stay, as :meth:`ids` gives them."""
        if self.stored is not None:
            self.keys = {name: keys for name, keys in self.keys.items() if name in REFERENCED}
            self.origins = {n: parts for n, parts in self.origins.items() if n in REFERENCED}

    def matching(self, table_name: str, frame: pl.DataFrame) -> pl.DataFrame:
        """The distinct keys of ``frame`` (rows of ``table_name``) that are known: the
        table's key columns."""
        key = list(table(table_name).key)
        wanted = frame.select(key).drop_nulls()
        found = []
        held = self.keys.get(table_name)
        if held is not None and held.height:
            # a semi join keeps each row of ``wanted`` once, however often ``held`` has it
            found.append(wanted.join(held, on=key, how="semi", nulls_equal=False))
        if self.stored is not None and wanted.height:
            found.append(self.stored(table_name, wanted).select(key).cast(wanted.schema))
        if not found:
            return wanted.clear()
        return pl.concat(found).unique()

    def ids(self, table_name: str, column: str) -> pl.Series:
        """Distinct values of ``column`` in the known rows of ``table_name``."""
        frame = self.keys.get(table_name)
        if frame is None:
            return pl.Series(column, [], dtype=pl.String)
        return frame.get_column(column).unique()


@dataclass
class FileResult:
    """What validating one file gave.

    ``valid``: the valid rows with the table's canonical, typed columns plus ``_line``.
    ``rejects``: one row per broken rule: line, column, rule, value, message, sheet (of a
    workbook; null otherwise).
    ``rejected_rows``: every rejected row as read (strings), canonical columns plus ``_line``.
    ``rows_skipped``: rows above the header row (``rows_read == rows_valid + rows_rejected +
    rows_skipped``), with ``notes`` saying where. ``sheets_read`` and ``sheets_passed``
    (sheet → why not read: hidden, empty, no header of the table) for a workbook.
    """

    def _repr_html_(self) -> str:
        from brugdata.ingest.html import validation_html

        return validation_html(ValidationResult([self]))

    path: Path
    table: str
    rows_read: int
    valid: pl.DataFrame
    rejects: pl.DataFrame
    rejected_rows: pl.DataFrame
    unknown_columns: list[str]
    column_map: dict[str, str]
    sha256: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    pseudonymised: dict[str, int] = field(default_factory=dict)
    redacted: dict[str, int] = field(default_factory=dict)
    rows_skipped: int = 0
    notes: list[str] = field(default_factory=list)
    sheets_read: list[str] = field(default_factory=list)
    sheets_passed: dict[str, str] = field(default_factory=dict)
    #: the file's name as provenance keeps it: relative to the folder given, redacted
    source: str = ""

    def __post_init__(self) -> None:
        if not self.source:
            self.source = redact_label(self.path.name)

    @property
    def rows_valid(self) -> int:
        """Rows that passed every rule."""
        return self.valid.height

    @property
    def rows_rejected(self) -> int:
        """Rows that broke at least one rule."""
        return self.rejected_rows.height

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return self.rows_rejected == 0

    def row_status(self) -> pl.DataFrame:
        """One row per input row, in file order: ``line`` and ``valid`` (bool)."""
        bad = self.rejected_rows.get_column("_line")
        lines = pl.concat([self.valid.get_column("_line"), bad]).sort()
        return pl.DataFrame({"line": lines}).with_columns(
            valid=~pl.col("line").is_in(bad.implode())
        )

    def summary(self) -> dict[str, Any]:
        """Counts and metadata of this file as plain Python values."""
        return {
            "file": str(self.path),
            "table": self.table,
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "rows_rejected": self.rows_rejected,
            "rows_skipped": self.rows_skipped,
            "notes": list(self.notes),
            "sheets_read": list(self.sheets_read),
            "sheets_passed": dict(self.sheets_passed),
            "unknown_columns": list(self.unknown_columns),
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "sheet": self.sheet,
            "pseudonymised": dict(self.pseudonymised),
            "redacted": dict(self.redacted),
        }


@dataclass
class FileError:
    """A file that could not be read at all, with one sentence saying why."""

    path: Path
    message: str


_SUMMARY_SCHEMA = {
    "file": pl.String,
    "table": pl.String,
    "rows_read": pl.Int64,
    "rows_valid": pl.Int64,
    "rows_rejected": pl.Int64,
    "unknown_columns": pl.String,
}


@dataclass
class ValidationResult:
    """The result of validating one or more files: ``files`` (one :class:`FileResult` each),
    ``errors`` (files that could not be read) and ``skipped`` (files passed over: lock,
    temporary and system files in a folder, a file with the same content as one read; each
    with one sentence)."""

    def _repr_html_(self) -> str:
        from brugdata.ingest.html import validation_html

        return validation_html(self)

    files: list[FileResult]
    errors: list[FileError] = field(default_factory=list)
    skipped: list[FileError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file was readable and no row was rejected."""
        return not self.errors and all(f.ok for f in self.files)

    @property
    def rows_read(self) -> int:
        """Rows read over all files."""
        return sum(f.rows_read for f in self.files)

    @property
    def rows_valid(self) -> int:
        """Valid rows over all files."""
        return sum(f.rows_valid for f in self.files)

    @property
    def rows_rejected(self) -> int:
        """Rejected rows over all files."""
        return sum(f.rows_rejected for f in self.files)

    @property
    def rows_skipped(self) -> int:
        """Rows above a header row, skipped, over all files."""
        return sum(f.rows_skipped for f in self.files)

    def summary(self) -> pl.DataFrame:
        """One row per file: file, table, rows_read, rows_valid, rows_rejected,
        unknown_columns (comma-joined)."""
        rows = [
            {
                **{k: f.summary()[k] for k in _SUMMARY_SCHEMA if k != "unknown_columns"},
                "unknown_columns": ", ".join(f.unknown_columns),
            }
            for f in self.files
        ]
        return pl.DataFrame(rows, schema=_SUMMARY_SCHEMA)

    def rejects(self) -> pl.DataFrame:
        """Every reason for rejection over all files: file, table, line, column, rule, value,
        message; ordered by file and line."""
        frames = [
            f.rejects.select(
                pl.lit(str(f.path)).alias("file"), pl.lit(f.table).alias("table"), pl.all()
            )
            for f in self.files
        ]
        if not frames:
            return pl.DataFrame(schema={"file": pl.String(), "table": pl.String(), **REJECT_SCHEMA})
        return pl.concat(frames)

    def to_dict(self, *, max_rejects: int | None = None) -> dict[str, Any]:
        """The result as JSON-ready data: ok, totals, files (each with its rejects) and
        errors."""
        files = []
        for f in self.files:
            rejects = f.rejects if max_rejects is None else f.rejects.head(max_rejects)
            files.append({**f.summary(), "rejects": rejects.to_dicts()})
        return {
            "ok": self.ok,
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "rows_rejected": self.rows_rejected,
            "rows_skipped": self.rows_skipped,
            "files": files,
            "errors": [{"file": str(e.path), "message": e.message} for e in self.errors],
            "skipped": [{"file": str(e.path), "message": e.message} for e in self.skipped],
        }

    def github_annotations(self, *, max_rejects: int | None = None) -> list[str]:
        """GitHub workflow commands (``::error file=…,line=…::…``) for each rejection and
        each unreadable file, so a data repository's CI marks the bad lines."""
        lines = [f"::error file={_prop(str(e.path))}::{_data(e.message)}" for e in self.errors]
        for f in self.files:
            rejects = f.rejects if max_rejects is None else f.rejects.head(max_rejects)
            for r in rejects.iter_rows(named=True):
                title = f"{f.table}.{r['column']}: {r['rule']}"
                lines.append(
                    f"::error file={_prop(str(f.path))},line={r['line']},title={_prop(title)}"
                    f"::{_data(r['message'])}"
                )
            if f.unknown_columns:
                names = ", ".join(f.unknown_columns)
                lines.append(
                    f"::warning file={_prop(str(f.path))},line=1::"
                    f"{_data(f'columns not in the data model, not kept: {names}')}"
                )
        return lines

    def to_json(self, *, max_rejects: int | None = None) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(max_rejects=max_rejects), ensure_ascii=False, indent=2)


def _data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    """Escape a workflow command's property value."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")
