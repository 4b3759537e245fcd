"""Analyses of questionnaire data: pilots that have answers instead of a contact log.

The tables ``survey``, ``survey_time_use``, ``survey_partners``, ``survey_themes`` and
``survey_answers`` hold one answer set per respondent (officer) and school year. The functions
here give the same columns as their log-based counterparts where that makes sense, plus
``source = "survey"``, so a questionnaire pilot can sit beside a logged one:

- :func:`survey_reach` / :func:`survey_reach_bands` ↔ :func:`~brugdata.analysis.reach.reach` /
  :func:`~brugdata.analysis.reach.reach_bands` (level officer),
- :func:`survey_time_use` ↔ :func:`~brugdata.analysis.time_use.time_use`,
- :func:`survey_contact_bands` ↔ the internal/external bands of
  :func:`~brugdata.analysis.network.network`,
- :func:`survey_themes`, :func:`survey_partner_kinds`,
  :func:`survey_parents_of_pupil_cases` and :func:`response`.

Everything is the respondents' own report: counts are their estimates, not distinct people in
a log, and a pilot's totals are sums over the officers who responded (16 of 21 in the Gooi en
Vechtstreek questionnaire), not over all officers. :func:`response` says how many responded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import polars as pl

from brugdata.analysis._common import BANDS, band_expr, band_label, pilot_clause, wilson_exprs
from brugdata.analysis.network import BAND_LABELS, NETWORK_BANDS
from brugdata.model.vocab import vocabulary
from brugdata.sql import Source, connect, query

__all__ = [
    "SOURCE",
    "response",
    "survey_contact_bands",
    "survey_parents_of_pupil_cases",
    "survey_partner_kinds",
    "survey_reach",
    "survey_reach_bands",
    "survey_results",
    "survey_themes",
    "survey_time_use",
]

#: The value of the ``source`` column of every survey figure.
SOURCE = "survey"

Counterpart = Literal["parent", "pupil"]

#: counterpart → (helped column, population column, what the population counts)
_SIDES: dict[str, tuple[str, str, str]] = {
    "parent": ("parents_helped", "families_total", "families"),
    "pupil": ("pupils_helped", "pupils_total", "pupils"),
}


def _where(
    pilots: Sequence[str] | None, school_year: str | None, prefix: str = ""
) -> tuple[str, list[object]]:
    where, params = pilot_clause(f"{prefix}pilot", pilots)
    if school_year is not None:
        where += f" AND {prefix}school_year = ?"
        params.append(school_year)
    return where, params


def _table(
    source: Source, name: str, pilots: Sequence[str] | None, school_year: str | None
) -> pl.DataFrame:
    where, params = _where(pilots, school_year)
    return query(
        source,
        f"SELECT * FROM {name} WHERE {where} ORDER BY pilot, school_year, officer_id",
        params,
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
            for side, (helped, total, what) in _SIDES.items()
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


def survey_reach(
    source: Source,
    *,
    by: Literal["officer", "pilot"] = "officer",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """Parents and pupils helped as the respondents report them, as a share of the population
    they give for their school(s).

    ``by="officer"``, one row per respondent and counterpart (parent | pupil): officer_id,
    pilot, school_year, counterpart, reached (parents_helped or pupils_helped), population
    (families_total or pupils_total), pct (reached / population × 100; null when either is
    unknown or the population is 0), ci_low, ci_high (95% Wilson interval, as for logged
    reach; null when reached exceeds the population), note (why pct is missing, or that
    reached exceeds the population), source ("survey").

    ``by="pilot"``, one row per pilot, school year and counterpart: pilot, school_year,
    counterpart, respondents (answer sets), reached (sum of helped over the respondents who
    gave it), population (sum of the population over the respondents who gave both numbers),
    pct (reached_with_population / population × 100), ci_low, ci_high, respondents_with_population,
    reached_with_population (helped summed over those respondents), note, source. Sums are
    over the respondents, not over all officers of the pilot: with 16 of 21 officers
    responding, ``reached`` is what those 16 helped (see :func:`response`).
    """
    if by not in ("officer", "pilot"):
        raise ValueError(f"by must be 'officer' or 'pilot', not {by!r}")
    long = _long_reach(_table(source, "survey", pilots, school_year))
    if by == "officer":
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
        out = _pct_and_interval(long.with_columns(note=note), "reached", "population")
        return (
            out.with_columns(source=pl.lit(SOURCE))
            .select(
                "officer_id",
                "pilot",
                "school_year",
                "counterpart",
                "reached",
                "population",
                "pct",
                "ci_low",
                "ci_high",
                "note",
                "source",
            )
            .sort("pilot", "school_year", "officer_id", "counterpart")
        )

    both = (
        pl.col("reached").is_not_null()
        & pl.col("population").is_not_null()
        & (pl.col("population") > 0)
    )
    grouped = long.group_by("pilot", "school_year", "counterpart").agg(
        respondents=pl.len().cast(pl.Int64),
        answered=pl.col("reached").is_not_null().sum().cast(pl.Int64),
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
    out = _pct_and_interval(out, "reached_with_population", "population")
    return (
        out.with_columns(source=pl.lit(SOURCE))
        .select(
            "pilot",
            "school_year",
            "counterpart",
            "respondents",
            "reached",
            "population",
            "pct",
            "ci_low",
            "ci_high",
            "respondents_with_population",
            "reached_with_population",
            "note",
            "source",
        )
        .sort("pilot", "school_year", "counterpart")
    )


def _bands_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "band": [band_label(lo, hi) for lo, hi in BANDS],
            "low": [lo for lo, _ in BANDS],
            "high": [hi for _, hi in BANDS],
        },
        schema={"band": pl.String, "low": pl.Int64, "high": pl.Int64},
    )


def _band_counts(frame: pl.DataFrame, value: str) -> pl.DataFrame:
    """Officers per reach band (and "unknown") of ``value`` per pilot and school year."""
    labelled = frame.with_columns(band=band_expr(value).fill_null("unknown"))
    counts = labelled.group_by("pilot", "school_year", "band").agg(units=pl.len())
    bands = pl.concat(
        [
            _bands_frame(),
            pl.DataFrame(
                {"band": ["unknown"], "low": [None], "high": [None]},
                schema={"band": pl.String, "low": pl.Int64, "high": pl.Int64},
            ),
        ]
    )
    grid = frame.select("pilot", "school_year").unique().join(bands, how="cross")
    out = grid.join(counts, on=["pilot", "school_year", "band"], how="left")
    known = pl.col("units").filter(pl.col("band") != "unknown").sum().over("pilot", "school_year")
    return (
        out.with_columns(units=pl.col("units").fill_null(0).cast(pl.Int64))
        .with_columns(
            share=pl.when((pl.col("band") != "unknown") & (known > 0)).then(pl.col("units") / known)
        )
        .sort("pilot", "school_year", pl.col("low").fill_null(999))
    )


def survey_reach_bands(
    source: Source,
    *,
    counterpart: Counterpart = "parent",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """How many respondents reach 0–20, 20–40, 40–60, 60–80 and 80–100% of their families
    (or pupils), per pilot: :func:`~brugdata.analysis.reach.reach_bands` at level officer, from
    the questionnaire.

    Columns: pilot, school_year, band ("0–20%" ... "80–100%", or "unknown": pct unknown or
    above 100), low, high, units (respondents in the band), share (units / respondents with a
    known reach; null for unknown), source ("survey"). Every band appears, 0 where empty.
    """
    if counterpart not in _SIDES:
        raise ValueError(f"counterpart must be 'parent' or 'pupil', not {counterpart!r}")
    officers = survey_reach(source, pilots=pilots, school_year=school_year).filter(
        pl.col("counterpart") == counterpart
    )
    return (
        _band_counts(officers, "pct")
        .with_columns(source=pl.lit(SOURCE))
        .select("pilot", "school_year", "band", "low", "high", "units", "share", "source")
    )


def survey_time_use(
    source: Source,
    *,
    by: Literal["officer", "pilot"] = "officer",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """Share of working time per task as the respondents report it (``survey_time_use``).

    Columns with ``by="officer"``: officer_id, pilot, school_year, task, share_pct (as
    reported; 0 for a task of the vocabulary the respondent gave nothing for), source
    ("survey"), as :func:`~brugdata.analysis.time_use.time_use`. Respondents without time-use
    answers are left out.

    Columns with ``by="pilot"``: pilot, school_year, task, share_pct (mean over the
    respondents of their share, each respondent's shares first normalised to sum to 100),
    officers (respondents averaged), source.
    """
    if by not in ("officer", "pilot"):
        raise ValueError(f"by must be 'officer' or 'pilot', not {by!r}")
    rows = _table(source, "survey_time_use", pilots, school_year)
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
    if by == "officer":
        return per_officer.select(
            "officer_id", "pilot", "school_year", "task", "share_pct", "source"
        ).sort("officer_id", "school_year", pl.col("task").replace_strict(order))
    total = pl.col("share_pct").sum().over("officer_id", "pilot", "school_year")
    return (
        per_officer.with_columns(_total=total)
        .filter(pl.col("_total") > 0)
        .group_by("pilot", "school_year", "task", "_order")
        .agg(
            share_pct=(100 * pl.col("share_pct") / pl.col("_total")).mean(),
            officers=pl.col("officer_id").n_unique().cast(pl.Int64),
        )
        .with_columns(source=pl.lit(SOURCE))
        .sort("pilot", "school_year", "_order")
        .select("pilot", "school_year", "task", "share_pct", "officers", "source")
    )


def survey_contact_bands(
    source: Source,
    *,
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """How many respondents work with 0–10, 10–20, 20–30 or 30+ colleagues in school
    (``internal_contacts``) and external partners (``external_contacts``), per pilot: the
    bands of :data:`~brugdata.analysis.network.NETWORK_BANDS`, [low, high).

    Columns: pilot, school_year, side (internal | external), band ("0–10" ... "30+", or
    "unknown" where the respondent gave no number), officers (respondents in the band), share
    (officers / respondents who gave the number; null for unknown), mean (mean number over the
    respondents who gave it, on every row of the side), source ("survey").
    """
    frame = _table(source, "survey", pilots, school_year)
    long = pl.concat(
        [
            frame.select(
                "pilot",
                "school_year",
                pl.lit(side).alias("side"),
                pl.col(f"{side}_contacts").cast(pl.Int64).alias("n"),
            )
            for side in ("internal", "external")
        ]
    )
    band: pl.Expr = pl.lit("unknown")
    for (low, high), text in reversed(list(zip(NETWORK_BANDS, BAND_LABELS, strict=True))):
        cond = pl.col("n") >= low
        if high is not None:
            cond = cond & (pl.col("n") < high)
        band = pl.when(cond).then(pl.lit(text)).otherwise(band)
    labels = [*BAND_LABELS, "unknown"]
    counts = (
        long.with_columns(band=band)
        .group_by("pilot", "school_year", "side", "band")
        .agg(officers=pl.len().cast(pl.Int64))
    )
    means = long.group_by("pilot", "school_year", "side").agg(mean=pl.col("n").mean())
    grid = (
        long.select("pilot", "school_year", "side")
        .unique()
        .join(pl.DataFrame({"band": labels}), how="cross")
    )
    known = (
        pl.col("officers")
        .filter(pl.col("band") != "unknown")
        .sum()
        .over("pilot", "school_year", "side")
    )
    order = {b: i for i, b in enumerate(labels)}
    return (
        grid.join(counts, on=["pilot", "school_year", "side", "band"], how="left")
        .join(means, on=["pilot", "school_year", "side"], how="left")
        .with_columns(officers=pl.col("officers").fill_null(0).cast(pl.Int64))
        .with_columns(
            share=pl.when((pl.col("band") != "unknown") & (known > 0)).then(
                pl.col("officers") / known
            ),
            source=pl.lit(SOURCE),
        )
        .sort(
            "pilot",
            "school_year",
            pl.col("side").replace_strict({"internal": 0, "external": 1}),
            pl.col("band").replace_strict(order),
        )
        .select("pilot", "school_year", "side", "band", "officers", "share", "mean", "source")
    )


def survey_themes(
    source: Source,
    *,
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """Which themes parents, pupils, colleagues and partners bring, as the respondents report.

    Columns: pilot, school_year, asker (parent | pupil | colleague | partner), theme,
    respondents (respondents naming the theme for that asker), answered (respondents naming
    any theme for that asker: the denominator), share (respondents / answered), source
    ("survey"). Ordered by pilot, year, asker, then the most named theme first.
    """
    rows = _table(source, "survey_themes", pilots, school_year)
    askers = {a: i for i, a in enumerate(vocabulary("asker").code_list)}
    answered = rows.group_by("pilot", "school_year", "asker").agg(
        answered=pl.col("officer_id").n_unique().cast(pl.Int64)
    )
    return (
        rows.group_by("pilot", "school_year", "asker", "theme")
        .agg(respondents=pl.col("officer_id").n_unique().cast(pl.Int64))
        .join(answered, on=["pilot", "school_year", "asker"])
        .with_columns(
            share=pl.col("respondents") / pl.col("answered"),
            source=pl.lit(SOURCE),
            _asker=pl.col("asker").replace_strict(askers, default=len(askers)),
        )
        .sort(
            ["pilot", "school_year", "_asker", "respondents", "theme"],
            descending=[False, False, False, True, False],
        )
        .select(
            "pilot", "school_year", "asker", "theme", "respondents", "answered", "share", "source"
        )
    )


def survey_partner_kinds(
    source: Source,
    *,
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """Which kinds of partner the respondents work with (``survey_partners``).

    Columns: pilot, school_year, kind (partner kind), organisations (distinct organisations
    named, compared without regard to case), respondents (respondents naming one of that kind),
    answered (respondents naming any partner), share (respondents / answered), source
    ("survey"). Ordered by pilot, year, then the most named kind first.
    """
    rows = _table(source, "survey_partners", pilots, school_year)
    answered = rows.group_by("pilot", "school_year").agg(
        answered=pl.col("officer_id").n_unique().cast(pl.Int64)
    )
    return (
        rows.group_by("pilot", "school_year", "kind")
        .agg(
            organisations=pl.col("organisation").str.to_lowercase().n_unique().cast(pl.Int64),
            respondents=pl.col("officer_id").n_unique().cast(pl.Int64),
        )
        .join(answered, on=["pilot", "school_year"])
        .with_columns(share=pl.col("respondents") / pl.col("answered"), source=pl.lit(SOURCE))
        .sort(
            ["pilot", "school_year", "respondents", "kind"],
            descending=[False, False, True, False],
        )
        .select(
            "pilot",
            "school_year",
            "kind",
            "organisations",
            "respondents",
            "answered",
            "share",
            "source",
        )
    )


def survey_parents_of_pupil_cases(
    source: Source,
    *,
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """In what share of their pupil cases the respondents also spoke the parents
    (``pct_pupil_cases_parents_spoken``): the spread over the bands 0–20 ... 80–100% and the
    mean. The log-based counterpart is
    :func:`~brugdata.analysis.reach.parents_of_pupil_cases` (a pooled share of cases); here
    each respondent gives an estimate, so the figure is a mean of percentages.

    Columns: pilot, school_year, band ("0–20%" ... "80–100%", "unknown": no answer), low, high,
    officers (respondents in the band), share (officers / respondents who answered; null for
    unknown), mean_pct (mean of the answers, on every row of the pilot), respondents (who
    answered), source ("survey").
    """
    frame = _table(source, "survey", pilots, school_year).with_columns(
        pl.col("pct_pupil_cases_parents_spoken").cast(pl.Float64)
    )
    stats = frame.group_by("pilot", "school_year").agg(
        mean_pct=pl.col("pct_pupil_cases_parents_spoken").mean(),
        respondents=pl.col("pct_pupil_cases_parents_spoken").is_not_null().sum().cast(pl.Int64),
    )
    return (
        _band_counts(frame, "pct_pupil_cases_parents_spoken")
        .rename({"units": "officers"})
        .join(stats, on=["pilot", "school_year"], how="left")
        .with_columns(source=pl.lit(SOURCE))
        .select(
            "pilot",
            "school_year",
            "band",
            "low",
            "high",
            "officers",
            "share",
            "mean_pct",
            "respondents",
            "source",
        )
    )


def response(
    source: Source,
    *,
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """How many officers answered the questionnaire, per pilot and school year.

    Columns: pilot, school_year, respondents (answer sets in ``survey``), officers (officers
    of the pilot in the officers table; null when it has none), linked (respondents whose
    officer_id is in the officers table: 0 when the questionnaire used its own pseudonyms),
    response_rate (respondents / officers; null without officers).
    """
    where, params = _where(pilots, school_year, "s.")
    sql = f"""
    WITH o AS (SELECT pilot, count(*) AS officers FROM officers GROUP BY pilot)
    SELECT s.pilot, s.school_year, count(*) AS respondents,
           any_value(o.officers) AS officers,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM officers x WHERE x.officer_id = s.officer_id)) AS linked
    FROM survey s LEFT JOIN o ON o.pilot = s.pilot
    WHERE {where}
    GROUP BY s.pilot, s.school_year
    ORDER BY s.pilot, s.school_year
    """
    frame = query(source, sql, params)
    return frame.with_columns(
        pl.col("respondents", "officers", "linked").cast(pl.Int64),
    ).with_columns(
        response_rate=pl.when(pl.col("officers") > 0).then(
            pl.col("respondents") / pl.col("officers")
        )
    )


def survey_results(
    source: Source,
    *,
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> dict[str, pl.DataFrame]:
    """Every questionnaire analysis as named frames (for the command line and reports):
    response, reach (by pilot), reach_by_officer, bands (parents), bands_pupils, time_use (by
    pilot), contact_bands, themes, partner_kinds, parents_of_pupil_cases, answer_codes
    (:func:`brugdata.codebook.code_counts`) and untagged_answers."""
    from brugdata.analysis.answers import code_counts, untagged_answers

    source = connect(source)  # frames are loaded once
    kw: dict[str, Any] = {"pilots": pilots, "school_year": school_year}
    return {
        "response": response(source, **kw),
        "reach": survey_reach(source, by="pilot", **kw),
        "reach_by_officer": survey_reach(source, by="officer", **kw),
        "bands": survey_reach_bands(source, counterpart="parent", **kw),
        "bands_pupils": survey_reach_bands(source, counterpart="pupil", **kw),
        "time_use": survey_time_use(source, by="pilot", **kw),
        "contact_bands": survey_contact_bands(source, **kw),
        "themes": survey_themes(source, **kw),
        "partner_kinds": survey_partner_kinds(source, **kw),
        "parents_of_pupil_cases": survey_parents_of_pupil_cases(source, **kw),
        "answer_codes": code_counts(source, **kw),
        "untagged_answers": untagged_answers(source, **kw),
    }
