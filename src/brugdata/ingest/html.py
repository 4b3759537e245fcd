"""HTML of a validation result for notebooks."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from brugdata.display import table, wrap

if TYPE_CHECKING:
    from brugdata.ingest.results import ValidationResult

__all__ = ["validation_html", "validation_parts"]


def validation_html(result: ValidationResult, *, max_rejects: int = 20) -> str:
    """A validation result: per file rows read, valid and rejected, the unknown columns, the
    first rejects (line, column, rule, value, message) and the files that could not be read."""
    return wrap(*validation_parts(result, max_rejects))


def validation_parts(
    result: ValidationResult, max_rejects: int, *, summary: bool = True
) -> list[str]:
    """The parts of :func:`validation_html`; without ``summary`` only the unknown columns,
    unreadable files and rejects (an ingest shows its own per-file table)."""
    status = (
        '<span class="ok">all rows valid</span>'
        if result.ok
        else f'<span class="bad">{result.rows_rejected:,} rows rejected</span>'
        if result.rows_rejected
        else '<span class="bad">some files could not be read</span>'
    )
    parts = [
        f"<h4>Validation of {len(result.files)} files: {status}</h4>",
        f'<div class="muted">{result.rows_read:,} rows read: {result.rows_valid:,} valid, '
        f"{result.rows_rejected:,} rejected</div>",
    ]
    if not summary:
        parts = []
    rows = [
        [
            str(f.path),
            f.table,
            f.rows_read,
            f.rows_valid,
            f.rows_rejected,
            ", ".join(f.unknown_columns),
        ]
        for f in result.files
    ]
    if rows and summary:
        parts.append(table(["file", "table", "rows", "valid", "rejected", "unknown columns"], rows))
    for f in result.files if not summary else []:
        if f.unknown_columns:
            names = ", ".join(f.unknown_columns)
            parts.append(
                f"<p>{escape(str(f.path))}: unknown columns, not kept: {escape(names)}</p>"
            )
    if summary and any(f.unknown_columns for f in result.files):
        parts.append(
            '<div class="muted">Unknown columns are not in the data model and are not kept.</div>'
        )
    for e in result.errors:
        parts.append(f'<p class="bad">{escape(str(e.path))}: {escape(e.message)}</p>')
    for f in result.files:
        if f.ok:
            continue
        parts.append(
            f"<h5>{escape(str(f.path))}: {f.rows_rejected:,} of {f.rows_read:,} rows rejected</h5>"
        )
        shown = f.rejects.head(max_rejects).select("line", "column", "rule", "value", "message")
        parts.append(
            table(
                ["line", "column", "rule", "value", "message"], [list(r) for r in shown.iter_rows()]
            )
        )
        if f.rejects.height > max_rejects:
            parts.append(
                f'<div class="muted">… and {f.rejects.height - max_rejects} more reasons '
                "(result.rejects() has them all)</div>"
            )
    return parts
