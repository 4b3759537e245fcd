"""Header mapping: a file's headers → the table's canonical columns.

Takes the headers as read, the table and a caller's mapping; gives the source header →
column map and the headers that map to nothing (:func:`map_headers`).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from brugdata.errors import BrugdataError, ReadError
from brugdata.ingest.privacy import header_looks_like_data
from brugdata.ingest.read import LINE_COLUMN, PROBLEM_COLUMN, RawTable
from brugdata.model.tables import TABLES, Table
from brugdata.model.vocab import column_aliases, fold

__all__ = ["check_header", "check_mapping", "map_headers", "trim"]


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


def check_header(
    raw: RawTable, spec: Table, column_map: Mapping[str, str], unknown: list[str]
) -> list[str]:
    """The unknown column names to keep: those that read like a value (personal data, a
    name, a date, a number) are given as ``(column N)`` instead. Raises
    :class:`~brugdata.errors.ReadError` when the first row reads like data rather than
    column names: none of them is a column of the table, or half or more read like values."""
    headers = [h for h in raw.data.columns if h not in (LINE_COLUMN, PROBLEM_COLUMN)]
    data_like = {h for h in unknown if header_looks_like_data(h)}  # a known name is a name
    if headers and (not column_map or 2 * len(data_like) >= len(headers)):
        # a title line of one field above the header cuts a text file to one column
        title = (
            " (a title line of one field at the top? remove it, or export the sheet again)"
            if len(headers) == 1 and raw.delimiter is not None
            else ""
        )
        raise ReadError(
            f"{raw.path.name}: the first row looks like data, not a header row naming the "
            f"columns (none of it, or too little, names a column of {spec.name}){title}; add a "
            f"header row with the columns: {', '.join(spec.column_names)}"
        )
    position = {h: i + 1 for i, h in enumerate(headers)}
    return [f"(column {position[h]})" if h in data_like else h for h in unknown]
