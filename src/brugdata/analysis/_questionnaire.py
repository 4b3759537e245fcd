"""The questionnaire side of the analyses (``source="survey"``): the same figures as the
contact log gives, from the tables ``survey``, ``survey_time_use``, ``survey_partners`` and
``survey_themes`` (one answer set per respondent, an officer, and school year).

Everything is the respondents' own report: counts are their estimates, not distinct people in
a log, and a pilot's totals are sums over the officers who responded, not over all officers
(:func:`brugdata.analysis.survey.response` says how many responded). The public analyses
(:func:`~brugdata.analysis.reach.reach`, ``reach_bands``, ``parents_of_pupil_cases``,
:func:`~brugdata.analysis.time_use.time_use`, :func:`~brugdata.analysis.network.network`,
:func:`~brugdata.analysis.themes.theme_shares`) call these functions for ``source="survey"`` and
give their columns plus ``source = "survey"``.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from brugdata.analysis._common import BANDS, band_expr, band_label, pilot_clause, wilson_exprs
from brugdata.model.vocab import vocabulary
from brugdata.sql import query

#: The value of the ``source`` column of every questionnaire figure.
SOURCE = "survey"

#: The ``by`` keys the questionnaire can give: answer sets are per officer and school year.
SURVEY_BY: tuple[str, ...] = ("pilot", "officer", "school_year")

#: counterpart → (helped column, population column, what the population counts)
SIDES: dict[str, tuple[str, str, str]] = {
    "parent": ("parents_helped", "families_total", "families"),
    "pupil": ("pupils_helped", "pupils_total", "pupils"),
}


def table(
    con: duckdb.DuckDBPyConnection, name: str, pilots: Sequence[str] | None, year: str | None
) -> pl.DataFrame:
    """The rows of questionnaire table ``name`` of the selection."""
    where, params = pilot_clause("pilot", pilots)
    if year is not None:
        where += " AND school_year = ?"
        params.append(year)
    return query(
        con, f"SELECT * FROM {name} WHERE {where} ORDER BY pilot, school_year, officer_id", params
    )


def _long_reach(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per respondent and counterpart: reached, population, what."""
    return pl.concat(
        [
            frame.select(
                "officer_id",
                "pilot",
                "school_year",
                pl.lit(side).alias("counterpart"),
                pl.col(helped).cast(pl.Int64).alias("reached"),
                pl.col(total).cast(pl.Int64).alias("population"),
                pl.lit(what).alias("what"),
            )
            for side, (helped, total, what) in SIDES.items()
        ]
    )


def _pct_and_interval(frame: pl.DataFrame, k: str, n: str) -> pl.DataFrame:
    """Add pct (k / n × 100 where n > 0) and the 95% Wilson interval (null where k > n)."""
    low, high = wilson_exprs(k, n)
    ok = pl.col(n).is_not_null() & (pl.col(n) > 0) & pl.col(k).is_not_null()
    return frame.with_columns(pct=pl.when(ok).then(pl.col(k) / pl.col(n) * 100)).with_columns(
        ci_low=pl.when(ok & (pl.col(k) <= pl.col(n))).then(low),
        ci_high=pl.when(ok & (pl.col(k) <= pl.col(n))).then(high),
    )


def reach(
    con: duckdb.DuckDBPyConnection,
    keys: list[str],
    pilots: Sequence[str] | None,
    year: str | None,
) -> pl.DataFrame:
    """Parents and pupils helped as the respondents report them, per ``keys`` (columns of
    :data:`SURVEY_BY`), school year and counterpart: keys, school_year, counterpart,
    respondents, reached, population, pct, ci_low, ci_high, respondents_with_population,
    reached_with_population, note, source.

    Per officer (``officer_id`` in ``keys``) a row is one respondent: reached is what they
    helped (null without an answer), population what they gave (null when unknown), pct
    reached / population × 100. Otherwise reached sums the helped over the respondents who
    gave it, population the population over those who gave both, and pct is
    reached_with_population / population × 100."""
    long = _long_reach(table(con, "survey", pilots, year))
    group = [*keys, "school_year", "counterpart"]
    both = (
        pl.col("reached").is_not_null()
        & pl.col("population").is_not_null()
        & (pl.col("population") > 0)
    )
    if "officer_id" in keys:
        note = (
            pl.when(pl.col("reached").is_null())
            .then(pl.format("no answer: the number of {} helped was not given", pl.col("what")))
            .when(pl.col("population").is_null())
            .then(
                pl.format("population unknown: the respondent gave no number of {}", pl.col("what"))
            )
            .when(pl.col("population") == 0)
            .then(pl.format("population is 0 {}", pl.col("what")))
            .when(pl.col("reached") > pl.col("population"))
            .then(pl.format("more helped than {} at the school(s): check the answer", "what"))
        )
        out = long.with_columns(
            note=note,
            respondents=pl.lit(1, dtype=pl.Int64),
            respondents_with_population=both.cast(pl.Int64),
            reached_with_population=pl.when(both).then(pl.col("reached")),
        )
        return (
            _pct_and_interval(out, "reached", "population")
            .with_columns(source=pl.lit(SOURCE))
            .sort(group)
        )
    grouped = long.group_by(group).agg(
        respondents=pl.len().cast(pl.Int64),
        reached=pl.col("reached").sum().cast(pl.Int64),
        population=pl.col("population").filter(both).sum().cast(pl.Int64),
        respondents_with_population=both.sum().cast(pl.Int64),
        reached_with_population=pl.col("reached").filter(both).sum().cast(pl.Int64),
        what=pl.col("what").first(),
    )
    note = (
        pl.when(pl.col("respondents_with_population") == 0)
        .then(pl.format("no respondent gave both the number helped and the number of {}", "what"))
        .when(pl.col("respondents_with_population") < pl.col("respondents"))
        .then(
            pl.format(
                "pct over the {} of {} respondents who gave both the number helped and the "
                "number of {}",
                "respondents_with_population",
                "respondents",
                "what",
            )
        )
    )
    out = grouped.with_columns(
        population=pl.when(pl.col("respondents_with_population") > 0).then("population"),
        note=note,
    )
    return (
        _pct_and_interval(out, "reached_with_population", "population")
        .with_columns(source=pl.lit(SOURCE))
        .sort(group, nulls_last=True)
    )


