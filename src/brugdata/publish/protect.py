"""Small-cell protection for everything published: counts below the threshold are hidden,
with what is computed from them, and a second cell where one hidden cell could be worked out
from the others and a total (complementary suppression)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

__all__ = ["HIDDEN", "SMALL", "protect", "suppress"]

# --------------------------------------------------------------------------- small cells

#: Shown instead of a count below the threshold.
SMALL = "<{threshold}"
#: Shown instead of a cell hidden so that a small one cannot be worked out from a total.
HIDDEN = "x"

#: Counts of people, families, contacts or cases: the cells that are protected. Counts of
#: schools, officers and partners are not about the children and families, and population
#: figures are public (DUO), so they are shown.
COUNT_COLUMNS = (
    "reached",
    "contacts",
    "cases",
    "pupil_cases",
    "linked",
    "parents_contacted",
    "no_referral",
    "light",
    "specialised",
    "referred_cases",
    "referrals",
    "parents_helped",
    "pupils_helped",
    "attendees",
)

#: Columns computed from the counts in a row: hidden with them.
DERIVED_COLUMNS = (
    "pct",
    "pct_low",
    "pct_high",
    "ci_low",
    "ci_high",
    "share",
    "share_no_referral",
    "share_light",
    "share_specialised",
    "reached_per_weekly_hour",
    "seasonal_index",
    "contacts_per_school_week",
    "school_week_index",
    "median_days_to_referral",
)


#: Row totals and the counts that add up to them in the same row.
ROW_TOTALS: dict[str, tuple[str, ...]] = {
    "cases": ("no_referral", "light", "specialised"),
}

#: The column naming a row's own category, most detailed first: the other text columns of a
#: frame form the groups whose cells add up to a (possibly published) total.
CATEGORY_COLUMNS = (
    "case",
    "school_id",
    "officer_id",
    "school_type",
    "theme",
    "task",
    "band",
    "pilot",
)

_IGNORED_TEXT = ("note", "source", "label", "method", "message")


def suppress(
    frame: pl.DataFrame,
    counts: Sequence[str],
    *,
    by: Sequence[str] = (),
    derived: Iterable[str] = (),
    threshold: int = 10,
) -> pl.DataFrame:
    """Hide small values of the ``counts`` columns.

    A value from 1 to ``threshold`` − 1 is hidden (primary). Secondary cells are hidden so no
    hidden value can be worked out from a total: within each group of ``by`` (the rows that
    add up to a total), and within a row for the totals of :data:`ROW_TOTALS`, where exactly
    one cell is hidden, the smallest other non-zero cell is hidden too. Counts become text: the
    number, ``<threshold`` (primary) or ``x`` (secondary). The ``derived`` columns are null in
    a row where any count is hidden. Zeros are shown.
    """
    present = [c for c in counts if c in frame.columns]
    out = frame.with_row_index("_row").with_columns(
        ((pl.col(c) > 0) & (pl.col(c) < threshold)).fill_null(False).alias(f"_p_{c}")
        for c in present
    )
    out = out.with_columns(pl.lit(False).alias(f"_s_{c}") for c in present)
    for c in present:
        out = out.with_columns(_column_complement(c, list(by)).alias(f"_s_{c}"))
    for total, parts in ROW_TOTALS.items():
        cols = [p for p in parts if p in present]
        if total in present and cols:
            out = _row_complement(out, cols)
    gone = pl.any_horizontal([pl.col(f"_p_{c}") | pl.col(f"_s_{c}") for c in present])
    small = pl.lit(SMALL.format(threshold=threshold))
    return out.with_columns(
        *[
            pl.when(pl.col(f"_p_{c}"))
            .then(small)
            .when(pl.col(f"_s_{c}"))
            .then(pl.lit(HIDDEN))
            .otherwise(pl.col(c).cast(pl.String))
            .alias(c)
            for c in present
        ],
        *[pl.when(~gone).then(pl.col(d)).alias(d) for d in derived if d in frame.columns],
    ).drop("_row", *[f"_p_{c}" for c in present], *[f"_s_{c}" for c in present])


def _column_complement(c: str, by: list[str]) -> pl.Expr:
    """Secondary mask for column ``c``: in a group with exactly one hidden cell, its smallest
    other non-zero cell."""
    hidden = pl.col(f"_p_{c}") | pl.col(f"_s_{c}")

    def over(e: pl.Expr) -> pl.Expr:
        return e.over(by) if by else e

    one = over(hidden.cast(pl.Int64).sum()) == 1
    candidate = ~hidden & (pl.col(c) > 0)
    smallest = over(pl.when(candidate).then(pl.col(c)).min())
    first = over(pl.when(candidate & (pl.col(c) == smallest)).then(pl.col("_row")).min())
    return pl.col(f"_s_{c}") | (one & candidate & (pl.col("_row") == first)).fill_null(False)


def _row_complement(frame: pl.DataFrame, parts: list[str]) -> pl.DataFrame:
    """Where exactly one of ``parts`` is hidden in a row, hide its smallest other non-zero
    part too (the row's total would give it away)."""
    rows = []
    for row in frame.iter_rows(named=True):
        hidden = [p for p in parts if row[f"_p_{p}"] or row[f"_s_{p}"]]
        if len(hidden) == 1:
            others = [p for p in parts if p not in hidden and (row[p] or 0) > 0]
            if others:
                row[f"_s_{min(others, key=lambda p: row[p])}"] = True
        rows.append(row)
    return pl.DataFrame(rows, schema=frame.schema)


def protect(name: str, frame: pl.DataFrame, *, threshold: int | None = None) -> pl.DataFrame:
    """``frame`` (a result of analysis ``name``) made fit for publication: the counts of
    people, families, contacts and cases (:data:`COUNT_COLUMNS`) pass :func:`suppress`,
    grouped by the frame's text columns other than its own category
    (:data:`CATEGORY_COLUMNS`), with :data:`DERIVED_COLUMNS` hidden along.

    The pilot comparison (``compare``) is handled per figure: a small count of people hides
    itself and the percentage made from it. ``threshold`` defaults to the settings.
    """
    from brugdata.config import settings

    limit = settings.small_cell_threshold if threshold is None else threshold
    if name in ("compare", "key_figures") or {"metric", "value"} <= set(frame.columns):
        return _protect_compare(frame, limit)
    counts = [c for c in COUNT_COLUMNS if c in frame.columns]
    if not counts:
        return frame
    return suppress(frame, counts, by=_groups(frame), derived=DERIVED_COLUMNS, threshold=limit)


def _groups(frame: pl.DataFrame) -> list[str]:
    text = [
        c
        for c, t in frame.schema.items()
        if t == pl.String and c not in _IGNORED_TEXT and c not in COUNT_COLUMNS
    ]
    category = next((c for c in CATEGORY_COLUMNS if c in text), None)
    return [c for c in text if c != category]


_COMPARE_PEOPLE = {
    "parents_reached": "parents_reached_pct",
    "pupils_reached": "pupils_reached_pct",
    "contacts": "contacts_per_officer_hour",
}


def _protect_compare(frame: pl.DataFrame, threshold: int) -> pl.DataFrame:
    """Compare rows: a small count of people hides itself and the percentage made from it;
    the column ``suppressed`` says what to print instead (``<10`` or ``x``), null elsewhere."""
    small = frame.filter(
        pl.col("metric").is_in(list(_COMPARE_PEOPLE))
        & (pl.col("value") > 0)
        & (pl.col("value") < threshold)
    )
    hide = {(r["pilot"], r["metric"]) for r in small.iter_rows(named=True)}
    hide |= {(p, _COMPARE_PEOPLE[m]) for p, m in list(hide)}
    key = pl.concat_str("pilot", pl.lit("\x00"), "metric")
    gone = key.is_in([f"{p}\x00{m}" for p, m in hide]) if hide else pl.lit(False)
    return frame.with_columns(
        suppressed=pl.when(gone & pl.col("metric").is_in(list(_COMPARE_PEOPLE)))
        .then(pl.lit(SMALL.format(threshold=threshold)))
        .when(gone)
        .then(pl.lit(HIDDEN))
        .otherwise(pl.lit(None, dtype=pl.String)),
        value=pl.when(gone).then(None).otherwise(pl.col("value")),
        ci_low=pl.when(gone).then(None).otherwise(pl.col("ci_low")),
        ci_high=pl.when(gone).then(None).otherwise(pl.col("ci_high")),
    )
