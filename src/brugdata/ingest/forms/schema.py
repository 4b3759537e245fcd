"""The mapping file (TOML) as a declared pydantic model, and loading it.

Takes a TOML file, or the name of a shipped mapping; gives the :class:`FormMapping`
(:func:`load_mapping`). :class:`MappingFile` declares the format (sections, keys, types,
vocabulary codes and the rules across entries); a mistake raises
:class:`~brugdata.errors.BrugdataError` with one sentence naming the file, the entry and the
problem (``gooi.toml: time_use[2].task: 'koffie' is not a code of task (...)``).
"""

from __future__ import annotations

import json
import re
import tomllib
import types
from collections.abc import Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal, Self, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from brugdata.errors import BrugdataError
from brugdata.ingest.forms.mapping import (
    IDENTIFYING_COLUMNS,
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
from brugdata.model.vocab import vocabulary

__all__ = ["SURVEY_COLUMNS", "MappingFile", "load_mapping"]

#: The columns of the ``survey`` table a question may fill (all but the key columns).
SurveyColumn = Literal[
    "school_type",
    "parents_helped",
    "pupils_helped",
    "families_total",
    "pupils_total",
    "pct_pupil_cases_parents_spoken",
    "internal_contacts",
    "external_contacts",
]
#: The same columns, as a tuple.
SURVEY_COLUMNS: tuple[str, ...] = get_args(SurveyColumn)


# --------------------------------------------------------------------------- field types


def _code_of(vocab: str) -> AfterValidator:
    """A validator turning a code, label or alias of ``vocab`` into the code."""

    def check(value: str) -> str:
        """The code ``value`` stands for; ValueError when ``vocab`` does not know it."""
        code = vocabulary(vocab).to_code(value)
        if code is None:
            known = ", ".join(vocabulary(vocab).code_list)
            raise ValueError(f"{value!r} is not a code of {vocab} ({known})")
        return code

    return AfterValidator(check)


def _not_blank(value: str) -> str:
    """The text itself; ValueError when it is empty or only spaces."""
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _as_text(value: Any) -> Any:
    """A number of a value map as text (``30``, ``2.5``; ``30.0`` as ``30``); true and false
    are refused; anything else is left for the type check."""
    if isinstance(value, bool):
        raise ValueError("must be text or a number, not true or false")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value


def _as_list(value: Any) -> Any:
    """One theme code as a list of one."""
    return [value] if isinstance(value, str) else value


def _theme_codes(values: list[str]) -> list[str]:
    """The theme codes (labels and aliases resolved, each once); ValueError for a value that
    is not a theme."""
    vocab = vocabulary("theme")
    codes = []
    for value in values:
        code = vocab.to_code(value)
        if code is None:
            raise ValueError(f"{value!r} is not a theme code")
        codes.append(code)
    return list(dict.fromkeys(codes))


def _column_entry(value: Any) -> Any:
    """``"column"`` as ``{ column = "column" }``."""
    return {"column": value} if isinstance(value, str) else value


def _value_or_column(value: Any) -> Any:
    """A fixed text, or ``{ column = "..." }`` as a :class:`ColumnRef`."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping) and set(value) == {"column"} and isinstance(value["column"], str):
        return ColumnRef(column=value["column"])
    raise ValueError('must be text or { column = "..." }')


Question = Annotated[str, AfterValidator(_not_blank)]
Task = Annotated[str, _code_of("task")]
Asker = Annotated[str, _code_of("asker")]
Relation = Annotated[str, _code_of("relation")]
AnswerKind = Annotated[str, _code_of("answer_kind")]
PartnerKind = Annotated[str, _code_of("partner_kind")]
ThemeCodes = Annotated[list[str], BeforeValidator(_as_list), AfterValidator(_theme_codes)]
ValueText = Annotated[str, BeforeValidator(_as_text)]


# --------------------------------------------------------------------------- the sections


class _Entry(BaseModel):
    """A table of the mapping file: unknown keys and values of the wrong type are refused."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ColumnRef(_Entry):
    """``{ column = "..." }``: a value read from a question of the export."""

    column: Question


class OfficerId(_Entry):
    """``officer_id``: the column of response numbers (with ``prefix``, zero-padded to
    ``width`` digits) or, without a prefix, of officer codes."""

    column: Question
    prefix: str | None = None
    width: int = Field(2, ge=1, le=9)

    @field_validator("column")
    @classmethod
    def _not_identifying(cls, column: str) -> str:
        """The column, unless it is one that identifies a person (Naam, E-mail, ...)."""
        if question_key(column) in {question_key(c) for c in IDENTIFYING_COLUMNS}:
            raise ValueError(
                f"cannot come from {column!r}: that column identifies a person; use the "
                "response number with a prefix or a column of officer codes"
            )
        return column


ValueOrColumn = Annotated[str | ColumnRef | None, BeforeValidator(_value_or_column)]


class FormSection(_Entry):
    """``[form]``: the fixed values and the export's layout."""

    name: str | None = None
    pilot: ValueOrColumn = None
    school_year: ValueOrColumn = None
    officer_id: Annotated[OfficerId, BeforeValidator(_column_entry)]
    separator: str = Field(";", min_length=1, max_length=1)
    drop: list[str] = []
    ignore: list[str] = []
    no_answer: list[str] = list(NO_ANSWER)


class SurveyEntry(_Entry):
    """A ``[survey]`` entry: ``"question" = "column"`` or ``{ column, values, optional }``."""

    column: SurveyColumn
    values: dict[str, ValueText] = {}
    optional: bool = False


class TimeUseEntry(_Entry):
    """A ``[[time_use]]`` entry: the share of time (%) spent on ``task``."""

    question: Question
    task: Task
    optional: bool = False


class PartnerEntry(_Entry):
    """A ``[[partners]]`` entry: options → partner kinds (beside ``[partner_kinds]``)."""

    question: Question
    kinds: dict[str, PartnerKind] = {}
    optional: bool = False


class ThemeEntry(_Entry):
    """A ``[[themes]]`` entry: the themes ``asker`` brings; options → theme codes (beside
    ``[theme_values]``)."""

    question: Question
    asker: Asker
    values: dict[str, ThemeCodes] = {}
    optional: bool = False


class AnswerEntry(_Entry):
    """An ``[[answers]]`` entry: an open question on what works or hinders with ``relation``."""

    question: Question
    relation: Relation
    kind: AnswerKind
    optional: bool = False


class MappingFile(_Entry):
    """A mapping file as written (see ``docs/questionnaires.md``); :meth:`to_mapping` gives
    the :class:`FormMapping` conversion uses."""

    form: FormSection
    survey: dict[str, Annotated[SurveyEntry, BeforeValidator(_column_entry)]] = {}
    time_use: list[TimeUseEntry] = []
    partners: list[PartnerEntry] = []
    themes: list[ThemeEntry] = []
    answers: list[AnswerEntry] = []
    theme_values: dict[str, ThemeCodes] = {}
    partner_kinds: dict[str, PartnerKind] = {}

    @field_validator("survey")
    @classmethod
    def _one_question_per_column(cls, survey: dict[str, SurveyEntry]) -> dict[str, SurveyEntry]:
        """The entries, unless two questions fill one column."""
        twice = _repeated(entry.column for entry in survey.values())
        if twice:
            raise ValueError(f"more than one question fills {', '.join(twice)}")
        return survey

    @field_validator("time_use")
    @classmethod
    def _one_question_per_task(cls, time_use: list[TimeUseEntry]) -> list[TimeUseEntry]:
        """The entries, unless two questions are on one task."""
        twice = _repeated(entry.task for entry in time_use)
        if twice:
            raise ValueError(f"more than one question for task {', '.join(twice)}")
        return time_use

    @model_validator(mode="after")
    def _each_question_once(self) -> Self:
        """The mapping, unless it reads one question twice (compared as :func:`question_key`)."""
        twice = _repeated(question_key(q) for q, _ in self.to_mapping("").questions())
        if twice:
            raise ValueError(f"a question is used twice: {twice[0]!r}")
        return self

    def to_mapping(self, source: str) -> FormMapping:
        """The mapping conversion uses: fixed values and columns apart, answers folded with
        :func:`question_key`, the shared tables merged into every question's own."""
        form = self.form
        pilot, year = form.pilot, form.school_year
        return FormMapping(
            name=form.name if form.name is not None else source,
            officer_column=form.officer_id.column,
            pilot=pilot if isinstance(pilot, str) else None,
            pilot_column=pilot.column if isinstance(pilot, ColumnRef) else None,
            school_year=year if isinstance(year, str) else None,
            school_year_column=year.column if isinstance(year, ColumnRef) else None,
            officer_prefix=form.officer_id.prefix,
            officer_width=form.officer_id.width,
            separator=form.separator,
            drop=tuple(form.drop),
            ignore=tuple(form.ignore),
            no_answer=tuple(form.no_answer),
            survey=tuple(
                SurveyQuestion(q, e.column, _folded(e.values), e.optional)
                for q, e in self.survey.items()
            ),
            time_use=tuple(TimeUseQuestion(e.question, e.task, e.optional) for e in self.time_use),
            partners=tuple(
                PartnerQuestion(
                    e.question, {**_folded(self.partner_kinds), **_folded(e.kinds)}, e.optional
                )
                for e in self.partners
            ),
            themes=tuple(
                ThemeQuestion(
                    e.question,
                    e.asker,
                    {
                        k: tuple(v)
                        for k, v in {**_folded(self.theme_values), **_folded(e.values)}.items()
                    },
                    e.optional,
                )
                for e in self.themes
            ),
            answers=tuple(
                AnswerQuestion(e.question, e.relation, e.kind, e.optional) for e in self.answers
            ),
            source=source,
        )


def _repeated(values: Any) -> list[str]:
    """The values that occur more than once, sorted."""
    seen: set[str] = set()
    twice: set[str] = set()
    for value in values:
        (twice if value in seen else seen).add(value)
    return sorted(twice)


def _folded(table: Mapping[str, Any]) -> dict[str, Any]:
    """A table of answer options with the options as :func:`question_key`."""
    return {question_key(option): value for option, value in table.items()}


# --------------------------------------------------------------------------- loading


def load_mapping(path_or_name: str | Path) -> FormMapping:
    """A mapping from a TOML file, or a shipped one by name (``"gooi_vechtstreek"``).

    Every code in it (tasks, partner kinds, askers, themes, relations, answer kinds, survey
    columns) is checked here; a mistake raises :class:`~brugdata.errors.BrugdataError` with one
    sentence naming the file and the entry.
    """
    p = Path(path_or_name)
    if p.suffix.lower() == ".toml" or p.exists():
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise BrugdataError(f"{p.name}: the mapping cannot be read ({exc.strerror})") from exc
        where = p.name
    else:
        name = str(path_or_name)
        resource = files("brugdata.model.data").joinpath("forms", f"{name}.toml")
        if not resource.is_file():
            known = ", ".join(shipped_mappings())
            raise BrugdataError(
                f"no mapping file {name!r} and no shipped mapping of that name (shipped: {known})"
            )
        text = resource.read_text(encoding="utf-8")
        where = f"{name}.toml"
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BrugdataError(f"{where}: not valid TOML ({exc})") from exc
    try:
        return MappingFile.model_validate(raw).to_mapping(where)
    except ValidationError as exc:
        raise BrugdataError(_sentence(where, exc)) from None


#: What to write instead, for the mistakes a first mapping makes most: (location, error type).
_HINTS: dict[tuple[tuple[int | str, ...], str], str] = {
    (("form",), "missing"): "the mapping needs a [form] section",
    (("form", "officer_id"), "missing"): (
        'write officer_id = { column = "ID", prefix = "..." } (the response number made a '
        'pseudonym) or officer_id = { column = "..." } (a column of officer codes)'
    ),
    (("survey",), "dict_type"): 'write [survey] as a table of "question" = "column"',
    **{
        ((section,), "list_type"): f"write it as [[{section}]] entries"
        for section in ("time_use", "partners", "themes", "answers")
    },
}


def _sentence(where: str, exc: ValidationError) -> str:
    """The first problem pydantic found, as one sentence naming the file and the entry."""
    errors = exc.errors(include_url=False)
    error = errors[0]
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "value_error":
        problem = str(error["ctx"]["error"])
    elif kind == "missing":
        problem = "field required"
    elif kind == "literal_error":
        problem = f"{error['input']!r} should be one of {error['ctx']['expected']}"
    elif kind == "extra_forbidden":
        owner = _model_at(loc[:-1])
        what = "section" if not loc[:-1] else "key"
        known = f" (known: {', '.join(owner.model_fields)})" if owner is not None else ""
        problem = f"unknown {what}{known}"
    else:
        message = str(error["msg"]).replace("Input should be", "should be")
        problem = message[:1].lower() + message[1:]
    hint = _HINTS.get((loc, kind))
    if hint:
        problem += f"; {hint}"
    more = len(errors) - 1
    if more:
        problem += f" (and {more} more problem{'s' if more > 1 else ''})"
    return f"{where}: {_location(loc)}: {problem}" if loc else f"{where}: {problem}"


def _location(loc: Sequence[int | str]) -> str:
    """An error's location as a TOML path: ``themes[0].values."Geen"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = (
                part
                if re.fullmatch(r"[A-Za-z0-9_-]+", part)
                else json.dumps(part, ensure_ascii=False)
            )
            out += f".{key}" if out else key
    return out


def _model_at(loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model class of the table at ``loc`` in a :class:`MappingFile`, if there is one."""
    kind: Any = MappingFile
    for part in loc:
        kind = _model_in(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            field = kind.model_fields.get(str(part))
            if field is None:
                return None
            kind = field.annotation
        elif get_origin(kind) in (list, dict):
            kind = get_args(kind)[-1]
        else:
            return None
    kind = _model_in(kind)
    return kind if isinstance(kind, type) and issubclass(kind, BaseModel) else None


def _model_in(kind: Any) -> Any:
    """``kind`` without ``Annotated``; of a union, its model class."""
    if get_origin(kind) is Annotated:
        return _model_in(get_args(kind)[0])
    if get_origin(kind) in (Union, types.UnionType):
        models = [k for k in get_args(kind) if isinstance(k, type) and issubclass(k, BaseModel)]
        return models[0] if models else kind
    return kind
