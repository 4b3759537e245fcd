"""Heatmap of themes by month of the school year."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import polars as pl

from brugdata.model.vocab import themes
from brugdata.publish.charts._common import MONTHS, Lang, check_lang, one_year, title

if TYPE_CHECKING:
    import altair as alt

    from brugdata.analysis._contract import Frames

__all__ = ["seasonality_heatmap"]

Value = Literal[
    "seasonal_index", "share", "contacts", "contacts_per_school_week", "school_week_index"
]

#: The values the heatmap can show.
VALUES: tuple[str, ...] = (
    "seasonal_index",
    "share",
    "contacts",
    "contacts_per_school_week",
    "school_week_index",
)
#: Columns of the monthly frame that are not grouping columns.
_MONTHLY_VALUES = frozenset(
    {"theme", "school_month", "month", "contacts", "share", "seasonal_index", "school_weeks"}
    | set(VALUES)
)


def seasonality_heatmap(
    result: Frames | pl.DataFrame,
    *,
    lang: Lang = "nl",
    value: Value = "seasonal_index",
    school_year: str | None = None,
) -> alt.Chart:
    """Theme × month heatmap (August first) coloured by ``value``, one row of the heatmap
    per pilot when the result has more than one pilot.

    Takes the result of :func:`~brugdata.analysis.seasonality.seasonality` or its
    ``monthly`` frame, and shows ``school_year`` (the latest school year when None). Groups
    finer than a pilot (schools, officers) are summed to their pilot, or to one total without
    a pilot column, and share and seasonal index recomputed, so the chart has at most pilots ×
    themes × 12 rows.

    ``value="contacts_per_school_week"`` or ``"school_week_index"`` colours by the contacts
    per school week of the month (see :func:`~brugdata.analysis.seasonality.seasonality`), so
    that December and the summer months do not look quiet only for their holidays. For
    groups finer than a pilot the pilot's school weeks of a month are the mean of its groups'
    school weeks.
    """
    import altair as alt

    lang = check_lang(lang)
    if value not in VALUES:
        raise ValueError(f"value must be one of {', '.join(VALUES)}, not {value!r}")
    monthly = one_year(
        result if isinstance(result, pl.DataFrame) else result["monthly"], school_year
    )
    weekly = "school_weeks" in monthly.columns
    if value in ("contacts_per_school_week", "school_week_index") and not weekly:
        raise ValueError(f"value {value!r} needs the school_weeks column of the monthly frame")
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
    if weekly:
        encoding["tooltip"] += [  # type: ignore[operator]
            alt.Tooltip("school_weeks:Q", title=title("school_weeks", lang), format=".1f"),
            alt.Tooltip(
                "contacts_per_school_week:Q",
                title=title("contacts_per_school_week", lang),
                format=".2f",
            ),
            alt.Tooltip(
                "school_week_index:Q", title=title("school_week_index", lang), format=".2f"
            ),
        ]
    if facet:
        encoding["row"] = alt.Row("pilot:N", title=title("pilot", lang))
    return alt.Chart(data).mark_rect().encode(**encoding).properties(width=360)


def _chart_data(monthly: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """Contacts per [pilot,] theme and school month with share, seasonal index and labels,
    and with school_weeks, contacts_per_school_week and school_week_index when the monthly
    frame has school weeks."""
    keys = ["pilot"] if "pilot" in monthly.columns else []
    codes = monthly.get_column("theme").unique().drop_nulls().to_list()
    labels = {c: themes().label(c, lang) for c in codes}
    months = dict(enumerate(MONTHS[lang], start=1))
    own = ["contacts", "share", "seasonal_index"]
    if "school_weeks" in monthly.columns:
        own += ["school_weeks", "contacts_per_school_week", "school_week_index"]
    cells = monthly.select(*keys, "theme", "school_month")
    if all(c in monthly.columns for c in own) and not cells.is_duplicated().any():
        # one row per cell already: the analysis's own figures (hidden ones stay absent)
        return (
            monthly.with_columns(
                pl.col("theme").replace_strict(labels, default=None).alias("theme_label"),
                pl.col("school_month").replace_strict(months, default=None).alias("month_label"),
            )
            .sort([*keys, "theme", "school_month"])
            .select(*keys, "theme", "theme_label", "school_month", "month_label", *own)
        )
    # a sum with a hidden (null) part is hidden too: never a partial sum shown as the whole
    whole = pl.when(pl.col("contacts").null_count() == 0).then(pl.col("contacts").sum())
    data = monthly.group_by([*keys, "theme", "school_month"]).agg(whole.alias("contacts"))
    month_total = pl.col("contacts").sum().over([*keys, "school_month"])
    theme_mean = pl.col("contacts").sum().over([*keys, "theme"]) / 12.0
    weekly: list[str] = []
    if "school_weeks" in monthly.columns:
        groups = [c for c in monthly.columns if c not in _MONTHLY_VALUES]
        weeks = (
            monthly.select(*groups, "school_month", "school_weeks")
            .unique()
            .group_by([*keys, "school_month"])
            .agg(pl.col("school_weeks").mean())
        )
        data = data.join(weeks, on=[*keys, "school_month"], how="left", nulls_equal=True)
        per_week = pl.when(pl.col("school_weeks") > 0).then(
            pl.col("contacts") / pl.col("school_weeks")
        )
        year_rate = pl.col("contacts").sum().over([*keys, "theme"]) / pl.col(
            "school_weeks"
        ).sum().over([*keys, "theme"])
        data = data.with_columns(contacts_per_school_week=per_week).with_columns(
            school_week_index=pl.when(year_rate > 0).then(
                pl.col("contacts_per_school_week") / year_rate
            )
        )
        weekly = ["school_weeks", "contacts_per_school_week", "school_week_index"]
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
            *weekly,
        )
    )


def _theme_order(codes: pl.Series) -> list[str]:
    """Theme codes in the order of the taxonomy, unknown codes last."""
    known = themes().code_list
    present = set(codes.to_list())
    return [c for c in known if c in present] + sorted(present - set(known) - {None})
