"""An analysis's tables as data files: one table per file, in CSV, JSON or Parquet.

An analysis gives one or more named tables (``brugdata.analysis.run``); its *main table* is
the first (``reach`` → ``reach``, ``seasonality`` → ``monthly``, ``pathways`` →
``outcomes``, docs/outputs.md lists them all). CSV holds one table and nothing else, so any
reader (polars, pandas, R, csvkit, Excel) reads it; a folder holds every table as
``<analysis>_<table>.<csv|json|parquet>``.

Published (small-cell protected) data files keep numbers as numbers: a hidden cell is empty
(null) and the column ``<column>_hidden`` beside it says why (:data:`REASONS`); it is null
where the cell is shown. Every column that protection may hide has its ``_hidden`` column,
in every row, so a table's columns do not depend on what was hidden.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from brugdata.errors import BrugdataError

if TYPE_CHECKING:
    from brugdata.publish.protect import Publication

__all__ = [
    "FORMATS",
    "HIDDEN_SUFFIX",
    "REASONS",
    "FileFormat",
    "frames_json",
    "main_table",
    "output_name",
    "pick_table",
    "publish_frames",
    "table_json",
    "table_path",
    "to_jsonable",
    "write_table",
    "write_tables",
]

#: The data-file formats.
FileFormat = Literal["csv", "json", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "json", "parquet")

#: The suffix of the column that says why a cell is hidden.
HIDDEN_SUFFIX = "_hidden"

#: Why a cell of a published data file is empty.
REASONS: dict[str, str] = {
    "small_count": "a count from 1 to the threshold − 1 (shown as <10 in a table)",
    "secondary": "a count hidden so that a small one cannot be worked out from a total or "
    "the other cells (shown as x in a table)",
    "derived": "a figure made from a hidden count (a percentage, interval, rate or a test "
    "over the rows of its school year)",
}


def main_table(frames: Mapping[str, pl.DataFrame]) -> str:
    """The name of the main table of an analysis's ``frames``: the first."""
    for name in frames:
        return name
    raise BrugdataError("the analysis gave no tables")


def pick_table(frames: Mapping[str, pl.DataFrame], table: str | None) -> str:
    """``table`` when ``frames`` has it, else the main table for None; BrugdataError naming
    the tables there are for an unknown one."""
    if table is None:
        return main_table(frames)
    if table not in frames:
        raise BrugdataError(f"no table {table!r} in this analysis; it has: {', '.join(frames)}")
    return table


def output_name(analysis: str, table: str, n_tables: int) -> str:
    """The name a table's protection is declared under: the analysis (``reach``) for an
    analysis of one table, ``analysis.table`` (``seasonality.monthly``) for several."""
    return analysis if n_tables == 1 else f"{analysis}.{table}"


def publish_frames(
    analysis: str,
    frames: Mapping[str, pl.DataFrame],
    publication: Publication,
    *,
    text: bool = False,
    tables: Sequence[str] | None = None,
) -> tuple[dict[str, pl.DataFrame], list[str]]:
    """The tables of ``analysis`` fit for a published data file, and the names of those left
    out because they are never published (one row per case, free text).

    Hidden cells are null with the reason in ``<column>_hidden`` (:data:`REASONS`) right
    after the column; with ``text`` they are shown as a table shows them instead (``<10``,
    ``x``, counts as text). Every hidden cell is logged in ``publication`` for the output
    log. With ``tables`` only those. Raises
    :class:`~brugdata.publish.protect.PublicationError` for a table without a declared
    protection, or when no table of the analysis may be published."""
    from brugdata.publish.protect import PublicationError, declaration, publishable

    names = {k: output_name(analysis, k, len(frames)) for k in frames}
    chosen = list(frames) if tables is None else [pick_table(frames, t) for t in tables]
    if len(chosen) == 1:
        declaration(names[chosen[0]])  # one sentence when it cannot be published
    left = [k for k in chosen if not publishable(names[k])]
    kept = {k: frames[k] for k in chosen if k not in left}
    if not kept:
        raise PublicationError(f"cannot publish {analysis!r}: none of its tables may be")
    if text:
        return {k: publication.table(names[k], f) for k, f in kept.items()}, left
    out = {k: _published(names[k], f, publication) for k, f in kept.items()}
    return out, left


