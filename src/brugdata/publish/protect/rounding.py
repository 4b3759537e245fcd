"""The ``cbs`` profile: counts rounded to multiples of 5, and the figures derived from them
computed again from the rounded counts (never from the exact ones, which they would give
away). A derived figure without a formula here is hidden."""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from brugdata.publish.protect.compare import MADE_FROM, PEOPLE, WILSON, wilson_n

__all__ = ["BASE", "round_compare", "round_counts", "rounded"]

#: Counts are rounded to multiples of this.
BASE = 5

_Z = 1.959963984540054

#: Per output: derived column → (numerator count, denominator column, scale).
RATIOS: dict[str, dict[str, tuple[str, str, float]]] = {
    "reach": {
        "pct": ("reached", "population", 100.0),
        "reached_per_weekly_hour": ("reached", "hours_per_week", 1.0),
    },
    "parents_of_pupil_cases": {"pct": ("parents_contacted", "linked", 100.0)},
    "pathways.outcomes": {
        "share_no_referral": ("no_referral", "cases", 1.0),
        "share_light": ("light", "cases", 1.0),
        "share_specialised": ("specialised", "cases", 1.0),
        "share_unclassified": ("unclassified", "cases", 1.0),
    },
    "theme_shares": {"share": ("contacts", "asker_contacts", 1.0)},
    "pathways.consultations": {"share": ("contacts", "total_contacts", 1.0)},
    "seasonality.monthly": {"contacts_per_school_week": ("contacts", "school_weeks", 1.0)},
}
#: Per output: the Wilson interval (ci_low, ci_high) of (figure, numerator, denominator, scale).
INTERVALS: dict[str, tuple[str, str, str, float]] = {
    "reach": ("pct", "reached", "population", 100.0),
    "parents_of_pupil_cases": ("pct", "parents_contacted", "linked", 100.0),
    "pathways.outcomes": ("share_no_referral", "no_referral", "cases", 1.0),
}
#: Per output: derived column → the counts it is the sum of.
SUMS: dict[str, dict[str, tuple[str, ...]]] = {
    "network.edges": {"weight": ("contacts", "referrals")}
}


def rounded(value: pl.Expr) -> pl.Expr:
    """A count rounded to the nearest multiple of :data:`BASE` (halves up)."""
    return ((value + BASE // 2) // BASE * BASE).cast(pl.Int64)


def round_counts(
    frame: pl.DataFrame, key: str, counts: tuple[str, ...], derived: tuple[str, ...]
) -> pl.DataFrame:
    """``frame`` with ``counts`` rounded and ``derived`` computed again from them (hidden
    when there is no formula for it)."""
    present = [c for c in counts if c in frame.columns]
    out = frame.with_columns(rounded(pl.col(c)).alias(c) for c in present)
    exprs: dict[str, pl.Expr] = {}
    for column, (num, den, scale) in RATIOS.get(key, {}).items():
        if column in out.columns and num in out.columns and den in out.columns:
            exprs[column] = pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den) * scale)
    for column, parts in SUMS.get(key, {}).items():
        if column in out.columns and all(p in out.columns for p in parts):
            exprs[column] = pl.sum_horizontal([pl.col(p) for p in parts])
    interval = INTERVALS.get(key)
    if interval and {"ci_low", "ci_high", *interval[1:3]} <= set(out.columns):
        _, num, den, scale = interval
        low, high = _wilson(pl.col(num).cast(pl.Float64), pl.col(den).cast(pl.Float64))
        exprs["ci_low"], exprs["ci_high"] = low * scale, high * scale
    nulls = [d for d in derived if d in out.columns and d not in exprs]
    return out.with_columns(
        *[e.alias(c) for c, e in exprs.items()],
        *[pl.lit(None, dtype=out.schema[d]).alias(d) for d in nulls],
    )


def _wilson(k: pl.Expr, n: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The 95% Wilson interval of k / n, as fractions."""
    p = k / n
    denom = 1 + _Z * _Z / n
    centre = (p + _Z * _Z / (2 * n)) / denom
    half = _Z / denom * (p * (1 - p) / n + _Z * _Z / (4 * n * n)).sqrt()
    ok = n > 0
    return pl.when(ok).then(centre - half), pl.when(ok).then(centre + half)


def _round(x: float) -> int:
    return int((x + BASE / 2) // BASE * BASE)


def _wilson_py(k: int, n: int) -> tuple[float, float] | tuple[None, None]:
    if n <= 0:
        return None, None
    p = k / n
    denom = 1 + _Z * _Z / n
    centre = (p + _Z * _Z / (2 * n)) / denom
    half = _Z / denom * math.sqrt(p * (1 - p) / n + _Z * _Z / (4 * n * n))
    return 100 * (centre - half), 100 * (centre + half)


def round_compare(frame: pl.DataFrame) -> pl.DataFrame:
    """Compare rows with counts rounded and their figures computed again from the rounded
    counts; p-values and changes (no formula from rounded counts) hidden."""
    rows: list[dict[str, Any]] = frame.to_dicts()
    keys = ("pilot", "school_year", "source")
    groups: dict[tuple[Any, ...], dict[str, dict[str, Any]]] = {}
    for r in frame.to_dicts():  # the exact figures, to compute from
        groups.setdefault(tuple(r.get(k) for k in keys), {}).setdefault(r["metric"], r)
    for r in rows:
        figures = groups[tuple(r.get(k) for k in keys)]
        value = r["value"]
        if value is None:
            continue
        metric = r["metric"]
        if metric in PEOPLE:
            r["value"] = float(_round(value))
        elif metric in MADE_FROM:
            base = figures.get(MADE_FROM[metric], {}).get("value")
            factor = _round(base) / base if base else None
            for c in ("value", "ci_low", "ci_high"):
                r[c] = None if factor is None or r[c] is None else r[c] * factor
        elif metric in WILSON or r.get("unit") == "%":
            n = None
            if r.get("ci_low") is not None and r.get("ci_high") is not None:
                n = wilson_n(value, r["ci_low"], r["ci_high"])
            if n is None and metric == "top_theme":
                n = figures.get("contacts", {}).get("value")
            if n is None:
                n = _case_base(figures)
            if n is None or metric not in (*WILSON, "top_theme", "cases_specialised_pct"):
                r["value"] = r["ci_low"] = r["ci_high"] = None
                continue
            k, total = _round(n * value / 100), _round(n)
            r["value"] = 100 * k / total if total else None
            if r.get("ci_low") is not None:
                r["ci_low"], r["ci_high"] = _wilson_py(k, total)
    out = pl.DataFrame(rows, schema=frame.schema)
    hidden = [c for c in ("method", "p_value", "previous_value", "change", "change_method",
                          "change_p_value") if c in out.columns]  # fmt: skip
    return out.with_columns(pl.lit(None, dtype=out.schema[c]).alias(c) for c in hidden)


def _case_base(figures: dict[str, dict[str, Any]]) -> float | None:
    """The cases of a pilot's case shares, from the interval of cases_no_referral_pct."""
    r = figures.get("cases_no_referral_pct")
    if r is None or r.get("value") is None or r.get("ci_low") is None:
        return None
    return wilson_n(r["value"], r["ci_low"], r["ci_high"])
