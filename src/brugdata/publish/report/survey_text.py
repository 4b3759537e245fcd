"""The questionnaire section as text: its tables (the report's school year; one row per pilot
and figure) and its sentences, from the frames as shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from brugdata.publish.report.survey import Questionnaire
from brugdata.publish.report.tables import Column, Table
from brugdata.publish.report.texts import Texts, isnum

__all__ = ["survey_readings", "survey_tables"]

#: Themes per asker and codes per relation shown in the tables (the most named first).
TOP = 5


def _label(vocab: str, code: Any, tx: Texts) -> str:
    from brugdata.model.vocab import label

    return tx.t("unknown") if code is None else label(vocab, str(code), tx.lang)


def _theme(code: Any, tx: Texts) -> str:
    from brugdata.model.vocab import themes

    return tx.t("unknown") if code is None else themes().label(str(code), tx.lang)


def _code(code: Any, tx: Texts) -> str:
    from brugdata.model.codebook import load_codebook

    return tx.t("untagged") if code is None else load_codebook().label(str(code), tx.lang)


def _band(band: Any, tx: Texts) -> str:
    return tx.col("band_unknown") if band == "unknown" else str(band)


def _count_share(row: dict[str, Any], count: str, share: str, tx: Texts) -> str:
    """ "12 (75%)": a count and its share; the count alone where the share is hidden."""
    text = tx.fmt(row.get(count), "int")
    if isnum(row.get(share)):
        text += f" ({tx.fmt(row[share], 'frac')})"
    return text


def _top(frame: pl.DataFrame, by: Sequence[str], order: str) -> pl.DataFrame:
    """The first :data:`TOP` rows of each group of ``by``, largest ``order`` first; a value the
    transform made text sorts last."""
    if frame.is_empty():
        return frame
    key = pl.col(order).cast(pl.Float64, strict=False)
    return (
        frame.with_columns(_o=key)
        .sort([*by, "_o"], descending=[False] * len(by) + [True], nulls_last=True)
        .group_by(by, maintain_order=True)
        .head(TOP)
        .drop("_o")
    )


def _table(name: str, caption: str, heads: list[tuple[str, bool]], rows: list[list[str]]) -> Table:
    return Table(name, caption, [Column(h, numeric=n) for h, n in heads], rows)


def survey_tables(q: Questionnaire, tx: Texts) -> list[Table]:
    """The questionnaire's tables, in the order of the evaluation."""
    pilot = (tx.col("pilot"), False)  # one school year: the report's, in its header
    out = []
    response = q.frames.get("response")
    if response is not None:
        out.append(
            _table(
                "survey.response",
                tx.t("tab_survey_response"),
                [pilot, (tx.col("respondents"), True), (tx.col("officers"), True),
                 (tx.col("response_rate"), True)],
                [
                    [tx.pilot(r.get("pilot")), 
                     tx.fmt(r.get("respondents"), "int"), tx.fmt(r.get("officers"), "int"),
                     tx.fmt(r.get("response_rate"), "frac")]
                    for r in response.to_dicts()
                ],
            )
        )  # fmt: skip
    reach = q.frames.get("reach")
    if reach is not None:
        out.append(
            _table(
                "survey.reach",
                tx.t("tab_survey_reach"),
                [pilot, (tx.col("counterpart"), False), (tx.col("helped"), True),
                 (tx.col("population_given"), True), (tx.col("pct"), True),
                 (tx.col("ci"), True), (tx.col("respondents_with_population"), True)],
                [
                    [tx.pilot(r.get("pilot")), 
                     _label("counterpart", r.get("counterpart"), tx),
                     tx.fmt(r.get("reached"), "int"), tx.fmt(r.get("population"), "int"),
                     tx.fmt(r.get("pct"), "pct"), tx.ci(r.get("ci_low"), r.get("ci_high")),
                     f"{tx.fmt(r.get('respondents_with_population'), 'int')} / "
                     f"{tx.fmt(r.get('respondents'), 'int')}"]
                    for r in reach.to_dicts()
                ],
            )
        )  # fmt: skip
    for part, caption in (
        ("bands", "tab_survey_bands"),
        ("bands_pupils", "tab_survey_bands_pupils"),
    ):
        bands = q.frames.get(part)
        if bands is not None:
            out.append(
                _table(
                    f"survey.{part}",
                    tx.t(caption),
                    [pilot, (tx.col("band"), False), (tx.col("respondents"), True)],
                    [
                        [tx.pilot(r.get("pilot")), 
                         _band(r.get("band"), tx), _count_share(r, "units", "share", tx)]
                        for r in bands.to_dicts()
                    ],
                )
            )  # fmt: skip
    time_use = q.frames.get("time_use")
    if time_use is not None:
        out.append(
            _table(
                "survey.time_use",
                tx.t("tab_survey_time_use"),
                [pilot, (tx.col("task"), False), (tx.col("share_pct"), True),
                 (tx.col("respondents"), True)],
                [
                    [tx.pilot(r.get("pilot")), 
                     _label("task", r.get("task"), tx), tx.fmt(r.get("share_pct"), "dec1"),
                     tx.fmt(r.get("officers"), "int")]
                    for r in time_use.to_dicts()
                ],
            )
        )  # fmt: skip
    contacts = q.frames.get("contact_bands")
    if contacts is not None:
        out.append(
            _table(
                "survey.contact_bands",
                tx.t("tab_survey_contacts"),
                [pilot, (tx.col("side"), False), (tx.col("band"), False),
                 (tx.col("respondents"), True), (tx.col("mean"), True)],
                [
                    [tx.pilot(r.get("pilot")), 
                     tx.t(f"side_{r.get('side')}"),
                     tx.t("unknown") if r.get("band") == "unknown" else str(r.get("band")),
                     _count_share(r, "officers", "share", tx), tx.fmt(r.get("mean"), "dec1")]
                    for r in contacts.to_dicts()
                ],
            )
        )  # fmt: skip
    themes = q.frames.get("themes")
    if themes is not None:
        top = _top(themes, ["pilot", "school_year", "asker"], "respondents")
        out.append(
            _table(
                "survey.themes",
                tx.t("tab_survey_themes", n=TOP),
                [pilot, (tx.col("asker"), False), (tx.col("theme"), False),
                 (tx.col("respondents"), True)],
                [
                    [tx.pilot(r.get("pilot")), 
                     _label("asker", r.get("asker"), tx), _theme(r.get("theme"), tx),
                     _count_share(r, "respondents", "share", tx)]
                    for r in top.to_dicts()
                ],
            )
        )  # fmt: skip
    kinds = q.frames.get("partner_kinds")
    if kinds is not None:
        out.append(
            _table(
                "survey.partner_kinds",
                tx.t("tab_survey_partners"),
                [pilot, (tx.col("partner_kind"), False), (tx.col("partners_named"), True),
                 (tx.col("respondents"), True)],
                [
                    [tx.pilot(r.get("pilot")), 
                     tx.partner_kind(r.get("partner_kind")), tx.fmt(r.get("partners"), "int"),
                     _count_share(r, "officers", "share", tx)]
                    for r in kinds.to_dicts()
                ],
            )
        )  # fmt: skip
    codes = q.frames.get("answer_codes")
    if codes is not None:
        top = _top(codes, ["pilot", "school_year", "relation", "kind"], "answers")
        out.append(
            _table(
                "survey.answer_codes",
                tx.t("tab_survey_codes", n=TOP),
                [pilot, (tx.col("relation"), False), (tx.col("answer_kind"), False),
                 (tx.col("code"), False), (tx.col("answers"), True)],
                [
                    [tx.pilot(r.get("pilot")), 
                     _label("relation", r.get("relation"), tx),
                     _label("answer_kind", r.get("kind"), tx), _code(r.get("code"), tx),
                     _count_share(r, "answers", "share", tx)]
                    for r in top.to_dicts()
                ],
            )
        )  # fmt: skip
    return out


