"""Converting a form export with a mapping into the survey tables' CSV files.

Takes an export (``.xlsx`` or ``.csv``, one row per response, question texts as headers) and a
:class:`~brugdata.ingest.forms.mapping.FormMapping` (or a mapping file or shipped name); writes
``survey.csv``, ``survey_time_use.csv``, ``survey_partners.csv``, ``survey_themes.csv`` and
``survey_answers.csv`` and gives a :class:`FormConversion` saying what was written, dropped,
left unmapped or redacted (:func:`convert_form`).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from brugdata.errors import BrugdataError
from brugdata.ingest.forms.mapping import (
    IDENTIFYING_COLUMNS,
    METADATA_COLUMNS,
    FormMapping,
    SurveyQuestion,
    question_key,
)
from brugdata.ingest.forms.schema import load_mapping
from brugdata.ingest.privacy import redact
from brugdata.ingest.read import LINE_COLUMN, PROBLEM_COLUMN, read_raw
from brugdata.model.tables import table
from brugdata.model.vocab import themes, vocabulary

__all__ = ["SURVEY_FILES", "FormConversion", "convert_form"]

#: The survey tables convert_form writes, each to ``<table>.csv``.
SURVEY_FILES: tuple[str, ...] = (
    "survey",
    "survey_time_use",
    "survey_partners",
    "survey_themes",
    "survey_answers",
)

_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


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
    """The answers a mapping could not translate, counted; :meth:`frame` gives them."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str, str, str]] = Counter()

    def add(self, table_name: str, question: str, value: str, written_as: str) -> None:
        """Count one answer ``value`` to ``question``, written as ``written_as``."""
        self.counts[(table_name, question, value, written_as)] += 1

    def frame(self) -> pl.DataFrame:
        """table, question, value, count, written_as: one row per distinct answer."""
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
    """The respondent's pseudonym: the response number with the prefix, or the officer code."""
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
    """True when a value looks like an e-mail address or a name (two words)."""
    return any("@" in v or re.search(r"[A-Za-z]\s+[A-Za-z]", v) for v in values)


def _split(cell: str | None, separator: str) -> list[str]:
    """The options of a multi-select cell, each once, in order."""
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
    """Write ``rows`` to ``path`` as CSV with the table's canonical header."""
    columns = table(table_name).column_names
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
