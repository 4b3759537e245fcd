"""Themes: which questions parents, pupils, colleagues and partners bring, per group and
school year, from the contact log or from the questionnaire (``source=``).

:func:`~brugdata.analysis.seasonality.seasonality` gives the same mentions of the log month by
month; the questionnaire has no months, so it comes in here only.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from brugdata.analysis import _questionnaire as questionnaire
from brugdata.analysis._common import counts_x, pilot_clause, themes_x
from brugdata.analysis._contract import (
    By,
    SourceKind,
    check_selection,
    cols,
    conform,
    group_columns,
    resolve_source,
)
from brugdata.analysis._mixed import per_pilot_source
from brugdata.model.vocab import vocabulary
from brugdata.sql import Source, connect, query

__all__ = ["BY", "theme_shares"]

#: The ``by`` keys of :func:`themes` on the contact log.
BY: tuple[str, ...] = ("pilot", "school", "officer", "school_type", "municipality", "school_year")

_SCHEMA = pl.Schema(
    {
        "school_year": pl.String,
        "asker": pl.String,
        "theme": pl.String,
        "contacts": pl.Int64,
        "asker_contacts": pl.Int64,
        "respondents": pl.Int64,
        "answered": pl.Int64,
        "share": pl.Float64,
        "source": pl.String,
    }
)


@per_pilot_source
def theme_shares(
    data: Source,
    /,
    *,
    by: By | Sequence[By] = "pilot",
    source: SourceKind = "auto",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """Which themes each asker (parent, pupil, colleague, partner) brings, per group and
    school year.

    From the log a contact with two themes counts once for each; the share of a theme is the
    asker's contacts with that theme / all the asker's contacts (a contact without a theme
    counts in the denominator). From the questionnaire (``source="survey"``, table
    ``survey_themes``) the share is the respondents naming the theme for that asker / the
    respondents naming any theme for that asker. ``"auto"``: the log when the store has
    logged contacts for the selection, else the questionnaire. ``by``: pilot, school, officer,
    school_type, municipality, school_year (the questionnaire: pilot, officer, school_year).

    Columns: the group columns, school_year, asker, theme, contacts (log: the asker's contacts
    with the theme), asker_contacts (log: all the asker's contacts), respondents
    (questionnaire: respondents naming the theme for the asker), answered (questionnaire:
    respondents naming any theme for the asker), share (0..1, see above), source (log |
    survey). Columns of the other source are null. Ordered by group, year, asker, then the
    most frequent theme first.
    """
    allowed = questionnaire.SURVEY_BY if source == "survey" else BY
    keys = group_columns(by, allowed, what="theme_shares")
    con = connect(data)
    check_selection(con, pilots, school_year)
    kind = resolve_source(con, source, what="theme_shares", pilots=pilots, school_year=school_year)
    if kind == "survey":
        keys = group_columns(by, questionnaire.SURVEY_BY, what="theme_shares (source='survey')")
        return conform(questionnaire.themes(con, keys, pilots, school_year), keys, _SCHEMA)
    where, params = pilot_clause("pilot", pilots)
    if school_year is not None:
        where += " AND school_year = ?"
        params.append(school_year)
    group = f"{cols(keys)}school_year"
    join = " AND ".join(f"t.{k} IS NOT DISTINCT FROM n.{k}" for k in [*keys, "school_year"])
    sql = f"""
    WITH t AS (
        SELECT {group}, counterpart AS asker, theme, CAST(sum(n) AS BIGINT) AS contacts
        FROM ({themes_x(con)}) WHERE {where} AND theme IS NOT NULL
        GROUP BY ALL
    ),
    n AS (
        SELECT {group}, counterpart AS asker, CAST(sum(n) AS BIGINT) AS asker_contacts
        FROM ({counts_x(con)}) WHERE {where}
        GROUP BY ALL
    )
    SELECT t.*, n.asker_contacts, t.contacts / n.asker_contacts AS share, 'log' AS source
    FROM t JOIN n ON {join} AND t.asker = n.asker
    """
    frame = query(con, sql, [*params, *params])
    askers = {a: i for i, a in enumerate(vocabulary("asker").code_list)}
    n = len(keys)
    return conform(
        frame.sort(
            [*keys, "school_year", pl.col("asker").replace_strict(askers, default=len(askers))]
            + ["contacts", "theme"],
            descending=[False] * (n + 2) + [True, False],
            nulls_last=True,
        ),
        keys,
        _SCHEMA,
    )
