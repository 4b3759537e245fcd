"""Tables a store keeps derived from its contacts, so analyses read small tables at scale."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import duckdb

from brugdata.sql import has_tables, start_year_sql

T = TypeVar("T")

# --------------------------------------------------------------------------- derived tables
#
# A store keeps five small tables derived from contacts, in step with it after every write:
# an ingest adds each contacts file's rows to them as it loads the file
# (``brugdata.store.pipeline.Loader``); ``store.transaction()`` and every migration rebuild
# them from every contact before they commit (:func:`derived_sql` with None). Each holds
# contacts grouped by officer, school, school year and what one analysis needs, so the
# analyses read a few hundred thousand rows instead of millions of contacts. Each is a pure
# function of the contact rows: the pilot and school type are joined at query time, so later
# changes to schools or officers show. Groups may repeat (one row per ingest): the analyses
# aggregate again (sum, count distinct), which gives the same numbers as counting the contacts
# themselves.
#
# The relations of ``brugdata.analysis._common`` (people_x, themes_x, links_x, counts_x) read a
# derived table when the connection has it and it reflects the contacts table
# (:func:`has_derived`: same row count and sum of ingest ids as recorded at its last update),
# and otherwise compute the same columns from ``contacts`` (a mapping of frames, a connection
# without them, reads inside ``store.transaction()``, a file another tool wrote to). That check
# is a safety net: it cannot see an UPDATE, which is why every write through brugdata keeps
# the tables in step itself.

#: The first calendar year of a contact's school year: the derived tables keep it (an integer:
#: cheaper to group by and store than the school year's text, which the relations below make
#: when an analysis reads them, as :func:`school_year_sql` makes it).
_START = start_year_sql("date")

#: A contact belongs to a family's case (:mod:`brugdata.analysis._cases`): a parent or pupil
#: contact with a family (``family_key``, else ``person_key``), or a contact of any
#: counterpart that names a family (``family_key``) and refers (``referred_to``).
IN_CASE = (
    "((counterpart IN ('parent', 'pupil') AND coalesce(family_key, person_key) IS NOT NULL)"
    " OR (referred_to IS NOT NULL AND family_key IS NOT NULL))"
)

#: The family of a contact in a case: for a parent or pupil contact its ``family_key``, else
#: its ``person_key``; for any other (a referral naming a family) its ``family_key``.
CASE_FAMILY = (
    "CASE WHEN counterpart IN ('parent', 'pupil') THEN coalesce(family_key, person_key)"
    " ELSE family_key END"
)

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
    # the contacts of each family's case, by counterpart and partner referred to: pathways
    # (without their themes, which only cases() and pathways by theme read, from contacts:
    # a list per row would make this table three times as costly to add to at every ingest)
    "contacts_cases": (
        """CREATE TABLE IF NOT EXISTS contacts_cases (
            officer_id VARCHAR, school_id VARCHAR, start_year INTEGER, family VARCHAR,
            counterpart VARCHAR, referred_to VARCHAR, first_date DATE, last_date DATE,
            contacts BIGINT)""",
        f"""SELECT officer_id, school_id, {_START} AS start_year, {CASE_FAMILY} AS family,
                   counterpart, referred_to, min(date) AS first_date, max(date) AS last_date,
                   count(*) AS contacts
            FROM contacts WHERE {IN_CASE} AND ({{where}})
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


def derived_sql(ingest_ids: Sequence[int] | None = None, *, state: bool = True) -> list[str]:
    """Statements that bring the derived tables up to date after the contacts of
    ``ingest_ids`` were added by an ingest, which validated them (None: rebuild them from
    every contact, whoever wrote it), ending, with ``state``, by recording the state of
    contacts they reflect (:func:`derived_state_sql`)."""
    if ingest_ids is None:
        where, mentions = "TRUE", _MENTIONS_ANY
    else:  # contacts just loaded by an ingest, which validated them
        where = f"_ingest_id IN ({', '.join(str(int(i)) for i in ingest_ids)})"
        mentions = _MENTIONS_VALIDATED
    out: list[str] = []
    for name, (create, select) in DERIVED.items():
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


def stale_sql() -> list[str]:
    """Statements that mark the derived tables as not in step with contacts (the analyses
    then read contacts), until :func:`derived_sql` records their state again."""
    return [
        f"CREATE TABLE IF NOT EXISTS {DERIVED_STATE} (contacts BIGINT, ingest_sum HUGEINT)",
        f"DELETE FROM {DERIVED_STATE}",
    ]


#: Inside :func:`one_reading`: (connection id, question) → (the connection, the answer). The
#: connection is kept with its answers, so that its id is not reused in the block.
_READING: ContextVar[dict[tuple[int, Hashable], tuple[duckdb.DuckDBPyConnection, Any]] | None] = (
    ContextVar("_READING", default=None)
)


@contextmanager
def one_reading() -> Iterator[None]:
    """A block that only reads (one analysis, one report): in it :func:`has_derived` checks
    each connection once instead of once per relation, and :func:`per_reading` answers each
    question once. The check sums a column of contacts, which at 10M contacts costs about as
    much as a small analysis; an analysis like compare builds a dozen relations. Nothing may
    write to contacts inside the block."""
    token = _READING.set({} if _READING.get() is None else _READING.get())
    try:
        yield
    finally:
        _READING.reset(token)


def per_reading(con: duckdb.DuckDBPyConnection, question: Hashable, answer: Callable[[], T]) -> T:
    """``answer()``, asked once per connection and ``question`` inside :func:`one_reading`
    (outside it every time: the store may change between two calls)."""
    known = _READING.get()
    if known is None:
        return answer()
    key = (id(con), question)
    if key not in known:
        known[key] = (con, answer())
    return known[key][1]  # type: ignore[no-any-return]


def has_derived(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``con`` holds the derived tables and they reflect its contacts table (asked
    once per connection inside :func:`one_reading`)."""
    return per_reading(con, "has_derived", lambda: _has_derived(con))


def _has_derived(con: duckdb.DuckDBPyConnection) -> bool:
    if not has_tables(con, [*DERIVED, DERIVED_STATE]):
        return False
    row = con.execute(
        f"SELECT s.contacts = n.c AND s.ingest_sum = n.s FROM {DERIVED_STATE} s, "
        f"(SELECT count(*) AS c, coalesce(sum(_ingest_id), 0) AS s FROM contacts) n"
    ).fetchall()
    return len(row) == 1 and bool(row[0][0])
