"""Change between school years, for :func:`brugdata.analysis.compare.compare`: each figure of
a pilot beside its value in the school year before, and, for a share of people or cases, a
chi-square test of that change."""

from __future__ import annotations

import re

import polars as pl

from brugdata.analysis._stats import chi2_homogeneity

__all__ = ["CHANGE_COLUMNS", "CHANGE_METHOD", "previous_year", "with_change"]

#: The columns :func:`with_change` adds.
CHANGE_COLUMNS: dict[str, pl.DataType] = {
    "previous_school_year": pl.String(),
    "previous_value": pl.Float64(),
    "change": pl.Float64(),
    "change_method": pl.String(),
    "change_p_value": pl.Float64(),
}

CHANGE_METHOD = "chi-square test of homogeneity over the two school years"

_YEAR = re.compile(r"(\d{4})-(\d{4})")


def previous_year(school_year: str | None) -> str | None:
    """``"2023-2024"`` for ``"2024-2025"``; None for None or a text that is no school year."""
    match = _YEAR.fullmatch(school_year or "")
    if match is None:
        return None
    start = int(match[1])
    return f"{start - 1}-{start}"


def with_change(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` (compare's rows, with ``_k`` and ``_n``: the successes and total of a share,
    null for other figures) with :data:`CHANGE_COLUMNS`: the same pilot, metric, label and
    source in the school year before (when ``rows`` has it), value − previous_value (in
    percentage points for a %), and for a share with counts in both years a chi-square test
    (2 × 2, no continuity correction) of its change."""
    keys = ["pilot", "metric", "label", "source"]
    prev = rows.select(
        *keys,
        pl.col("school_year").alias("previous_school_year"),
        pl.col("value").alias("previous_value"),
        pl.col("_k").alias("_pk"),
        pl.col("_n").alias("_pn"),
    ).unique(subset=[*keys, "previous_school_year"], keep="first", maintain_order=True)
    out = rows.with_columns(
        previous_school_year=pl.col("school_year").map_elements(
            previous_year, return_dtype=pl.String
        )
    ).join(prev, on=[*keys, "previous_school_year"], how="left", nulls_equal=True)
    out = out.with_columns(
        previous_school_year=pl.when(pl.col("previous_value").is_not_null()).then(
            pl.col("previous_school_year")
        ),
        change=pl.col("value") - pl.col("previous_value"),
    )
    methods, p_values = [], []
    for k, n, pk, pn in out.select("_k", "_n", "_pk", "_pn").iter_rows():
        chi2, df, p = (
            chi2_homogeneity([int(k), int(pk)], [int(n), int(pn)])
            if None not in (k, n, pk, pn)
            else (float("nan"), 0, float("nan"))
        )
        methods.append(f"{CHANGE_METHOD}, chi2 = {chi2:.2f}, df = {df}" if df else None)
        p_values.append(p if df else None)
    return out.with_columns(
        change_method=pl.Series(methods, dtype=pl.String),
        change_p_value=pl.Series(p_values, dtype=pl.Float64),
    ).drop("_pk", "_pn")
