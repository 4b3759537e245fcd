"""What every analysis shares: where the data comes from, enriched contacts, intervals, bands.

An analysis takes a *source*: a :class:`~brugdata.store.Store`, a DuckDB connection holding the
store's tables, or a mapping of table name → polars frame (canonical columns, as
``store.table(name)`` returns them). :func:`connect` turns any of these into a DuckDB connection
on which the analysis runs its SQL, so every analysis is written once, in SQL.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union

import duckdb
import polars as pl

from brugdata.model import TABLES

if TYPE_CHECKING:
    from brugdata.store import Store

__all__ = [
    "BANDS",
    "CONTACTS_X",
    "DERIVED",
    "Source",
    "band_label",
    "connect",
    "contacts_x",
    "derived_sql",
    "derived_state_sql",
    "has_tables",
    "links_x",
    "people_x",
    "pilot_clause",
    "query",
    "school_year_sql",
    "themes_x",
    "counts_x",
    "wilson",
]

Source = Union["Store", duckdb.DuckDBPyConnection, Mapping[str, pl.DataFrame]]

#: Reach bands (percent) as the Gooi en Vechtstreek evaluation shows them: [low, high).
BANDS: tuple[tuple[int, int], ...] = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100))


def connect(source: Source) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection on which every data table of the model can be queried by name."""
    from brugdata.store import Store

    if isinstance(source, Store):
        return source.con
    if isinstance(source, duckdb.DuckDBPyConnection):
        return source
    if isinstance(source, Mapping):
        return _frames_connection(source)
    raise TypeError(
        f"an analysis needs a Store, a DuckDB connection or a mapping of frames, "
        f"not {type(source).__name__}"
    )


def _frames_connection(frames: Mapping[str, pl.DataFrame]) -> duckdb.DuckDBPyConnection:
    from brugdata.schemas import dtype_of
    from brugdata.store import column_sql_type

    unknown = set(frames) - set(TABLES)
    if unknown:
        raise ValueError(f"unknown tables {sorted(unknown)}; known: {', '.join(TABLES)}")
    con = duckdb.connect(":memory:")
    for name, spec in TABLES.items():
        cols = ", ".join(f'"{c.name}" {column_sql_type(c)}' for c in spec.columns)
        con.execute(f"CREATE TABLE {name} ({cols})").fetchall()
        frame = frames.get(name)
        if frame is None or frame.is_empty():
            continue
        missing = [c.name for c in spec.columns if c.name not in frame.columns]
        frame = frame.with_columns(
            pl.lit(None, dtype=dtype_of(spec.column(c))).alias(c) for c in missing
        )
        con.register("_frame", frame.select(spec.column_names))
        con.execute(f"INSERT INTO {name} SELECT * FROM _frame").fetchall()
        con.unregister("_frame")
    return con


def query(source: Source, sql: str, params: Sequence[Any] | None = None) -> pl.DataFrame:
    """Run ``sql`` on the source and return a polars frame."""
    return connect(source).sql(sql, params=list(params) if params is not None else None).pl()


def school_year_sql(date: str) -> str:
    """SQL for the school year (``2024-2025``) of a DATE expression; it starts 1 August."""
    return _year_text_sql(_start_year_sql(date))


def _start_year_sql(date: str) -> str:
    """SQL for the first calendar year of the school year of a DATE expression."""
    return f"(year({date}) - CASE WHEN month({date}) >= 8 THEN 0 ELSE 1 END)"


def _year_text_sql(start: str) -> str:
    """SQL for the school year text (``2024-2025``) of its first year ``start``."""
    return f"(CAST({start} AS VARCHAR) || '-' || CAST({start} + 1 AS VARCHAR))"


