"""Chart of the trend: the pilots' figures over the school years, a line per pilot."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from brugdata.publish.charts._common import Lang, check_lang, title

if TYPE_CHECKING:
    import altair as alt

__all__ = ["TREND_CHART_METRICS", "trend_lines"]

#: The figures drawn, in order: reach and contacts per officer-hour.
TREND_CHART_METRICS: tuple[str, ...] = (
    "parents_reached_pct",
    "pupils_reached_pct",
    "contacts_per_officer_hour",
)


def trend_lines(frame: pl.DataFrame, *, lang: Lang = "nl") -> alt.VConcatChart:
    """One panel per figure of :data:`TREND_CHART_METRICS`: the school years along the x
    axis, a line with points per pilot, from :func:`brugdata.analysis.compare.compare` over
    several school years (hidden values absent: a year without a value breaks the line
    rather than being guessed)."""
    import altair as alt

    from brugdata.analysis.compare import METRICS

    lang = check_lang(lang)
    idx = 0 if lang == "nl" else 1
    data = frame.filter(
        pl.col("metric").is_in(list(TREND_CHART_METRICS)) & pl.col("value").is_not_null()
    ).select("pilot", "school_year", "metric", "value")
    years = sorted(frame["school_year"].drop_nulls().unique().to_list())
    panels = []
    for metric in TREND_CHART_METRICS:
        part = data.filter(pl.col("metric") == metric)
        if part.is_empty():
            continue
        figure = METRICS[metric][idx]
        base = alt.Chart(part).encode(
            x=alt.X(
                "school_year:O",
                sort=years,
                scale=alt.Scale(domain=years),
                title=title("school_year", lang),
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("value:Q", title=figure),
            color=alt.Color("pilot:N", title=title("pilot", lang)),
            tooltip=[
                alt.Tooltip("pilot:N", title=title("pilot", lang)),
                alt.Tooltip("school_year:O", title=title("school_year", lang)),
                alt.Tooltip("value:Q", title=figure, format=".1f"),
            ],
        )
        panels.append(
            (base.mark_line() + base.mark_point(filled=True)).properties(width=420, height=160)
        )
    return alt.vconcat(*panels).resolve_scale(y="independent")
