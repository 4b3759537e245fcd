"""Referral pathways: what is handled in school, what goes where, and how fast.

A *case* is one family at one school in one school year: the parent and pupil contacts with
that family (``family_key``, else ``person_key``) at the school that school year, and every
other contact there that names the family (``family_key``) and refers (``referred_to``),
whatever its counterpart: a referral logged on a partner contact about a family is that
family's referral. Colleague and partner contacts that refer nobody are not part of a case;
parent and pupil contacts without a ``family_key`` and a ``person_key`` cannot be placed in a
case and are left out.

A case is *referred* when at least one of its contacts has ``referred_to``. The partner
referred to is classed by its kind (``partners.kind``) as light / local support or
specialised care and safety, as the shipped, editable ``brugdata/data/partner_classes.toml``
says (:func:`partner_classes`); a kind in neither class, or a partner not in the partners
table, is ``"unclassified"``. A case's ``referral_class`` is ``"specialised"`` when any of its
referrals goes to a specialised partner, else ``"light"`` when any goes to a light one, else
``"unclassified"`` when it has referrals that cannot be classed, else ``"none"`` (handled
without a referral).

Partner contacts (``counterpart = 'partner'``) without ``referred_to`` are *consultations*:
the officer asks a partner for advice without handing the family over (the Den Bosch expertise
team works that way). They are counted apart from referrals, never as one. A referral that
names no family (a partner or colleague contact with ``referred_to`` and no ``family_key``)
belongs to no case; it is counted apart in ``unattached_referrals``, never dropped silently.

The shares compare pilots that were set up to handle questions in and around the school; they
describe the log, not an effect of the pilot: a pilot whose officers log fewer referrals may
also log more small questions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import duckdb
import polars as pl

from brugdata.analysis._cases import (
    CLASSES_SQL,
    PARTNER_CLASSES,
    REFERRAL_CLASSES,
    cases_ctes,
    cases_params,
    class_label,
    classes_params,
    partner_class,
    partner_classes,
    referrals_sql,
    unattached_sql,
)
from brugdata.analysis._common import (
    contacts_x,
    homogeneity,
    selection_clause,
    wilson_exprs,
)
from brugdata.analysis._contract import (
    Frames,
    check_selection,
    group_columns,
    has_log,
    need,
)
from brugdata.analysis._shared import shared_by_year
from brugdata.sql import Source, connect, query
from brugdata.store.derived import one_reading

__all__ = [
    "PARTNER_CLASSES",
    "REFERRAL_CLASSES",
    "cases",
    "class_label",
    "partner_class",
    "partner_classes",
    "pathway_outcomes",
    "pathways",
]

By = Literal["pilot", "school", "theme", "school_year"]

#: The ``by`` keys of :func:`pathways`.
BY: tuple[str, ...] = ("pilot", "school", "theme", "school_year")

_HOMOGENEITY = (
    "chi-square test of homogeneity over the pilots (handled without referral vs referred)"
)

_CASES_SCHEMA = pl.Schema(
    {
        "pilot": pl.String(),
        "school_id": pl.String(),
        "school_year": pl.String(),
        "case": pl.String(),
        "first_contact": pl.Date(),
        "last_contact": pl.Date(),
        "contacts": pl.Int64(),
        "themes": pl.List(pl.String()),
        "counterparts": pl.List(pl.String()),
        "referrals": pl.Int64(),
        "referred_to": pl.List(pl.String()),
        "first_referral": pl.Date(),
        "days_to_referral": pl.Int64(),
        "referral_class": pl.String(),
    }
)

_OUTCOME_COUNTS = pl.Schema(
    {
        "school_year": pl.String,
        "cases": pl.Int64,
        "no_referral": pl.Int64,
        "light": pl.Int64,
        "specialised": pl.Int64,
        "unclassified": pl.Int64,
        "referred_cases": pl.Int64,
        "median_days_to_referral": pl.Float64,
    }
)

_ROUTES_SCHEMA = pl.Schema(
    {
        "pilot": pl.String,
        "school_year": pl.String,
        "theme": pl.String,
        "partner_kind": pl.String,
        "partner_class": pl.String,
        "cases": pl.Int64,
        "referrals": pl.Int64,
        "rank": pl.Int64,
    }
)

_TIME_SCHEMA = pl.Schema(
    {
        "pilot": pl.String,
        "school_year": pl.String,
        "referral_class": pl.String,
        "cases": pl.Int64,
        "median_days": pl.Float64,
        "p25_days": pl.Float64,
        "p75_days": pl.Float64,
        "min_days": pl.Int64,
        "max_days": pl.Int64,
    }
)


# --------------------------------------------------------------------------- SQL


def _group_columns(by: By | Sequence[By]) -> list[str]:
    """Columns of ``by`` in the order pilot, school_id, theme (school_year left out: it is
    always a key); a school's pilot comes along."""
    keys = group_columns(by, BY, what="pathways")
    if "school_id" in keys:
        keys.append("pilot")
    return [k for k in ("pilot", "school_id", "theme") if k in keys]


