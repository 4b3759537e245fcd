"""The data model: the tables brugdata knows, their columns and the rules each column obeys.

This is the public contract: file readers, validation, the store, the docs and the sample data
all use these names. Column kinds:

- ``id``: a free identifier (trimmed text).
- ``text``: free text.
- ``code``: a code from the vocabulary named in ``vocab`` (Dutch labels and aliases accepted).
- ``themes``: one or more theme codes separated by ``|`` (``,`` or ``;`` also accepted).
- ``brin``: a BRIN6 (``91AB00``) or, for vo, a BRIN4 (``92EF``) school code.
- ``school_year``: ``YYYY-YYYY`` of consecutive years (``2024/2025`` accepted).
- ``pseudonym``: a pseudonymous key (letters, digits, ``-``, ``_``, ``.``, ``:`` with at least
  one digit), never a name.
- ``int`` / ``float``: numbers; decimal commas (``24,5``) accepted.
- ``date``: a real calendar date (``dd-mm-yyyy``, ``d-m-yyyy``, ``dd/mm/yyyy`` or ISO), not in
  the future.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from brugdata.model.vocab import fold

__all__ = ["TABLES", "Column", "Table", "table", "table_for_file", "table_names"]

Kind = Literal[
    "id", "text", "code", "themes", "brin", "school_year", "pseudonym", "int", "float", "date"
]


@dataclass(frozen=True)
class Column:
    """One column of a table and the rules its values obey."""

    name: str
    kind: Kind
    description: str
    required: bool = False
    vocab: str | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    references: str | None = None  # a table whose key this column must match


@dataclass(frozen=True)
class Table:
    """A table: its columns, the columns that identify a row, and its file-name prefixes."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    prefixes: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        """Canonical column names, in order."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """Columns that must be present in a file and filled in every row."""
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name} has no column {name!r}")


_C = Column

#: Columns every questionnaire table starts with.
_SURVEY_KEY = (
    _C("officer_id", "id", "Pseudonymous code of the respondent (officer).", True),
    _C("pilot", "id", "Pilot of the respondent.", True),
    _C("school_year", "school_year", "School year the answers are about.", True),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "pilots",
            "One row per pilot: its display names (optional; the code is shown without one).",
            (
                _C("pilot", "id", "Code of the pilot, as in schools and officers.", True),
                _C("name_nl", "text", "Name of the pilot in Dutch reports and charts.", True),
                _C("name_en", "text", "Name in English (the Dutch name when empty)."),
            ),
            key=("pilot",),
            prefixes=("pilots", "pilotnamen", "projecten"),
        ),
        Table(
            "schools",
            "One row per school (location) and school year.",
            (
                _C("school_id", "brin", "BRIN6 of the school location (BRIN4 for vo).", True),
                _C("school_year", "school_year", "School year, 1 August – 31 July.", True),
                _C("name", "text", "Name of the school."),
                _C("pilot", "id", "Pilot (project) the school takes part in.", True),
                _C("municipality", "text", "Municipality of the school."),
                _C("school_type", "code", "po, gbo, so, vso or vo.", True, vocab="school_type"),
                _C("pupils", "int", "Pupils at the school (1 October count).", min=0),
                _C("families", "int", "Families at the school; empty when unknown.", min=0),
                _C("region", "code", "School holiday region.", vocab="region"),
            ),
            key=("school_id", "school_year"),
            prefixes=("schools", "scholen", "school"),
        ),
        Table(
            "officers",
            "One row per officer (brugfunctionaris or similar role).",
            (
                _C("officer_id", "id", "Pseudonymous code of the officer.", True),
                _C("pilot", "id", "Pilot the officer works in.", True),
                _C("role", "code", "Role of the officer.", True, vocab="role"),
            ),
            key=("officer_id",),
            prefixes=("officers", "functionarissen", "medewerkers"),
        ),
        Table(
            "partners",
            "One row per partner organisation.",
            (
                _C("partner_id", "id", "Code of the partner organisation.", True),
                _C("name", "text", "Name of the organisation."),
                _C("kind", "code", "Kind of partner.", True, vocab="partner_kind"),
            ),
            key=("partner_id",),
            prefixes=("partners", "partner", "ketenpartners", "organisaties"),
        ),
        Table(
            "assignments",
            "One row per officer, school and school year.",
            (
                _C("officer_id", "id", "Officer.", True, references="officers"),
                _C("school_id", "brin", "School.", True, references="schools"),
                _C("school_year", "school_year", "School year.", True),
                _C(
                    "hours_per_week",
                    "float",
                    "Hours a week the officer works at this school.",
                    True,
                    min=0,
                    max=40,
                    min_exclusive=True,
                ),
            ),
            key=("officer_id", "school_id", "school_year"),
            prefixes=("assignments", "inzet", "toewijzingen", "formatie"),
        ),
        Table(
            "contacts",
            "One row per contact moment of an officer.",
            (
                _C("contact_id", "id", "Identifier, unique across the store.", True),
                _C("date", "date", "Date of the contact.", True),
                _C("officer_id", "id", "Officer.", True, references="officers"),
                _C("school_id", "brin", "School.", True, references="schools"),
                _C(
                    "counterpart",
                    "code",
                    "Who the contact was with.",
                    True,
                    vocab="counterpart",
                ),
                _C("person_key", "pseudonym", "Pseudonym of the parent or pupil."),
                _C("family_key", "pseudonym", "Pseudonym of the family."),
                _C(
                    "colleague_role",
                    "code",
                    "Role of the colleague (colleague contacts).",
                    vocab="colleague_role",
                ),
                _C("partner_id", "id", "Partner (partner contacts).", references="partners"),
                _C("themes", "themes", "Themes of the question(s).", True, vocab="theme"),
                _C("channel", "code", "How the contact took place.", vocab="channel"),
                _C("initiated_by", "code", "Who took the initiative.", vocab="initiated_by"),
                _C("duration_min", "int", "Duration in minutes.", min=0, max=600),
                _C("referred_to", "id", "Partner referred to.", references="partners"),
                _C("notes", "text", "Free-text notes (personal data is redacted at ingest)."),
            ),
            key=("contact_id",),
            prefixes=("contacts", "contacten", "contactmomenten", "registratie"),
        ),
        Table(
            "activities",
            "One row per group activity.",
            (
                _C("activity_id", "id", "Identifier of the activity.", True),
                _C("date", "date", "Date of the activity.", True),
                _C("officer_id", "id", "Officer.", True, references="officers"),
                _C("school_id", "brin", "School.", True, references="schools"),
                _C("kind", "code", "Kind of activity.", True, vocab="activity_kind"),
                _C("themes", "themes", "Themes of the activity.", vocab="theme"),
                _C("attendees", "int", "Number of people attending.", min=0),
                _C("notes", "text", "Free-text notes (personal data is redacted at ingest)."),
            ),
            key=("activity_id",),
            prefixes=("activities", "activiteiten", "bijeenkomsten"),
        ),
        Table(
            "time_use",
            "One row per officer, school year and task.",
            (
                _C("officer_id", "id", "Officer.", True, references="officers"),
                _C("school_year", "school_year", "School year.", True),
                _C("task", "code", "Task.", True, vocab="task"),
                _C("share_pct", "float", "Share of working time (%).", True, min=0, max=100),
            ),
            key=("officer_id", "school_year", "task"),
            prefixes=("time_use", "tijdsbesteding", "tijd"),
        ),
        # Questionnaire tables: one answer set per officer and school year. Officers here are
        # respondents: they need not be in the officers table.
        Table(
            "survey",
            "One row per officer (respondent) and school year of a questionnaire.",
            (
                *_SURVEY_KEY,
                _C("school_type", "code", "Type of the officer's school(s).", vocab="school_type"),
                _C("parents_helped", "int", "Parents (families) helped this year.", min=0),
                _C("pupils_helped", "int", "Pupils helped this year.", min=0),
                _C("families_total", "int", "Families at the officer's school(s).", min=0),
                _C("pupils_total", "int", "Pupils at the officer's school(s).", min=0),
                _C(
                    "pct_pupil_cases_parents_spoken",
                    "float",
                    "Share of pupil cases in which the parents were spoken too (%).",
                    min=0,
                    max=100,
                ),
                _C(
                    "internal_contacts",
                    "int",
                    "Colleagues in school the officer works with.",
                    min=0,
                ),
                _C("external_contacts", "int", "External partners the officer works with.", min=0),
            ),
            key=("officer_id", "school_year"),
            prefixes=("survey", "vragenlijst", "enquete"),
        ),
        Table(
            "survey_time_use",
            "One row per respondent, school year and task: share of working time.",
            (
                *_SURVEY_KEY,
                _C("task", "code", "Task.", True, vocab="task"),
                _C("share_pct", "float", "Share of working time (%).", True, min=0, max=100),
            ),
            key=("officer_id", "school_year", "task"),
            prefixes=("survey_time_use", "vragenlijst_tijdsbesteding", "vragenlijst_tijd"),
        ),
        Table(
            "survey_partners",
            "One row per respondent, school year and partner organisation named.",
            (
                *_SURVEY_KEY,
                _C("organisation", "text", "Organisation as named by the respondent.", True),
                _C("kind", "code", "Kind of partner.", True, vocab="partner_kind"),
            ),
            key=("officer_id", "school_year", "organisation"),
            prefixes=("survey_partners", "vragenlijst_partners"),
        ),
        Table(
            "survey_themes",
            "One row per respondent, school year, asker and theme of the questions they get.",
            (
                *_SURVEY_KEY,
                _C("asker", "code", "Who asks.", True, vocab="asker"),
                _C("theme", "code", "Theme of the questions.", True, vocab="theme"),
            ),
            key=("officer_id", "school_year", "asker", "theme"),
            prefixes=("survey_themes", "vragenlijst_themas", "vragenlijst_thema"),
        ),
        Table(
            "survey_answers",
            "One row per open answer: what works and what hinders, per relation.",
            (
                *_SURVEY_KEY,
                _C("relation", "code", "About whom.", True, vocab="relation"),
                _C("kind", "code", "works or bottleneck.", True, vocab="answer_kind"),
                _C("text", "text", "The answer as written.", True),
            ),
            key=("officer_id", "school_year", "relation", "kind", "text"),
            prefixes=("survey_answers", "vragenlijst_antwoorden", "vragenlijst_open"),
        ),
    )
}


def table_names() -> list[str]:
    """Table names in load order: a table comes after every table it references."""
    return list(TABLES)


def table(name: str) -> Table:
    """The table called ``name``; ValueError listing the known tables otherwise."""
    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}; known tables: {', '.join(TABLES)}")
    return TABLES[name]


def table_for_file(path: str | Path) -> str | None:
    """The table a file holds, recognised from its name (``contacten_2024.csv`` → contacts),
    or None. The longest matching prefix wins, so ``survey_answers`` beats ``survey``."""
    stem = fold(Path(path).stem)
    best: tuple[int, str] | None = None
    for t in TABLES.values():
        for prefix in t.prefixes:
            p = fold(prefix)
            if re.match(rf"{re.escape(p)}(?![a-z])", stem) and (best is None or len(p) > best[0]):
                best = (len(p), t.name)
    return best[1] if best else None


_SQL_TYPES = {"int": "BIGINT", "float": "DOUBLE", "date": "DATE", "themes": "VARCHAR[]"}


def column_sql_type(col: Column) -> str:
    """The DuckDB type a column is stored as."""
    return _SQL_TYPES.get(col.kind, "VARCHAR")
