"""What a questionnaire mapping says, in the form conversion uses.

Gives the mapping (:class:`FormMapping` and its questions, codes resolved and answers folded
with :func:`question_key`), the columns of a form export that are never copied or never
reported, and the names of the shipped mappings (:func:`shipped_mappings`). The TOML file
itself is read and checked by :mod:`brugdata.ingest.forms.schema`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files

from brugdata.model.vocab import fold

__all__ = [
    "IDENTIFYING_COLUMNS",
    "METADATA_COLUMNS",
    "NO_ANSWER",
    "AnswerQuestion",
    "FormMapping",
    "PartnerQuestion",
    "SurveyQuestion",
    "ThemeQuestion",
    "TimeUseQuestion",
    "question_key",
    "shipped_mappings",
]

#: Columns of a form export that identify a person: never copied.
IDENTIFYING_COLUMNS: tuple[str, ...] = (
    "Naam",
    "Name",
    "E-mail",
    "E-mailadres",
    "Email",
    "Email address",
    "Volledige naam",
    "Full name",
    "Respondent",
)

#: Metadata columns of Microsoft Forms exports (Dutch and English): not used, not reported.
METADATA_COLUMNS: tuple[str, ...] = (
    "ID",
    "Begintijd",
    "Tijd van voltooien",
    "Tijd van laatste wijziging",
    "Starttijd",
    "Start time",
    "Completion time",
    "Last modified time",
)

#: Open answers that are no answer: not written (counted in ``skipped_answers``).
NO_ANSWER: tuple[str, ...] = ("-", "--", ".", "x", "nvt", "n.v.t.", "n.v.t", "geen", "nee")


def question_key(text: str) -> str:
    """How question texts are compared: :func:`brugdata.model.vocab.fold`, then every run of
    characters other than letters and digits as one ``_``, none at the ends. So case, accents,
    spaces and punctuation (a trailing ``?`` or ``:``) do not matter."""
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")


@dataclass(frozen=True)
class SurveyQuestion:
    """A question that fills one column of the ``survey`` table."""

    question: str
    column: str
    values: Mapping[str, str] = field(default_factory=dict)  # folded answer → value
    optional: bool = False


@dataclass(frozen=True)
class TimeUseQuestion:
    """A question whose answer is the share of time (%) spent on ``task``."""

    question: str
    task: str
    optional: bool = False


@dataclass(frozen=True)
class PartnerQuestion:
    """A multi-select question naming partner organisations; ``kinds``: folded answer →
    partner kind."""

    question: str
    kinds: Mapping[str, str] = field(default_factory=dict)
    optional: bool = False


@dataclass(frozen=True)
class ThemeQuestion:
    """A multi-select question on the themes ``asker`` brings; ``values``: folded answer →
    theme codes (empty: the answer stands for no theme)."""

    question: str
    asker: str
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    optional: bool = False


@dataclass(frozen=True)
class AnswerQuestion:
    """An open question: what works (or hinders) in the work with ``relation``."""

    question: str
    relation: str
    kind: str
    optional: bool = False


@dataclass(frozen=True)
class FormMapping:
    """How one questionnaire's export maps to the survey tables (see :func:`load_mapping`).

    ``pilot`` and ``school_year`` are fixed values or, with ``pilot_column`` /
    ``school_year_column``, read from a question. ``officer_column`` holds the respondent's
    response number (made a pseudonym with ``officer_prefix`` and ``officer_width``) or, without
    a prefix, an officer code.
    """

    name: str
    officer_column: str
    pilot: str | None = None
    pilot_column: str | None = None
    school_year: str | None = None
    school_year_column: str | None = None
    officer_prefix: str | None = None
    officer_width: int = 2
    separator: str = ";"
    drop: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    no_answer: tuple[str, ...] = NO_ANSWER
    survey: tuple[SurveyQuestion, ...] = ()
    time_use: tuple[TimeUseQuestion, ...] = ()
    partners: tuple[PartnerQuestion, ...] = ()
    themes: tuple[ThemeQuestion, ...] = ()
    answers: tuple[AnswerQuestion, ...] = ()
    source: str = ""

    def questions(self) -> list[tuple[str, bool]]:
        """Every question the mapping reads, with whether it may be missing from an export."""
        out: list[tuple[str, bool]] = [(self.officer_column, False)]
        if self.pilot_column:
            out.append((self.pilot_column, False))
        if self.school_year_column:
            out.append((self.school_year_column, False))
        for group in (self.survey, self.time_use, self.partners, self.themes, self.answers):
            out.extend((q.question, q.optional) for q in group)
        return out


def shipped_mappings() -> list[str]:
    """Names of the mappings shipped in ``brugdata/model/data/forms/``."""
    folder = files("brugdata.model.data").joinpath("forms")
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))
