"""Coded open answers of questionnaires: how often each code occurs, and the answers no
code matches."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import polars as pl

from brugdata.analysis._common import pilot_clause
from brugdata.analysis._contract import check_selection, group_columns, need
from brugdata.model.codebook import Codebook, _book, tag_answers
from brugdata.sql import Source, connect, query

__all__ = ["code_counts", "untagged_answers"]

_ANSWER_COLUMNS = ("officer_id", "pilot", "school_year", "relation", "kind", "text")


def _answers(source: Source, pilots: Sequence[str] | None, school_year: str | None) -> pl.DataFrame:
    where, params = pilot_clause("pilot", pilots)
    if school_year is not None:
        where += " AND school_year = ?"
        params.append(school_year)
    cols = ", ".join(_ANSWER_COLUMNS)
    return query(
        source,
        f"SELECT {cols} FROM survey_answers WHERE {where} ORDER BY pilot, school_year, "
        "relation, kind, officer_id, text",
        params,
    )


def _checked(
    data: Source, what: str, by: str, pilots: Sequence[str] | None, school_year: str | None
) -> Source:
    """The connection of ``data`` once ``by`` and the selection are checked and the store has
    open answers for it."""
    group_columns(by, ("pilot",), what=what)  # type: ignore[arg-type]
    con = connect(data)
    check_selection(con, pilots, school_year)
    rows = _answers(con, pilots, school_year)
    need(
        con,
        rows.height > 0,
        what=what,
        data="open questionnaire answers (survey_answers)",
        pilots=pilots,
        school_year=school_year,
    )
    return con


def code_counts(
    data: Source,
    /,
    *,
    by: Literal["pilot"] = "pilot",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
    codebook: Codebook | str | Path | None = None,
) -> pl.DataFrame:
    """How often each code was found in the open answers, per pilot, relation and kind.

    Columns: pilot, school_year, relation (parents | pupils | internal_partners |
    external_partners), kind (works | bottleneck), code (null: the answers no code matched),
    answers (answers with the code), respondents (distinct respondents with such an answer),
    share (answers / all answers of that pilot, school year, relation and kind; an answer can
    have several codes, so shares can add up to more than 1). Ordered by pilot, year, relation,
    kind, then the most frequent code first and the untagged answers last.
    """
    con = _checked(data, "code_counts", by, pilots, school_year)
    return _code_counts(con, pilots, school_year, codebook)


def _code_counts(
    source: Source,
    pilots: Sequence[str] | None,
    school_year: str | None,
    codebook: Codebook | str | Path | None = None,
) -> pl.DataFrame:
    """:func:`code_counts` without the checks (empty without answers)."""
    book = _book(codebook)
    tagged = tag_answers(_answers(source, pilots, school_year), book)
    keys = ["pilot", "school_year", "relation", "kind"]
    totals = (
        tagged.select(*keys, "officer_id", "text")
        .unique()
        .group_by(keys)
        .agg(total=pl.len().cast(pl.Int64))
    )
    counts = tagged.group_by(*keys, "code").agg(
        answers=pl.len().cast(pl.Int64),
        respondents=pl.col("officer_id").n_unique().cast(pl.Int64),
    )
    order = {c: i for i, c in enumerate(book.code_list)}
    schema = {
        "pilot": pl.String,
        "school_year": pl.String,
        "relation": pl.String,
        "kind": pl.String,
        "code": pl.String,
        "answers": pl.Int64,
        "respondents": pl.Int64,
        "share": pl.Float64,
    }
    if counts.is_empty():
        return pl.DataFrame(schema=schema)
    return (
        counts.join(totals, on=keys)
        .with_columns(
            share=pl.col("answers") / pl.col("total"),
            _untagged=pl.col("code").is_null(),
            _order=pl.col("code").replace_strict(order, default=len(order)),
        )
        .sort(
            [*keys, "_untagged", "answers", "_order"],
            descending=[False, False, False, False, False, True, False],
        )
        .select(list(schema))
        .cast(schema)  # type: ignore[arg-type]
    )


def untagged_answers(
    data: Source,
    /,
    *,
    by: Literal["pilot"] = "pilot",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
    codebook: Codebook | str | Path | None = None,
) -> pl.DataFrame:
    """The open answers no code of the codebook matched, so none is lost: read them, then add
    keywords to the codebook or code them by hand.

    Columns: officer_id, pilot, school_year, relation, kind, text.
    """
    con = _checked(data, "untagged_answers", by, pilots, school_year)
    return _untagged_answers(con, pilots, school_year, codebook)


def _untagged_answers(
    source: Source,
    pilots: Sequence[str] | None,
    school_year: str | None,
    codebook: Codebook | str | Path | None = None,
) -> pl.DataFrame:
    """:func:`untagged_answers` without the checks (empty without answers)."""
    tagged = tag_answers(_answers(source, pilots, school_year), codebook)
    return tagged.filter(pl.col("code").is_null()).select(_ANSWER_COLUMNS)
