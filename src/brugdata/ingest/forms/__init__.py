"""Questionnaire exports (Microsoft Forms, Excel) → brugdata's survey tables.

A form tool exports one row per response, with the question texts as column headers and the
answers of a multi-select question joined in one cell (``"Opvoeding;Taal;"``). A *mapping*
(TOML) says which question fills which column of which survey table; :func:`convert_form`
applies it and writes the canonical CSV files ``survey.csv``, ``survey_time_use.csv``,
``survey_partners.csv``, ``survey_themes.csv`` and ``survey_answers.csv``, which then go
through the normal validation and ingest (``store.ingest(out_dir)``).

Privacy: names and e-mail addresses are never copied. The respondent's ``officer_id`` is a
pseudonym: the export's response number with a prefix, or a column of officer codes (checked
not to hold e-mail addresses or names). Personal data in open answers (phone numbers, e-mail
addresses, BSNs, addresses) is redacted on the way.

Nothing is lost silently: a multi-select answer the mapping does not know is written with
code ``other`` and listed in :attr:`FormConversion.unmapped`; a count that is not a number is
passed on as written (validation then rejects it with a reason) and listed there too.

The mapping format is documented in ``docs/questionnaires.md`` and declared by
:class:`~brugdata.ingest.forms.schema.MappingFile`; ``brugdata/model/data/forms/`` ships
ready-made mappings (:func:`load_mapping` by name, e.g. ``"gooi_vechtstreek"``).

The modules: :mod:`~brugdata.ingest.forms.mapping` (the mapping as conversion uses it),
:mod:`~brugdata.ingest.forms.schema` (the TOML file, checked and loaded) and
:mod:`~brugdata.ingest.forms.convert` (the conversion).
"""

from __future__ import annotations

from brugdata.ingest.forms.convert import SURVEY_FILES, FormConversion, convert_form
from brugdata.ingest.forms.mapping import (
    IDENTIFYING_COLUMNS,
    METADATA_COLUMNS,
    NO_ANSWER,
    AnswerQuestion,
    FormMapping,
    PartnerQuestion,
    SurveyQuestion,
    ThemeQuestion,
    TimeUseQuestion,
    question_key,
    shipped_mappings,
)
from brugdata.ingest.forms.schema import MappingFile, load_mapping

__all__ = [
    "IDENTIFYING_COLUMNS",
    "METADATA_COLUMNS",
    "NO_ANSWER",
    "SURVEY_FILES",
    "AnswerQuestion",
    "FormConversion",
    "FormMapping",
    "MappingFile",
    "PartnerQuestion",
    "SurveyQuestion",
    "ThemeQuestion",
    "TimeUseQuestion",
    "convert_form",
    "load_mapping",
    "question_key",
    "shipped_mappings",
]
