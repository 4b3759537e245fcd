"""Reference rows delivered again: unchanged, changed, or new; and their history.

Schools, officers and partners (the tables other tables refer to by key) are delivered again
and again: the same list with other line ends, a role that changed. A valid row of such a
file whose key the store holds is compared with the stored row, both as validation made them
(trimmed, typed, codes mapped, keys pseudonymised):

- identical in every column: **unchanged**, counted (``rows_unchanged``) and not loaded;
- different: **changed**. Without ``update`` it is rejected (rule ``changed_reference``)
  naming the columns that differ, never their values; with ``update`` the new version is
  loaded (valid from this ingest: its ``_ingest_id``) and the stored one moved to
  ``<table>_history`` with ``_valid_to`` set to this ingest, so what an earlier analysis read
  can be read again (:meth:`brugdata.store.store.Store.table` with ``as_of``).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from brugdata.ingest.read import LINE_COLUMN
from brugdata.ingest.results import REJECT_SCHEMA
from brugdata.model.tables import TABLES
from brugdata.store.ddl import history_table, run

__all__ = ["CHANGED", "ReferenceSplit", "as_of_sql", "keep_history", "split"]

#: The rule of a reference row that differs from the stored row with its key.
CHANGED = "changed_reference"


@dataclass
class ReferenceSplit:
    """A reference file's valid rows set against the store: ``load`` (new keys, and changed
    rows when updating), ``unchanged`` (how many equal their stored row), ``replaced`` (the
    keys whose stored version the loaded rows replace), ``rejects`` and ``rejected_rows``
    (changed rows when not updating, as :class:`~brugdata.ingest.results.FileResult` keeps
    them)."""

    load: pl.DataFrame
    unchanged: int
    replaced: pl.DataFrame
    rejects: pl.DataFrame
    rejected_rows: pl.DataFrame


def split(
    con: duckdb.DuckDBPyConnection, table_name: str, valid: pl.DataFrame, *, update: bool
) -> ReferenceSplit:
    """Set the ``valid`` rows of a file of reference table ``table_name`` against the rows
    the store on ``con`` holds with the same keys."""
    spec = TABLES[table_name]
    key = list(spec.key)
    others = [c for c in spec.column_names if c not in key]
    stored = _stored(con, table_name, valid.select(key))
    stored = stored.cast({c: valid.schema[c] for c in stored.columns}, strict=False)
    hit = pl.col(f"{key[0]}__found")
    joined = valid.join(
        stored.with_columns(pl.lit(True).alias(f"{key[0]}__found")),
        on=key,
        how="left",
        suffix="__stored",
        nulls_equal=False,
    )
    differs = [pl.col(c).ne_missing(pl.col(f"{c}__stored")).alias(c) for c in others]
    flags = joined.select(LINE_COLUMN, hit.fill_null(False).alias("_found"), *differs).with_columns(
        pl.any_horizontal(others).alias("_changed") if others else pl.lit(False)
    )
    found = flags.get_column("_found")
    changed = found & flags.get_column("_changed")
    unchanged = int((found & ~flags.get_column("_changed")).sum())
    new = ~found
    keep = new | changed if update else new
    load = valid.filter(keep)
    replaced = valid.filter(changed).select(key) if update else valid.clear().select(key)
    rejects, rejected_rows = _rejects(
        valid.filter(changed), flags.filter(changed), spec.name, key, others, update
    )
    return ReferenceSplit(load, unchanged, replaced, rejects, rejected_rows)


def _stored(con: duckdb.DuckDBPyConnection, table_name: str, keys: pl.DataFrame) -> pl.DataFrame:
    """The stored rows (canonical columns) of ``table_name`` whose keys are in ``keys``."""
    spec = TABLES[table_name]
    cols = ", ".join(f'"{c}"' for c in spec.column_names)
    on = ", ".join(f'"{c}"' for c in spec.key)
    view = f"_brugdata_ref_{table_name}"
    con.register(view, keys.unique().to_arrow())
    try:
        return con.sql(f"SELECT {cols} FROM {table_name} SEMI JOIN {view} USING ({on})").pl()
    finally:
        con.unregister(view)


def _rejects(
    rows: pl.DataFrame,
    flags: pl.DataFrame,
    table_name: str,
    key: list[str],
    others: list[str],
    update: bool,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The reasons (one per changed column) and the rows as kept for changed rows that are
    not updated; empty frames when updating."""
    reasons: list[dict[str, object]] = []
    if not update:
        shown = "+".join(key)
        for row in flags.iter_rows(named=True):
            names = [c for c in others if row[c]]
            message = (
                f"differs from the stored {table_name} row with the same {shown} in "
                f"{', '.join(names)}; ingest with --update (update=True) to store it as the "
                "new version"
            )
            reasons += [
                {
                    "line": row[LINE_COLUMN],
                    "column": c,
                    "rule": CHANGED,
                    "value": None,
                    "message": message,
                }
                for c in names
            ]
    rejects = pl.DataFrame(reasons, schema=REJECT_SCHEMA)  # columns not set are null
    kept = rows.clear() if update else rows
    as_text = [
        (
            pl.col(c).list.eval(pl.element().cast(pl.String)).list.join("|")
            if isinstance(kept.schema[c], pl.List)
            else pl.col(c).cast(pl.String)
        ).alias(c)
        for c in kept.columns
        if c != LINE_COLUMN
    ]
    return rejects, kept.select(*as_text, pl.col(LINE_COLUMN).cast(pl.Int64))


def keep_history(
    con: duckdb.DuckDBPyConnection, table_name: str, replaced: pl.DataFrame, ingest_id: int
) -> None:
    """Move the stored versions of the keys ``replaced`` of ``table_name`` into its history,
    valid to ``ingest_id`` (the ingest that loads their new versions)."""
    if replaced.is_empty():
        return
    spec = TABLES[table_name]
    key = list(spec.key)
    view = f"_brugdata_replaced_{table_name}"
    on = " AND ".join(f't."{c}" = r."{c}"' for c in key)
    using = ", ".join(f'"{c}"' for c in key)
    cols = ", ".join(f'"{c}"' for c in [*spec.column_names, "_ingest_id", "_line"])
    con.register(view, replaced.unique().to_arrow())
    try:
        run(
            con,
            f"INSERT INTO {history_table(table_name)} ({cols}, _valid_to) "
            f"SELECT {cols}, ? FROM {table_name} SEMI JOIN {view} USING ({using})",
            [ingest_id],
        )
        run(con, f"DELETE FROM {table_name} t USING {view} r WHERE {on}")
    finally:
        con.unregister(view)


def as_of_sql(table_name: str, ingest_id: int) -> str:
    """SQL giving the rows of reference table ``table_name`` as they were right after ingest
    ``ingest_id``: the versions loaded by then and not replaced by then (canonical columns,
    ``_ingest_id`` and ``_line``)."""
    cols = ", ".join(f'"{c}"' for c in [*TABLES[table_name].column_names, "_ingest_id", "_line"])
    n = int(ingest_id)
    return (
        f"SELECT {cols} FROM {table_name} WHERE _ingest_id <= {n} UNION ALL "
        f"SELECT {cols} FROM {history_table(table_name)} "
        f"WHERE _ingest_id <= {n} AND _valid_to > {n}"
    )
