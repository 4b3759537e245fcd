"""Shared chart helpers: labels in Dutch or English, a common look."""

from __future__ import annotations

from typing import Literal

Lang = Literal["nl", "en"]

#: Axis and legend titles, by key and language.
TITLES: dict[str, dict[str, str]] = {
    "school": {"nl": "School", "en": "School"},
    "pilot": {"nl": "Pilot", "en": "Pilot"},
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
