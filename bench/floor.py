"""The floor: hand-written DuckDB SQL computing each analysis's numbers straight from the
Parquet files, as someone who knows DuckDB well would write it for this one question (no
store, no validation, no derived tables; aggregate before joining and unnesting where that
is cheaper). Each function takes a fresh connection and the Parquet folder and returns
the core numbers as polars frames, in the shapes of :mod:`core`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from brugdata.analysis.compare import SCHOOL_WEEKS
from brugdata.analysis.time_use import FALLBACK_TASK, counterpart_tasks
from brugdata.model.vocab import vocabulary

#: school year (start year) of a date, as an integer
Y = "(year(date) - CASE WHEN month(date) < 8 THEN 1 ELSE 0 END)"
SY = "(CAST(y AS VARCHAR) || '-' || CAST(y + 1 AS VARCHAR))"


def _files(folder: Path) -> dict[str, str]:
    def q(name: str) -> str:
        return f"read_parquet('{(folder / name).as_posix()}')"

    return {
        "contacts": q("contacts_*.parquet"),
        "schools": q("schools.parquet"),
        "officers": q("officers.parquet"),
        "assignments": q("assignments.parquet"),
        "time_use": q("time_use.parquet"),
    }


def reach(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, pl.DataFrame]:
    f = _files(folder)
    sql = f"""
    WITH s AS (SELECT school_id, CAST(substr(school_year, 1, 4) AS INTEGER) AS y, pupils,
                      families FROM {f["schools"]}),
    r AS (
        SELECT school_id, {Y} AS y, counterpart,
               count(DISTINCT CASE WHEN counterpart = 'parent'
                                   THEN coalesce(family_key, person_key)
                                   ELSE person_key END) AS reached
        FROM {f["contacts"]} WHERE counterpart IN ('parent', 'pupil')
        GROUP BY ALL
    ),
    p AS (SELECT s.*, c.counterpart FROM s, (VALUES ('parent'), ('pupil')) c(counterpart))
    SELECT school_id, {SY} AS school_year, counterpart, reached, population,
           CASE WHEN population > 0 THEN 100.0 * reached / population END AS pct
    FROM (
        SELECT coalesce(p.school_id, r.school_id) AS school_id, coalesce(p.y, r.y) AS y,
               coalesce(p.counterpart, r.counterpart) AS counterpart,
               coalesce(r.reached, 0) AS reached,
               CASE WHEN coalesce(p.counterpart, r.counterpart) = 'parent' THEN p.families
                    ELSE p.pupils END AS population
        FROM p FULL JOIN r
          ON p.school_id = r.school_id AND p.y = r.y AND p.counterpart = r.counterpart
    )
    """
    return {"reach": con.sql(sql).pl()}


def seasonality(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, pl.DataFrame]:
    f = _files(folder)
    sql = f"""
    WITH s AS (SELECT school_id, CAST(substr(school_year, 1, 4) AS INTEGER) AS y, pilot
               FROM {f["schools"]}),
    o AS (SELECT officer_id, pilot FROM {f["officers"]}),
    m AS (
        SELECT pilot, y, theme, school_month, count(*) AS contacts
        FROM (
            SELECT coalesce(s.pilot, o.pilot) AS pilot, c.y,
                   ((month(c.date) + 4) % 12) + 1 AS school_month,
                   unnest(string_split(c.themes, '|')) AS theme
            FROM (SELECT officer_id, school_id, date, themes, {Y} AS y
                  FROM {f["contacts"]}) c
            LEFT JOIN s ON s.school_id = c.school_id AND s.y = c.y
            LEFT JOIN o ON o.officer_id = c.officer_id
        )
        GROUP BY ALL
    ),
    grid AS (SELECT g.pilot, g.y, g.theme, CAST(r.school_month AS BIGINT) AS school_month
             FROM (SELECT DISTINCT pilot, y, theme FROM m) g, range(1, 13) r(school_month)),
    filled AS (SELECT grid.*, CAST(coalesce(m.contacts, 0) AS BIGINT) AS contacts
               FROM grid LEFT JOIN m USING (pilot, y, theme, school_month))
    SELECT pilot, {SY} AS school_year, theme, school_month, contacts,
           contacts / nullif(sum(contacts) OVER (PARTITION BY pilot, y, school_month), 0)
               AS share,
           contacts / nullif(sum(contacts) OVER (PARTITION BY pilot, y, theme) / 12.0, 0)
               AS seasonal_index
    FROM filled
    """
    return {"seasonality": con.sql(sql).pl()}


def network(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, pl.DataFrame]:
    f = _files(folder)
    # an officer's links in a school year; the pilot is the officer's
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE links AS
    WITH c AS (SELECT officer_id, school_id, {Y} AS y, counterpart, colleague_role,
                      partner_id, referred_to
               FROM {f["contacts"]}
               WHERE counterpart IN ('colleague', 'partner') OR referred_to IS NOT NULL)
    SELECT o.pilot, l.* FROM (
        SELECT officer_id, school_id, y, colleague_role AS node, 'colleague_role' AS node_kind,
               1 AS contact, 0 AS referral
        FROM c WHERE counterpart = 'colleague' AND colleague_role IS NOT NULL
        UNION ALL
        SELECT officer_id, school_id, y, partner_id, 'partner', 1, 0
        FROM c WHERE counterpart = 'partner' AND partner_id IS NOT NULL
        UNION ALL
        SELECT officer_id, school_id, y, referred_to, 'partner', 0, 1
        FROM c WHERE referred_to IS NOT NULL
    ) l JOIN {f["officers"]} o USING (officer_id)
    """).fetchall()
    edges = con.sql(f"""
        SELECT pilot, {SY} AS school_year, officer_id, node_kind, node,
               CAST(sum(contact) AS BIGINT) AS contacts,
               CAST(sum(referral) AS BIGINT) AS referrals,
               CAST(sum(contact + referral) AS BIGINT) AS weight
        FROM links GROUP BY ALL
    """).pl()
    # every officer in each school year their pilot has schools, assignments or links
    officers = con.sql(f"""
        WITH years AS (
            SELECT DISTINCT pilot, y FROM (
                SELECT pilot, CAST(substr(school_year, 1, 4) AS INTEGER) AS y
                FROM {f["schools"]}
                UNION ALL
                SELECT o.pilot, CAST(substr(a.school_year, 1, 4) AS INTEGER)
                FROM {f["assignments"]} a JOIN {f["officers"]} o USING (officer_id)
                UNION ALL
                SELECT pilot, y FROM links)),
        counts AS (
            SELECT officer_id, y,
                   count(DISTINCT (school_id, node))
                       FILTER (WHERE node_kind = 'colleague_role') AS internal,
                   count(DISTINCT node) FILTER (WHERE node_kind = 'partner') AS external
            FROM links GROUP BY ALL)
        SELECT o.pilot, {SY.replace("y", "years.y")} AS school_year, o.officer_id,
               coalesce(n.internal, 0) AS internal, coalesce(n.external, 0) AS external
        FROM {f["officers"]} o
        JOIN years USING (pilot)
        LEFT JOIN counts n ON n.officer_id = o.officer_id AND n.y = years.y
    """).pl()
    return {"edges": edges, "officers": officers}


