"""Cases and their referrals, shared by :mod:`brugdata.analysis.pathways` and
:mod:`brugdata.analysis.compare`: the partner classes and the SQL that builds one row per case.

A contact belongs to a family's case when it is a parent or pupil contact with a family
(``family_key``, else ``person_key``), or when it names a family (``family_key``) and refers
(``referred_to``), whatever its counterpart: a referral logged on a partner or colleague
contact about a family is that family's referral. A referral that names no family is counted
apart (:func:`unattached_sql`), never dropped silently.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import duckdb

from brugdata.analysis._common import case_parts_x, contacts_x
from brugdata.model.vocab import Lang, load_data_toml
from brugdata.store.derived import CASE_FAMILY, IN_CASE

__all__ = [
    "CLASSES_SQL",
    "PARTNER_CLASSES",
    "REFERRAL_CLASSES",
    "cases_ctes",
    "cases_params",
    "class_label",
    "classes_params",
    "partner_class",
    "partner_classes",
    "referrals_sql",
    "unattached_sql",
]

#: The classes a partner kind can be in, as named in ``partner_classes.toml``.
PARTNER_CLASSES: tuple[str, ...] = ("light", "specialised")

#: The values of a case's ``referral_class``, from no referral to unclassified.
REFERRAL_CLASSES: tuple[str, ...] = ("none", "light", "specialised", "unclassified")

# --------------------------------------------------------------------------- classification


@cache
def _classes_file() -> dict[str, Any]:
    return load_data_toml("partner_classes.toml")


def partner_classes() -> dict[str, str]:
    """Partner kind → ``"light"`` or ``"specialised"``, from the shipped, editable
    ``brugdata/data/partner_classes.toml``. A kind missing here is ``"unclassified"`` (see
    :func:`partner_class`). ValueError when the file puts a kind in two classes or names a
    class other than light and specialised."""
    raw = _classes_file().get("classes", {})
    unknown = sorted(set(raw) - set(PARTNER_CLASSES))
    if unknown:
        raise ValueError(
            f"partner_classes.toml: unknown classes {unknown}; use: {', '.join(PARTNER_CLASSES)}"
        )
    out: dict[str, str] = {}
    for cls in PARTNER_CLASSES:
        for kind in raw.get(cls, []):
            if out.get(kind, cls) != cls:
                raise ValueError(f"partner_classes.toml: {kind!r} is in both light and specialised")
            out[kind] = cls
    return out


def partner_class(kind: str | None) -> str:
    """The class of partner kind ``kind``: ``"light"``, ``"specialised"`` or, for a kind in
    neither class (or None), ``"unclassified"``."""
    return partner_classes().get(kind, "unclassified") if kind is not None else "unclassified"


def class_label(referral_class: str, lang: Lang = "nl") -> str:
    """The ``lang`` label of a referral class (``"none"``, ``"light"``, ``"specialised"``,
    ``"unclassified"``) from ``partner_classes.toml``; the code itself when unknown."""
    labels = _classes_file().get("labels", {}).get(referral_class, {})
    return str(labels.get(lang, referral_class))


# --------------------------------------------------------------------------- SQL


#: SQL of the ``classes`` relation (kind, partner_class), from :func:`classes_params`.
CLASSES_SQL = "SELECT unnest(?::VARCHAR[]) AS kind, unnest(?::VARCHAR[]) AS partner_class"


def classes_params() -> list[Any]:
    """The two list parameters of the ``classes`` CTE: partner kinds and their classes."""
    classes = partner_classes()
    return [list(classes), list(classes.values())]


def cases_ctes(
    con: duckdb.DuckDBPyConnection,
    where: str,
    school_year: str | None = None,
    *,
    themes: bool = False,
) -> str:
    """CTEs ``classes``, ``cx`` (the contacts of cases grouped as
    :func:`~brugdata.analysis._common.case_parts_x` gives them, each group with the kind and
    class of the partner it refers to) and ``cases`` (one row per case; with ``themes``, the
    sorted distinct themes of its contacts too, read from contacts). Parameters:
    :func:`cases_params`. ``where`` must hold the condition on ``school_year`` when one is
    given: it only narrows the contacts read."""
    case_themes = (
        f"""
    case_themes AS (
        SELECT pilot, school_id, school_year, {CASE_FAMILY} AS family,
               list_sort(list_distinct(flatten(list(themes)))) AS themes
        FROM ({contacts_x(school_year)}) WHERE {where} AND {IN_CASE}
        GROUP BY ALL
    ),"""
        if themes
        else ""
    )
    with_themes = (
        "\n        LEFT JOIN case_themes t"
        "\n               ON t.pilot IS NOT DISTINCT FROM c.pilot"
        "\n              AND t.school_id IS NOT DISTINCT FROM c.school_id"
        '\n              AND t.school_year = c.school_year AND t.family = c."case"'
        if themes
        else ""
    )
    return f"""
    classes AS ({CLASSES_SQL}),
    cx AS (
        SELECT x.pilot, x.school_id, x.school_year, x.family, x.first_date, x.last_date,
               x.contacts, x.counterpart, x.referred_to, p.kind AS partner_kind,
               CASE WHEN x.referred_to IS NOT NULL
                    THEN coalesce(cl.partner_class, 'unclassified') END AS partner_class
        FROM (SELECT * FROM ({case_parts_x(con, school_year)}) WHERE {where}) x
        LEFT JOIN partners p ON p.partner_id = x.referred_to
        LEFT JOIN classes cl ON cl.kind = p.kind
    ),{case_themes}
    cases AS (
        SELECT c.*{", t.themes" if themes else ""} FROM (
            SELECT pilot, school_id, school_year, family AS "case",
                   min(first_date) AS first_contact,
                   max(last_date) AS last_contact,
                   CAST(sum(contacts) AS BIGINT) AS contacts,
                   list_sort(list_distinct(list(counterpart))) AS counterparts,
                   CAST(coalesce(sum(contacts) FILTER (referred_to IS NOT NULL), 0) AS BIGINT)
                       AS referrals,
                   coalesce(
                       list_sort(list_distinct(list(referred_to) FILTER (referred_to IS NOT NULL))),
                       []::VARCHAR[]
                   ) AS referred_to,
                   min(first_date) FILTER (referred_to IS NOT NULL) AS first_referral,
                   date_diff('day', min(first_date),
                             min(first_date) FILTER (referred_to IS NOT NULL))
                       AS days_to_referral,
                   CASE WHEN bool_or(partner_class = 'specialised') THEN 'specialised'
                        WHEN bool_or(partner_class = 'light') THEN 'light'
                        WHEN count(referred_to) > 0 THEN 'unclassified'
                        ELSE 'none' END AS referral_class
            FROM cx
            GROUP BY pilot, school_id, school_year, family
        ) c{with_themes}
    )
    """


def cases_params(params: list[Any], *, themes: bool = False) -> list[Any]:
    """The parameters of :func:`cases_ctes` for those of its ``where`` (``params``)."""
    return [*classes_params(), *params, *(params if themes else [])]


def referrals_sql(where: str, school_year: str | None = None) -> str:
    """SQL: each contact of a case that refers (``referred_to``), one row per contact: pilot,
    school_id, school_year, family, themes, partner_kind and partner_class of the partner
    referred to. Parameters: the two lists of :func:`classes_params`, then those of
    ``where``."""
    return f"""
    WITH classes AS ({CLASSES_SQL})
    SELECT x.pilot, x.school_id, x.school_year, x.family, x.themes, p.kind AS partner_kind,
           coalesce(cl.partner_class, 'unclassified') AS partner_class
    FROM (
        SELECT pilot, school_id, school_year, {CASE_FAMILY} AS family, themes, referred_to
        FROM ({contacts_x(school_year)})
        WHERE {where} AND referred_to IS NOT NULL AND {IN_CASE}
    ) x
    LEFT JOIN partners p ON p.partner_id = x.referred_to
    LEFT JOIN classes cl ON cl.kind = p.kind
    """


def unattached_sql(where: str, school_year: str | None = None) -> str:
    """SQL: referrals that name no family (a contact with ``referred_to`` outside every case),
    per pilot, school year and counterpart: ``referrals`` (contacts) and ``partners``
    (distinct partners referred to). Parameters: those of ``where``."""
    return f"""
    SELECT x.pilot, x.school_year, x.counterpart,
           count(*) AS referrals, count(DISTINCT x.referred_to) AS partners
    FROM (SELECT * FROM ({contacts_x(school_year)}) WHERE {where}) x
    WHERE x.referred_to IS NOT NULL AND NOT {IN_CASE}
    GROUP BY x.pilot, x.school_year, x.counterpart
    """
