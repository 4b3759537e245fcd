"""Header mapping: a file's headers → the table's canonical columns.

Takes the headers as read, the table and a caller's mapping; gives the source header →
column map and the headers that map to nothing (:func:`map_headers`).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from brugdata.errors import BrugdataError
from brugdata.ingest.read import LINE_COLUMN, PROBLEM_COLUMN
from brugdata.model.tables import TABLES, Table
from brugdata.model.vocab import column_aliases, fold

__all__ = ["check_mapping", "map_headers", "trim"]


def map_headers(
    headers: list[str], spec: Table, extra: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Source header → canonical column, and the headers that map to nothing.

    A caller's mapping wins over the shipped aliases; a second header for a column already
    mapped counts as unknown rather than silently replacing the first.
    """
    canonical = set(spec.column_names)
    check_mapping(extra)
    extra = {k: v for k, v in extra.items() if v in canonical}
    extra_folded = {fold(k): v for k, v in extra.items()}
    aliases = column_aliases(spec.name)
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for h in headers:
        if h in (LINE_COLUMN, PROBLEM_COLUMN):
            continue
        f = fold(h)
        target = extra.get(h) or extra_folded.get(f)
        if target is None:
            target = f if f in canonical else aliases.get(f)
        if target is None or target not in canonical or target in mapping.values():
            unknown.append(h)
        else:
            mapping[h] = target
    return mapping, unknown


def check_mapping(columns: Mapping[str, str]) -> None:
    """Raise BrugdataError when a caller's mapping names a column no table has."""
    every = {c for t in TABLES.values() for c in t.column_names}
    for src, dst in columns.items():
        if dst not in every:
            raise BrugdataError(
                f"column mapping {src!r} → {dst!r}: no table has a column {dst!r} "
                f"(columns: {', '.join(sorted(every))})"
            )


def trim(name: str) -> pl.Expr:
    """Surrounding whitespace removed; empty or blank -> null."""
    return pl.col(name).str.strip_chars().replace("", None).alias(name)
