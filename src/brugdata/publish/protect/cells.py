"""The cell rules, vectorised in polars: primary suppression of small counts, secondary
suppression against differencing (margins and row totals), and what is derived from them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from brugdata.publish.protect.schema import Declaration, Relation

__all__ = ["HIDDEN", "SMALL", "Masks", "mask", "render"]

#: Shown instead of a count below the threshold.
SMALL = "<{threshold}"
#: Shown instead of a cell hidden so that a small one cannot be worked out from a total.
HIDDEN = "x"

#: The column naming a row's own category, most detailed first: by default the other group
#: columns of a frame form the groups whose cells add up to a total published elsewhere.
CATEGORY_COLUMNS = (
    "case",
    "school_id",
    "officer_id",
    "school_type",
    "municipality",
    "theme",
    "task",
    "band",
    "partner_kind",
    "referral_class",
    "pilot",
)

#: Key columns that describe a row without grouping rows.
_DESCRIPTIVE = frozenset(
    {"note", "source", "label", "method", "message", "partner_name", "unit", "suppressed"}
)

_MAX_ROUNDS = 8


@dataclass(frozen=True)
class Masks:
    """The frame with a row index ``_row`` and, per protected count ``c``, the booleans
    ``_p_c`` (primary) and ``_s_c`` (secondary); ``counts`` names them."""

    frame: pl.DataFrame
    counts: tuple[str, ...]

    def gone(self) -> pl.Expr:
        """True in a row where any count is hidden."""
        if not self.counts:
            return pl.lit(False)
        return pl.any_horizontal(
            [pl.col(f"_p_{c}") | pl.col(f"_s_{c}") for c in self.counts]
        ).fill_null(False)


def default_margins(frame: pl.DataFrame, declared: Declaration) -> list[list[str]]:
    """The groups whose rows add up to a total: declared, or every group column of the frame
    but its most detailed one."""
    if declared.margins is not None:
        return [[c for c in m if c in frame.columns] for m in declared.margins]
    keys = [
        c
        for c in frame.columns
        if declared.role(c) == "keys" and frame.schema[c] == pl.String and c not in _DESCRIPTIVE
    ]
    category = next((c for c in CATEGORY_COLUMNS if c in keys), None)
    if category is None:
        return []
    return [[c for c in keys if c != category]]


def mask(
    frame: pl.DataFrame,
    counts: Sequence[str],
    *,
    threshold: int,
    margins: Iterable[Sequence[str]] = (),
    relations: Iterable[Relation] = (),
    forced: Mapping[str, pl.Expr] | None = None,
) -> Masks:
    """Primary and secondary masks of ``counts``.

    Primary: a value from 1 to ``threshold`` − 1. Secondary, repeated until nothing changes:
    within each group of a margin (rows adding up to a total) and within each row relation
    (a total and its parts), where exactly one cell is hidden the smallest other non-zero
    cell is hidden too. A relation with an unpublished remainder (total − parts) whose value
    is small hides a part, so the remainder cannot be worked out. ``forced`` marks cells
    hidden in another table of the publication (secondary here too)."""
    present = tuple(c for c in counts if c in frame.columns)
    out = frame.with_row_index("_row").with_columns(
        *[_small(pl.col(c), threshold).alias(f"_p_{c}") for c in present],
        *[
            ((forced or {}).get(c, pl.lit(False)) & (pl.col(c) > 0))
            .fill_null(False)
            .alias(f"_s_{c}")
            for c in present
        ],
    )
    rels = [r for r in relations if r.total in present and all(p in present for p in r.parts)]
    groups = [list(g) for g in margins]
    for _ in range(_MAX_ROUNDS):
        before = _hidden_total(out, present)
        for g in groups:
            out = out.with_columns(_column_complement(c, g).alias(f"_s_{c}") for c in present)
        for rel in rels:
            out = _row_complement(out, rel, threshold)
        if _hidden_total(out, present) == before:
            break
    return Masks(out, present)


def _small(value: pl.Expr, threshold: int) -> pl.Expr:
    return ((value > 0) & (value < threshold)).fill_null(False)


def _hidden(c: str) -> pl.Expr:
    return pl.col(f"_p_{c}") | pl.col(f"_s_{c}")


def _hidden_total(frame: pl.DataFrame, counts: Sequence[str]) -> int:
    if not counts:
        return 0
    row = frame.select(pl.sum_horizontal([_hidden(c).cast(pl.Int64).sum() for c in counts]))
    return int(row.item())


def _column_complement(c: str, by: list[str]) -> pl.Expr:
    """Secondary mask for column ``c``: in a group with exactly one hidden cell, its smallest
    other non-zero cell."""

    def over(e: pl.Expr) -> pl.Expr:
        return e.over(by) if by else e

    hidden = _hidden(c)
    one = over(hidden.cast(pl.Int64).sum()) == 1
    candidate = ~hidden & (pl.col(c) > 0)
    smallest = over(pl.when(candidate).then(pl.col(c)).min())
    first = over(pl.when(candidate & (pl.col(c) == smallest)).then(pl.col("_row")).min())
    return pl.col(f"_s_{c}") | (one & candidate & (pl.col("_row") == first)).fill_null(False)


def _row_complement(frame: pl.DataFrame, rel: Relation, threshold: int) -> pl.DataFrame:
    """Where exactly one cell of a row relation is hidden (the remainder counted as hidden
    when it is small), hide its smallest other non-zero part (or the total)."""
    cells = [rel.total, *rel.parts]
    n_hidden = pl.sum_horizontal([_hidden(c).cast(pl.Int64) for c in cells])
    if rel.remainder:
        rest = pl.col(rel.total) - pl.sum_horizontal([pl.col(p) for p in rel.parts])
        n_hidden = n_hidden + _small(rest, threshold).cast(pl.Int64)
    one = n_hidden == 1
    choices = list(rel.parts) if any(True for _ in rel.parts) else []
    value = {c: pl.when(~_hidden(c) & (pl.col(c) > 0)).then(pl.col(c)) for c in choices}
    smallest = pl.min_horizontal(list(value.values())) if value else pl.lit(None)
    picked = pl.lit(None, dtype=pl.String)
    for c in reversed(choices):  # the first part with the smallest value
        picked = pl.when(value[c] == smallest).then(pl.lit(c)).otherwise(picked)
    picked = pl.when(picked.is_null()).then(pl.lit(rel.total)).otherwise(picked)
    total_ok = ~_hidden(rel.total) & (pl.col(rel.total) > 0)
    updates = []
    for c in cells:
        hit = one & (picked == c) & (total_ok if c == rel.total else pl.lit(True))
        updates.append((pl.col(f"_s_{c}") | hit.fill_null(False)).alias(f"_s_{c}"))
    return frame.with_columns(updates)


def render(
    masks: Masks,
    *,
    threshold: int,
    derived: Iterable[str] = (),
    tests: Iterable[str] = (),
    text: bool = True,
) -> pl.DataFrame:
    """The frame as published: hidden counts become ``<threshold`` (primary) or ``x``
    (secondary) as text when ``text`` (tables), null otherwise (charts, where the value must
    be absent); ``derived`` columns null in a row with a hidden count; ``tests`` null in
    every row of a school year with a hidden count."""
    out = masks.frame
    gone = masks.gone()
    small = pl.lit(SMALL.format(threshold=threshold))
    counts = []
    for c in masks.counts:
        if text:
            counts.append(
                pl.when(pl.col(f"_p_{c}"))
                .then(small)
                .when(pl.col(f"_s_{c}"))
                .then(pl.lit(HIDDEN))
                .otherwise(pl.col(c).cast(pl.String))
                .alias(c)
            )
        else:
            counts.append(pl.when(_hidden(c)).then(None).otherwise(pl.col(c)).alias(c))
    year_gone = gone.any().over("school_year") if "school_year" in out.columns else gone.any()
    out = out.with_columns(
        *counts,
        *[pl.when(~gone).then(pl.col(d)).alias(d) for d in derived if d in out.columns],
        *[pl.when(~year_gone).then(pl.col(t)).alias(t) for t in tests if t in out.columns],
    )
    helpers = [f"_{k}_{c}" for c in masks.counts for k in ("p", "s")]
    return out.drop("_row", *helpers)
