"""Chart of the pilot comparison: each pilot's percentages with their intervals."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from brugdata.publish.charts._common import Lang, check_lang, title

if TYPE_CHECKING:
    import altair as alt

__all__ = ["comparison"]

#: The figures shown, in order.
SHOWN = (
    "parents_reached_pct",
    "pupils_reached_pct",
    "pupil_cases_parents_contacted_pct",
    "parents_reached_per_weekly_hour",
    "pupils_reached_per_weekly_hour",
    "external_per_officer",
    "internal_per_officer",
)


def comparison(frame: pl.DataFrame, *, lang: Lang = "nl") -> alt.VConcatChart:
    """Pilots side by side on the figures of :data:`SHOWN` (bars, with the 95% interval as a
    whisker where there is one), from :func:`brugdata.analysis.compare.compare`."""
    import altair as alt

    from brugdata.analysis.compare import METRICS

    lang = check_lang(lang)
    idx = 0 if lang == "nl" else 1
    data = frame.filter(pl.col("metric").is_in(list(SHOWN)) & pl.col("value").is_not_null())
    data = data.with_columns(
        figure=pl.col("metric").replace_strict({m: METRICS[m][idx] for m in SHOWN}),
    ).select("pilot", "metric", "figure", "value", "ci_low", "ci_high", "unit")
    panels = []
    for unit in ("%", None):
        part = data.filter(pl.col("unit") == "%") if unit else data.filter(pl.col("unit") != "%")
        if part.is_empty():
            continue
        order = [METRICS[m][idx] for m in SHOWN if m in set(part["metric"])]
        base = alt.Chart(part).encode(
            y=alt.Y("figure:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            yOffset=alt.YOffset("pilot:N"),
            color=alt.Color("pilot:N", title=title("pilot", lang)),
        )
        bars = base.mark_bar().encode(
            x=alt.X("value:Q", title="%" if unit else ("waarde" if lang == "nl" else "value")),
            tooltip=[
                alt.Tooltip("pilot:N", title=title("pilot", lang)),
                alt.Tooltip("figure:N", title=""),
                alt.Tooltip("value:Q", format=".1f"),
                alt.Tooltip("ci_low:Q", format=".1f"),
                alt.Tooltip("ci_high:Q", format=".1f"),
            ],
        )
        whiskers = base.mark_rule(color="black").encode(x="ci_low:Q", x2="ci_high:Q")
        panels.append(alt.layer(bars, whiskers).properties(width=420, height=alt.Step(16)))
    return alt.vconcat(*panels).resolve_scale(x="independent")