def _mapping_sql() -> str:
    rows = ", ".join(f"('{k}', '{v}')" for k, v in counterpart_tasks().items())
    return f"(VALUES {rows}) m(counterpart, task)"


def time_use(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, pl.DataFrame]:
    f = _files(folder)
    tasks = ", ".join(f"('{t}')" for t in vocabulary("task").code_list)
    sql = f"""
    WITH rep AS (SELECT officer_id, school_year, task, CAST(share_pct AS DOUBLE) AS share_pct
                 FROM {f["time_use"]}),
    ry AS (SELECT DISTINCT officer_id, school_year FROM rep),
    per AS (SELECT officer_id, {Y} AS y, counterpart, sum(duration_min) AS minutes
            FROM {f["contacts"]} WHERE duration_min IS NOT NULL GROUP BY ALL),
    logged AS (
        SELECT p.officer_id, {SY.replace("y", "p.y")} AS school_year,
               coalesce(m.task, '{FALLBACK_TASK}') AS task, sum(p.minutes) AS minutes
        FROM per p LEFT JOIN {_mapping_sql()} ON m.counterpart = p.counterpart
        GROUP BY ALL
    ),
    derived AS (
        SELECT officer_id, school_year, task, 100.0 * minutes / total AS share_pct
        FROM (SELECT l.*, sum(minutes) OVER (PARTITION BY officer_id, school_year) AS total
              FROM logged l ANTI JOIN ry USING (officer_id, school_year))
        WHERE total > 0
    ),
    shares AS (SELECT *, 'time_use' AS source FROM rep
               UNION ALL SELECT *, 'contacts' AS source FROM derived),
    tasks AS (SELECT task FROM (VALUES {tasks}) t(task) UNION SELECT task FROM shares)
    SELECT k.officer_id, k.school_year, t.task, coalesce(s.share_pct, 0.0) AS share_pct,
           k.source
    FROM (SELECT DISTINCT officer_id, school_year, source FROM shares) k
    CROSS JOIN tasks t
    LEFT JOIN shares s USING (officer_id, school_year, task)
    """
    return {"time_use": con.sql(sql).pl()}


