"""Failures: the rules a row can break, and the frame that records each broken one.

Takes the cells that break a rule; gives failure frames (``_idx, column, rule, value,
message``, one row per cell and rule), and :func:`combine` merges the tiers of checks into
the failures of a file. :data:`RULES` lists every rule with what it means.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from brugdata.ingest.read import PROBLEM_COLUMN

__all__ = [
    "FAILURE_SCHEMA",
    "IDX",
    "RULES",
    "combine",
    "failure",
    "malformed",
    "missing_column",
    "quoted",
]

#: Every rule a row can break, with what it means.
RULES: dict[str, str] = {
    "missing_column": "the file has no column for a required field",
    "malformed_row": "the row cannot be split into the header's fields",
    "required": "a required value is empty",
    "required_for_counterpart": "a value the contact's counterpart needs is empty",
    "invalid_date": "not a real calendar date",
    "ambiguous_date": "a date whose reading is uncertain: a two-digit year far from the file's "
    "school years, or month/day/year",
    "implausible_date": "a date outside the plausible window (2000 to a year after today)",
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
    "changed_reference": "a reference row (school, officer, partner, pilot) that differs from "
    "the stored row with its key: stored again only with --update, which keeps the history",
    "personal_data": "free text holding a BSN, phone number, e-mail address or address",
    "unknown_reference": "refers to a row that does not exist",
}

#: The row index a failure points at (position in the file as read).
IDX = "_idx"


def failure(
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
        pl.col(IDX),
        pl.lit(column).alias("column"),
        pl.lit(rule).alias("rule"),
        value.alias("value"),
        message.alias("message"),
    )


def quoted(value: pl.Expr, suffix: str, prefix: str = "") -> pl.Expr:
    """The message ``prefix'value' suffix`` as an expression."""
    return pl.concat_str(pl.lit(prefix + "'"), value, pl.lit("' " + suffix))


#: Column kinds that are parsed; the others are only normalised.
def missing_column(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """Every row of ``frame`` as a ``missing_column`` failure of the column ``name``."""
    return failure(
        frame,
        pl.lit(True),
        name,
        "missing_column",
        pl.lit(f"the file has no column {name} (nor a known alias of it)"),
        value=pl.lit(None, dtype=pl.String),
    )


def malformed(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows the reader found structurally broken, as ``malformed_row`` failures."""
    return failure(
        frame,
        pl.col(PROBLEM_COLUMN).is_not_null(),
        "(row)",
        "malformed_row",
        pl.col(PROBLEM_COLUMN),
        value=pl.lit(None, dtype=pl.String),
    )


FAILURE_SCHEMA = {
    IDX: pl.Int64(),
    "column": pl.String(),
    "rule": pl.String(),
    "value": pl.String(),
    "message": pl.String(),
}


def combine(tiers: Sequence[Sequence[pl.DataFrame]]) -> pl.DataFrame:
    """All failures, tier by tier; a cell (row and column) that failed in an earlier tier is
    not reported again by a later one."""
    out = pl.DataFrame(schema=FAILURE_SCHEMA)
    for tier in tiers:
        parts = [p.select(pl.col(k).cast(v) for k, v in FAILURE_SCHEMA.items()) for p in tier]
        if not parts:
            continue
        new = pl.concat(parts).join(out.select(IDX, "column"), on=[IDX, "column"], how="anti")
        out = pl.concat([out, new])
    return out.unique(maintain_order=True)
