"""One pandera.polars model per table, built from the data model in :mod:`brugdata.model`.

The models check typed, normalised frames (what :mod:`brugdata.validate` makes of the strings
read): required values, vocabulary codes, ranges, BRIN, school-year and pseudonym formats, and
dates not in the future. Rules that span rows or tables (unique keys, references) live in
:mod:`brugdata.validate`, since a model sees one frame at a time.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import pandera.polars as pa
import polars as pl

from brugdata.model.tables import Column, Table, table
from brugdata.model.vocab import vocabulary

__all__ = ["BRIN_PATTERN", "PSEUDONYM_PATTERN", "dtype_of", "schema", "schema_for"]

BRIN_PATTERN = r"^[0-9]{2}[A-Z]{2}([0-9]{2})?$"
PSEUDONYM_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{1,63}$"

_DTYPES: dict[str, Any] = {
    "int": pl.Int64,
    "float": pl.Float64,
    "date": pl.Date,
    "themes": pl.List(pl.String),
}

#: (column, check key) → (rule, message template with ``{}`` for the value)
Rules = dict[tuple[str, str], tuple[str, str]]


def dtype_of(col: Column) -> Any:
    """The polars dtype a column has after parsing."""
    return _DTYPES.get(col.kind, pl.String)


def _expr_check(expr_fn: Any, name: str) -> pa.Check:
    """A check from a function of the column expression returning a boolean expression."""
    return pa.Check(lambda data: data.lazyframe.select(expr_fn(pl.col(data.key))), name=name)


def _school_year_ok(c: pl.Expr) -> pl.Expr:
    first = c.str.slice(0, 4).cast(pl.Int64, strict=False)
    second = c.str.slice(5, 4).cast(pl.Int64, strict=False)
    return c.str.contains(r"^\d{4}-\d{4}$") & (second == first + 1)


def _pseudonym_ok(c: pl.Expr) -> pl.Expr:
    return c.str.contains(PSEUDONYM_PATTERN) & c.str.contains(r"\d")


def _checks(col: Column, today: dt.date) -> list[tuple[pa.Check, str, str]]:
    """The checks of one column, each with its rule and message template."""
    out: list[tuple[pa.Check, str, str]] = []
    if col.kind == "code":
        assert col.vocab is not None
        vocab = vocabulary(col.vocab)
        codes = vocab.code_list
        out.append(
            (
                pa.Check.isin(codes),
                "unknown_code",
                f"'{{}}' is not a {col.vocab} code (known: {', '.join(codes)})",
            )
        )
    elif col.kind == "brin":
        out.append(
            (
                pa.Check.str_matches(BRIN_PATTERN),
                "brin_format",
                "'{}' is not a BRIN6 (like 91AB00) or BRIN4 (like 92EF) school code",
            )
        )
    elif col.kind == "school_year":
        out.append(
            (
                _expr_check(_school_year_ok, "school_year"),
                "school_year_format",
                "'{}' is not a school year of consecutive years such as 2024-2025",
            )
        )
    elif col.kind == "pseudonym":
        out.append(
            (
                _expr_check(_pseudonym_ok, "pseudonym"),
                "pseudonym_format",
                "'{}' is not a pseudonym (letters, digits, - or _, with at least one "
                "digit; never a name)",
            )
        )
    elif col.kind == "date":
        out.append((pa.Check.le(today), "future_date", f"'{{}}' lies after today ({today})"))
    if col.min is not None:
        check = pa.Check.gt(col.min) if col.min_exclusive else pa.Check.ge(col.min)
        out.append((check, "out_of_range", _range_message(col)))
    if col.max is not None:
        out.append((pa.Check.le(col.max), "out_of_range", _range_message(col)))
    return out


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _range_message(col: Column) -> str:
    if col.min is not None and col.max is not None:
        low = "(" if col.min_exclusive else "["
        return f"{{}} is outside the allowed range {low}{_fmt(col.min)}, {_fmt(col.max)}]"
    if col.min is not None:
        bound = "more than" if col.min_exclusive else "at least"
        return f"{{}} is not allowed: {col.name} must be {bound} {_fmt(col.min)}"
    return f"{{}} is not allowed: {col.name} must be at most {_fmt(col.max or 0)}"


def schema_for(spec: Table, today: dt.date) -> tuple[pa.DataFrameSchema, Rules]:
    """The pandera model of ``spec`` with dates checked against ``today``, and the rule and
    message of each of its checks."""
    return _schema_for(spec.name, today)


@cache
def _schema_for(name: str, today: dt.date) -> tuple[pa.DataFrameSchema, Rules]:
    spec = table(name)
    columns: dict[str, pa.Column] = {}
    rules: Rules = {}
    for col in spec.columns:
        checks = _checks(col, today)
        columns[col.name] = pa.Column(
            dtype_of(col), checks=[c for c, _, _ in checks], nullable=not col.required
        )
        rules[(col.name, "not_nullable")] = ("required", f"{col.name} is empty but required")
        for number, (_, rule, message) in enumerate(checks):
            rules[(col.name, str(number))] = (rule, message)
    return pa.DataFrameSchema(columns, name=name, strict=False), rules


def schema(name: str, *, today: dt.date | None = None) -> pa.DataFrameSchema:
    """The pandera.polars model of table ``name`` (typed, canonical columns)."""
    return _schema_for(table(name).name, today or dt.date.today())[0]
