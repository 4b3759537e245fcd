"""Charts of reach: schools per reach band, and reach per school with its interval."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import polars as pl

from brugdata.model.vocab import label
from brugdata.publish.charts._common import Lang, check_lang, one_year, title

if TYPE_CHECKING:
    import altair as alt

__all__ = ["reach_bands", "reach_ci"]


def reach_bands(
    frame: pl.DataFrame,
    *,
    lang: Lang = "nl",
    level: Literal["school", "officer"] = "school",
    band_title: str | None = None,
    unit_title: str | None = None,
) -> alt.Chart:
    """Bars of schools (or officers, ``level="officer"``) per reach band, side by side per
    pilot, from :func:`brugdata.analysis.reach.reach_bands` (or any frame with pilot, band,
    units and share), of its latest school year. ``band_title`` and ``unit_title`` replace
    the axis titles."""
    import altair as alt

    lang = check_lang(lang)
    band = band_title or title("band", lang)
    units = unit_title or title("schools" if level == "school" else "officers", lang)
    data = one_year(frame).filter(pl.col("band") != "unknown")
    data = data.select("pilot", "band", "units", "share")
    order = data["band"].unique(maintain_order=True).to_list()
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("band:N", sort=order, title=band, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("pilot:N"),
            y=alt.Y("units:Q", title=units),
            color=alt.Color("pilot:N", title=title("pilot", lang)),
            tooltip=[
                alt.Tooltip("pilot:N", title=title("pilot", lang)),
                alt.Tooltip("band:N", title=band),
                alt.Tooltip("units:Q", title=units),
                alt.Tooltip("share:Q", format=".0%", title=title("share", lang)),
            ],
        )
        .properties(width=360, height=220)
    )


def reach_ci(frame: pl.DataFrame, *, lang: Lang = "nl") -> alt.FacetChart:
    """Reach (%) per group with its 95% interval as a whisker, one panel per counterpart, from
    :func:`brugdata.analysis.reach.reach` (groups with an unknown population are left out;
    the latest school year)."""
    import altair as alt

    lang = check_lang(lang)
    frame = one_year(frame)
    group = next(
        c for c in ("school_id", "officer_id", "school_type", "pilot") if c in frame.columns
    )
    colour = "pilot" if "pilot" in frame.columns and group != "pilot" else group
    data = frame.filter(pl.col("pct").is_not_null()).with_columns(
        side=pl.col("counterpart").map_elements(
            lambda c: label("counterpart", c, lang), return_dtype=pl.String
        )
    )
    base = alt.Chart(data).encode(
        y=alt.Y(f"{group}:N", sort="-x", title=title(_title_key(group), lang)),
        color=alt.Color(f"{colour}:N", title=title(_title_key(colour), lang)),
    )
    points = base.mark_point(filled=True).encode(
        x=alt.X("pct:Q", title=title("pct", lang)),
        tooltip=[
            alt.Tooltip(f"{group}:N"),
            alt.Tooltip("reached:Q"),
            alt.Tooltip("population:Q"),
            alt.Tooltip("pct:Q", format=".1f"),
            alt.Tooltip("ci_low:Q", format=".1f"),
            alt.Tooltip("ci_high:Q", format=".1f"),
        ],
    )
    whiskers = base.mark_rule().encode(x="ci_low:Q", x2="ci_high:Q")
    return (
        alt.layer(whiskers, points, data=data)
        .properties(width=300, height=alt.Step(14))
        .facet(column=alt.Column("side:N", title=title("counterpart", lang)))
    )


def _title_key(column: str) -> str:
    return {"school_id": "school", "officer_id": "officer"}.get(column, column)