#: Contacts with the school year of their date, their pilot (the school's pilot that year,
#: else the officer's), school type, month of the year and month of the school year (1 = Aug).
CONTACTS_X = f"""
    SELECT c.*,
           {school_year_sql("c.date")} AS school_year,
           coalesce(s.pilot, o.pilot) AS pilot,
           s.school_type,
           month(c.date) AS month,
           ((month(c.date) + 4) % 12) + 1 AS school_month,
           coalesce(c.family_key, c.person_key) AS family
    FROM contacts c
    LEFT JOIN schools s
           ON s.school_id = c.school_id AND s.school_year = {school_year_sql("c.date")}
    LEFT JOIN officers o ON o.officer_id = c.officer_id
"""


_YEAR = re.compile(r"(\d{4})-(\d{4})")


def contacts_x(school_year: str | None = None) -> str:
    """SQL: :data:`CONTACTS_X`, limited to the dates of ``school_year`` (``2024-2025``: 1 August
    2024 – 31 July 2025) when one is given. The limit is on the stored ``date`` column, so
    DuckDB skips the row groups of other years instead of working out every contact's school
    year first; the rows are those of ``CONTACTS_X WHERE school_year = ...``."""
    match = _YEAR.fullmatch(school_year or "")
    if match is None or int(match[2]) != int(match[1]) + 1:
        return CONTACTS_X  # no year, or one no contact can have: the caller's filter decides
    start = int(match[1])
    return (
        f"{CONTACTS_X} WHERE c.date >= DATE '{start}-08-01' AND c.date < DATE '{start + 1}-08-01'"
    )


# --------------------------------------------------------------------------- derived tables
#
# A store keeps four small tables derived from contacts, in step with it: every ingest adds
# each contacts file's rows to them as it loads the file (``brugdata.store._Loader``) and a
# migration builds them for an older store. Each holds contacts grouped by officer, school,
# school year and what one analysis needs, so the analyses read a few hundred thousand rows
# instead of millions of contacts. Each is a pure function of the contact rows: the pilot and
# school type are joined at query time, so later changes to schools or officers show. Groups
# may repeat (one row per ingest): the analyses aggregate again (sum, count distinct), which
# gives the same numbers as counting the contacts themselves.
#
# The relations below (:func:`people_x`, :func:`themes_x`, :func:`links_x`, :func:`counts_x`)
# read a derived table when the connection has it and it reflects the contacts table (same
# row count and sum of ingest ids as recorded at its last update), and otherwise compute the
# same columns from ``contacts`` (a mapping of frames, a connection without them, contacts
# written through ``store.transaction()``).

#: The first calendar year of a contact's school year: the derived tables keep it (an integer:
#: cheaper to group by and store than the school year's text, which the relations below make
#: when an analysis reads them, as :func:`school_year_sql` makes it).
_START = _start_year_sql("date")

