"""Validation that loses nothing: raw strings in, typed valid rows and explained rejects out.

For every file, every row read ends up either in ``valid`` (typed, canonical columns) or in
``rejected_rows`` (the values as read), and each rejected row has one or more reasons in
``rejects`` naming its line, column, rule and value. Always
``rows_read == rows_valid + rows_rejected``.

The steps, per file: map headers to canonical columns (Dutch aliases and a caller's mapping),
trim values, parse types (dates, decimal commas, codes), run the table's pandera.polars model
(required, codes, ranges, formats), then the rules that span rows or tables (unique keys,
references to schools, officers and partners, what a contact with a parent needs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl

from brugdata.errors import BrugdataError, ReadError
from brugdata.ingest.read import RawTable, read_ahead, read_raw
from brugdata.ingest.results import FileError, FileResult, Known, ValidationResult
from brugdata.model.tables import TABLES, Column, Table, table, table_for_file, table_names
from brugdata.model.vocab import column_aliases, fold, vocabulary

__all__ = ["DATA_EXTENSIONS", "RULES", "collect_files", "plan_files", "validate", "validate_raw"]

#: Extensions picked up when a folder is given.
DATA_EXTENSIONS = (".csv", ".tsv", ".xlsx", ".xlsm", ".parquet")

#: Every rule a row can break, with what it means.
RULES: dict[str, str] = {
    "missing_column": "the file has no column for a required field",
    "malformed_row": "the row cannot be split into the header's fields",
    "required": "a required value is empty",
    "required_for_counterpart": "a value the contact's counterpart needs is empty",
    "invalid_date": "not a real calendar date",
    "future_date": "a date in the future",
    "not_a_number": "not a number",
    "not_an_integer": "not a whole number",
    "out_of_range": "a number outside the allowed range",
    "unknown_code": "not a code of the column's vocabulary",
    "unknown_theme": "not a code of the theme taxonomy",
    "brin_format": "not a BRIN6 (91AB00) or BRIN4 (92EF) school code",
    "school_year_format": "not a school year of consecutive years such as 2024-2025",
    "pseudonym_format": "not a pseudonymous key",
    "duplicate_key": "the row's key repeats an earlier row of the file",
    "already_stored": "the row's key is already in the store",
    "direct_identifier": "a name, number or e-mail address where a pseudonym belongs",
    "personal_data": "free text holding a BSN, phone number, e-mail address or address",
    "unknown_reference": "refers to a row that does not exist",
}

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
)
_IDX = "_idx"
_INT_LIMIT = 2.0**53  # whole numbers beyond this are not counts of anything
_LINE = "_line"
_PROBLEM = "_problem"


# --------------------------------------------------------------------------- public entry


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders (recursively, data files only, sorted); keep files as given."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in DATA_EXTENSIONS
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)
                )
            )
        else:
            out.append(p)
    return out


def validate(
    *paths: str | Path,
    table: str | None = None,
    columns: Mapping[str, str] | None = None,
    known: Known | None = None,
    today: dt.date | None = None,
    pseudonym_key: bytes | None = None,
    personal_data: Literal["redact", "reject"] = "redact",
) -> ValidationResult:
    """Validate files and folders; return a :class:`~brugdata.result.ValidationResult`.

    Reference tables (schools, officers, partners) are validated first, and their valid rows
    count as known for the files after them; ``known`` adds keys from elsewhere (the store).
    ``table`` forces the table of every file; otherwise it is recognised from the file name.
    ``columns`` maps extra source headers to canonical columns (``{"Naam kind": ...}``).
    ``today`` is the date after which a date counts as in the future (default: today).
    ``pseudonym_key`` (default: the settings' key) replaces direct identifiers in person and
    family columns by keyed pseudonyms; without a key such rows are rejected. Free text with
    personal data is redacted, or rejected with ``personal_data="reject"``.
    """
    from brugdata.config import settings

    known = known if known is not None else Known()
    check_mapping(columns or {})
    privacy = Privacy(pseudonym_key or settings.pseudonym_key(), "reject", personal_data)
    jobs, errors = plan_files(collect_files(paths), table)
    results: list[FileResult] = []
    with read_ahead(jobs, lambda job: read_raw(job[0])) as reads:
        for (path, table_name), reading in reads:
            try:
                raw = reading.result()
            except ReadError as exc:
                errors.append(FileError(path, str(exc)))
                continue
            result = validate_raw(
                raw, table_name, columns=columns, known=known, today=today, privacy=privacy
            )
            known.add(table_name, result.valid)
            results.append(result)
    return ValidationResult(results, errors)


def plan_files(
    files: list[Path], forced: str | None = None
) -> tuple[list[tuple[Path, str]], list[FileError]]:
    """Pair each file with its table, in load order (a table after the tables it refers to);
    files whose table cannot be told become errors."""
    order = {name: i for i, name in enumerate(table_names())}
    if forced is not None:
        table(forced)  # ValueError for an unknown name
    jobs: list[tuple[Path, str]] = []
    errors: list[FileError] = []
    for path in files:
        if not path.exists():
            errors.append(FileError(path, f"{path}: file not found"))
            continue
        name = forced or table_for_file(path)
        if name is None:
            hint = ", ".join(t.prefixes[0] + "*" for t in TABLES.values())
            errors.append(
                FileError(
                    path,
                    f"{path.name}: cannot tell which table this file "
                    f"holds from its name (name it {hint}, or give the "
                    "table explicitly)",
                )
            )
        else:
            jobs.append((path, name))
    jobs.sort(key=lambda job: order[job[1]])  # stable: files keep their order within a table
    return jobs, errors


# --------------------------------------------------------------------------- one file


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

    column_map, unknown = _map_headers(list(raw.data.columns), spec, columns or {})
    source = raw.data.with_row_index(_IDX).with_columns(pl.col(_IDX).cast(pl.Int64))
    strings = source.select(
        _IDX,
        _LINE,
        _PROBLEM,
        *[pl.col(src).alias(dst) for src, dst in column_map.items()],
    )
    missing = [c for c in spec.column_names if c not in strings.columns]
    strings = strings.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)
    # Identifiers and personal data are replaced before anything else sees them: neither the
    # valid rows nor the rejected rows nor the reasons ever hold the raw values.
    strings, privacy_failures, guarded = _guard(strings, spec, privacy, raw.path)
    trimmed = strings.with_columns(_trim(c) for c in spec.column_names)

    typed, parse_failures = _parse(trimmed, spec)
    # Later tiers only report cells that earlier tiers found nothing wrong with: a date that
    # cannot be parsed is not also "required", a malformed BRIN not also an unknown school.
    tiers = [
        [
            *parse_failures,
            *privacy_failures,
            *[_missing_column(trimmed, c) for c in missing if spec.column(c).required],
            _malformed(trimmed),
        ],
        _schema_failures(typed, spec, today),
        _row_rules(typed, spec, known),
    ]
    failures = _combine(tiers)

    bad = failures.select(_IDX).unique()
    valid = typed if bad.is_empty() else typed.join(bad, on=_IDX, how="anti")
    valid = valid.select(*spec.column_names, _LINE)
    rejected_rows = strings.join(bad, on=_IDX, how="semi").select(
        _LINE, *[c for c in spec.column_names if c in column_map.values()]
    )
    rejects = (
        failures.join(source.select(_IDX, _LINE), on=_IDX)
        .sort(_LINE, "column", "rule")
        .select(pl.col(_LINE).alias("line"), "column", "rule", "value", "message")
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
        sheet=raw.sheet,
        pseudonymised=guarded["pseudonymised"],
        redacted=guarded["redacted"],
    )


@dataclass(frozen=True)
class Privacy:
    """How validation treats direct identifiers and personal data.

    ``key``: the pseudonym key; identifiers in person and family columns are replaced by keyed
    pseudonyms. Without a key, ``identifiers="reject"`` rejects those rows (the value is not
    kept) and ``"error"`` stops with one sentence (what ingest does: it never stores them).
    ``personal_data``: BSNs, phone numbers, e-mail addresses and addresses in free text are
    ``"redact"``-ed (replaced by a mark) or make the row ``"reject"``-ed.
    """

    key: bytes | None = None
    identifiers: Literal["reject", "error"] = "reject"
    personal_data: Literal["redact", "reject"] = "redact"


def _guard(
    strings: pl.DataFrame, spec: Table, privacy: Privacy, path: Path
) -> tuple[pl.DataFrame, list[pl.DataFrame], dict[str, dict[str, int]]]:
    """Replace identifiers by pseudonyms and redact personal data in free text."""
    from brugdata.ingest.privacy import (
        is_direct_identifier,
        might_hold_personal_data,
        pseudonym,
        redact,
    )

    failures: list[pl.DataFrame] = []
    counts: dict[str, dict[str, int]] = {"pseudonymised": {}, "redacted": {}}
    for col in (c for c in spec.columns if c.kind == "pseudonym"):
        distinct = strings.get_column(col.name).drop_nulls().unique().to_frame("v")
        identifying = distinct.filter(is_direct_identifier(pl.col("v"))).get_column("v")
        if identifying.is_empty():
            continue
        mask = pl.col(col.name).is_in(identifying.implode())
        hits = strings.filter(mask)
        if hits.is_empty():
            continue
        if privacy.key is not None:
            key = privacy.key
            values = hits.get_column(col.name).unique().to_list()
            mapping = {v: pseudonym(v, key) for v in values}
            strings = strings.with_columns(pl.col(col.name).replace(mapping))
            counts["pseudonymised"][col.name] = hits.height
            continue
        if privacy.identifiers == "error":
            first = hits.get_column(_LINE)[0]
            raise BrugdataError(
                f"{path.name}: line {first}, column {col.name}: {hits.height} rows hold a "
                "direct identifier (a name, number or e-mail address) where a pseudonym "
                "belongs; set BRUGDATA_PSEUDONYM_KEY or BRUGDATA_PSEUDONYM_KEY_FILE so they "
                "are replaced by keyed pseudonyms, or pseudonymise the file first"
            )
        failures.append(
            _failure(
                hits,
                pl.lit(True),
                col.name,
                "direct_identifier",
                pl.lit(
                    "holds a direct identifier (a name, number or e-mail address); "
                    "set a pseudonym key to replace it by a pseudonym"
                ),
                value=pl.lit(None, dtype=pl.String),
            )
        )
        strings = strings.with_columns(
            pl.when(mask).then(pl.lit("[redacted]")).otherwise(pl.col(col.name)).alias(col.name)
        )
    for col in (c for c in spec.columns if c.kind == "text"):
        suspects = strings.filter(might_hold_personal_data(pl.col(col.name)))
        if suspects.is_empty():
            continue
        redactions: dict[str, str] = {}
        kinds_of: dict[str, str] = {}
        for value in suspects.get_column(col.name).unique().to_list():
            clean, found = redact(value)
            if found:
                redactions[value] = clean
                kinds_of[value] = ", ".join(sorted(found))
                for kind, n in found.items():
                    counts["redacted"][kind] = counts["redacted"].get(kind, 0) + n * int(
                        (suspects.get_column(col.name) == value).sum()
                    )
        if not redactions:
            continue
        if privacy.personal_data == "reject":
            hit = pl.col(col.name).is_in(list(redactions))
            failures.append(
                _failure(
                    strings,
                    hit,
                    col.name,
                    "personal_data",
                    pl.concat_str(
                        pl.lit("holds personal data ("),
                        pl.col(col.name).replace_strict(kinds_of, default=""),
                        pl.lit(")"),
                    ),
                    value=pl.lit(None, dtype=pl.String),
                )
            )
        strings = strings.with_columns(pl.col(col.name).replace(redactions))
    return strings, failures, counts


def _map_headers(
    headers: list[str], spec: Table, extra: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Source header → canonical column, and the headers that map to nothing.

    A caller's mapping wins over the shipped aliases; a second header for a column already
    mapped counts as unknown rather than silently replacing the first.
    """
    canonical = set(spec.column_names)
    check_mapping(extra)
    extra = {k: v for k, v in extra.items() if v in canonical}
    extra_folded = {fold(k): v for k, v in extra.items()}
    aliases = column_aliases(spec.name)
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for h in headers:
        if h in (_LINE, _PROBLEM):
            continue
        f = fold(h)
        target = extra.get(h) or extra_folded.get(f)
        if target is None:
            target = f if f in canonical else aliases.get(f)
        if target is None or target not in canonical or target in mapping.values():
            unknown.append(h)
        else:
            mapping[h] = target
    return mapping, unknown


def check_mapping(columns: Mapping[str, str]) -> None:
    """Raise BrugdataError when a caller's mapping names a column no table has."""
    every = {c for t in TABLES.values() for c in t.column_names}
    for src, dst in columns.items():
        if dst not in every:
            raise BrugdataError(
                f"column mapping {src!r} → {dst!r}: no table has a column {dst!r} "
                f"(columns: {', '.join(sorted(every))})"
            )


def _trim(name: str) -> pl.Expr:
    """Surrounding whitespace removed; empty or blank -> null."""
    return pl.col(name).str.strip_chars().replace("", None).alias(name)


# --------------------------------------------------------------------------- parsing


def _failure(
    frame: pl.DataFrame,
    mask: pl.Expr,
    column: str,
    rule: str,
    message: pl.Expr,
    value: pl.Expr | None = None,
) -> pl.DataFrame:
    """Rows of ``frame`` where ``mask`` holds, as failures (``_idx, column, rule, value,
    message``)."""
    value = value if value is not None else pl.col(column).cast(pl.String)
    return frame.filter(mask).select(
        pl.col(_IDX),
        pl.lit(column).alias("column"),
        pl.lit(rule).alias("rule"),
        value.alias("value"),
        message.alias("message"),
    )


def _quoted(value: pl.Expr, suffix: str, prefix: str = "") -> pl.Expr:
    return pl.concat_str(pl.lit(prefix + "'"), value, pl.lit("' " + suffix))


#: Column kinds that are parsed; the others are only normalised.
_PARSED = ("int", "float", "date", "themes")


def _parse(frame: pl.DataFrame, spec: Table) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Type every column; return the typed frame and the cells that failed to parse.

    Parsed columns are parsed once per distinct value and joined back: a log of a million
    contacts has a few hundred distinct dates, durations and theme lists.
    """
    typed = frame.select(
        _IDX,
        _LINE,
        *[
            _parse_expr(frame, col).alias(col.name)
            for col in spec.columns
            if col.kind not in _PARSED
        ],
    )
    failures: list[pl.DataFrame] = []
    for col in spec.columns:
        if col.kind not in _PARSED:
            continue
        values, rules = _parse_distinct(frame.get_column(col.name), col)
        typed = typed.with_columns(values.alias(col.name))
        failures.append(_parse_failures(frame, col, rules))
    return typed.select(_IDX, _LINE, *spec.column_names), failures


def _parse_distinct(column: pl.Series, col: Column) -> tuple[pl.Series, pl.DataFrame]:
    """The parsed column, and per distinct raw value that fails: raw, rule, item (the
    offending theme, for themes)."""
    named = column.unique().to_frame(col.name)
    raw = pl.col("raw")
    if col.kind == "themes":
        parsed = named.select(
            pl.col(col.name).alias("raw"), _split_themes(named, col).alias("typed")
        )
        codes = pl.Series(vocabulary("theme").code_list).implode()
        rules = (
            parsed.select("raw", item=pl.col("typed"))
            .explode("item")
            .filter(pl.col("item").is_not_null() & ~pl.col("item").is_in(codes))
            .with_columns(rule=pl.lit("unknown_theme"))
        )
    else:
        parsed = named.select(pl.col(col.name).alias("raw"), _parse_expr(named, col).alias("typed"))
        rule: pl.Expr
        if col.kind == "date":
            rule = pl.when(raw.is_not_null() & pl.col("typed").is_null()).then(
                pl.lit("invalid_date")
            )
        else:
            n = _number(raw)
            rule = pl.when(raw.is_not_null() & (n.is_null() | ~n.is_finite())).then(
                pl.lit("not_a_number")
            )
            if col.kind == "int":
                rule = (
                    rule.when(raw.is_not_null() & (n != n.round(0)))
                    .then(pl.lit("not_an_integer"))
                    .when(raw.is_not_null() & (n.abs() >= _INT_LIMIT))
                    .then(pl.lit("out_of_range"))
                )
        rules = parsed.select(
            "raw", rule.alias("rule"), pl.lit(None, dtype=pl.String).alias("item")
        ).filter(pl.col("rule").is_not_null())
    values = (
        column.to_frame("raw")
        .join(
            parsed.select("raw", "typed"),
            on="raw",
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
        .get_column("typed")
    )
    return values, rules


_PARSE_MESSAGES = {
    "invalid_date": "is not a real date (use dd-mm-yyyy or yyyy-mm-dd)",
    "not_a_number": "is not a number",
    "not_an_integer": "is not a whole number",
    "out_of_range": "is too large",
    "unknown_theme": "is not a theme of the taxonomy",
}


def _parse_failures(frame: pl.DataFrame, col: Column, rules: pl.DataFrame) -> pl.DataFrame:
    """The cells whose raw value failed to parse, as failures."""
    if rules.is_empty():
        return pl.DataFrame(schema=_FAILURE_SCHEMA)
    hits = frame.select(_IDX, pl.col(col.name).alias("raw")).join(rules, on="raw", how="inner")
    value = pl.coalesce("item", "raw")
    message = pl.concat_str(
        pl.lit("'"), value, pl.lit("' "), pl.col("rule").replace_strict(_PARSE_MESSAGES)
    )
    return hits.select(
        _IDX,
        pl.lit(col.name).alias("column"),
        "rule",
        value.alias("value"),
        message.alias("message"),
    )


def _number(raw: pl.Expr) -> pl.Expr:
    """A Dutch or English number as Float64: ``24,5``, ``1.234,5``, ``1.234``, ``24.5``."""
    s = raw.str.replace_all(r"\s", "")
    thousands = s.str.contains(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
    s = pl.when(thousands).then(s.str.replace_all(r"\.", "")).otherwise(s)
    s = s.str.replace(",", ".", literal=True)
    return s.cast(pl.Float64, strict=False)


def _parse_expr(frame: pl.DataFrame, col: Column) -> pl.Expr:
    raw = pl.col(col.name)
    if col.kind == "date":
        return pl.coalesce([raw.str.strptime(pl.Date, f, strict=False) for f in _DATE_FORMATS])
    if col.kind in ("int", "float"):
        n = _number(raw)
        n = pl.when(n.is_finite()).then(n)
        if col.kind == "int":
            return pl.when((n == n.round(0)) & (n.abs() < _INT_LIMIT)).then(n).cast(pl.Int64)
        return n
    if col.kind == "code":
        return _map_codes(frame, col)
    if col.kind == "themes":
        return _split_themes(frame, col)
    if col.kind == "brin":
        return _per_distinct(frame, col.name, raw.str.replace_all(r"\s", "").str.to_uppercase())
    if col.kind == "school_year":
        parts = raw.str.extract_groups(r"^(\d{4})\s*[-/–]\s*(\d{2}|\d{4})$")
        first, second = parts.struct.field("1"), parts.struct.field("2")
        second = (
            pl.when(second.str.len_chars() == 2)
            .then(first.str.slice(0, 2) + second)
            .otherwise(second)
        )
        return pl.when(first.is_not_null()).then(first + "-" + second).otherwise(raw)
    return raw


def _per_distinct(frame: pl.DataFrame, name: str, expr: pl.Expr) -> pl.Expr:
    """``expr`` (an expression of column ``name``) worked out once per distinct value and
    mapped back: a school code column of a million contacts has a few hundred values."""
    distinct = frame.select(pl.col(name).drop_nulls().unique())
    mapped = distinct.select(pl.col(name).alias("old"), expr.alias("new")).filter(
        pl.col("old") != pl.col("new")
    )
    if mapped.is_empty():
        return pl.col(name)
    return pl.col(name).replace(mapped.get_column("old"), mapped.get_column("new"))


def _map_codes(frame: pl.DataFrame, col: Column) -> pl.Expr:
    """Map Dutch labels and aliases to codes; unknown values stay as they are (the schema
    then rejects them with the value as written)."""
    assert col.vocab is not None
    vocab = vocabulary(col.vocab)
    values = frame.get_column(col.name).drop_nulls().unique().to_list()
    mapping = {v: code for v in values if (code := vocab.to_code(v)) is not None and code != v}
    return pl.col(col.name).replace(mapping) if mapping else pl.col(col.name)


def _split_themes(frame: pl.DataFrame, col: Column) -> pl.Expr:
    vocab = vocabulary(col.vocab or "theme")
    items = (
        pl.col(col.name)
        .str.replace_all(r"[;,]", "|")
        .str.split("|")
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    values = (
        frame.select(items.alias("x")).get_column("x").explode().drop_nulls().unique().to_list()
    )
    mapping = {v: code for v in values if (code := vocab.to_code(v)) is not None}
    if mapping:
        items = items.list.eval(pl.element().replace(mapping))
    items = items.list.unique(maintain_order=True)
    return pl.when(items.list.len() > 0).then(items)


def _missing_column(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    return _failure(
        frame,
        pl.lit(True),
        name,
        "missing_column",
        pl.lit(f"the file has no column {name} (nor a known alias of it)"),
        value=pl.lit(None, dtype=pl.String),
    )


def _malformed(frame: pl.DataFrame) -> pl.DataFrame:
    return _failure(
        frame,
        pl.col(_PROBLEM).is_not_null(),
        "(row)",
        "malformed_row",
        pl.col(_PROBLEM),
        value=pl.lit(None, dtype=pl.String),
    )


# --------------------------------------------------------------------------- the pandera model


def _schema_failures(typed: pl.DataFrame, spec: Table, today: dt.date) -> list[pl.DataFrame]:
    """Run the table's pandera.polars model and turn its failure cases into failures."""
    from pandera.errors import SchemaErrors

    from brugdata.model.schemas import schema_for

    schema, rules = schema_for(spec, today)
    try:
        schema.validate(typed.drop(_IDX), lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    cases = cases.filter(pl.col("index").is_not_null() & pl.col("column").is_not_null())
    if cases.is_empty():
        return []
    idx = typed.get_column(_IDX)
    out = []
    for (column, check, number), group in cases.group_by(
        "column", "check", "check_number", maintain_order=True
    ):
        rule, template = rules.get(
            (str(column), _check_key(str(check), number)), ("invalid", f"breaks {check}")
        )
        positions = group.get_column("index").cast(pl.Int64)
        value = group.get_column("failure_case").cast(pl.String)
        if rule == "required":
            value = pl.Series("value", [None] * group.height, dtype=pl.String)
        message = pl.format(template, pl.col("value")) if "{}" in template else pl.lit(template)
        part = pl.DataFrame({_IDX: idx.gather(positions), "value": value})
        out.append(
            part.select(
                _IDX,
                pl.lit(str(column)).alias("column"),
                pl.lit(rule).alias("rule"),
                "value",
                message.alias("message"),
            )
        )
    return out


def _check_key(check: str, number: Any) -> str:
    return "not_nullable" if check == "not_nullable" else str(number)


# --------------------------------------------------------------------------- rules across rows


def _row_rules(typed: pl.DataFrame, spec: Table, known: Known) -> list[pl.DataFrame]:
    out: list[pl.DataFrame] = []
    out.extend(_key_rules(typed, spec, known))
    for col in spec.columns:
        if col.references is None:
            continue
        ref = table(col.references)
        ids = known.ids(ref.name, ref.key[0])
        mask = pl.col(col.name).is_not_null() & ~pl.col(col.name).is_in(ids.implode())
        out.append(
            _failure(
                typed,
                mask,
                col.name,
                "unknown_reference",
                _quoted(pl.col(col.name), f"does not exist in {ref.name}"),
            )
        )
    if spec.name == "contacts":
        out.extend(_contact_rules(typed))
    return out


def _key_rules(typed: pl.DataFrame, spec: Table, known: Known) -> list[pl.DataFrame]:
    key = list(spec.key)
    has_key = pl.all_horizontal(pl.col(k).is_not_null() for k in key)
    shown = key[0] if len(key) == 1 else "+".join(key)
    value = pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=" / ")
    first = pl.col(key[0]) if len(key) == 1 else pl.struct(key)
    repeat = has_key & ~first.is_first_distinct()
    out = [
        _failure(
            typed,
            repeat,
            key[0],
            "duplicate_key",
            _quoted(
                value,
                "repeats the " + shown + " of an earlier row",
            ),
            value=value,
        )
    ]
    stored = known.matching(spec.name, typed)
    if stored.height:
        hits = typed.join(stored, on=key, how="semi").filter(has_key)
        out.append(
            _failure(
                hits,
                pl.lit(True),
                key[0],
                "already_stored",
                _quoted(value, "is already in the store"),
                value=value,
            )
        )
    return out


_COUNTERPART_NEEDS = {
    "parent": "person_key",
    "pupil": "person_key",
    "colleague": "colleague_role",
    "partner": "partner_id",
}


def _contact_rules(typed: pl.DataFrame) -> list[pl.DataFrame]:
    out = []
    for counterpart, column in _COUNTERPART_NEEDS.items():
        mask = (pl.col("counterpart") == counterpart) & pl.col(column).is_null()
        out.append(
            _failure(
                typed,
                mask,
                column,
                "required_for_counterpart",
                pl.lit(f"{column} is required for a contact with a {counterpart}"),
                value=pl.lit(None, dtype=pl.String),
            )
        )
    return out


# --------------------------------------------------------------------------- combining


_FAILURE_SCHEMA = {
    _IDX: pl.Int64(),
    "column": pl.String(),
    "rule": pl.String(),
    "value": pl.String(),
    "message": pl.String(),
}


def _combine(tiers: Sequence[Sequence[pl.DataFrame]]) -> pl.DataFrame:
    """All failures, tier by tier; a cell (row and column) that failed in an earlier tier is
    not reported again by a later one."""
    out = pl.DataFrame(schema=_FAILURE_SCHEMA)
    for tier in tiers:
        parts = [p.select(pl.col(k).cast(v) for k, v in _FAILURE_SCHEMA.items()) for p in tier]
        if not parts:
            continue
        new = pl.concat(parts).join(out.select(_IDX, "column"), on=[_IDX, "column"], how="anti")
        out = pl.concat([out, new])
    return out.unique(maintain_order=True)
