"""The store's data tables as Parquet, partitioned by school year (hive layout), for DuckDB,
polars, R arrow or Spark: ``DIR/<table>/school_year=2024-2025/data_0.parquet``.

A table with a ``school_year`` column is partitioned by it; the dated tables (``contacts``,
``activities``) get the school year their date falls in (1 August – 31 July) as a partition
column; the others (``officers``, ``partners``, ``pilots``) are one file,
``DIR/<table>/data.parquet``. Empty tables are not written.

The export holds row-level, pseudonymised personal data (person and family keys are keyed
pseudonyms): only those allowed to see the store may receive it (docs/outputs.md). Free-text
columns (:data:`FREE_TEXT`: notes, open answers, organisations as typed by respondents,
where names of people are not found) are left out
unless asked for; provenance (``_ingest_id``, ``_line``) and the store's own tables (ingests,
rejects, rejected rows, the key's fingerprint) are never exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from brugdata.errors import BrugdataError
from brugdata.model.tables import TABLES

if TYPE_CHECKING:
    from brugdata.store.store import Store

__all__ = ["FREE_TEXT", "NAMES", "Export", "export_parquet"]

#: Text columns that name a pilot, school, municipality or partner organisation from the
#: reference tables: exported.
NAMES: frozenset[tuple[str, str]] = frozenset(
    {
        ("pilots", "name_nl"),
        ("pilots", "name_en"),
        ("schools", "name"),
        ("schools", "municipality"),
        ("partners", "name"),
    }
)

#: Every other text column: free text that may name people (notes, open answers, an
#: organisation as a respondent typed it), left out by default.
FREE_TEXT: frozenset[tuple[str, str]] = frozenset(
    (t.name, c.name)
    for t in TABLES.values()
    for c in t.columns
    if c.kind == "text" and (t.name, c.name) not in NAMES
)

_SCHOOL_YEAR_OF_DATE = (
    "CASE WHEN month(date) >= 8 THEN printf('%d-%d', year(date), year(date) + 1) "
    "ELSE printf('%d-%d', year(date) - 1, year(date)) END"
)


@dataclass
class Export:
    """What :func:`export_parquet` wrote: the folder, rows per table written, the tables
    partitioned by school year, the columns left out per table and the files."""

    folder: Path
    rows: dict[str, int] = field(default_factory=dict)
    partitioned: list[str] = field(default_factory=list)
    left_out: dict[str, list[str]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        """Rows written, all tables together."""
        return sum(self.rows.values())


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def export_parquet(store: Store, out_dir: str | Path, *, free_text: bool = False) -> Export:
    """Write every non-empty data table of ``store`` as Parquet into ``out_dir`` (a new or
    empty folder), partitioned by school year; with ``free_text`` the free-text columns too.
    BrugdataError (one sentence) when the folder holds files already."""
    folder = Path(out_dir)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BrugdataError(
            f"{folder}: the folder is not empty; export into a new or empty folder (an "
            "older export's files would mix with the new)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    con = store.con
    done = Export(folder)
    for spec in TABLES.values():
        n = int(con.execute(f"SELECT count(*) FROM {spec.name}").fetchall()[0][0])
        left = [c for c in spec.column_names if (spec.name, c) in FREE_TEXT and not free_text]
        if left:
            done.left_out[spec.name] = left
        if n == 0:
            continue
        cols = [_quote(c) for c in spec.column_names if c not in left]
        if "school_year" not in spec.column_names and "date" in spec.column_names:
            cols.append(f"{_SCHOOL_YEAR_OF_DATE} AS school_year")
        query = f"SELECT {', '.join(cols)} FROM {spec.name} ORDER BY _ingest_id, _line"
        target = folder / spec.name
        path = str(target).replace("'", "''")
        if "school_year" in spec.column_names or "date" in spec.column_names:
            con.execute(
                f"COPY ({query}) TO '{path}' (FORMAT parquet, PARTITION_BY (school_year))"
            ).fetchall()
            done.partitioned.append(spec.name)
        else:
            target.mkdir()
            con.execute(f"COPY ({query}) TO '{path}/data.parquet' (FORMAT parquet)").fetchall()
        done.rows[spec.name] = n
        done.files += sorted(target.rglob("*.parquet"))
    return done