def _start(
    data: Source, pilots: Sequence[str] | None, school_year: str | None, what: str = "pathways"
) -> Any:
    """The connection, once the selection is checked and has logged contacts."""
    con = connect(data)
    check_selection(con, pilots, school_year)
    need(
        con,
        has_log(con, pilots, school_year),
        what=what,
        data="logged contacts",
        pilots=pilots,
        school_year=school_year,
    )
    return con


# --------------------------------------------------------------------------- cases


@one_reading()
def cases(
    data: Source,
    /,
    *,
    by: Literal["pilot"] = "pilot",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """One row per case: a family (``family_key``, else ``person_key``) at one school in one
    school year, built from its parent and pupil contacts there and every other contact there
    that names the family (``family_key``) and refers (``referred_to``).

    ``pilots`` and ``school_year`` (``2024-2025``) restrict to those pilots and that year;
    ``by`` is ``"pilot"`` (a row is one case; the key columns are pilot, school_id and
    school_year).

    Columns:

    - pilot, school_id, school_year: where and when.
    - case: the family key (``family_key``, else the ``person_key`` of the contact).
    - first_contact, last_contact: dates of the case's first and last contact.
    - contacts: number of contacts of the case (parent and pupil contacts, and referring
      contacts of another counterpart that name the family).
    - themes: sorted distinct theme codes over the case's contacts.
    - counterparts: sorted distinct counterparts of the case's contacts.
    - referrals: number of the case's contacts with ``referred_to``.
    - referred_to: sorted distinct partner ids referred to (empty list without referrals).
    - first_referral: date of the first contact with a referral (null without one).
    - days_to_referral: first_referral − first_contact in days (0 when the first contact
      referred; null without a referral).
    - referral_class: ``"specialised"`` when any referral goes to a partner of a specialised
      kind, else ``"light"`` when any goes to a light one, else ``"unclassified"`` when the
      case has referrals whose partner kind is in no class (or whose partner is unknown),
      else ``"none"``. Classes come from :func:`partner_classes`.
    """
    group_columns(by, ("pilot",), what="cases")
    con = _start(data, pilots, school_year, "cases")
    where, params = selection_clause(pilots, school_year)
    sql = f"WITH {cases_ctes(con, where, school_year, themes=True)} SELECT * FROM cases"
    frame = query(con, sql, cases_params(params, themes=True))
    return (
        frame.select(list(_CASES_SCHEMA))
        .cast(_CASES_SCHEMA)
        .sort("pilot", "school_id", "school_year", "case", nulls_last=True)
    )


# --------------------------------------------------------------------------- pathways


@one_reading()
def pathways(
    data: Source,
    /,
    *,
    by: By | Sequence[By] = "pilot",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> Frames:
    """Referral pathways per group: the share of cases handled without a referral, with a light
    and with a specialised one, how fast families are referred, where to, and the partner
    consultations that are not referrals.

    Cases are those of :func:`cases`. ``by`` groups ``outcomes`` by ``"pilot"``, ``"school"``
    (column ``school_id``; the school's ``pilot`` comes along as a column) and/or ``"theme"``,
    or by ``"school_year"`` alone; ``pilots`` and ``school_year`` filter. ``routes`` and
    ``time_to_referral`` are per pilot and school year, ``consultations`` per pilot (and
    school when ``by`` includes ``"school"``) and school year: school years are never pooled.
    Returns :class:`~brugdata.analysis._contract.Frames` (``meta["by"]``: the key columns of
    ``outcomes``).

    Columns of ``outcomes`` (one row per group and school year):

    - [pilot, school_id, theme]: the grouping columns. With ``"theme"`` a case counts once
      under each of its themes (any theme of any of its contacts), so the cases of the themes
      add up to more than the cases of the group.
    - school_year.
    - cases: cases in the group.
    - no_referral, light, specialised, unclassified: cases per ``referral_class``.
    - share_no_referral, share_light, share_specialised, share_unclassified: those counts /
      cases, as fractions (0..1) that add up to 1. ``unclassified`` is 0 unless a referred
      partner's kind is in no class of ``partner_classes.toml`` or the partner is unknown.
    - ci_low, ci_high: the 95% Wilson interval of share_no_referral, as fractions (0..1) like
      the share.
    - referred_cases: cases with at least one referral (cases − no_referral).
    - median_days_to_referral: median of days_to_referral over the referred cases (null
      without any).
    - method, p_value: with ``by="pilot"`` only, how share_no_referral differs between the
      pilots of the school year: a chi-square test of homogeneity (handled without referral vs
      referred; the same value on each pilot's row). Null otherwise, and with fewer than two
      pilots or no variation.

    Columns of ``routes`` (one row per pilot, school year, theme and partner kind referred
    to; all routes, by pilot, school year and rank): pilot, school_year, theme (a theme of the
    contact that carries the referral: the question that was referred, not every theme of
    the case), partner_kind (kind of the partner referred to; null for a partner not in the
    partners table), partner_class (light, specialised or unclassified), cases (distinct
    cases with a referral of that theme to a partner of that kind), referrals (referral
    contacts with that theme to that kind), rank (1 = most cases within the pilot and school
    year; ties broken by referrals, then theme and kind).

    Columns of ``consultations`` (partner contacts without ``referred_to``; one row per pilot
    [, school_id], school year and partner kind): pilot, [school_id,] school_year,
    partner_kind (null for a contact without a known partner), partner_class, contacts
    (consultations of partners of that kind), partners (distinct partners of that kind
    consulted), share (contacts / total_contacts), total_contacts, total_partners (over every
    kind of the group).

    Columns of ``time_to_referral`` (referred cases; one row per pilot, school year and
    referral_class light, specialised or unclassified): pilot, school_year, referral_class,
    cases, median_days, p25_days, p75_days (DuckDB ``median`` / ``quantile_cont``, linear
    interpolation), min_days, max_days: of days_to_referral, the days from a case's first
    contact to its first referral.

    Columns of ``unattached_referrals`` (contacts with ``referred_to`` that name no family and
    so belong to no case; one row per pilot, school year and counterpart): pilot,
    school_year, counterpart, referrals (such contacts), partners (distinct partners referred
    to). Empty when every referral names a family.
    """
    keys = _group_columns(by)
    con = _start(data, pilots, school_year)
    where, params = selection_clause(pilots, school_year)
    head = f"WITH {cases_ctes(con, where, school_year)}"
    head_params = cases_params(params)
    return Frames(
        {
            "outcomes": pathway_outcomes(con, by=by, pilots=pilots, school_year=school_year),
            "routes": _routes(con, referrals_sql(where, school_year), head_params),
            "consultations": _consultations(con, where, params, "school_id" in keys, school_year),
            "time_to_referral": _time_to_referral(con, head, head_params),
            "unattached_referrals": _unattached(con, where, params, school_year),
        },
        title="Referral pathways",
        meta={"by": keys},
    )


@one_reading()
def pathway_outcomes(
    data: Source,
    /,
    *,
    by: By | Sequence[By] = "pilot",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """The ``outcomes`` frame of :func:`pathways` alone (see there for its columns), without
    the routes, consultations and times that :func:`pathways` also works out."""
    keys = _group_columns(by)
    con = connect(data)
    return shared_by_year("pathway_outcomes", _pathway_outcomes, con, keys, pilots, school_year)


def _pathway_outcomes(
    con: duckdb.DuckDBPyConnection,
    keys: list[str],
    pilots: Sequence[str] | None,
    school_year: str | None,
) -> pl.DataFrame:
    where, params = selection_clause(pilots, school_year)
    themes = "theme" in keys
    head = f"WITH {cases_ctes(con, where, school_year, themes=themes)}"
    outcomes = _outcomes(con, head, cases_params(params, themes=themes), keys)
    return _with_test(outcomes) if keys == ["pilot"] else outcomes


def _outcomes(
    con: duckdb.DuckDBPyConnection, head: str, params: list[Any], keys: list[str]
) -> pl.DataFrame:
    themes = ", unnest(themes) AS theme" if "theme" in keys else ""
    key_list = "".join(f"{k}, " for k in keys)
    case_keys = "".join(f"{k}, " for k in keys if k != "theme")
    sql = f"""{head},
    grouped AS (
        SELECT {case_keys}school_year, referral_class, days_to_referral{themes} FROM cases
    )
    SELECT {key_list}school_year,
           count(*) AS cases,
           count(*) FILTER (referral_class = 'none') AS no_referral,
           count(*) FILTER (referral_class = 'light') AS light,
           count(*) FILTER (referral_class = 'specialised') AS specialised,
           count(*) FILTER (referral_class = 'unclassified') AS unclassified,
           count(*) FILTER (referral_class <> 'none') AS referred_cases,
           median(days_to_referral) AS median_days_to_referral
    FROM grouped
    GROUP BY {key_list}school_year
    """
    frame = query(con, sql, params)
    frame = frame.cast({k: pl.String for k in keys}).cast(_OUTCOME_COUNTS)
    share = {
        f"share_{name}": pl.col(name) / pl.col("cases")
        for name in ("no_referral", "light", "specialised", "unclassified")
    }
    low, high = wilson_exprs("no_referral", "cases")
    return (
        frame.with_columns(**share, ci_low=low / 100, ci_high=high / 100)
        .with_columns(method=pl.lit(None, dtype=pl.String), p_value=pl.lit(None, dtype=pl.Float64))
        .select(
            *keys,
            "school_year",
            "cases",
            "no_referral",
            "light",
            "specialised",
            "unclassified",
            "share_no_referral",
            "share_light",
            "share_specialised",
            "share_unclassified",
            "ci_low",
            "ci_high",
            "referred_cases",
            "median_days_to_referral",
            "method",
            "p_value",
        )
        .sort([*keys, "school_year"], nulls_last=True)
    )


def _with_test(outcomes: pl.DataFrame) -> pl.DataFrame:
    """``method`` and ``p_value`` of a chi-square test over the pilots of each school year."""
    tested = homogeneity(outcomes.drop("method", "p_value"), "no_referral", "cases", _HOMOGENEITY)
    return tested.select(outcomes.columns)


def _routes(con: duckdb.DuckDBPyConnection, referrals: str, params: list[Any]) -> pl.DataFrame:
    sql = f"""WITH refs AS (
        SELECT pilot, school_id, school_year, family, partner_kind, partner_class,
               unnest(list_distinct(themes)) AS theme
        FROM ({referrals})
    )
    SELECT pilot, school_year, theme, partner_kind, any_value(partner_class) AS partner_class,
           count(DISTINCT (school_id, school_year, family)) AS cases,
           count(*) AS referrals,
           row_number() OVER (
               PARTITION BY pilot, school_year
               ORDER BY count(DISTINCT (school_id, school_year, family)) DESC, count(*) DESC,
                        theme, partner_kind NULLS LAST
           ) AS rank
    FROM refs
    GROUP BY pilot, school_year, theme, partner_kind
    """
    frame = query(con, sql, params)
    return (
        frame.select(list(_ROUTES_SCHEMA))
        .cast(_ROUTES_SCHEMA)
        .sort("pilot", "school_year", "rank", nulls_last=True)
    )


def _consultations(
    con: duckdb.DuckDBPyConnection,
    where: str,
    params: list[Any],
    by_school: bool,
    school_year: str | None = None,
) -> pl.DataFrame:
    keys = ["pilot", "school_id", "school_year"] if by_school else ["pilot", "school_year"]
    key_list = ", ".join(f"x.{k}" for k in keys)
    sql = f"""
    WITH classes AS ({CLASSES_SQL}),
    x AS (
        SELECT * FROM ({contacts_x(school_year)})
        WHERE counterpart = 'partner' AND referred_to IS NULL AND {where}
    )
    SELECT {key_list}, p.kind AS partner_kind,
           coalesce(any_value(cl.partner_class), 'unclassified') AS partner_class,
           count(*) AS contacts,
           count(DISTINCT x.partner_id) AS partners
    FROM x
    LEFT JOIN partners p ON p.partner_id = x.partner_id
    LEFT JOIN classes cl ON cl.kind = p.kind
    GROUP BY {key_list}, p.kind
    """
    frame = query(con, sql, [*classes_params(), *params])
    schema = pl.Schema(
        {
            **{k: pl.String for k in keys},
            "partner_kind": pl.String,
            "partner_class": pl.String,
            "contacts": pl.Int64,
            "partners": pl.Int64,
        }
    )
    frame = frame.select(list(schema)).cast(schema)
    # A partner has one kind, so the distinct partners of a group add up over its kinds.
    return (
        frame.with_columns(
            total_contacts=pl.col("contacts").sum().over(keys),
            total_partners=pl.col("partners").sum().over(keys),
        )
        .with_columns(share=pl.col("contacts") / pl.col("total_contacts"))
        .select(
            *keys,
            "partner_kind",
            "partner_class",
            "contacts",
            "partners",
            "share",
            "total_contacts",
            "total_partners",
        )
        .sort([*keys, "contacts", "partner_kind"], descending=[False] * len(keys) + [True, False])
    )


def _unattached(
    con: duckdb.DuckDBPyConnection, where: str, params: list[Any], school_year: str | None
) -> pl.DataFrame:
    schema = pl.Schema(
        {
            "pilot": pl.String,
            "school_year": pl.String,
            "counterpart": pl.String,
            "referrals": pl.Int64,
            "partners": pl.Int64,
        }
    )
    frame = query(con, unattached_sql(where, school_year), params)
    return (
        frame.select(list(schema))
        .cast(schema)
        .sort("pilot", "school_year", "counterpart", nulls_last=True)
    )


def _time_to_referral(con: duckdb.DuckDBPyConnection, head: str, params: list[Any]) -> pl.DataFrame:
    sql = f"""{head}
    SELECT pilot, school_year, referral_class,
           count(*) AS cases,
           median(days_to_referral) AS median_days,
           quantile_cont(days_to_referral, 0.25) AS p25_days,
           quantile_cont(days_to_referral, 0.75) AS p75_days,
           min(days_to_referral) AS min_days,
           max(days_to_referral) AS max_days
    FROM cases
    WHERE referral_class <> 'none'
    GROUP BY pilot, school_year, referral_class
    """
    order = {c: i for i, c in enumerate(REFERRAL_CLASSES)}
    frame = query(con, sql, params).select(list(_TIME_SCHEMA)).cast(_TIME_SCHEMA)
    return (
        frame.with_columns(_order=pl.col("referral_class").replace_strict(order, default=99))
        .sort("pilot", "school_year", "_order", nulls_last=True)
        .drop("_order")
    )
