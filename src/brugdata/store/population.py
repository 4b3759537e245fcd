"""The population of the store's schools from DUO totals (:func:`fill_population`), with the
bounds of DUO's ``<5`` cells kept in ``population_bounds``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from brugdata.ingest.duo import SECTOR_SCHOOL_TYPES, DuoPupils
from brugdata.model.calendar import count_date as _count_date
from brugdata.model.calendar import school_year_start

if TYPE_CHECKING:
    from brugdata.store.store import Store

__all__ = ["BOUNDS_SQL", "BOUNDS_TABLE", "PopulationUpdate", "fill_population"]

#: The table holding the pupil bounds from DUO, next to ``schools.pupils``.
BOUNDS_TABLE = "population_bounds"

BOUNDS_SQL = f"""
    CREATE TABLE IF NOT EXISTS {BOUNDS_TABLE} (
        school_id VARCHAR NOT NULL,
        school_year VARCHAR NOT NULL,
        pupils_low BIGINT NOT NULL,
        pupils_high BIGINT NOT NULL,
        source VARCHAR NOT NULL,
        count_date DATE NOT NULL,
        loaded_at TIMESTAMP NOT NULL
    )"""


@dataclass(frozen=True)
class PopulationUpdate:
    """What :func:`fill_population` did for one school year.

    - ``filled``: schools that had no pupils and got them (school_id, old_pupils (null),
      new_pupils_low, new_pupils_high);
    - ``changed``: schools whose pupils lie outside the file's bounds (same columns and
      ``applied``: written only with ``replace=True``);
    - ``unchanged``: schools whose pupils lie within the bounds (kept as they are; the
      bounds are recorded);
    - ``missing``: schools of the store in that school year, of the types the file covers
      (:data:`SECTOR_SCHOOL_TYPES`), that the file lacks (school_id, name, school_type,
      pupils);
    - ``not_in_store``: how many schools of the file the store does not have that year.
    """

    school_year: str
    count_date: dt.date
    source: str
    replace: bool
    filled: pl.DataFrame
    changed: pl.DataFrame
    unchanged: pl.DataFrame
    missing: pl.DataFrame
    not_in_store: int

    @property
    def refused(self) -> int:
        """Changed counts not written because ``replace`` was not given."""
        return int(self.changed.filter(~pl.col("applied")).height)

    @property
    def written(self) -> int:
        """Schools whose bounds were recorded in ``population_bounds``."""
        applied = int(self.changed.filter(pl.col("applied")).height)
        return self.filled.height + self.unchanged.height + applied


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> None:
    con.execute(sql, params).fetchall()


def fill_population(
    store: Store, duo: DuoPupils, *, school_year: str, replace: bool = False
) -> PopulationUpdate:
    """Fill the pupils of the store's schools of ``school_year`` from DUO totals.

    Schools are matched on school_id (BRIN6 for a po file, BRIN4 for a vo file). A school
    without pupils gets ``pupils_low``; a school whose pupils lie within
    [pupils_low, pupils_high] keeps them; a school whose pupils lie outside is *changed* and
    gets ``pupils_low`` only with ``replace=True``. For every school written or kept, the
    bounds go to the table ``population_bounds`` (one row per school and school year,
    replacing an earlier one) with the source, the count date (1 October of the school year)
    and the time. Everything is written in one transaction."""
    school_start = school_year_start(school_year)
    year = f"{school_start.year}-{school_start.year + 1}"
    counted = _count_date(year)
    schools = store.sql(
        "SELECT school_id, name, school_type, pupils FROM schools WHERE school_year = ? "
        "ORDER BY school_id",
        [year],
    )
    matched = schools.join(duo.frame, on="school_id", how="inner").select(
        "school_id",
        pl.col("pupils").alias("old_pupils"),
        pl.col("pupils_low").alias("new_pupils_low"),
        pl.col("pupils_high").alias("new_pupils_high"),
    )
    old, low, high = pl.col("old_pupils"), pl.col("new_pupils_low"), pl.col("new_pupils_high")
    filled = matched.filter(old.is_null())
    unchanged = matched.filter(old.is_not_null() & (old >= low) & (old <= high))
    changed = matched.filter(old.is_not_null() & ((old < low) | (old > high))).with_columns(
        pl.lit(replace).alias("applied")
    )
    types = SECTOR_SCHOOL_TYPES[duo.sector]
    missing = schools.filter(
        pl.col("school_type").is_in(list(types))
        & ~pl.col("school_id").is_in(duo.frame["school_id"].implode())
    )
    not_in_store = duo.frame.filter(~pl.col("school_id").is_in(schools["school_id"].implode()))

    to_pupils = pl.concat([filled, changed.filter(pl.col("applied")).drop("applied")])
    to_bounds = pl.concat([to_pupils, unchanged])
    if to_bounds.height:
        now = dt.datetime.now()
        bounds = to_bounds.select(
            "school_id",
            pl.lit(year).alias("school_year"),
            pl.col("new_pupils_low").alias("pupils_low"),
            pl.col("new_pupils_high").alias("pupils_high"),
            pl.lit(duo.source).alias("source"),
            pl.lit(counted).alias("count_date"),
            pl.lit(now).alias("loaded_at"),
        )
        pupils = to_pupils.select("school_id", pl.col("new_pupils_low").alias("pupils"))
        # schools and bounds only: the tables derived from contacts stay as they are (they
        # hold no school data), so the write need not rebuild them as transaction() does
        with store._write(rebuild_derived=False) as con:
            _run(con, BOUNDS_SQL)
            con.register("_brugdata_bounds", bounds)
            con.register("_brugdata_pupils", pupils)
            try:
                _run(
                    con,
                    "UPDATE schools SET pupils = p.pupils FROM _brugdata_pupils p "
                    "WHERE schools.school_id = p.school_id AND schools.school_year = ?",
                    [year],
                )
                _run(
                    con,
                    f"DELETE FROM {BOUNDS_TABLE} WHERE school_year = ? AND school_id IN "
                    "(SELECT school_id FROM _brugdata_bounds)",
                    [year],
                )
                _run(con, f"INSERT INTO {BOUNDS_TABLE} SELECT * FROM _brugdata_bounds")
            finally:
                con.unregister("_brugdata_bounds")
                con.unregister("_brugdata_pupils")
    return PopulationUpdate(
        school_year=year,
        count_date=counted,
        source=duo.source,
        replace=replace,
        filled=filled,
        changed=changed,
        unchanged=unchanged,
        missing=missing,
        not_in_store=not_in_store.height,
    )
