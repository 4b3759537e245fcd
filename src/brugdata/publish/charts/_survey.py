"""Charts of questionnaire data: reach bands, themes per asker, contact bands, answer codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from brugdata.model.vocab import label, themes
from brugdata.publish.charts._common import Lang, check_lang, one_year, title

if TYPE_CHECKING:
    import altair as alt

__all__ = ["answer_codes", "survey_contact_bands", "survey_reach_bands", "survey_themes"]

#: Titles of these charts, by key and language.
_TITLES: dict[str, dict[str, str]] = {
    "respondents": {"nl": "Respondenten", "en": "Respondents"},
    "share_respondents": {"nl": "Aandeel respondenten", "en": "Share of respondents"},
    "band_contacts": {"nl": "Aantal contacten", "en": "Number of contacts"},
    "side": {"nl": "Samenwerking", "en": "Cooperation"},
    "internal": {"nl": "collega's in de school", "en": "colleagues in school"},
    "external": {"nl": "externe partners", "en": "external partners"},
    "asker": {"nl": "Vraag van", "en": "Question from"},
    "code": {"nl": "Code", "en": "Code"},
    "answers": {"nl": "Antwoorden", "en": "Answers"},
    "kind": {"nl": "Soort antwoord", "en": "Answer kind"},
    "relation": {"nl": "Samenwerking met", "en": "Working with"},
    "survey_band": {
        "nl": "Bereik van de gezinnen (vragenlijst)",
        "en": "Reach of the families (questionnaire)",
    },
}


def _t(key: str, lang: Lang) -> str:
    return _TITLES[key][lang]


def survey_reach_bands(frame: pl.DataFrame, *, lang: Lang = "nl") -> alt.Chart:
    """Bars of respondents per reach band, side by side per pilot, from
    ``brugdata.reach_bands(by="officer", source="survey")`` (the "unknown" band is left out;
    the latest school year)."""
    from brugdata.publish.charts._reach import reach_bands

    lang = check_lang(lang)
    return reach_bands(
        one_year(frame),
        lang=lang,
        band_title=_t("survey_band", lang),
        unit_title=_t("respondents", lang),
    )


def survey_themes(frame: pl.DataFrame, *, lang: Lang = "nl") -> alt.FacetChart:
    """A grid of themes (rows) by asker (columns), shaded by the share of respondents naming
    the theme, one panel per pilot, from ``brugdata.theme_shares(source="survey")`` (the
    latest school year)."""
    import altair as alt

    lang = check_lang(lang)
    vocab = themes()
    askers = ["parent", "pupil", "colleague", "partner"]
    asker_labels = {a: label("asker", a, lang) for a in askers}
    data = one_year(frame).select("pilot", "asker", "theme", "respondents", "answered", "share")
    data = data.with_columns(
        asker_label=pl.col("asker").replace_strict(
            asker_labels, default=pl.col("asker"), return_dtype=pl.String
        ),
        theme_label=pl.col("theme").replace_strict(
            {c: vocab.label(c, lang) for c in vocab.code_list},
            default=pl.col("theme"),
            return_dtype=pl.String,
        ),
    )
    base = alt.Chart(data).encode(
        x=alt.X(
            "asker_label:N",
            sort=[asker_labels[a] for a in askers],
            title=_t("asker", lang),
            axis=alt.Axis(labelAngle=0),
        ),
        y=alt.Y(
            "theme_label:N",
            sort=alt.EncodingSortField("respondents", op="sum", order="descending"),
            title=title("theme", lang),
        ),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "share:Q",
            title=_t("share_respondents", lang),
            scale=alt.Scale(domain=[0, 1], scheme="blues"),
            legend=alt.Legend(format=".0%"),
        ),
        tooltip=[
            alt.Tooltip("pilot:N", title=title("pilot", lang)),
            alt.Tooltip("asker_label:N", title=_t("asker", lang)),
            alt.Tooltip("theme_label:N", title=title("theme", lang)),
            alt.Tooltip("respondents:Q", title=_t("respondents", lang)),
            alt.Tooltip("share:Q", format=".0%", title=_t("share_respondents", lang)),
        ],
    )
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("share:Q", format=".0%"),
        color=alt.condition("datum.share > 0.6", alt.value("white"), alt.value("black")),
    )
    return (
        alt.layer(cells, text, data=data)
        .properties(width=alt.Step(90), height=alt.Step(18))
        .facet(column=alt.Column("pilot:N", title=title("pilot", lang)))
    )


def survey_contact_bands(frame: pl.DataFrame, *, lang: Lang = "nl") -> alt.Chart:
    """Respondents per band of colleagues in school and external partners they work with
    (0–10, 10–20, 20–30, 30+), one panel per pilot, from ``brugdata.network(source=
    "survey").bands`` (the "unknown" band is left out; the latest school year)."""
    import altair as alt

    from brugdata.analysis.network import BAND_LABELS

    lang = check_lang(lang)
    sides = {"internal": _t("internal", lang), "external": _t("external", lang)}
    data = (
        one_year(frame)
        .filter(pl.col("band") != "unknown")
        .select("pilot", "side", "band", "officers", "share")
        .with_columns(
            side_label=pl.col("side").replace_strict(sides, default=None, return_dtype=pl.String)
        )
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "band:N",
                sort=list(BAND_LABELS),
                title=_t("band_contacts", lang),
                axis=alt.Axis(labelAngle=0),
            ),
            xOffset=alt.XOffset("side_label:N", sort=list(sides.values())),
            y=alt.Y("officers:Q", title=_t("respondents", lang)),
            color=alt.Color(
                "side_label:N",
                sort=list(sides.values()),
                scale=alt.Scale(range=["#9d9d9d", "#4e79a7"]),
                title=_t("side", lang),
            ),
            column=alt.Column("pilot:N", title=title("pilot", lang)),
            tooltip=[
                alt.Tooltip("pilot:N", title=title("pilot", lang)),
                alt.Tooltip("side_label:N", title=_t("side", lang)),
                alt.Tooltip("band:N", title=_t("band_contacts", lang)),
                alt.Tooltip("officers:Q", title=_t("respondents", lang)),
                alt.Tooltip("share:Q", format=".0%", title=title("share", lang)),
            ],
        )
        .properties(width=220, height=220)
    )


def answer_codes(
    frame: pl.DataFrame, *, lang: Lang = "nl", codebook: object | None = None
) -> alt.Chart:
    """Open answers per code (bars), works and bottlenecks side by side, one row of panels per
    relation and one column per pilot, from :func:`brugdata.codebook.code_counts` (untagged
    answers shown as "(geen code)"). ``codebook``: the :class:`~brugdata.codebook.Codebook`
    for the labels (default: the shipped one)."""
    import altair as alt

    from brugdata.model.codebook import Codebook, load_codebook

    lang = check_lang(lang)
    book = codebook if isinstance(codebook, Codebook) else load_codebook()
    relations = ["parents", "pupils", "internal_partners", "external_partners"]
    relation_labels = {r: label("relation", r, lang) for r in relations}
    kinds = {k: label("answer_kind", k, lang) for k in ("works", "bottleneck")}
    codes = sorted(set(frame["code"].to_list()), key=lambda c: (c is None, str(c)))
    code_labels = {c: book.label(c, lang) for c in codes if c is not None}
    none_label = book.label(None, lang)
    data = frame.select("pilot", "relation", "kind", "code", "answers", "respondents").with_columns(
        code_label=pl.col("code")
        .replace_strict(code_labels, default=None, return_dtype=pl.String)
        .fill_null(none_label),
        kind_label=pl.col("kind").replace_strict(kinds, default=pl.col("kind")),
        relation_label=pl.col("relation").replace_strict(
            relation_labels, default=pl.col("relation")
        ),
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(
                "code_label:N",
                sort=alt.EncodingSortField("answers", op="sum", order="descending"),
                title=_t("code", lang),
            ),
            x=alt.X("answers:Q", title=_t("answers", lang)),
            color=alt.Color(
                "kind_label:N",
                sort=list(kinds.values()),
                scale=alt.Scale(range=["#59a14f", "#e15759"]),
                title=_t("kind", lang),
            ),
            yOffset=alt.YOffset("kind_label:N", sort=list(kinds.values())),
            row=alt.Row(
                "relation_label:N",
                sort=[relation_labels[r] for r in relations],
                title=_t("relation", lang),
            ),
            column=alt.Column("pilot:N", title=title("pilot", lang)),
            tooltip=[
                alt.Tooltip("pilot:N", title=title("pilot", lang)),
                alt.Tooltip("relation_label:N", title=_t("relation", lang)),
                alt.Tooltip("kind_label:N", title=_t("kind", lang)),
                alt.Tooltip("code_label:N", title=_t("code", lang)),
                alt.Tooltip("answers:Q", title=_t("answers", lang)),
                alt.Tooltip("respondents:Q", title=_t("respondents", lang)),
            ],
        )
        .properties(width=320)
        .resolve_scale(y="independent")
    )