def _published(name: str, frame: pl.DataFrame, publication: Publication) -> pl.DataFrame:
    """One frame with hidden cells null and their reasons beside them."""
    from brugdata.publish.protect import HIDDEN, SMALL, declaration

    declared = declaration(name, frame)
    numbers = publication.chart(name, frame)
    if not publication.protected:
        return numbers
    marks = publication.table(name, frame)
    small = SMALL.format(threshold=publication.limit)
    hideable = [c for c in (*declared.counts, *declared.derived, *declared.tests)
                if c in frame.columns]  # fmt: skip
    reasons: dict[str, pl.Series] = {}
    for c in hideable:
        gone = frame.get_column(c).is_not_null() & numbers.get_column(c).is_null()
        if declared.long:
            mark = marks.get_column("suppressed") if c == "value" else None
        else:
            mark = marks.get_column(c).cast(pl.String) if c in declared.counts else None
        work = pl.DataFrame(
            {"gone": gone, "mark": mark if mark is not None else [None] * frame.height},
            schema={"gone": pl.Boolean, "mark": pl.String},
        )
        reason = work.select(
            pl.when(~pl.col("gone"))
            .then(pl.lit(None, dtype=pl.String))
            .when(pl.col("mark") == small)
            .then(pl.lit("small_count"))
            .when(pl.col("mark") == HIDDEN)
            .then(pl.lit("secondary"))
            .otherwise(pl.lit("derived"))
        ).to_series()
        reasons[c] = reason.alias(c + HIDDEN_SUFFIX)
    columns: list[pl.Series] = []
    for c in numbers.columns:
        columns.append(numbers.get_column(c))
        if c in reasons:
            columns.append(reasons[c])
    return pl.DataFrame(columns)


# --------------------------------------------------------------------------- files


def table_path(out_dir: str | Path, analysis: str, table: str, fmt: FileFormat) -> Path:
    """``out_dir/<analysis>_<table>.<fmt>``."""
    return Path(out_dir) / f"{analysis}_{table}.{fmt}"


def to_jsonable(value: Any) -> Any:
    """A cell as JSON keeps it: numbers as numbers, NaN and infinities as null, dates and
    times in ISO 8601, lists as lists."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):  # a number stays a number
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [{k: to_jsonable(v) for k, v in row.items()} for row in frame.iter_rows(named=True)]


def table_json(frame: pl.DataFrame) -> str:
    """``[{"column": value, ...}, ...]`` as JSON text (numbers as numbers)."""
    return json.dumps(_rows(frame), ensure_ascii=False, indent=2, allow_nan=False)


def frames_json(frames: Mapping[str, pl.DataFrame]) -> str:
    """``{"table": [{"column": value, ...}, ...], ...}`` as JSON text (numbers as numbers)."""
    data = {k: _rows(f) for k, f in frames.items()}
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)


def write_table(frame: pl.DataFrame, path: Path, fmt: FileFormat) -> Path:
    """Write one table to ``path``: CSV safe to open in a spreadsheet
    (:func:`brugdata.publish.exports.write_csv`), JSON (a list of row objects) or Parquet.
    Returns ``path``."""
    if fmt == "csv":
        from brugdata.publish.exports import write_csv

        with path.open("w", encoding="utf-8", newline="") as f:
            write_csv(frame, f)
    elif fmt == "json":
        path.write_text(table_json(frame) + "\n", encoding="utf-8")
    elif fmt == "parquet":
        frame.write_parquet(path)
    else:
        raise BrugdataError(f"unknown file format {fmt!r}; choose from: {', '.join(FORMATS)}")
    return path


def write_tables(
    analysis: str,
    frames: Mapping[str, pl.DataFrame],
    out_dir: str | Path,
    fmt: FileFormat = "csv",
    *,
    tables: Sequence[str] | None = None,
) -> list[Path]:
    """Write every table of ``frames`` (or only ``tables``) of ``analysis`` as
    ``out_dir/<analysis>_<table>.<fmt>``, making the folder; returns the paths written."""
    if fmt not in FORMATS:
        raise BrugdataError(f"unknown file format {fmt!r}; choose from: {', '.join(FORMATS)}")
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise BrugdataError(f"{folder}: not a folder; --out takes a folder to write into")
    folder.mkdir(parents=True, exist_ok=True)
    names = list(frames) if tables is None else [pick_table(frames, t) for t in tables]
    return [write_table(frames[k], table_path(folder, analysis, k, fmt), fmt) for k in names]
