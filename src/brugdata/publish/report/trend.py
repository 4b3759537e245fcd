"""The report's trend section: the pilots' figures over the school years of the store.

Built from :func:`brugdata.compare` over every school year (so each year's figures are those
of that year alone), through the transform as a whole (so a small count hides itself and the
share made from it in the year it belongs to), and only then narrowed to the figures of the
trend. The change between years is worked out from the figures as shown, so a hidden figure
never comes back as a difference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from brugdata.sql import Source

__all__ = ["EVERY_THEME", "TREND_METRICS", "Trend", "every_year", "every_year_parts", "trend"]

#: The figures of the trend section, in order: reach, contacts per officer-hour, themes and
#: referral shares.
TREND_METRICS: tuple[str, ...] = (
    "parents_reached_pct",
    "pupils_reached_pct",
    "contacts_per_officer_hour",
    "top_theme",
    "cases_no_referral_pct",
    "cases_specialised_pct",
)

#: compare's columns a reader could work a hidden figure back from: left out before showing.
_LOOK_BACK = ("previous_value", "change")


@dataclass(frozen=True)
class Trend:
    """Compare's rows of :data:`TREND_METRICS` over ``years`` (oldest first), as shown; the
    themes are those among the top three of a pilot in any year, with their share every
    year."""

    frame: pl.DataFrame
    years: list[str]
    drawn: pl.DataFrame | None = None


#: The themes compare keeps per pilot and year for the trend: every one (the trend shows the
#: themes among the top three of any year, with their share in every year).
EVERY_THEME = 1000


def every_year(source: Source, /, *, pilots: Sequence[str]) -> pl.DataFrame:
    """:func:`brugdata.compare` of ``pilots`` (every pilot when empty) over every school year,
    with every theme: what the trend is made from, and the key figures of one year too."""
    from brugdata.analysis.compare import compare

    return compare(source, pilots=list(pilots) or None, top_themes=EVERY_THEME)


def every_year_parts(*, pilots: Sequence[str]) -> list[tuple[Callable[..., Any], dict[str, Any]]]:
    """The longest parts of :func:`every_year` as the analyses it calls them (function and
    keyword arguments): worked out beforehand inside one report
    (:func:`~brugdata.analysis._shared.shared_results`), every_year takes them as they are."""
    from brugdata.analysis.pathways import pathway_outcomes
    from brugdata.analysis.reach import parents_of_pupil_cases

    every = {"pilots": list(pilots) or None, "school_year": None}
    return [
        (parents_of_pupil_cases, {"by": "pilot", "source": "log", **every}),
        (pathway_outcomes, {"by": "pilot", **every}),
    ]


def trend(
    raw: pl.DataFrame,
    shown: Callable[[str, pl.DataFrame], pl.DataFrame],
    years: Sequence[str],
    drawn: Callable[[str, pl.DataFrame], pl.DataFrame] | None = None,
) -> Trend | None:
    """The trend over ``years`` (None with fewer than two) from ``raw``, compare over every
    school year (:func:`every_year`), through ``shown("compare", ...)``; with ``drawn``, also
    the rows of the trend chart as a chart embeds them (``drawn("compare", ...)``: hidden
    values absent)."""
    if len(years) < 2:
        return None
    shown_frame = shown("compare", raw.drop(_LOOK_BACK, strict=False))
    top = (
        raw.filter(pl.col("metric") == "top_theme")
        .sort("value", descending=True, nulls_last=True)
        .group_by("pilot", "school_year", maintain_order=True)
        .head(3)
        .select("pilot", "label")
        .unique()
    )
    themes = shown_frame.filter(pl.col("metric") == "top_theme").join(
        top, on=["pilot", "label"], how="semi", nulls_equal=True
    )
    others = shown_frame.filter(
        pl.col("metric").is_in(list(TREND_METRICS)) & (pl.col("metric") != "top_theme")
    )
    frame = pl.concat([others, themes], how="vertical_relaxed")
    chart = None
    if drawn is not None:
        chart = drawn("compare", raw.drop(_LOOK_BACK, strict=False)).filter(
            pl.col("metric").is_in(list(TREND_METRICS))
        )
    return Trend(frame, sorted(y for y in frame["school_year"].unique().to_list() if y), chart)
