"""Charts of referral pathways: the routes from theme to partner kind, and time to referral."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from brugdata.analysis.pathways import REFERRAL_CLASSES, class_label
from brugdata.model.vocab import label
from brugdata.publish.charts._common import Lang, check_lang, one_year, title

if TYPE_CHECKING:
    import altair as alt

    from brugdata.analysis._contract import Frames

__all__ = ["pathway_routes", "time_to_referral"]

#: Titles of these charts that :data:`brugdata.charts._common.TITLES` does not have.
PATHWAY_TITLES: dict[str, dict[str, str]] = {
    "cases": {"nl": "Casussen", "en": "Cases"},
    "referrals": {"nl": "Verwijzingen", "en": "Referrals"},
    "referral_class": {"nl": "Soort verwijzing", "en": "Referral class"},
    "days": {"nl": "Dagen van eerste contact tot verwijzing", "en": "Days from first contact"},
    "median_days": {"nl": "Mediaan (dagen)", "en": "Median (days)"},
    "p25_days": {"nl": "25e percentiel (dagen)", "en": "25th percentile (days)"},
    "p75_days": {"nl": "75e percentiel (dagen)", "en": "75th percentile (days)"},
    "min_days": {"nl": "Minimum (dagen)", "en": "Minimum (days)"},
    "max_days": {"nl": "Maximum (dagen)", "en": "Maximum (days)"},
    "routes_title": {
        "nl": "Verwijsroutes: thema → soort partner (breedte = casussen)",
        "en": "Referral routes: theme → partner kind (width = cases)",
    },
    "time_title": {
        "nl": "Tijd tot verwijzing: mediaan, 25–75e percentiel en bereik",
        "en": "Time to referral: median, 25th–75th percentile and range",
    },
    "unknown": {"nl": "onbekend", "en": "unknown"},
}


def _t(key: str, lang: Lang) -> str:
    """A title from :data:`PATHWAY_TITLES`, else from the shared titles."""
    return PATHWAY_TITLES[key][lang] if key in PATHWAY_TITLES else title(key, lang)


def _class_colours(present: list[str], lang: Lang) -> alt.Scale:
    """Fixed colours per partner class, for the classes ``present`` only."""
    import altair as alt

    colours = {"light": "#4c9a6a", "specialised": "#c0504d", "unclassified": "#999999"}
    shown = [c for c in colours if c in present] or list(colours)
    return alt.Scale(
        domain=[class_label(c, lang) for c in shown], range=[colours[c] for c in shown]
    )


def pathway_routes(
    result: Frames | pl.DataFrame, *, lang: Lang = "nl", top: int = 15
) -> alt.FacetChart:
    """The ``top`` routes of each pilot as a two-column flow chart: themes on the left, partner
    kinds on the right, a line per route whose width is its number of cases and whose colour
    is the partner class; one panel per pilot.

    Takes the result of :func:`~brugdata.analysis.pathways.pathways` or its ``routes`` frame
    and shows its latest school year. Themes and kinds are placed top-down by their cases over
    the routes shown; the labels carry those cases in brackets.
    """
    import altair as alt

    lang = check_lang(lang)
    if top < 1:
        raise ValueError(f"top must be at least 1, not {top}")
    routes = one_year(result if isinstance(result, pl.DataFrame) else result["routes"])
    shown = routes.filter(pl.col("rank") <= top)
    present = shown.get_column("partner_class").unique().to_list()
    data = _routes_data(shown, lang)
    x_scale = alt.Scale(domain=[-0.9, 1.9])
    y_scale = alt.Scale(domain=[0, 1], reverse=True)
    lines = (
        alt.Chart()
        .transform_filter(alt.datum.part == "route")
        .mark_rule(opacity=0.7, strokeCap="round")
        .encode(
            x=alt.X("x:Q", scale=x_scale, axis=None),
            x2="x2:Q",
            y=alt.Y("y:Q", scale=y_scale, axis=None),
            y2="y2:Q",
            strokeWidth=alt.StrokeWidth(
                "cases:Q", title=_t("cases", lang), scale=alt.Scale(range=[1, 14])
            ),
            color=alt.Color(
                "class_label:N",
                title=_t("referral_class", lang),
                scale=_class_colours(present, lang),
            ),
            tooltip=[
                alt.Tooltip("theme_label:N", title=title("theme", lang)),
                alt.Tooltip("kind_label:N", title=title("partner_kind", lang)),
                alt.Tooltip("class_label:N", title=_t("referral_class", lang)),
                alt.Tooltip("cases:Q", title=_t("cases", lang)),
                alt.Tooltip("referrals:Q", title=_t("referrals", lang)),
            ],
        )
    )
    themes = (
        alt.Chart()
        .transform_filter(alt.datum.part == "theme")
        .mark_text(align="right", dx=-4, fontSize=11)
        .encode(x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), text="text:N")
    )
    kinds = (
        alt.Chart()
        .transform_filter(alt.datum.part == "kind")
        .mark_text(align="left", dx=4, fontSize=11)
        .encode(x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), text="text:N")
    )
    return (
        alt.layer(lines, themes, kinds, data=data)
        .properties(width=420, height=max(200, 22 * min(top, 20)))
        .facet(column=alt.Column("pilot:N", title=title("pilot", lang)))
        .properties(title=_t("routes_title", lang))
    )


def _routes_data(routes: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """One row per route (``part = "route"``), per theme and per kind (the labels), with the
    positions: themes at x = 0, kinds at x = 1, spread evenly top-down by cases."""
    unknown = _t("unknown", lang)
    routes = routes.with_columns(
        theme_label=pl.col("theme").map_elements(
            lambda c: label("theme", c, lang), return_dtype=pl.String
        ),
        kind_label=pl.col("partner_kind")
        .map_elements(lambda c: label("partner_kind", c, lang), return_dtype=pl.String)
        .fill_null(unknown),
        class_label=pl.col("partner_class").map_elements(
            lambda c: class_label(c, lang), return_dtype=pl.String
        ),
    )
    parts = []
    positions = {}
    for side, column, text in (
        ("theme", "theme", "theme_label"),
        ("kind", "partner_kind", "kind_label"),
    ):
        nodes = (
            routes.group_by("pilot", column, text)
            .agg(  # with a hidden (null) route the node's sum is hidden too
                pl.when(pl.col("cases").null_count() == 0).then(pl.col("cases").sum())
            )
            .sort("pilot", "cases", text, descending=[False, True, False], nulls_last=True)
            .with_columns(
                y=(pl.int_range(pl.len()).over("pilot") + 0.5) / pl.len().over("pilot"),
            )
        )
        positions[side] = nodes.select("pilot", column, "y")
        parts.append(
            nodes.select(
                "pilot",
                pl.lit(side).alias("part"),
                pl.lit(0.0 if side == "theme" else 1.0).alias("x"),
                "y",
                pl.when(pl.col("cases").is_null())
                .then(pl.col(text))
                .otherwise(pl.format("{} ({})", pl.col(text), pl.col("cases")))
                .alias("text"),
                "cases",
            )
        )
    lines = (
        routes.join(positions["theme"], on=["pilot", "theme"], how="left")
        .join(
            positions["kind"].rename({"y": "y2"}),
            on=["pilot", "partner_kind"],
            how="left",
            nulls_equal=True,
        )
        .select(
            "pilot",
            pl.lit("route").alias("part"),
            pl.lit(0.0).alias("x"),
            pl.lit(1.0).alias("x2"),
            "y",
            "y2",
            "cases",
            "referrals",
            "theme_label",
            "kind_label",
            "class_label",
        )
    )
    return pl.concat([lines, *parts], how="diagonal_relaxed").sort("pilot", "part")


def time_to_referral(result: Frames | pl.DataFrame, *, lang: Lang = "nl") -> alt.LayerChart:
    """Days from a case's first contact to its first referral per pilot and referral class,
    box-plot style: a bar from the 25th to the 75th percentile, a line from minimum to maximum
    and a tick at the median.

    Takes the result of :func:`~brugdata.analysis.pathways.pathways` or its ``time_to_referral``
    frame, of its latest school year.
    """
    import altair as alt

    lang = check_lang(lang)
    frame = one_year(result if isinstance(result, pl.DataFrame) else result["time_to_referral"])
    data = frame.with_columns(
        class_label=pl.col("referral_class").map_elements(
            lambda c: class_label(c, lang), return_dtype=pl.String
        )
    )
    order = [class_label(c, lang) for c in REFERRAL_CLASSES if c != "none"]
    base = alt.Chart(data).encode(
        y=alt.Y("class_label:N", sort=order, title=_t("referral_class", lang)),
        yOffset=alt.YOffset("pilot:N"),
        color=alt.Color("pilot:N", title=title("pilot", lang)),
        tooltip=[
            alt.Tooltip("pilot:N", title=title("pilot", lang)),
            alt.Tooltip("class_label:N", title=_t("referral_class", lang)),
            alt.Tooltip("cases:Q", title=_t("cases", lang)),
            alt.Tooltip("median_days:Q", title=_t("median_days", lang), format=".1f"),
            alt.Tooltip("p25_days:Q", title=_t("p25_days", lang), format=".1f"),
            alt.Tooltip("p75_days:Q", title=_t("p75_days", lang), format=".1f"),
            alt.Tooltip("min_days:Q", title=_t("min_days", lang)),
            alt.Tooltip("max_days:Q", title=_t("max_days", lang)),
        ],
    )
    whiskers = base.mark_rule().encode(
        x=alt.X("min_days:Q", title=_t("days", lang)), x2="max_days:Q"
    )
    boxes = base.mark_bar(opacity=0.6, size=12).encode(x="p25_days:Q", x2="p75_days:Q")
    medians = base.mark_tick(color="black", thickness=2, size=14).encode(x="median_days:Q")
    return alt.LayerChart(
        layer=[whiskers, boxes, medians],
        width=420,
        height=alt.Step(20),
        title=_t("time_title", lang),
    )