#: name → (CREATE statement, SELECT giving the rows for the contacts that match ``{where}``).
DERIVED: dict[str, tuple[str, str]] = {
    # distinct parents and pupils: reach and parents of pupil cases
    "contacts_people": (
        """CREATE TABLE IF NOT EXISTS contacts_people (
            officer_id VARCHAR, school_id VARCHAR, start_year INTEGER, counterpart VARCHAR,
            person_key VARCHAR, family_key VARCHAR)""",
        f"""SELECT DISTINCT officer_id, school_id, {_START} AS start_year, counterpart,
                   person_key, family_key
            FROM contacts WHERE counterpart IN ('parent', 'pupil') AND ({{where}})""",
    ),
    # theme mentions per month: seasonality and top themes
    "contacts_themes": (
        """CREATE TABLE IF NOT EXISTS contacts_themes (
            officer_id VARCHAR, school_id VARCHAR, start_year INTEGER, month BIGINT,
            counterpart VARCHAR, theme VARCHAR, contacts BIGINT)""",
        """SELECT officer_id, school_id, start_year, month, counterpart, theme,
                  count(*) AS contacts
           FROM ({mentions}) GROUP BY ALL""",
    ),
    # links to colleague roles and partners: the network
    "contacts_links": (
        """CREATE TABLE IF NOT EXISTS contacts_links (
            officer_id VARCHAR, school_id VARCHAR, start_year INTEGER, node VARCHAR,
            node_kind VARCHAR, contacts BIGINT, referrals BIGINT)""",
        f"""SELECT officer_id, school_id, start_year, node, node_kind,
                   CAST(sum(contact) AS BIGINT) AS contacts,
                   CAST(sum(referral) AS BIGINT) AS referrals
            FROM (
                SELECT officer_id, school_id, {_START} AS start_year, colleague_role AS node,
                       'colleague_role' AS node_kind, 1 AS contact, 0 AS referral
                FROM contacts
                WHERE counterpart = 'colleague' AND colleague_role IS NOT NULL AND ({{where}})
                UNION ALL
                SELECT officer_id, school_id, {_START}, partner_id, 'partner', 1, 0
                FROM contacts
                WHERE counterpart = 'partner' AND partner_id IS NOT NULL AND ({{where}})
                UNION ALL
                SELECT officer_id, school_id, {_START}, referred_to, 'partner', 0, 1
                FROM contacts WHERE referred_to IS NOT NULL AND ({{where}})
            )
            GROUP BY ALL""",
    ),
    # contacts and minutes: contact counts and time use
    "contacts_counts": (
        """CREATE TABLE IF NOT EXISTS contacts_counts (
            officer_id VARCHAR, school_id VARCHAR, start_year INTEGER, counterpart VARCHAR,
            contacts BIGINT, minutes BIGINT, timed BIGINT)""",
        f"""SELECT officer_id, school_id, {_START} AS start_year, counterpart,
                   count(*) AS contacts, CAST(sum(duration_min) AS BIGINT) AS minutes,
                   count(duration_min) AS timed
            FROM contacts WHERE {{where}}
            GROUP BY ALL""",
    ),
}

#: A contact's themes, one row each, for ``contacts_themes``: for contacts an ingest validated
#: (their lists hold distinct themes and no nulls) as they are; for any other (a rebuild) the
#: distinct non-null ones, as unnest(list_distinct(themes)) gives them without its cost (an
#: element is kept when not seen earlier in its list).
_MENTIONS_VALIDATED = f"""
    SELECT officer_id, school_id, {_START} AS start_year, month(date) AS month, counterpart,
           unnest(themes) AS theme
    FROM contacts WHERE {{where}}"""
_MENTIONS_ANY = f"""
    SELECT officer_id, school_id, start_year, month, counterpart, theme
    FROM (SELECT officer_id, school_id, {_START} AS start_year, month(date) AS month,
                 counterpart,
                 themes, unnest(themes) AS theme, generate_subscripts(themes, 1) AS i
          FROM contacts WHERE {{where}})
    WHERE theme IS NOT NULL AND (i = 1 OR NOT list_contains(themes[1:i - 1], theme))"""

#: The state of contacts the derived tables reflect: row count and sum of ingest ids.
DERIVED_STATE = "contacts_derived_state"
_STATE_NOW = "SELECT count(*), coalesce(sum(_ingest_id), 0) FROM contacts"


def derived_sql(
    ingest_ids: Sequence[int] | None = None,
    *,
    state: bool = True,
    tables: Sequence[str] = tuple(DERIVED),
) -> list[str]:
    """Statements that bring the derived ``tables`` (default all) up to date after the
    contacts of ``ingest_ids`` were added by an ingest, which validated them (None: rebuild
    them from every contact, whoever wrote it), ending, with ``state``, by recording the state
    of contacts they reflect (:func:`derived_state_sql`)."""
    if ingest_ids is None:
        where, mentions = "TRUE", _MENTIONS_ANY
    else:  # contacts just loaded by an ingest, which validated them
        where = f"_ingest_id IN ({', '.join(str(int(i)) for i in ingest_ids)})"
        mentions = _MENTIONS_VALIDATED
    out: list[str] = []
    for name in tables:
        create, select = DERIVED[name]
        out.append(create)
        if ingest_ids is None:
            out.append(f"DELETE FROM {name}")
        if ingest_ids is None or ingest_ids:
            sql = select.replace("{mentions}", mentions).format(where=where)
            out.append(f"INSERT INTO {name} {sql}")
    return out + derived_state_sql() if state else out