def _bands_frame(unknown: bool) -> pl.DataFrame:
    rows = [(band_label(lo, hi), lo, hi) for lo, hi in BANDS]
    if unknown:
        rows.append(("unknown", None, None))  # type: ignore[arg-type]
    return pl.DataFrame(
        rows, schema={"band": pl.String, "low": pl.Int64, "high": pl.Int64}, orient="row"
    )


def band_counts(frame: pl.DataFrame, value: str) -> pl.DataFrame:
    """Respondents per reach band (and "unknown") of ``value`` per pilot and school year:
    pilot, school_year, band, low, high, units, share."""
    labelled = frame.with_columns(band=band_expr(value).fill_null("unknown"))
    counts = labelled.group_by("pilot", "school_year", "band").agg(units=pl.len())
    grid = frame.select("pilot", "school_year").unique().join(_bands_frame(True), how="cross")
    out = grid.join(counts, on=["pilot", "school_year", "band"], how="left")
    known = pl.col("units").filter(pl.col("band") != "unknown").sum().over("pilot", "school_year")
    return (
        out.with_columns(units=pl.col("units").fill_null(0).cast(pl.Int64))
        .with_columns(
            share=pl.when((pl.col("band") != "unknown") & (known > 0)).then(pl.col("units") / known)
        )
        .sort("pilot", "school_year", pl.col("low").fill_null(999))
        .select("pilot", "school_year", "band", "low", "high", "units", "share")
    )


def time_use(
    con: duckdb.DuckDBPyConnection, keys: list[str], pilots: Sequence[str] | None, year: str | None
) -> pl.DataFrame:
    """Share of working time per task as the respondents report it (``survey_time_use``).

    Per officer: officer_id, pilot, school_year, task, share_pct (as reported; 0 for a task
    of the vocabulary the respondent gave nothing for), source. Otherwise, per ``keys``:
    keys, school_year, task, share_pct (mean over the respondents of their shares, each
    respondent's shares first normalised to sum to 100), officers (respondents averaged),
    source. Respondents without time-use answers are left out."""
    rows = table(con, "survey_time_use", pilots, year)
    tasks = vocabulary("task").code_list
    extra = sorted(set(rows["task"].to_list()) - set(tasks))
    order = {t: i for i, t in enumerate([*tasks, *extra])}
    grid = (
        rows.select("officer_id", "pilot", "school_year")
        .unique()
        .join(pl.DataFrame({"task": [*tasks, *extra]}, schema={"task": pl.String}), how="cross")
    )
    per_officer = (
        grid.join(
            rows.select("officer_id", "pilot", "school_year", "task", "share_pct"),
            on=["officer_id", "pilot", "school_year", "task"],
            how="left",
        )
        .with_columns(
            share_pct=pl.col("share_pct").cast(pl.Float64).fill_null(0.0),
            source=pl.lit(SOURCE),
            _order=pl.col("task").replace_strict(order, return_dtype=pl.Int64),
        )
        .sort("pilot", "officer_id", "school_year", "_order")
    )
    if "officer_id" in keys:
        return per_officer.sort("officer_id", "school_year", "_order").select(
            "officer_id", "pilot", "school_year", "task", "share_pct", "source"
        )
    total = pl.col("share_pct").sum().over("officer_id", "pilot", "school_year")
    group = [*keys, "school_year"]
    return (
        per_officer.with_columns(_total=total)
        .filter(pl.col("_total") > 0)
        .group_by(*group, "task", "_order")
        .agg(
            share_pct=(100 * pl.col("share_pct") / pl.col("_total")).mean(),
            officers=pl.col("officer_id").n_unique().cast(pl.Int64),
        )
        .with_columns(source=pl.lit(SOURCE))
        .sort(*group, "_order")
        .select(*group, "task", "share_pct", "officers", "source")
    )


