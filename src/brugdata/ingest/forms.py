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

The mapping format is documented in ``docs/questionnaires.md``; ``brugdata/data/forms/``
ships ready-made mappings (:func:`load_mapping` by name, e.g. ``"gooi_vechtstreek"``).
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import polars as pl

from brugdata.errors import BrugdataError
from brugdata.ingest.read import LINE_COLUMN, PROBLEM_COLUMN, read_raw
from brugdata.model.tables import table
from brugdata.model.vocab import fold, themes, vocabulary

__all__ = [
    "AnswerQuestion",
    "FormConversion",
    "FormMapping",
    "PartnerQuestion",
    "SURVEY_FILES",
    "SurveyQuestion",
    "ThemeQuestion",
    "TimeUseQuestion",
    "convert_form",
    "load_mapping",
    "question_key",
    "shipped_mappings",
]

#: The survey tables convert_form writes, each to ``<table>.csv``.
SURVEY_FILES: tuple[str, ...] = (
    "survey",
    "survey_time_use",
    "survey_partners",
    "survey_themes",
    "survey_answers",
)

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

_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_SECTIONS = {
    "form",
    "survey",
    "time_use",
    "partners",
    "themes",
    "answers",
    "theme_values",
    "partner_kinds",
}
_FORM_KEYS = {
    "name",
    "pilot",
    "school_year",
    "officer_id",
    "separator",
    "drop",
    "ignore",
    "no_answer",
}
_KEY_COLUMNS = ("officer_id", "pilot", "school_year")


def question_key(text: str) -> str:
    """How question texts are compared: :func:`brugdata.vocab.fold`, then every run of
    characters other than letters and digits as one ``_``, none at the ends. So case, accents,
    spaces and punctuation (a trailing ``?`` or ``:``) do not matter."""
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")


