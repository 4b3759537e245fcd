"""The entry points: :func:`validate` (files and folders) and :func:`validate_raw` (one
file that has been read).

Takes paths (or a :class:`~brugdata.ingest.read.RawTable`) and the table; gives a
:class:`~brugdata.ingest.results.ValidationResult` (or one
:class:`~brugdata.ingest.results.FileResult`): every row read valid or rejected with reasons.
"""

from __future__ import annotations

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
from brugdata.ingest.validate.failures import IDX, combine, malformed, missing_column
from brugdata.ingest.validate.files import collect_files, plan_files
from brugdata.ingest.validate.guard import Privacy, guard, scrub_failures, scrub_rows
from brugdata.ingest.validate.headers import check_header, check_mapping, map_headers, trim
from brugdata.ingest.validate.parse import parse_columns
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
    data is redacted, or rejected with ``personal_data="reject"``. A file whose first row
    reads like data rather than column names is an error of that file.
    """
    from brugdata.config import settings

    known = known if known is not None else Known()
    check_mapping(columns or {})
    key = check_key(pseudonym_key, "pseudonym_key") if pseudonym_key else settings.pseudonym_key()
    # without a key the keys get pseudonyms of a key made for this call only: nothing is kept
    privacy = Privacy(key or secrets.token_bytes(32), "throwaway", personal_data)
    jobs, errors = plan_files(collect_files(paths), table)
    results: list[FileResult] = []
    with read_ahead(jobs, lambda job: read_raw(job[0])) as reads:
        for (path, table_name), reading in reads:
            try:
                raw = reading.result()
            except ReadError as exc:
                errors.append(FileError(path, str(exc)))
                continue
            try:
                result = validate_raw(
                    raw, table_name, columns=columns, known=known, today=today, privacy=privacy
                )
            except ReadError as exc:
                errors.append(FileError(path, str(exc)))
                continue
            known.add(table_name, result.valid)
            results.append(result)
    return ValidationResult(results, errors)


def validate_raw(
    raw: RawTable,
    table_name: str,
    *,
    columns: Mapping[str, str] | None = None,
    known: Known | None = None,
    today: dt.date | None = None,
    privacy: Privacy | None = None,
) -> FileResult:
    """Validate one file that has been read; see :func:`validate`."""
    spec = table(table_name)
    known = known if known is not None else Known()
    today = today or dt.date.today()
    privacy = privacy or Privacy()

    column_map, unknown = map_headers(list(raw.data.columns), spec, columns or {})
    unknown = check_header(raw, spec, column_map, unknown)
    source = raw.data.with_row_index(IDX).with_columns(pl.col(IDX).cast(pl.Int64))
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

    typed, parse_failures = parse_columns(trimmed, spec)
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
    rejects = (
        failures.join(source.select(IDX, LINE_COLUMN), on=IDX)
        .sort(LINE_COLUMN, "column", "rule")
        .select(pl.col(LINE_COLUMN).alias("line"), "column", "rule", "value", "message")
    )
    return FileResult(
        path=raw.path,
        table=table_name,
        rows_read=raw.data.height,
        valid=valid,
        rejects=rejects,
        rejected_rows=rejected_rows,
        unknown_columns=unknown,
        column_map=column_map,
        sha256=raw.sha256,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        sheet=None if raw.sheet is None else redact_label(raw.sheet),
        pseudonymised=guarded["pseudonymised"],
        redacted=guarded["redacted"],
    )
