"""Shared chart helpers: labels in Dutch or English, a common look."""

from __future__ import annotations

from typing import Literal

import polars as pl

Lang = Literal["nl", "en"]

#: Axis and legend titles, by key and language.
TITLES: dict[str, dict[str, str]] = {
    "school": {"nl": "School", "en": "School"},
    "pilot": {"nl": "Pilot", "en": "Pilot"},
    "school_year": {"nl": "Schooljaar", "en": "School year"},
    "officer": {"nl": "Functionaris", "en": "Officer"},
    "theme": {"nl": "Thema", "en": "Theme"},
    "month": {"nl": "Maand (schooljaar)", "en": "Month (school year)"},
    "contacts": {"nl": "Contacten", "en": "Contacts"},
    "share": {"nl": "Aandeel", "en": "Share"},
    "pct": {"nl": "Bereik (%)", "en": "Reach (%)"},
    "schools": {"nl": "Aantal scholen", "en": "Number of schools"},
    "officers": {"nl": "Aantal functionarissen", "en": "Number of officers"},
    "band": {"nl": "Bereik van de populatie", "en": "Reach of the population"},
    "counterpart": {"nl": "Doelgroep", "en": "Counterpart"},
    "task": {"nl": "Taak", "en": "Task"},
    "share_pct": {"nl": "Aandeel tijd (%)", "en": "Share of time (%)"},
    "seasonal_index": {"nl": "Seizoensindex", "en": "Seasonal index"},
    "school_weeks": {"nl": "Schoolweken", "en": "School weeks"},
    "contacts_per_school_week": {
        "nl": "Contacten per schoolweek",
        "en": "Contacts per school week",
    },
    "school_week_index": {
        "nl": "Seizoensindex per schoolweek",
        "en": "Seasonal index per school week",
    },
    "partner_kind": {"nl": "Soort partner", "en": "Partner kind"},
    "weight": {"nl": "Contacten en verwijzingen", "en": "Contacts and referrals"},
}

#: Months of the school year (August first).
MONTHS: dict[str, list[str]] = {
    "nl": ["aug", "sep", "okt", "nov", "dec", "jan", "feb", "mrt", "apr", "mei", "jun", "jul"],
    "en": ["Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul"],
}


def title(key: str, lang: Lang = "nl") -> str:
    """The axis or legend title for ``key`` in ``lang``."""
    return TITLES.get(key, {}).get(lang, key)


def check_lang(lang: str) -> Lang:
    """``lang`` when it is "nl" or "en"; ValueError otherwise."""
    if lang not in ("nl", "en"):
        raise ValueError(f"lang must be 'nl' or 'en', not {lang!r}")
    return lang  # type: ignore[return-value]


def one_year(frame: pl.DataFrame, school_year: str | None = None) -> pl.DataFrame:
    """The rows of ``school_year`` of an analysis frame, or of its latest school year when
    None and it has several: a chart shows one school year and never adds years up."""
    if "school_year" not in frame.columns:
        return frame
    years = frame.get_column("school_year").drop_nulls().unique().sort().to_list()
    if school_year is None:
        if len(years) <= 1:
            return frame
        school_year = years[-1]
    elif school_year not in years:
        raise ValueError(f"no school year {school_year!r} here; it has: {', '.join(years)}")
    return frame.filter(pl.col("school_year") == school_year)
