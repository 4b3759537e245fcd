"""HTML of a store and of an ingest result for notebooks."""

from __future__ import annotations

from collections.abc import Sized
from html import escape
from typing import Any, Protocol

import polars as pl

import brugdata.display as display
from brugdata.ingest.html import validation_parts
from brugdata.ingest.results import ValidationResult

__all__ = ["ingest_html", "store_html"]


class StoreFacts(Protocol):
    """What :func:`store_html` reads of a store (a :class:`~brugdata.store.store.Store`)."""

    def info(self) -> dict[str, Any]: ...

    def ingests(self) -> pl.DataFrame: ...

    def rejects(self) -> pl.DataFrame: ...


class IngestFacts(Protocol):
    """What :func:`ingest_html` reads of an ingest result (an
    :class:`~brugdata.store.results.IngestResult`)."""

    validation: ValidationResult

    @property
    def rows_loaded(self) -> int: ...

    @property
    def rows_rejected(self) -> int: ...

    @property
    def rows_unchanged(self) -> int: ...

    @property
    def skipped(self) -> Sized: ...

    def summary(self) -> pl.DataFrame: ...


def store_html(store: StoreFacts, *, max_files: int = 20, max_reasons: int = 10) -> str:
    """A store: path, schema version, rows per table, pilots, school years, the ingests and
    the rejected rows with their most frequent reasons."""
    facts = store.info()
    parts = [f"<h4>brugdata store {escape(str(facts['path']))}</h4>"]
    facts_rows = [
        ["schema version", facts["schema_version"]],
        ["pilots", ", ".join(facts["pilots"]) or "–"],
        ["school years", ", ".join(facts["school_years"]) or "–"],
        ["ingests", f"{facts['ingests']} ({facts['files_ingested']} files)"],
        ["last ingest", facts["last_ingest"] or "–"],
        ["rows rejected", facts["rows_rejected"]],
    ]
    parts.append(display.facts(facts_rows))
    tables = facts["tables"]
    filled = [[name, n] for name, n in tables.items() if n]
    empty = [name for name, n in tables.items() if not n]
    parts.append("<h5>Rows per table</h5>")
    parts.append(
        display.table(["table", "rows"], filled) if filled else "<p>The store is empty.</p>"
    )
    if empty:
        parts.append(f'<div class="muted">empty: {escape(", ".join(empty))}</div>')
    ingests = store.ingests()
    if ingests.height:
        parts.append("<h5>Files ingested</h5>")
        cols = ["ingest_id", "file_name", "table_name", "rows_read", "rows_loaded", "rows_rejected"]
        rows = [list(r) for r in ingests.select(cols).head(max_files).iter_rows()]
        parts.append(display.table(["ingest", "file", "table", "read", "loaded", "rejected"], rows))
        if ingests.height > max_files:
            parts.append(f'<div class="muted">… and {ingests.height - max_files} more files</div>')
    rejects = store.rejects()
    if rejects.height:
        parts.append("<h5>Why rows were rejected</h5>")
        reasons = (
            rejects.group_by("table_name", "column", "rule")
            .agg(
                pl.len().alias("reasons"),
                pl.col("line").head(3).alias("first_lines"),
                pl.col("message").first().alias("example"),
            )
            .sort("reasons", "table_name", "column", descending=[True, False, False])
        )
        rows = [list(r) for r in reasons.head(max_reasons).iter_rows()]
        parts.append(
            display.table(["table", "column", "rule", "reasons", "first lines", "example"], rows)
        )
        parts.append(
            '<div class="muted">store.rejects() lists every reason with its file and line.</div>'
        )
    else:
        parts.append('<p class="ok">No rows were rejected.</p>')
    return display.wrap(*parts)


def ingest_html(result: IngestFacts, *, max_rejects: int = 20) -> str:
    """An ingest result: per file its status and rows read, loaded, rejected and unchanged,
    then the validation's rejects as :func:`validation_html` shows them."""
    parts = [
        f"<h4>Ingest: {result.rows_loaded:,} rows loaded, {result.rows_rejected:,} rejected"
        + (f", {result.rows_unchanged:,} unchanged" if result.rows_unchanged else "")
        + (f", {len(result.skipped)} files skipped" if result.skipped else "")
        + "</h4>"
    ]
    columns = {
        "file": "file",
        "table": "table",
        "status": "status",
        "rows_read": "rows",
        "rows_loaded": "loaded",
        "rows_rejected": "rejected",
        "rows_unchanged": "unchanged",
        "message": "message",
    }
    summary = result.summary().with_columns(pl.col("table").fill_null("")).select(*columns)
    rows = [list(r) for r in summary.iter_rows()]
    if rows:
        parts.append(display.table(list(columns.values()), rows))
    parts += validation_parts(result.validation, max_rejects, summary=False)
    return display.wrap(*parts)
