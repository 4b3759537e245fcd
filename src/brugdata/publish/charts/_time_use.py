"""Stacked bars of the share of time per task."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from brugdata.model.vocab import vocabulary
from brugdata.publish.charts._common import Lang, check_lang, title

if TYPE_CHECKING:
    import altair as alt

__all__ = ["time_use"]

#: How a bar derived from contact durations is marked, by language.
DERIVED: dict[str, str] = {"nl": "uit contacten", "en": "from contacts"}


def time_use(frame: pl.DataFrame, *, lang: Lang = "nl") -> alt.Chart:
    """A stacked horizontal bar per officer or pilot of the share of time per task.

    Takes the frame of :func:`brugdata.analysis.time_use.time_use` (by officer or by pilot).
    A bar derived from contact durations says so in its label; with several school years
    the label names the year too.
    """
    import altair as alt

    lang = check_lang(lang)
    key = next(c for c in ("officer_id", "pilot", "school_year") if c in frame.columns)
    data = _chart_data(frame, key, lang)
    tasks = vocabulary("task")
    order = [tasks.label(c, lang) for c in tasks.code_list]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("share_pct:Q", stack="zero", title=title("share_pct", lang)),
            y=alt.Y("bar:N", title=title("officer" if key == "officer_id" else "pilot", lang)),
            color=alt.Color("task_label:N", sort=order, title=title("task", lang)),
            order=alt.Order("task_order:Q"),
            tooltip=[
                alt.Tooltip(
                    "bar:N", title=title("officer" if key == "officer_id" else "pilot", lang)
                ),
                alt.Tooltip("task_label:N", title=title("task", lang)),
                alt.Tooltip("share_pct:Q", title=title("share_pct", lang), format=".1f"),
            ],
        )
    )


def _chart_data(frame: pl.DataFrame, key: str, lang: Lang) -> pl.DataFrame:
    """The frame with a bar label, task labels and the task's place in the vocabulary."""
    tasks = vocabulary("task")
    labels = {c: tasks.label(c, lang) for c in frame.get_column("task").unique().to_list()}
    places = {c: i for i, c in enumerate(tasks.code_list)}
    bar = pl.col(key).cast(pl.String).fill_null("?")
    if frame.get_column("school_year").n_unique() > 1:
        bar = pl.concat_str([bar, pl.col("school_year")], separator=" ")
    derived = pl.col("source") == "contacts"
    bar = pl.when(derived).then(pl.format("{} ({})", bar, pl.lit(DERIVED[lang]))).otherwise(bar)
    return frame.with_columns(
        bar.alias("bar"),
        pl.col("task").replace_strict(labels, default=None).alias("task_label"),
        pl.col("task").replace_strict(places, default=len(places)).alias("task_order"),
    )
