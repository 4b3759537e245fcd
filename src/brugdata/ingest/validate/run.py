"""The entry points: :func:`validate` (files and folders) and :func:`validate_raw` (one
file that has been read).

Takes paths (or a :class:`~brugdata.ingest.read.RawTable`) and the table; gives a
:class:`~brugdata.ingest.results.ValidationResult` (or one
:class:`~brugdata.ingest.results.FileResult`): every row read valid or rejected with reasons.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import polars as pl

from brugdata.config import check_key
from brugdata.errors import ReadError
from brugdata.ingest.privacy import redact_label
from brugdata.ingest.read import LINE_COLUMN, PROBLEM_COLUMN, RawTable, read_ahead, read_raw
from brugdata.ingest.results import FileError, FileResult, Known, ValidationResult
from brugdata.ingest.validate.checks import row_rules, schema_failures
from brugdata.ingest.validate.dates import (
    DateRules,
    check_date_format,
    date_window,
    school_years_in_name,
)
from brugdata.ingest.validate.failures import IDX, combine, malformed, missing_column
from brugdata.ingest.validate.files import gather_files, same_content
from brugdata.ingest.validate.guard import Privacy, guard, scrub_failures, scrub_rows
from brugdata.ingest.validate.headers import check_header, check_mapping, map_headers, trim
from brugdata.ingest.validate.layout import SHEET_COLUMN, find_layout
from brugdata.ingest.validate.multi import join_themes
from brugdata.ingest.validate.parse import parse_columns
from brugdata.ingest.validate.sheets import plan_sheets
from brugdata.model.tables import table

__all__ = ["validate", "validate_raw"]


def validate(
    *paths: str | Path,
    table: str | None = None,
    columns: Mapping[str, str] | None = None,
    known: Known | None = None,
    today: dt.date | None = None,
    pseudonym_key: bytes | None = None,
    personal_data: Literal["redact", "reject"] = "redact",
    sheet: str | int | None = None,
    date_format: str | None = None,
) -> ValidationResult:
    """Validate files and folders; return a :class:`~brugdata.ingest.results.ValidationResult`.

    Reference tables (schools, officers, partners) are validated first, and their valid rows
    count as known for the files after them; ``known`` adds keys from elsewhere (the store).
    ``table`` forces the table of every file; otherwise it is recognised from the file name.
    ``columns`` maps extra source headers to canonical columns (``{"Naam kind": ...}``).
    ``today`` is the date after which a date counts as in the future (default: today).
    ``pseudonym_key`` (default: the settings' key) replaces every value of the person and
    family columns by its keyed pseudonym; without a key by a pseudonym under a key made for
    this call only (the result is for checking, never to be stored). Free text with personal
    data is redacted, or rejected with ``personal_data="reject"``. A file with no header row
    naming the table's columns among its first 20 rows is an error of that file.
    ``sheet`` (a name or 0-based position) reads that sheet of each workbook; without it
    every visible sheet whose header names the table's columns is read. ``date_format`` (a
    strptime format such as ``"%m/%d/%y"``) reads dates written that way (ISO dates too).
    """
    from brugdata.config import settings

    known = known if known is not None else Known()
    check_mapping(columns or {})
    check_date_format(date_format)
    key = check_key(pseudonym_key, "pseudonym_key") if pseudonym_key else settings.pseudonym_key()
    # without a key the keys get pseudonyms of a key made for this call only: nothing is kept
    privacy = Privacy(key or secrets.token_bytes(32), "throwaway", personal_data)
    # lock, temporary and system files in a folder, and a second file of the same content,
    # are passed over and named
    files, skipped = gather_files(paths)
    files, copies = same_content(files)
    # a workbook holding several tables (sheets named for them) gives a job per sheet
    jobs, errors, sheets_passed = plan_sheets(files, table, route=sheet is None)
    results: list[FileResult] = []
    with read_ahead(jobs, lambda job: read_raw(job[0], sheet=job[2] or sheet)) as reads:
        for (path, table_name, _sheet), reading in reads:
            try:
                raw = reading.result()
            except ReadError as exc:
                errors.append(FileError(path, str(exc)))
                continue
            try:
                result = validate_raw(
                    raw,
                    table_name,
                    columns=columns,
                    known=known,
                    today=today,
                    privacy=privacy,
                    date_format=date_format,
                )
            except ReadError as exc:
                errors.append(FileError(path, str(exc)))
                continue
            known.add(table_name, result.valid, source=result.source)
            results.append(result)
    return ValidationResult(results, errors, skipped + copies + sheets_passed)


def validate_raw(
    raw: RawTable,
    table_name: str,
    *,
    columns: Mapping[str, str] | None = None,
    known: Known | None = None,
    today: dt.date | None = None,
    privacy: Privacy | None = None,
    date_format: str | None = None,
) -> FileResult:
    """Validate one file that has been read; see :func:`validate`."""
    spec = table(table_name)
    known = known if known is not None else Known()
    today = today or dt.date.today()
    privacy = privacy or Privacy()

    # the header row (rows above it skipped) and, in a workbook, the sheets of this table
    layout = find_layout(raw, spec, columns or {})
    if raw.sheets and not layout.sheets_read:
        raise ReadError(f"{raw.path.name}: the workbook has no visible sheet with content")
    raw = dataclasses.replace(raw, data=layout.data)
    raw = join_themes(raw, spec)  # thema, thema 2, thema 3 → one themes column
    data = raw.data
    if SHEET_COLUMN not in data.columns:  # one sheet (chosen), or no workbook: raw.sheet None
        data = data.with_columns(pl.lit(raw.sheet, pl.String).alias(SHEET_COLUMN))
    raw = dataclasses.replace(raw, data=data.drop(SHEET_COLUMN))
    column_map, unknown = map_headers(list(raw.data.columns), spec, columns or {})
    unknown = check_header(raw, spec, column_map, unknown)
    source = data.with_row_index(IDX).with_columns(pl.col(IDX).cast(pl.Int64))
    strings = source.select(
        IDX,
        LINE_COLUMN,
        PROBLEM_COLUMN,
        *[pl.col(src).alias(dst) for src, dst in column_map.items()],
    )
    missing = [c for c in spec.column_names if c not in strings.columns]
    strings = strings.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)
    # Identifiers and personal data are replaced before anything else sees them: neither the
    # valid rows nor the rejected rows nor the reasons ever hold the raw values.
    strings, privacy_failures, guarded = guard(strings, spec, privacy, raw.path)
    trimmed = strings.with_columns(trim(c) for c in spec.column_names)

    earliest, latest = date_window(today)
    dates = DateRules(
        earliest,
        latest,
        named_years=school_years_in_name(raw.path.name),
        stored_years=frozenset(known.school_years),
        date_format=date_format,
    )
    typed, parse_failures = parse_columns(trimmed, spec, dates)
    # Later tiers only report cells that earlier tiers found nothing wrong with: a date that
    # cannot be parsed is not also "required", a malformed BRIN not also an unknown school.
    tiers = [
        [
            *parse_failures,
            *privacy_failures,
            *[missing_column(trimmed, c) for c in missing if spec.column(c).required],
            malformed(trimmed),
        ],
        schema_failures(typed, spec, today),
        row_rules(typed, spec, known),
    ]
    # a rejected value, and a message quoting it, keep no raw personal data
    failures = scrub_failures(combine(tiers))

    bad = failures.select(IDX).unique()
    valid = typed if bad.is_empty() else typed.join(bad, on=IDX, how="anti")
    valid = valid.select(*spec.column_names, LINE_COLUMN)
    rejected_rows = scrub_rows(
        strings.join(bad, on=IDX, how="semi").select(
            LINE_COLUMN, *[c for c in spec.column_names if c in column_map.values()]
        ),
        spec,
    )
    read_sheets = layout.sheets_read or ([] if raw.sheet is None else [raw.sheet])
    names = {s: redact_label(s) for s in read_sheets}
    sheet_name = pl.col(SHEET_COLUMN).replace_strict(names, default=None, return_dtype=pl.String)
    message = pl.col("message")
    if len(names) > 1:  # name the sheet: the same row number is on every sheet
        message = pl.concat_str(pl.lit("sheet "), sheet_name, pl.lit(": "), message)
    rejects = (
        failures.join(source.select(IDX, LINE_COLUMN, SHEET_COLUMN), on=IDX)
        .sort(IDX, "column", "rule")
        .select(
            pl.col(LINE_COLUMN).alias("line"),
            "column",
            "rule",
            "value",
            message.alias("message"),
            sheet_name.alias("sheet"),
        )
    )
    read = list(names.values())
    return FileResult(
        path=raw.path,
        table=table_name,
        rows_read=data.height + layout.rows_skipped,
        rows_skipped=layout.rows_skipped,
        notes=[*raw.notes, *layout.notes],
        sheets_read=read,
        sheets_passed={redact_label(k): v for k, v in layout.sheets_passed.items()},
        valid=valid,
        rejects=rejects,
        rejected_rows=rejected_rows,
        unknown_columns=unknown,
        column_map=column_map,
        sha256=raw.sha256,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        sheet=", ".join(read) if read else None,
        pseudonymised=guarded["pseudonymised"],
        redacted=guarded["redacted"],
    )
