"""Parsing values: trimmed strings → typed columns, and the cells that fail to parse.

Takes the trimmed string columns of a file; gives them typed (dates, Dutch and English
numbers, codes from labels and aliases, theme lists, BRIN codes, school years) and the
failures of the cells that cannot be parsed (:func:`parse_columns`).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from brugdata.ingest.read import LINE_COLUMN
from brugdata.ingest.validate.dates import DateRules, date_window, parse_dates
from brugdata.ingest.validate.failures import FAILURE_SCHEMA, IDX
from brugdata.model.tables import Column, Table
from brugdata.model.vocab import vocabulary

__all__ = ["parse_columns"]

_INT_LIMIT = 2.0**53  # whole numbers beyond this are not counts of anything
_PARSED = ("int", "float", "date", "themes")


def parse_columns(
    frame: pl.DataFrame, spec: Table, dates: DateRules | None = None
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Type every column; return the typed frame and the cells that failed to parse.

    Parsed columns are parsed once per distinct value and joined back: a log of a million
    contacts has a few hundred distinct dates, durations and theme lists. ``dates`` says how
    dates are read (default: the settings' window around today, no school years named).
    """
    if dates is None:
        dates = DateRules(*date_window(dt.date.today()))
    typed = frame.select(
        IDX,
        LINE_COLUMN,
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
        values, rules = _parse_distinct(frame.get_column(col.name), col, dates)
        typed = typed.with_columns(values.alias(col.name))
        failures.append(_parse_failures(frame, col, rules))
    return typed.select(IDX, LINE_COLUMN, *spec.column_names), failures


def _parse_distinct(
    column: pl.Series, col: Column, dates: DateRules
) -> tuple[pl.Series, pl.DataFrame]:
    """The parsed column, and per distinct raw value that fails: raw, rule, item (the
    offending theme, for themes), message (null: the rule's message)."""
    raw = pl.col("raw")
    named = (column.head(0) if col.kind == "date" else column.unique()).to_frame(col.name)
    if col.kind == "date":
        counts = column.value_counts(name="count").rename({col.name: "raw"})
        parsed = parse_dates(counts, dates)
        rules = parsed.filter(pl.col("rule").is_not_null()).select(
            "raw", "rule", pl.lit(None, dtype=pl.String).alias("item"), "message"
        )
    elif col.kind == "themes":
        parsed = named.select(
            pl.col(col.name).alias("raw"), _split_themes(named, col).alias("typed")
        )
        codes = pl.Series(vocabulary("theme").code_list).implode()
        rules = (
            parsed.select("raw", item=pl.col("typed"))
            .explode("item")
            .filter(pl.col("item").is_not_null() & ~pl.col("item").is_in(codes))
            .with_columns(rule=pl.lit("unknown_theme"), message=pl.lit(None, dtype=pl.String))
        )
    else:
        parsed = named.select(pl.col(col.name).alias("raw"), _parse_expr(named, col).alias("typed"))
        n = _number(raw)
        bad = raw.is_not_null() & (n.is_null() | ~n.is_finite())
        rule: pl.Expr = pl.when(bad).then(pl.lit("not_a_number"))
        if col.kind == "int":
            rule = (
                pl.when(bad)
                .then(pl.lit("not_a_number"))
                .when(raw.is_not_null() & (n != n.round(0)))
                .then(pl.lit("not_an_integer"))
                .when(raw.is_not_null() & (n.abs() >= _INT_LIMIT))
                .then(pl.lit("out_of_range"))
            )
        rules = parsed.select(
            "raw",
            rule.alias("rule"),
            pl.lit(None, dtype=pl.String).alias("item"),
            pl.lit(None, dtype=pl.String).alias("message"),
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
    "ambiguous_date": "is an ambiguous date",
    "implausible_date": "is not a plausible date",
    "not_a_number": "is not a number",
    "not_an_integer": "is not a whole number",
    "out_of_range": "is too large",
    "unknown_theme": "is not a theme of the taxonomy",
}


def _parse_failures(frame: pl.DataFrame, col: Column, rules: pl.DataFrame) -> pl.DataFrame:
    """The cells whose raw value failed to parse, as failures."""
    if rules.is_empty():
        return pl.DataFrame(schema=FAILURE_SCHEMA)
    hits = frame.select(IDX, pl.col(col.name).alias("raw")).join(rules, on="raw", how="inner")
    value = pl.coalesce("item", "raw")
    message = pl.concat_str(
        pl.lit("'"),
        value,
        pl.lit("' "),
        pl.coalesce("message", pl.col("rule").replace_strict(_PARSE_MESSAGES)),
    )
    return hits.select(
        IDX,
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
    """The expression that types column ``col`` (null where a value cannot be parsed)."""
    raw = pl.col(col.name)
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
    """A theme cell as a list of theme codes (labels and aliases mapped; null when empty)."""
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