def officer_counts(
    con: duckdb.DuckDBPyConnection, pilots: Sequence[str] | None, year: str | None
) -> pl.DataFrame:
    """The colleagues in school (``internal_contacts``) and external partners
    (``external_contacts``) each respondent says they work with: pilot, school_year,
    officer_id, internal, external (null without an answer)."""
    frame = table(con, "survey", pilots, year)
    return frame.select(
        "pilot",
        "school_year",
        "officer_id",
        pl.col("internal_contacts").cast(pl.Int64).alias("internal"),
        pl.col("external_contacts").cast(pl.Int64).alias("external"),
    )


def partner_kinds(
    con: duckdb.DuckDBPyConnection, pilots: Sequence[str] | None, year: str | None
) -> pl.DataFrame:
    """Which kinds of partner the respondents work with (``survey_partners``): pilot,
    school_year, partner_kind, partners (distinct organisations named, compared without
    regard to case), officers (respondents naming one of that kind), answered (respondents
    naming any partner), share (officers / answered), source. The most named kind first."""
    rows = table(con, "survey_partners", pilots, year)
    answered = rows.group_by("pilot", "school_year").agg(
        answered=pl.col("officer_id").n_unique().cast(pl.Int64)
    )
    return (
        rows.group_by("pilot", "school_year", "kind")
        .agg(
            partners=pl.col("organisation").str.to_lowercase().n_unique().cast(pl.Int64),
            officers=pl.col("officer_id").n_unique().cast(pl.Int64),
        )
        .join(answered, on=["pilot", "school_year"])
        .with_columns(share=pl.col("officers") / pl.col("answered"), source=pl.lit(SOURCE))
        .rename({"kind": "partner_kind"})
        .sort(
            ["pilot", "school_year", "officers", "partner_kind"],
            descending=[False, False, True, False],
        )
        .select(
            "pilot",
            "school_year",
            "partner_kind",
            "partners",
            "officers",
            "answered",
            "share",
            "source",
        )
    )


def themes(
    con: duckdb.DuckDBPyConnection, keys: list[str], pilots: Sequence[str] | None, year: str | None
) -> pl.DataFrame:
    """Which themes each asker brings, as the respondents report: keys, school_year, asker,
    theme, respondents (naming the theme for that asker), answered (naming any theme for that
    asker), share (respondents / answered), source. Most named first."""
    rows = table(con, "survey_themes", pilots, year)
    askers = {a: i for i, a in enumerate(vocabulary("asker").code_list)}
    group = [*keys, "school_year", "asker"]
    answered = rows.group_by(group).agg(answered=pl.col("officer_id").n_unique().cast(pl.Int64))
    return (
        rows.group_by(*group, "theme")
        .agg(respondents=pl.col("officer_id").n_unique().cast(pl.Int64))
        .join(answered, on=group, nulls_equal=True)
        .with_columns(
            share=pl.col("respondents") / pl.col("answered"),
            source=pl.lit(SOURCE),
            _asker=pl.col("asker").replace_strict(askers, default=len(askers)),
        )
        .sort(
            [*keys, "school_year", "_asker", "respondents", "theme"],
            descending=[False] * (len(keys) + 2) + [True, False],
        )
        .select(*group, "theme", "respondents", "answered", "share", "source")
    )


def parents_of_pupil_cases(
    con: duckdb.DuckDBPyConnection, keys: list[str], pilots: Sequence[str] | None, year: str | None
) -> pl.DataFrame:
    """In what share of their pupil cases the respondents also spoke the parents
    (``pct_pupil_cases_parents_spoken``): keys, school_year, pct (mean of the answers: each
    respondent gives an estimate, so the figure is a mean of percentages), respondents (who
    answered), source."""
    frame = table(con, "survey", pilots, year).with_columns(
        pl.col("pct_pupil_cases_parents_spoken").cast(pl.Float64)
    )
    group = [*keys, "school_year"]
    answer = pl.col("pct_pupil_cases_parents_spoken")
    return (
        frame.group_by(group)
        .agg(pct=answer.mean(), respondents=answer.is_not_null().sum().cast(pl.Int64))
        .with_columns(source=pl.lit(SOURCE))
        .sort(group, nulls_last=True)
    )
