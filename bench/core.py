"""The analyses as brugdata runs them, their core numbers, and the equality check.

Each analysis has a brugdata call (:data:`BRUGDATA`), a floor (:mod:`floor`) and a pandas
version (:mod:`pandas_impl`) giving the same *core numbers*: named polars frames with the
same key and value columns. :func:`check_equal` compares two results: keys must match
exactly, counts exactly, fractions to 1e-9 (relative): the implementations sum floating-point
numbers in different orders.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import polars as pl

#: Key columns and value columns of every core frame.
SHAPES: dict[str, tuple[list[str], list[str]]] = {
    "reach": (["school_id", "school_year", "counterpart"], ["reached", "population", "pct"]),
    "seasonality": (
        ["pilot", "school_year", "theme", "school_month"],
        ["contacts", "share", "seasonal_index"],
    ),
    "edges": (
        ["pilot", "school_year", "officer_id", "node_kind", "node"],
        ["contacts", "referrals", "weight"],
    ),
    "officers": (["pilot", "school_year", "officer_id"], ["internal", "external"]),
    "betweenness": (["school_year", "officer_id"], ["betweenness"]),
    "time_use": (["officer_id", "school_year", "task", "source"], ["share_pct"]),
    "figures": (["pilot", "school_year", "metric"], ["value"]),
    "top_themes": (["pilot", "school_year", "label"], ["value"]),
    # each compare figure's value in the school year before, and the change to it
    "previous": (["pilot", "school_year", "metric"], ["previous_value", "change"]),
    "previous_themes": (["pilot", "school_year", "label"], ["previous_value", "change"]),
}

#: The compare figures checked, with their value in the school year before (``previous``):
#: the headline numbers and the case figures (cases as in :mod:`brugdata.analysis.pathways`);
#: intervals, tests, p-values and questionnaire figures are not.
FIGURES = (
    "schools",
    "officers",
    "hours_per_week",
    "pupils",
    "families",
    "parents_reached",
    "pupils_reached",
    "parents_reached_pct",
    "pupils_reached_pct",
    "parents_reached_per_weekly_hour",
    "pupils_reached_per_weekly_hour",
    "contacts",
    "contacts_per_officer_hour",
    "pupil_cases_parents_contacted_pct",
    "internal_per_officer",
    "external_per_officer",
    "cases_no_referral_pct",
    "cases_specialised_pct",
    "median_days_to_referral",
)


def brugdata_calls(school_year: str) -> dict[str, Callable[[Any], dict[str, pl.DataFrame]]]:
    """Analysis name → function(store) running it as a user does, returning core frames."""
    import brugdata

    def reach(store: Any) -> dict[str, pl.DataFrame]:
        r = brugdata.reach(store, by="school")
        return {"reach": r.select(*SHAPES["reach"][0], *SHAPES["reach"][1])}

    def seasonality(store: Any) -> dict[str, pl.DataFrame]:
        r = brugdata.seasonality(store, by="pilot")
        return {"seasonality": r.monthly}

    def network(store: Any) -> dict[str, pl.DataFrame]:
        r = brugdata.network(store)
        return {
            "edges": r.edges,
            "officers": r.officers,
            "betweenness": r.officers.select("school_year", "officer_id", "betweenness"),
        }

    def time_use(store: Any) -> dict[str, pl.DataFrame]:
        return {"time_use": brugdata.time_use(store, by="officer")}

    def compare(store: Any) -> dict[str, pl.DataFrame]:
        r = brugdata.compare(store, school_year=school_year)
        # a figure over the schools with a known population carries a label saying so
        figures = r.filter(pl.col("metric").is_in(FIGURES))
        themes = r.filter(pl.col("metric") == "top_theme")
        change = ("previous_value", "change")
        return {
            "figures": figures.select("pilot", "school_year", "metric", "value"),
            "top_themes": themes.select("pilot", "school_year", "label", "value"),
            "previous": figures.select("pilot", "school_year", "metric", *change),
            "previous_themes": themes.select("pilot", "school_year", "label", *change),
        }

    return {
        "reach": reach,
        "seasonality": seasonality,
        "network": network,
        "time_use": time_use,
        "compare": compare,
    }


def _normal(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    keys, values = SHAPES[name]
    out = frame.select(
        *[
            pl.col(k).cast(pl.String) if k != "school_month" else pl.col(k).cast(pl.Int64)
            for k in keys
        ],
        *[pl.col(v).cast(pl.Float64) for v in values],
    )
    if name in ("figures", "previous"):
        out = out.filter(pl.col("metric").is_in(FIGURES))
    return out.sort(keys, nulls_last=True)


def check_equal(
    analysis: str, a: dict[str, pl.DataFrame], b: dict[str, pl.DataFrame], what: str
) -> list[str]:
    """Differences between two results of ``analysis`` (empty when they agree)."""
    problems: list[str] = []
    for name in sorted(set(a) & set(b)):
        keys, values = SHAPES[name]
        x, y = _normal(name, a[name]), _normal(name, b[name])
        if x.height != y.height:
            problems.append(f"{analysis}/{name}: {what}: {x.height} vs {y.height} rows")
        joined = x.join(y, on=keys, how="full", suffix="_b", coalesce=False)
        one_sided = joined.filter(
            pl.any_horizontal(pl.col(k).is_null() | pl.col(f"{k}_b").is_null() for k in keys)
        )
        if one_sided.height:
            problems.append(
                f"{analysis}/{name}: {what}: {one_sided.height} rows only on one side, e.g. "
                f"{one_sided.head(2).to_dicts()}"
            )
            joined = joined.filter(
                pl.all_horizontal(
                    pl.col(k).is_not_null() & pl.col(f"{k}_b").is_not_null() for k in keys
                )
            )
        for v in values:
            for left, right, row in zip(
                joined[v].to_list(),
                joined[f"{v}_b"].to_list(),
                joined.iter_rows(named=True),
                strict=True,
            ):
                if not _same(left, right):
                    problems.append(
                        f"{analysis}/{name}.{v}: {what}: {left!r} vs {right!r} at "
                        f"{ {k: row[k] for k in keys} }"
                    )
                    break
    for name in sorted(set(a) ^ set(b)):
        if name != "betweenness":
            problems.append(f"{analysis}/{name}: {what}: only one side has it")
    return problems


def _same(x: float | None, y: float | None) -> bool:
    if x is None or y is None or (isinstance(x, float) and math.isnan(x)):
        return (x is None or math.isnan(x)) and (y is None or math.isnan(y))
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
