"""Time use: the share of working time an officer spends on each task.

Officers report their time use per task (table ``time_use``). For an officer without such
rows in a school year the shares are derived from the durations of their logged contacts,
each contact counting for a task by its counterpart (``data/time_use_tasks.toml``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, Literal

import polars as pl

from brugdata.analysis import _questionnaire as questionnaire
from brugdata.analysis._common import counts_x, pilot_clause
from brugdata.analysis._contract import (
    SourceKind,
    check_selection,
    cols,
    group_columns,
    resolve_source,
)
from brugdata.analysis._mixed import per_pilot_source
from brugdata.model.vocab import load_data_toml, vocabulary
from brugdata.sql import Source, connect, query

__all__ = ["BY", "counterpart_tasks", "time_use"]

#: The task of a contact whose counterpart the mapping does not list.
FALLBACK_TASK = "other"

#: The ``by`` keys of :func:`time_use` (the same for the log and the questionnaire).
BY: tuple[str, ...] = ("pilot", "officer", "school_year")


@cache
def counterpart_tasks() -> dict[str, str]:
    """Counterpart code → task code, as shipped in ``data/time_use_tasks.toml``."""
    return dict(load_data_toml("time_use_tasks.toml")["counterpart"])


@per_pilot_source
def time_use(
    data: Source,
    /,
    *,
    by: Literal["pilot", "officer", "school_year"] | Sequence[str] = "pilot",
    source: SourceKind = "auto",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """Share of working time per task, per pilot (or officer, or school year alone) and
    school year.

    From the log (``source="log"``): where an officer has time_use rows for a school year
    they are used as reported (source ``"time_use"``). Otherwise the shares come from the
    officer's contacts that year (source ``"contacts"``): minutes per task, the task following
    from the counterpart (parent → one_on_one_parent, pupil → pupil_contact, colleague →
    school_team, partner → social_domain; see :func:`counterpart_tasks`), share_pct = 100 ×
    minutes / total minutes. Contacts without a duration are not counted; an officer none of
    whose contacts has a duration is left out. An officer's pilot is the one in the officers
    table. Every task of the ``task`` vocabulary appears for every officer (0 where none).
    From the questionnaire (``source="survey"``, table ``survey_time_use``) the shares are
    the respondents' own (source ``"survey"``). ``"auto"``: the log when the store has
    time-use rows or logged contacts for the selection, else the questionnaire.

    Columns with ``by="officer"``: officer_id, pilot, school_year, task, share_pct (Float64,
    as reported or derived, not rounded), source (time_use | contacts | survey).

    Columns with ``by="pilot"`` (or ``"school_year"``: the same without pilot): pilot,
    school_year, task, share_pct (the mean over the group's officers of their share, each
    officer's shares first normalised to sum to 100), officers (number of officers averaged),
    source. Officers of one pilot with shares from different sources are averaged separately:
    one set of rows per source.
    """
    keys = group_columns(by, BY, what="time_use")
    if "officer_id" in keys:
        keys = ["officer_id"]
    con = connect(data)
    check_selection(con, pilots, school_year)
    kind = resolve_source(
        con, source, what="time_use", pilots=pilots, school_year=school_year, time_use=True
    )
    if kind == "survey":
        return questionnaire.time_use(con, keys, pilots, school_year)
    sql, params = _per_officer_sql(pilots, school_year, counts_x(con))
    if "officer_id" not in keys:
        sql, params = _per_group_sql(sql, keys), params + [_tasks()]
    frame = query(con, sql, params)
    return frame.with_columns(pl.col("share_pct").cast(pl.Float64))


def _tasks() -> list[str]:
    """The task codes of the vocabulary, in its order."""
    return vocabulary("task").code_list


def _per_officer_sql(
    pilots: Sequence[str] | None, school_year: str | None, counts: str
) -> tuple[str, list[Any]]:
    """SQL for the per-officer shares, ordered by officer, year and task, and its
    parameters; ``counts`` is the SQL of :func:`~brugdata.analysis._common.counts_x`."""
    mapping = counterpart_tasks()
    cond, params = pilot_clause("pilot", pilots)
    if school_year is not None:
        cond += " AND school_year = ?"
        params.append(school_year)
    sql = f"""
        WITH reported AS (
            SELECT officer_id, school_year, task, CAST(share_pct AS DOUBLE) AS share_pct
            FROM time_use
        ),
        reported_years AS (SELECT DISTINCT officer_id, school_year FROM reported),
        mapping AS (
            SELECT unnest(?::VARCHAR[]) AS counterpart, unnest(?::VARCHAR[]) AS task
        ),
        logged AS (
            SELECT x.officer_id, x.school_year, coalesce(m.task, '{FALLBACK_TASK}') AS task,
                   sum(x.minutes) AS minutes
            FROM ({counts}) x LEFT JOIN mapping m ON m.counterpart = x.counterpart
            WHERE x.timed > 0
              AND NOT EXISTS (
                  SELECT 1 FROM reported_years r
                  WHERE r.officer_id = x.officer_id AND r.school_year = x.school_year)
            GROUP BY ALL
        ),
        derived AS (
            SELECT officer_id, school_year, task, 100.0 * minutes / total AS share_pct
            FROM (SELECT *, sum(minutes) OVER (PARTITION BY officer_id, school_year) AS total
                  FROM logged)
            WHERE total > 0
        ),
        shares AS (
            SELECT *, 'time_use' AS source FROM reported
            UNION ALL
            SELECT *, 'contacts' AS source FROM derived
        ),
        tasks AS (SELECT unnest(?::VARCHAR[]) AS task UNION SELECT task FROM shares),
        per_officer AS (
            SELECT k.officer_id, o.pilot, k.school_year, t.task,
                   coalesce(s.share_pct, 0.0) AS share_pct, k.source
            FROM (SELECT DISTINCT officer_id, school_year, source FROM shares) k
            CROSS JOIN tasks t
            LEFT JOIN shares s ON s.officer_id = k.officer_id
                 AND s.school_year = k.school_year AND s.task = t.task
            LEFT JOIN (SELECT officer_id, min(pilot) AS pilot FROM officers GROUP BY ALL) o
                 ON o.officer_id = k.officer_id
        )
        SELECT officer_id, pilot, school_year, task, share_pct, source
        FROM per_officer
        WHERE {cond}
        ORDER BY officer_id, school_year, coalesce(list_position(?::VARCHAR[], task), 999),
                 task
    """
    tasks = _tasks()
    return sql, [list(mapping), list(mapping.values()), tasks, *params, tasks]


def _per_group_sql(per_officer: str, keys: list[str]) -> str:
    """SQL for the group means over the per-officer SQL (one more parameter: the task
    order)."""
    group = f"{cols(keys)}school_year"
    return f"""
        WITH po AS ({per_officer}),
        normalised AS (
            SELECT *, sum(share_pct) OVER (PARTITION BY officer_id, school_year) AS total
            FROM po
        )
        SELECT {group}, task, avg(100.0 * share_pct / total) AS share_pct,
               count(DISTINCT officer_id) AS officers, source
        FROM normalised
        WHERE total > 0
        GROUP BY {group}, task, source
        ORDER BY {group}, source DESC,
                 coalesce(list_position(?::VARCHAR[], task), 999), task
    """
