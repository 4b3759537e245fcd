"""The report's questionnaire section, as the Gooi en Vechtstreek evaluation has it: response,
parents and pupils helped and their share of the population, reach bands, time use per task,
internal and external contacts, themes per asker, partner kinds and the coded open answers.

Every table is :func:`brugdata.survey_results` of the report's pilots and school year, each
through the transform under its declared name (``survey.response``, ``survey.reach``, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from brugdata.store.store import Store

__all__ = ["SURVEY_TABLES", "Questionnaire", "logged_pilots", "questionnaire"]

#: The questionnaire's tables in the report: name passed to the transform → what it holds.
SURVEY_TABLES: dict[str, str] = {
    "survey.response": "survey_results().response: respondents and response",
    "survey.reach": "survey_results().reach: parents and pupils helped, share of the population",
    "survey.bands": "survey_results().bands: respondents per reach band (parents)",
    "survey.bands_pupils": "survey_results().bands_pupils: respondents per reach band (pupils)",
    "survey.time_use": "survey_results().time_use: share of working time per task",
    "survey.contact_bands": "survey_results().contact_bands: internal and external contacts",
    "survey.themes": "survey_results().themes: themes per asker",
    "survey.partner_kinds": "survey_results().partner_kinds: kinds of partners named",
    "survey.answer_codes": "survey_results().answer_codes: coded open answers",
}


@dataclass(frozen=True)
class Questionnaire:
    """The questionnaire's frames as shown, by the last part of their name (``response``,
    ``reach``, ``bands``, ...)."""

    frames: dict[str, pl.DataFrame]

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.frames[name]


def questionnaire(
    store: Store,
    pilots: Sequence[str] | None,
    school_year: str | None,
    shown: Callable[[str, pl.DataFrame], pl.DataFrame],
) -> Questionnaire | None:
    """The questionnaire of ``pilots`` in ``school_year``, every table through ``shown``;
    None when the store has no questionnaire answers for them."""
    from brugdata.analysis._contract import has_survey
    from brugdata.analysis.survey import survey_results
    from brugdata.sql import connect

    con = connect(store)
    if not has_survey(con, list(pilots) if pilots else None, school_year):
        return None
    result = survey_results(store, pilots=list(pilots) if pilots else None, school_year=school_year)
    frames = {}
    for name in SURVEY_TABLES:
        part = name.split(".", 1)[1]
        if part in result:
            frames[part] = shown(name, result[part])
    return Questionnaire(frames)


def logged_pilots(store: Store, pilots: Sequence[str], school_year: str | None) -> list[str]:
    """The pilots of ``pilots`` with logged contacts in ``school_year``, in their order: the
    pilots the log sections are about (a pilot with only a questionnaire has none)."""
    from brugdata.analysis._contract import has_log
    from brugdata.analysis._contract import logged_pilots as logged_in
    from brugdata.sql import connect

    con = connect(store)
    logged = logged_in(con, school_year)  # one query, not one per pilot
    return [p for p in pilots if has_log(con, [p], school_year, logged=logged)]