def compare(
    con: duckdb.DuckDBPyConnection, folder: Path, school_year: str, top: int = 3
) -> dict[str, pl.DataFrame]:
    f = _files(folder)
    year = int(school_year[:4])
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE cy AS
    WITH s AS (SELECT * FROM {f["schools"]} WHERE school_year = '{school_year}')
    SELECT coalesce(s.pilot, o.pilot) AS pilot, c.officer_id, c.school_id, c.counterpart,
           c.person_key, c.family_key, c.colleague_role, c.partner_id, c.referred_to,
           c.themes, s.families IS NOT NULL AS families_known,
           s.pupils IS NOT NULL AS pupils_known
    FROM (SELECT * FROM {f["contacts"]}
          WHERE date >= DATE '{year}-08-01' AND date < DATE '{year + 1}-08-01') c
    LEFT JOIN s ON s.school_id = c.school_id
    LEFT JOIN {f["officers"]} o ON o.officer_id = c.officer_id
    """).fetchall()
    sql = f"""
    WITH s AS (SELECT * FROM {f["schools"]} WHERE school_year = '{school_year}'),
    o AS (SELECT * FROM {f["officers"]}),
    hours AS (SELECT s.pilot, sum(a.hours_per_week) AS hours
              FROM {f["assignments"]} a JOIN s USING (school_id, school_year)
              GROUP BY ALL),
    -- a population with schools of unknown count is given over the schools whose count is
    -- known, and so is the reach as a share of it
    pop AS (SELECT pilot, count(DISTINCT school_id) AS schools,
                   CAST(sum(pupils) AS DOUBLE) AS pupils,
                   CAST(sum(families) AS DOUBLE) AS families,
                   count(*) FILTER (WHERE pupils IS NULL) AS pupils_unknown,
                   count(*) FILTER (WHERE families IS NULL) AS families_unknown
            FROM s GROUP BY ALL),
    reached AS (
        SELECT pilot,
               count(DISTINCT coalesce(family_key, person_key))
                   FILTER (WHERE counterpart = 'parent') AS parents,
               count(DISTINCT person_key) FILTER (WHERE counterpart = 'pupil') AS pupils,
               count(DISTINCT coalesce(family_key, person_key))
                   FILTER (WHERE counterpart = 'parent' AND families_known) AS parents_known,
               count(DISTINCT person_key)
                   FILTER (WHERE counterpart = 'pupil' AND pupils_known) AS pupils_known,
               count(*) AS contacts
        FROM cy GROUP BY ALL),
    pupil_cases AS (
        SELECT pilot, person_key, any_value(family_key) AS family_key
        FROM cy WHERE counterpart = 'pupil' GROUP BY ALL),
    parent_families AS (
        SELECT DISTINCT pilot, coalesce(family_key, person_key) AS family
        FROM cy WHERE counterpart = 'parent'),
    cases AS (
        SELECT u.pilot, count(u.family_key) AS linked, count(p.family) AS contacted
        FROM pupil_cases u LEFT JOIN parent_families p
          ON p.pilot = u.pilot AND p.family = u.family_key
        GROUP BY ALL),
    links AS (
        SELECT officer_id, school_id, colleague_role AS node, 'colleague_role' AS kind
        FROM cy WHERE counterpart = 'colleague' AND colleague_role IS NOT NULL
        UNION ALL SELECT officer_id, school_id, partner_id, 'partner'
        FROM cy WHERE counterpart = 'partner' AND partner_id IS NOT NULL
        UNION ALL SELECT officer_id, school_id, referred_to, 'partner'
        FROM cy WHERE referred_to IS NOT NULL),
    per_officer AS (
        SELECT o.pilot, o.officer_id,
               count(DISTINCT (l.school_id, l.node)) FILTER (WHERE l.kind = 'colleague_role')
                   AS internal,
               count(DISTINCT l.node) FILTER (WHERE l.kind = 'partner') AS external
        FROM o LEFT JOIN links l USING (officer_id) GROUP BY ALL),
    partners AS (SELECT pilot, avg(internal) AS internal, avg(external) AS external
                 FROM per_officer GROUP BY ALL),
    officers AS (SELECT pilot, count(*) AS officers FROM o GROUP BY ALL)
    SELECT pilot, '{school_year}' AS school_year, metric, value FROM (
        SELECT p.pilot, p.schools AS "schools", officers.officers AS "officers",
               h.hours AS "hours_per_week", p.pupils AS "pupils", p.families AS "families",
               r.parents AS "parents_reached", r.pupils AS "pupils_reached",
               100.0 * CASE WHEN p.families_unknown > 0 THEN r.parents_known ELSE r.parents END
                   / p.families AS "parents_reached_pct",
               100.0 * CASE WHEN p.pupils_unknown > 0 THEN r.pupils_known ELSE r.pupils END
                   / p.pupils AS "pupils_reached_pct",
               r.parents / h.hours AS "parents_reached_per_weekly_hour",
               r.pupils / h.hours AS "pupils_reached_per_weekly_hour",
               r.contacts AS "contacts",
               r.contacts / (h.hours * {SCHOOL_WEEKS}) AS "contacts_per_officer_hour",
               100.0 * c.contacted / c.linked AS "pupil_cases_parents_contacted_pct",
               pa.internal AS "internal_per_officer", pa.external AS "external_per_officer"
        FROM pop p
        LEFT JOIN officers USING (pilot) LEFT JOIN hours h USING (pilot)
        LEFT JOIN reached r USING (pilot) LEFT JOIN cases c USING (pilot)
        LEFT JOIN partners pa USING (pilot)
    ) UNPIVOT INCLUDE NULLS (value FOR metric IN (
        "schools", "officers", "hours_per_week", "pupils", "families", "parents_reached",
        "pupils_reached", "parents_reached_pct", "pupils_reached_pct",
        "parents_reached_per_weekly_hour", "pupils_reached_per_weekly_hour", "contacts",
        "contacts_per_officer_hour", "pupil_cases_parents_contacted_pct",
        "internal_per_officer", "external_per_officer"))
    """
    figures = con.sql(sql).pl()
    themes = con.sql(f"""
        WITH g AS (SELECT pilot, themes, count(*) AS n FROM cy GROUP BY ALL),
        n AS (SELECT pilot, sum(n) AS contacts FROM g GROUP BY ALL),
        t AS (SELECT pilot, theme, sum(n) AS n
              FROM (SELECT pilot, n, unnest(string_split(themes, '|')) AS theme FROM g)
              GROUP BY ALL)
        SELECT t.pilot, '{school_year}' AS school_year, t.theme AS label,
               100.0 * t.n / n.contacts AS value
        FROM t JOIN n USING (pilot)
        QUALIFY row_number() OVER (PARTITION BY t.pilot ORDER BY t.n DESC, t.theme) <= {top}
    """).pl()
    return {"figures": figures, "top_themes": themes}
