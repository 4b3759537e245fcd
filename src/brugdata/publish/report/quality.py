"""The report's data quality section, its data: the files ingested with their rows read,
loaded and rejected, the reasons for rejection and the rows per table, each through the
transform; a value rejected is shown only for columns without personal data."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from brugdata.ingest.privacy import header_looks_like_data, redact_label

if TYPE_CHECKING:
    from brugdata.store.store import Store

__all__ = ["Quality", "file_label", "quality", "reasons_of"]

#: Column kinds whose values are never shown in the report (person and family keys, free text).
_SENSITIVE_KINDS = frozenset({"pseudonym", "text"})


@dataclass(frozen=True)
class Quality:
    """Per file the rows read, loaded and rejected, the reasons for rejection and the rows
    per table, as shown."""

    files: pl.DataFrame
    reasons: pl.DataFrame
    store: pl.DataFrame


def quality(store: Store, shown: Callable[[str, pl.DataFrame], pl.DataFrame]) -> Quality:
    """The files ingested, the reasons for rejection and the rows per table of ``store``,
    each through ``shown``."""
    from brugdata.model.tables import TABLES

    counts = store.counts()
    rows = shown(
        "store",
        pl.DataFrame(
            {"table_name": list(counts), "rows": list(counts.values())},
            schema={"table_name": pl.String, "rows": pl.Int64},
        ).filter(pl.col("rows") > 0),
    )
    ingests = store.ingests()
    # provenance is kept redacted; redacted again here for stores made before it was
    labels = [file_label(p) for p in ingests["path"].to_list()]
    files = shown(
        "files",
        ingests.select(
            pl.Series("file", labels, dtype=pl.String),
            "table_name",
            "rows_read",
            "rows_loaded",
            "rows_rejected",
            pl.col("unknown_columns")
            .map_elements(_columns_label, return_dtype=pl.String)
            .alias("unknown_columns"),
        ),
    )
    file_of = dict(zip(ingests["ingest_id"].to_list(), labels, strict=True))
    reasons = shown("reject_reasons", reasons_of(store.rejects(), file_of, TABLES))
    return Quality(files, reasons, rows)


def file_label(path: str) -> str:
    """A file as the report names it: its last two path parts, redacted."""
    return "/".join(redact_label(part) for part in Path(path).parts[-2:])


def _columns_label(names: Sequence[str] | None) -> str:
    """Unknown column names as the report lists them: those that read like data left out."""
    names = [] if names is None else list(names)
    return ", ".join("(column)" if header_looks_like_data(n) else n for n in names)


def reasons_of(
    rejects: pl.DataFrame, file_of: Mapping[int, str], tables: Mapping[str, Any]
) -> pl.DataFrame:
    """Rejects grouped by table, column and rule: count, example lines (file:line), example
    values and message; ``sensitive`` when the column may hold personal data or free text
    (its values and messages are then not shown)."""
    schema = pl.Schema(
        {
            "table_name": pl.String(),
            "column": pl.String(),
            "rule": pl.String(),
            "reasons": pl.Int64(),
            "lines": pl.List(pl.String()),
            "values": pl.List(pl.String()),
            "message": pl.String(),
            "sensitive": pl.Boolean(),
        }
    )
    if rejects.is_empty():
        return pl.DataFrame(schema=schema)

    def sensitive(table: str, column: str, rule: str) -> bool:
        spec = tables.get(table)
        if spec is None:
            return True
        kinds = {c.name: c.kind for c in spec.columns}
        if column not in kinds or kinds[column] in _SENSITIVE_KINDS:
            return True
        if rule in ("duplicate_key", "already_stored"):  # the value joins the key columns
            return any(kinds.get(k) in _SENSITIVE_KINDS for k in spec.key)
        return rule == "personal_data"

    rows = []
    for (table, column, rule), part in rejects.group_by(
        "table_name", "column", "rule", maintain_order=True
    ):
        hide = sensitive(str(table), str(column), str(rule))
        lines = [
            f"{file_of.get(i, i)}:{line}"
            for i, line in part.select("ingest_id", "line").head(5).iter_rows()
        ]
        values = (
            []
            if hide
            else [
                redact_label(v)
                for v in part["value"].unique(maintain_order=True).head(3).to_list()
                if v is not None
            ]
        )
        rows.append(
            {
                "table_name": table,
                "column": column,
                "rule": rule,
                "reasons": part.height,
                "lines": lines,
                "values": values,
                "message": None if hide else redact_label(part["message"][0]),
                "sensitive": hide,
            }
        )
    return pl.DataFrame(rows, schema=schema).sort(
        "reasons", "table_name", "column", descending=[True, False, False]
    )