def survey_readings(q: Questionnaire, tx: Texts) -> list[str]:
    """Per pilot and school year: response, parents and pupils helped with their share, the
    largest task and the mean internal and external contacts."""
    items = []
    response = q.frames.get("response", pl.DataFrame())
    for r in response.to_dicts():
        items.append(
            tx.r(
                "survey_response",
                pilot=tx.pilot(r.get("pilot")),
                year=r.get("school_year"),
                n=tx.fmt(r.get("respondents"), "int"),
                officers=tx.fmt(r.get("officers"), "int"),
                rate=tx.fmt(r.get("response_rate"), "frac"),
            )
        )
    reach = q.frames.get("reach", pl.DataFrame())
    for r in reach.to_dicts():
        items.append(
            tx.r(
                f"survey_reach_{r.get('counterpart')}",
                pilot=tx.pilot(r.get("pilot")),
                n=tx.fmt(r.get("reached"), "int"),
                pct=tx.fmt(r.get("pct"), "pct"),
                k=tx.fmt(r.get("respondents_with_population"), "int"),
                respondents=tx.fmt(r.get("respondents"), "int"),
            )
        )
    time_use = q.frames.get("time_use", pl.DataFrame())
    if "share_pct" in time_use.columns:
        for (p, _y), part in time_use.group_by("pilot", "school_year", maintain_order=True):
            rows = sorted(
                (r for r in part.to_dicts() if isnum(r.get("share_pct"))),
                key=lambda r: r["share_pct"],
                reverse=True,
            )
            if rows:
                items.append(
                    tx.r(
                        "survey_time_use",
                        pilot=tx.pilot(p),
                        task=_label("task", rows[0]["task"], tx),
                        share=tx.fmt(rows[0]["share_pct"], "pct"),
                    )
                )
    contacts = q.frames.get("contact_bands", pl.DataFrame())
    if "mean" in contacts.columns:
        for (p, _y), part in contacts.group_by("pilot", "school_year", maintain_order=True):
            mean = {r["side"]: r.get("mean") for r in part.to_dicts()}
            items.append(
                tx.r(
                    "survey_contacts",
                    pilot=tx.pilot(p),
                    internal=tx.fmt(mean.get("internal"), "dec1"),
                    external=tx.fmt(mean.get("external"), "dec1"),
                )
            )
    return items
