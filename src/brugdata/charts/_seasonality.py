"""Heatmap of themes by month of the school year."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import polars as pl

from brugdata.charts._common import MONTHS, Lang, check_lang, title
from brugdata.vocab import themes

if TYPE_CHECKING:
    import altair as alt

    from brugdata.analysis.seasonality import SeasonalityResult

__all__ = ["seasonality_heatmap"]

Value = Literal["seasonal_index", "share", "contacts"]


def seasonality_heatmap(
    result: SeasonalityResult | pl.DataFrame,
    *,
    lang: Lang = "nl",
    value: Value = "seasonal_index",
) -> alt.Chart:
    """Theme × month heatmap (August first) coloured by ``value``, one row of the heatmap
    per pilot when the result has more than one pilot.

    Takes a :class:`~brugdata.analysis.seasonality.SeasonalityResult` or its ``monthly``
    frame. Groups finer than a pilot (schools, officers) are summed to their pilot, or to
    one total without a pilot column, and share and seasonal index recomputed, so the chart
    has at most pilots × themes × 12 rows.
    """
    import altair as alt

    lang = check_lang(lang)
    if value not in ("seasonal_index", "share", "contacts"):
        raise ValueError(f"value must be seasonal_index, share or contacts, not {value!r}")
    monthly = result if isinstance(result, pl.DataFrame) else result.monthly
    data = _chart_data(monthly, lang)
    facet = "pilot" in data.columns and data.get_column("pilot").n_unique() > 1
    theme_order = [themes().label(c, lang) for c in _theme_order(data.get_column("theme").unique())]
    encoding: dict[str, object] = {
        "x": alt.X("month_label:O", sort=MONTHS[lang], title=title("month", lang)),
        "y": alt.Y("theme_label:N", sort=theme_order, title=title("theme", lang)),
        "color": alt.Color(f"{value}:Q", title=title(value, lang), scale=alt.Scale(scheme="blues")),
        "tooltip": [
            alt.Tooltip("theme_label:N", title=title("theme", lang)),
            alt.Tooltip("month_label:O", title=title("month", lang)),
            alt.Tooltip("contacts:Q", title=title("contacts", lang)),
            alt.Tooltip("share:Q", title=title("share", lang), format=".1%"),
            alt.Tooltip("seasonal_index:Q", title=title("seasonal_index", lang), format=".2f"),
        ],
    }
    if facet:
        encoding["row"] = alt.Row("pilot:N", title=title("pilot", lang))
    return alt.Chart(data).mark_rect().encode(**encoding).properties(width=360)


def _chart_data(monthly: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """Contacts per [pilot,] theme and school month with share, seasonal index and labels."""
    keys = ["pilot"] if "pilot" in monthly.columns else []
    codes = monthly.get_column("theme").unique().drop_nulls().to_list()
    labels = {c: themes().label(c, lang) for c in codes}
    months = dict(enumerate(MONTHS[lang], start=1))
    data = monthly.group_by([*keys, "theme", "school_month"]).agg(pl.col("contacts").sum())
    month_total = pl.col("contacts").sum().over([*keys, "school_month"])
    theme_mean = pl.col("contacts").sum().over([*keys, "theme"]) / 12.0
    return (
        data.with_columns(
            pl.when(month_total > 0).then(pl.col("contacts") / month_total).alias("share"),
            pl.when(theme_mean > 0).then(pl.col("contacts") / theme_mean).alias("seasonal_index"),
            pl.col("theme").replace_strict(labels, default=None).alias("theme_label"),
            pl.col("school_month").replace_strict(months, default=None).alias("month_label"),
        )
        .sort([*keys, "theme", "school_month"])
        .select(
            *keys,
            "theme",
            "theme_label",
            "school_month",
            "month_label",
            "contacts",
            "share",
            "seasonal_index",
        )
    )


def _theme_order(codes: pl.Series) -> list[str]:
    """Theme codes in the order of the taxonomy, unknown codes last."""
    known = themes().code_list
    present = set(codes.to_list())
    return [c for c in known if c in present] + sorted(present - set(known) - {None})