def derived_state_sql() -> list[str]:
    """Statements that record the state of contacts the derived tables reflect now."""
    return [
        f"CREATE TABLE IF NOT EXISTS {DERIVED_STATE} (contacts BIGINT, ingest_sum HUGEINT)",
        f"DELETE FROM {DERIVED_STATE}",
        f"INSERT INTO {DERIVED_STATE} {_STATE_NOW}",
    ]


def has_tables(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> bool:
    """Whether the current database and schema of ``con`` hold every table of ``names``."""
    found = con.execute(
        "SELECT count(DISTINCT table_name) FROM duckdb_tables() WHERE table_name IN "
        f"({', '.join('?' for _ in names)}) AND database_name = current_database() "
        "AND schema_name = current_schema()",
        list(names),
    ).fetchall()
    return bool(found[0][0] == len(set(names)))


def has_derived(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``con`` holds the derived tables and they reflect its contacts table."""
    if not has_tables(con, [*DERIVED, DERIVED_STATE]):
        return False
    row = con.execute(
        f"SELECT s.contacts = n.c AND s.ingest_sum = n.s FROM {DERIVED_STATE} s, "
        f"(SELECT count(*) AS c, coalesce(sum(_ingest_id), 0) AS s FROM contacts) n"
    ).fetchall()
    return len(row) == 1 and bool(row[0][0])


def _with_pilot(table: str, extra: str = "", pilot: bool = True) -> str:
    """A derived table with its school year's text (for its ``start_year``), the pilot (the
    school's that year, else the officer's) and the school type, as :data:`CONTACTS_X` gives
    them (null when ``pilot`` is False: a query that uses neither need not join schools and
    officers)."""
    year = _year_text_sql("start_year")
    d = f"(SELECT * EXCLUDE (start_year), {year} AS school_year FROM {table})"
    if not pilot:
        return f"""
        SELECT d.*, CAST(NULL AS VARCHAR) AS pilot, CAST(NULL AS VARCHAR) AS school_type{extra}
        FROM {d} d
        """
    return f"""
    SELECT d.*, coalesce(s.pilot, o.pilot) AS pilot, s.school_type{extra}
    FROM {d} d
    LEFT JOIN schools s ON s.school_id = d.school_id AND s.school_year = d.school_year
    LEFT JOIN officers o ON o.officer_id = d.officer_id
    """


def people_x(con: duckdb.DuckDBPyConnection, *, pilot: bool = True) -> str:
    """SQL: the parents and pupils contacted, at least one row per officer, school, school
    year, counterpart (parent | pupil), person_key and family_key, with family (family_key,
    else person_key), pilot and school_type (both may be null unless ``pilot``). Count
    people with count(DISTINCT ...)."""
    if has_derived(con):
        return _with_pilot(
            "contacts_people", ", coalesce(d.family_key, d.person_key) AS family", pilot
        )
    return f"""
    SELECT officer_id, school_id, school_year, counterpart, person_key, family_key, pilot,
           school_type, family
    FROM ({CONTACTS_X}) WHERE counterpart IN ('parent', 'pupil')
    """


def themes_x(con: duckdb.DuckDBPyConnection) -> str:
    """SQL: theme mentions (a contact's distinct themes) by officer, school, school year,
    month, school_month, counterpart and theme, with ``n`` contacts, pilot and school_type.
    Count with sum(n)."""
    if has_derived(con):
        return _with_pilot(
            "contacts_themes", ", ((d.month + 4) % 12) + 1 AS school_month, d.contacts AS n"
        )
    return f"""
    SELECT officer_id, school_id, school_year, month, school_month, counterpart,
           unnest(list_distinct(themes)) AS theme, 1 AS n, pilot, school_type
    FROM ({CONTACTS_X})
    """


def links_x(con: duckdb.DuckDBPyConnection) -> str:
    """SQL: officers' links to colleague roles and partners by officer, school, school year,
    node and node_kind (colleague_role | partner), with ``contact`` (colleague or partner
    contacts) and ``referral`` (referrals to the partner) counts. Count with sum()."""
    if has_derived(con):
        return f"""
        SELECT officer_id, school_id, {_year_text_sql("start_year")} AS school_year, node,
               node_kind, contacts AS contact, referrals AS referral
        FROM contacts_links
        """
    return f"""
    WITH x AS ({CONTACTS_X})
    SELECT officer_id, school_id, school_year, colleague_role AS node,
           'colleague_role' AS node_kind, 1 AS contact, 0 AS referral
    FROM x WHERE counterpart = 'colleague' AND colleague_role IS NOT NULL
    UNION ALL
    SELECT officer_id, school_id, school_year, partner_id, 'partner', 1, 0
    FROM x WHERE counterpart = 'partner' AND partner_id IS NOT NULL
    UNION ALL
    SELECT officer_id, school_id, school_year, referred_to, 'partner', 0, 1
    FROM x WHERE referred_to IS NOT NULL
    """


def counts_x(con: duckdb.DuckDBPyConnection) -> str:
    """SQL: contacts by officer, school, school year and counterpart with ``n`` contacts,
    ``minutes`` (summed durations; null when none has one) and ``timed`` (contacts with a
    duration), pilot and school_type. Count with sum(n)."""
    if has_derived(con):
        return _with_pilot("contacts_counts", ", d.contacts AS n")
    return f"""
    SELECT officer_id, school_id, school_year, counterpart, 1 AS n, duration_min AS minutes,
           CASE WHEN duration_min IS NULL THEN 0 ELSE 1 END AS timed, pilot, school_type
    FROM ({CONTACTS_X})
    """


def pilot_clause(column: str, pilots: Sequence[str] | None) -> tuple[str, list[Any]]:
    """A SQL condition restricting ``column`` to ``pilots`` (always true for None)."""
    if not pilots:
        return "TRUE", []
    return f"{column} IN ({', '.join('?' for _ in pilots)})", list(pilots)


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval (95% by default) of a proportion ``k / n`` as fractions."""
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def wilson_exprs(k: str, n: str, z: float = 1.959964) -> tuple[pl.Expr, pl.Expr]:
    """Polars expressions for the Wilson interval (in percent) of columns ``k`` / ``n``; null
    where ``n`` is null or zero."""
    kk, nn = pl.col(k).cast(pl.Float64), pl.col(n).cast(pl.Float64)
    p = kk / nn
    denom = 1 + z * z / nn
    centre = (p + z * z / (2 * nn)) / denom
    half = z * (p * (1 - p) / nn + z * z / (4 * nn * nn)).sqrt() / denom
    ok = nn.is_not_null() & (nn > 0)
    low = pl.when(ok).then(((centre - half).clip(0, 1)) * 100)
    high = pl.when(ok).then(((centre + half).clip(0, 1)) * 100)
    return low, high


def band_label(low: int, high: int) -> str:
    """``"20–40%"``."""
    return f"{low}–{high}%"


def band_expr(pct: str) -> pl.Expr:
    """The reach band label of a percentage column (100% falls in the top band)."""
    expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for low, high in reversed(BANDS):
        upper = pl.col(pct) <= high if high == BANDS[-1][1] else pl.col(pct) < high
        expr = (
            pl.when((pl.col(pct) >= low) & upper)
            .then(pl.lit(band_label(low, high)))
            .otherwise(expr)
        )
    return expr