# --------------------------------------------------------------------------- the mapping


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
    """Names of the mappings shipped in ``brugdata/data/forms/``."""
    folder = files("brugdata.model.data").joinpath("forms")
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_mapping(path_or_name: str | Path) -> FormMapping:
    """A mapping from a TOML file, or a shipped one by name (``"gooi_vechtstreek"``).

    Every code in it (tasks, partner kinds, askers, themes, relations, answer kinds, survey
    columns) is checked here; a mistake raises :class:`~brugdata.errors.BrugdataError` with one
    sentence naming the entry.
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
    return _mapping(raw, where)


def _fail(where: str, message: str) -> BrugdataError:
    return BrugdataError(f"{where}: {message}")


def _code(vocab: str, value: Any, where: str, what: str) -> str:
    code = vocabulary(vocab).to_code(str(value)) if isinstance(value, str) else None
    if code is None:
        known = ", ".join(vocabulary(vocab).code_list)
        raise _fail(where, f"{what}: {value!r} is not a code of {vocab} ({known})")
    return code


def _question(entry: Mapping[str, Any], where: str, section: str) -> str:
    q = entry.get("question")
    if not isinstance(q, str) or not q.strip():
        raise _fail(where, f"every [[{section}]] needs a question (the column header)")
    return q


def _column_or_value(raw: Any, where: str, what: str) -> tuple[str | None, str | None]:
    """(fixed value, column) of a [form] setting that is a value or ``{ column = "..." }``."""
    if raw is None:
        return None, None
    if isinstance(raw, str):
        return raw, None
    if isinstance(raw, Mapping) and isinstance(raw.get("column"), str):
        return None, raw["column"]
    raise _fail(where, f'[form] {what} must be text or {{ column = "..." }}')


def _theme_values(raw: Any, where: str, what: str) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise _fail(where, f"{what} must be a table of answer = theme code(s)")
    out: dict[str, tuple[str, ...]] = {}
    vocab = themes()
    for answer, value in raw.items():
        codes = [value] if isinstance(value, str) else value
        if not isinstance(codes, list):
            raise _fail(where, f"{what}: {answer!r} must map to a theme code or a list of them")
        resolved = []
        for c in codes:
            code = vocab.to_code(c) if isinstance(c, str) else None
            if code is None:
                raise _fail(where, f"{what}: {answer!r} → {c!r} is not a theme code")
            resolved.append(code)
        out[question_key(answer)] = tuple(dict.fromkeys(resolved))
    return out


def _kinds(raw: Any, where: str, what: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise _fail(where, f"{what} must be a table of organisation = partner kind")
    return {
        question_key(org): _code("partner_kind", kind, where, f"{what} {org!r}")
        for org, kind in raw.items()
    }


def _entries(raw: Mapping[str, Any], section: str, where: str) -> list[Mapping[str, Any]]:
    entries = raw.get(section, [])
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise _fail(where, f"{section} must be written as [[{section}]] entries")
    return entries


def _mapping(raw: Mapping[str, Any], where: str) -> FormMapping:
    unknown = set(raw) - _SECTIONS
    if unknown:
        raise _fail(
            where, f"unknown section(s) {sorted(unknown)}; known: {', '.join(sorted(_SECTIONS))}"
        )
    form = raw.get("form")
    if not isinstance(form, Mapping):
        raise _fail(where, "the mapping needs a [form] section")
    bad = set(form) - _FORM_KEYS
    if bad:
        raise _fail(where, f"[form] has unknown keys {sorted(bad)}")
    pilot, pilot_column = _column_or_value(form.get("pilot"), where, "pilot")
    year, year_column = _column_or_value(form.get("school_year"), where, "school_year")
    officer = form.get("officer_id")
    if isinstance(officer, str):
        officer = {"column": officer}
    if not isinstance(officer, Mapping) or not isinstance(officer.get("column"), str):
        raise _fail(
            where,
            '[form] needs officer_id = { column = "ID", prefix = "..." } (the response number '
            'made a pseudonym) or officer_id = { column = "..." } (a column of officer codes)',
        )
    if question_key(officer["column"]) in {question_key(c) for c in IDENTIFYING_COLUMNS}:
        raise _fail(
            where,
            f"officer_id cannot come from {officer['column']!r}: that column identifies a "
            "person; use the response number with a prefix or a column of officer codes",
        )
    prefix = officer.get("prefix")
    width = officer.get("width", 2)
    if prefix is not None and not isinstance(prefix, str):
        raise _fail(where, "[form] officer_id prefix must be text")
    if not isinstance(width, int) or not 1 <= width <= 9:
        raise _fail(where, "[form] officer_id width must be a whole number from 1 to 9")
    separator = form.get("separator", ";")
    if not isinstance(separator, str) or len(separator) != 1:
        raise _fail(where, "[form] separator must be one character")

    for listed in ("drop", "ignore", "no_answer"):
        value = form.get(listed, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _fail(where, f"[form] {listed} must be a list of texts")

    spec = table("survey")
    survey: list[SurveyQuestion] = []
    survey_raw = raw.get("survey", {})
    if not isinstance(survey_raw, Mapping):
        raise _fail(where, '[survey] must be a table of "question" = "column"')
    allowed = [c for c in spec.column_names if c not in _KEY_COLUMNS]
    for question, target in survey_raw.items():
        entry = {"column": target} if isinstance(target, str) else target
        if not isinstance(entry, Mapping) or entry.get("column") not in allowed:
            raise _fail(
                where,
                f"[survey] {question!r}: map it to one of {', '.join(allowed)} "
                '(as "column" or { column = "...", values = { ... } })',
            )
        values = entry.get("values", {})
        if not isinstance(values, Mapping):
            raise _fail(where, f"[survey] {question!r}: values must be a table")
        survey.append(
            SurveyQuestion(
                question,
                entry["column"],
                {question_key(k): _plain(v) for k, v in values.items()},
                bool(entry.get("optional", False)),
            )
        )
    columns = [q.column for q in survey]
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise _fail(where, f"[survey] more than one question fills {', '.join(twice)}")

    time_use = []
    for e in _entries(raw, "time_use", where):
        q = _question(e, where, "time_use")
        task = _code("task", e.get("task"), where, f"[[time_use]] {q!r} task")
        time_use.append(TimeUseQuestion(q, task, bool(e.get("optional", False))))
    tasks = [t.task for t in time_use]
    twice = sorted({t for t in tasks if tasks.count(t) > 1})
    if twice:
        raise _fail(where, f"[[time_use]] more than one question for task {', '.join(twice)}")

    shared_kinds = _kinds(raw.get("partner_kinds"), where, "[partner_kinds]")
    partners = []
    for e in _entries(raw, "partners", where):
        q = _question(e, where, "partners")
        kinds = {**shared_kinds, **_kinds(e.get("kinds"), where, f"[[partners]] {q!r} kinds")}
        partners.append(PartnerQuestion(q, kinds, bool(e.get("optional", False))))

    shared_themes = _theme_values(raw.get("theme_values"), where, "[theme_values]")
    theme_questions = []
    for e in _entries(raw, "themes", where):
        q = _question(e, where, "themes")
        asker = _code("asker", e.get("asker"), where, f"[[themes]] {q!r} asker")
        values = {
            **shared_themes,
            **_theme_values(e.get("values"), where, f"[[themes]] {q!r} values"),
        }
        theme_questions.append(ThemeQuestion(q, asker, values, bool(e.get("optional", False))))

    answers = []
    for e in _entries(raw, "answers", where):
        q = _question(e, where, "answers")
        relation = _code("relation", e.get("relation"), where, f"[[answers]] {q!r} relation")
        kind = _code("answer_kind", e.get("kind"), where, f"[[answers]] {q!r} kind")
        answers.append(AnswerQuestion(q, relation, kind, bool(e.get("optional", False))))

    mapping = FormMapping(
        name=str(form.get("name", where)),
        officer_column=officer["column"],
        pilot=pilot,
        pilot_column=pilot_column,
        school_year=year,
        school_year_column=year_column,
        officer_prefix=prefix,
        officer_width=width,
        separator=separator,
        drop=tuple(form.get("drop", ())),
        ignore=tuple(form.get("ignore", ())),
        no_answer=tuple(form.get("no_answer", NO_ANSWER)),
        survey=tuple(survey),
        time_use=tuple(time_use),
        partners=tuple(partners),
        themes=tuple(theme_questions),
        answers=tuple(answers),
        source=where,
    )
    keys = [question_key(q) for q, _ in mapping.questions()]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise _fail(where, f"a question is used twice: {twice[0]!r}")
    return mapping


def _plain(value: Any) -> str:
    """A value of a [survey] values map as text (numbers as written, "" for unknown)."""
    if isinstance(value, bool):
        raise BrugdataError("a [survey] value map cannot hold true or false")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- conversion


@dataclass
class FormConversion:
    """What :func:`convert_form` did.

    ``files``: the CSV files written (one per survey table, header only when empty).
    ``rows``: rows written per table. ``respondents``: responses in the export.
    ``unmapped``: answers the mapping could not translate (table, question, value, count,
    written_as): multi-select answers written as ``other``, counts that are not numbers
    (written as given: validation rejects them with a reason). ``dropped``: identifying columns
    of the export that were not copied. ``unused``: columns the mapping does not read (neither
    identifying nor Forms metadata): questions you may want to map. ``redacted``: personal data
    removed from open answers, by kind. ``skipped_answers``: open answers that said nothing
    ("-", "nvt", "geen"). ``problems``: structural problems of the export's rows (line, problem).
    """

    mapping: str
    export: Path
    respondents: int
    files: list[Path]
    rows: dict[str, int]
    unmapped: pl.DataFrame
    dropped: list[str]
    unused: list[str]
    redacted: dict[str, int] = field(default_factory=dict)
    skipped_answers: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        """A few lines for people: respondents, rows per table, what needs a look."""
        lines = [
            f"{self.export.name} ({self.mapping}): {self.respondents} respondents",
            *(f"  {name}: {n} rows" for name, n in self.rows.items()),
        ]
        if self.dropped:
            lines.append(f"  not copied (identifying): {', '.join(self.dropped)}")
        if self.unused:
            lines.append(f"  columns not in the mapping: {', '.join(self.unused)}")
        for r in self.unmapped.iter_rows(named=True):
            lines.append(
                f"  unmapped answer {r['value']!r} to {r['question']!r} ({r['count']}×): "
                f"written as {r['written_as']!r}"
            )
        for line, problem in self.problems:
            lines.append(f"  line {line}: {problem}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


class _Unmapped:
    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str, str, str]] = Counter()

    def add(self, table_name: str, question: str, value: str, written_as: str) -> None:
        self.counts[(table_name, question, value, written_as)] += 1

    def frame(self) -> pl.DataFrame:
        rows = [
            {"table": t, "question": q, "value": v, "count": n, "written_as": w}
            for (t, q, v, w), n in self.counts.items()
        ]
        schema = {
            "table": pl.String,
            "question": pl.String,
            "value": pl.String,
            "count": pl.Int64,
            "written_as": pl.String,
        }
        return pl.DataFrame(rows, schema=schema)


def _number_text(value: str) -> str | None:
    """``value`` as a plain number text (``"12,5%"`` → ``"12.5"``, ``"3.0"`` → ``"3"``), or
    None when it is not one number."""
    text = value.strip().rstrip("%").strip().replace("\u00a0", "")
    if not _NUMBER.match(text):
        return None
    text = text.replace(",", ".")
    number = float(text)
    return str(int(number)) if number.is_integer() else text


def _officer_id(value: str | None, mapping: FormMapping, line: int) -> str:
    if value is None:
        return ""
    text = value.strip()
    if mapping.officer_prefix is None:
        return text
    number = _number_text(text)
    if number is None or "." in number or int(number) < 0:
        raise BrugdataError(
            f"line {line}: column {mapping.officer_column!r} should hold the response number "
            f"(a whole number) to make the respondent's pseudonym, not {text!r}"
        )
    return f"{mapping.officer_prefix}{int(number):0{mapping.officer_width}d}"


def _looks_identifying(values: Sequence[str]) -> bool:
    return any("@" in v or re.search(r"[A-Za-z]\s+[A-Za-z]", v) for v in values)


def _split(cell: str | None, separator: str) -> list[str]:
    if cell is None:
        return []
    parts = [p.strip() for p in cell.split(separator)]
    return list(dict.fromkeys(p for p in parts if p))


def convert_form(
    export: str | Path,
    mapping: FormMapping | str | Path,
    *,
    out_dir: str | Path,
    pilot: str | None = None,
    school_year: str | None = None,
    sheet: str | int | None = None,
    suffix: str = "",
) -> FormConversion:
    """Convert a form export (``.xlsx`` or ``.csv``) with ``mapping`` into the survey tables.

    ``mapping`` is a :class:`FormMapping`, a TOML file or the name of a shipped mapping.
    Writes ``survey{suffix}.csv``, ``survey_time_use{suffix}.csv``, ... into ``out_dir``
    (created if needed; existing files of those names are replaced): UTF-8, ``,``-separated,
    canonical English headers, ready for ``store.ingest(out_dir)``. ``pilot`` and
    ``school_year`` override the mapping's; ``sheet`` picks an Excel sheet (default the first).

    Raises :class:`~brugdata.errors.BrugdataError` with one sentence when the export lacks a
    question the mapping needs (naming it), when the mapping gives no pilot or school year, or
    when the officer column holds names or e-mail addresses.
    """
    spec = mapping if isinstance(mapping, FormMapping) else load_mapping(mapping)
    raw = read_raw(export, sheet=sheet)
    data = raw.data
    name = raw.path.name
    headers = [c for c in data.columns if c not in (LINE_COLUMN, PROBLEM_COLUMN)]
    by_key: dict[str, str] = {}
    for h in headers:
        by_key.setdefault(question_key(h), h)

    missing = [
        q for q, optional in spec.questions() if not optional and question_key(q) not in by_key
    ]
    if missing:
        listed = "; ".join(repr(q) for q in missing)
        what = "question" if len(missing) == 1 else f"{len(missing)} questions"
        raise BrugdataError(
            f"{name}: the export has no column for the {what} {listed} that the mapping "
            f"{spec.source or spec.name} expects; check the question text in the mapping "
            "against the export's header"
        )
    column = {q: by_key.get(question_key(q)) for q, _ in spec.questions()}

    fixed_pilot = pilot or spec.pilot
    fixed_year = school_year or spec.school_year
    if fixed_pilot is None and spec.pilot_column is None:
        raise BrugdataError(f"{spec.source}: the mapping gives no pilot; pass pilot=...")
    if fixed_year is None and spec.school_year_column is None:
        raise BrugdataError(
            f"{spec.source}: the mapping gives no school year; pass school_year=..."
        )

    officer_col = column[spec.officer_column]
    assert officer_col is not None
    if spec.officer_prefix is None:
        codes = data.get_column(officer_col).drop_nulls().to_list()
        if _looks_identifying(codes):
            raise BrugdataError(
                f"{name}: column {officer_col!r} holds names or e-mail addresses, not officer "
                "codes; use the response number with a prefix as officer_id"
            )

    identifying = {question_key(c) for c in (*IDENTIFYING_COLUMNS, *spec.drop)}
    metadata = {question_key(c) for c in (*METADATA_COLUMNS, *spec.ignore)}
    used = {c for c in column.values() if c is not None}
    dropped = [h for h in headers if h not in used and question_key(h) in identifying]
    unused = [h for h in headers if h not in used and question_key(h) not in identifying | metadata]

    from brugdata.ingest.privacy import redact

    unmapped = _Unmapped()
    out: dict[str, list[dict[str, str]]] = {t: [] for t in SURVEY_FILES}
    redacted: Counter[str] = Counter()
    skipped = 0
    no_answer = {question_key(v) or v for v in spec.no_answer}
    tvocab = themes()
    kvocab = vocabulary("partner_kind")
    problems = [
        (int(r[LINE_COLUMN]), str(r[PROBLEM_COLUMN]))
        for r in data.filter(pl.col(PROBLEM_COLUMN).is_not_null()).iter_rows(named=True)
    ]
    for row in data.iter_rows(named=True):
        line = int(row[LINE_COLUMN])

        def answer(question: str | None, row: dict[str, Any] = row) -> str | None:
            header = column.get(question) if question else None
            return row[header] if header else None

        key = {
            "officer_id": _officer_id(row[officer_col], spec, line),
            "pilot": fixed_pilot or (answer(spec.pilot_column) or "").strip(),
            "school_year": fixed_year or (answer(spec.school_year_column) or "").strip(),
        }
        survey = dict(key)
        for q in spec.survey:
            survey[q.column] = _survey_value(q, answer(q.question), unmapped)
        out["survey"].append(survey)

        for t in spec.time_use:
            cell = answer(t.question)
            if cell is None or not cell.strip():
                continue
            number = _number_text(cell)
            if number is None:
                unmapped.add("survey_time_use", t.question, cell.strip(), cell.strip())
            out["survey_time_use"].append(
                {**key, "task": t.task, "share_pct": number or cell.strip()}
            )

        named: dict[str, dict[str, str]] = {}
        for p in spec.partners:
            cell = answer(p.question)
            for value in _split(cell, spec.separator):
                kind = p.kinds.get(question_key(value)) or kvocab.to_code(value)
                if kind is None:
                    kind = "other"
                    unmapped.add("survey_partners", p.question, value, kind)
                named.setdefault(question_key(value), {**key, "organisation": value, "kind": kind})
        out["survey_partners"].extend(named.values())

        for tq in spec.themes:
            cell = answer(tq.question)
            seen: list[str] = []
            for value in _split(cell, spec.separator):
                folded = question_key(value)
                if folded in tq.values:
                    codes = list(tq.values[folded])
                else:
                    code = tvocab.to_code(value)
                    if code is None:
                        code = "other"
                        unmapped.add("survey_themes", tq.question, value, code)
                    codes = [code]
                seen.extend(c for c in codes if c not in seen)
            out["survey_themes"].extend({**key, "asker": tq.asker, "theme": c} for c in seen)

        answered: set[tuple[str, str, str]] = set()
        for a in spec.answers:
            cell = answer(a.question)
            text = (cell or "").strip()
            if not text:
                continue
            if (question_key(text) or text) in no_answer:
                skipped += 1
                continue
            clean, found = redact(text)
            redacted.update(found)
            if (a.relation, a.kind, clean) in answered:
                continue  # the same answer twice (two questions on one relation and kind)
            answered.add((a.relation, a.kind, clean))
            out["survey_answers"].append(
                {**key, "relation": a.relation, "kind": a.kind, "text": clean}
            )

    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table_name in SURVEY_FILES:
        path = folder / f"{table_name}{suffix}.csv"
        _write(path, table_name, out[table_name])
        written.append(path)
    return FormConversion(
        mapping=spec.name,
        export=raw.path,
        respondents=data.height,
        files=written,
        rows={t: len(out[t]) for t in SURVEY_FILES},
        unmapped=unmapped.frame(),
        dropped=dropped,
        unused=unused,
        redacted=dict(redacted),
        skipped_answers=skipped,
        problems=problems,
    )


def _survey_value(q: SurveyQuestion, cell: str | None, unmapped: _Unmapped) -> str:
    """One cell of the survey table: the value map first, then numbers normalised; anything
    else as written (validation judges it)."""
    if cell is None or not cell.strip():
        return ""
    text = cell.strip()
    mapped = q.values.get(question_key(text))
    if mapped is not None:
        return mapped
    col = table("survey").column(q.column)
    if col.kind in ("int", "float"):
        number = _number_text(text)
        if number is None:
            unmapped.add("survey", q.question, text, text)
            return text
        return number
    if col.vocab is not None and vocabulary(col.vocab).to_code(text) is None:
        unmapped.add("survey", q.question, text, text)
    return text


def _write(path: Path, table_name: str, rows: list[dict[str, str]]) -> None:
    columns = table(table_name).column_names
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
