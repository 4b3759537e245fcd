"""An indicator set, as national monitors define one: per indicator its numerator,
denominator and value (numerator / denominator), per group and school year, in one tidy long
table (docs/indicators.md defines each).

Every indicator is a figure another analysis already gives, taken from it: reach
(:func:`~brugdata.analysis.reach.reach`, over the schools whose count is known as
:func:`~brugdata.analysis.compare.compare` shows it), contacts per officer-hour (compare),
parents of pupil cases, cases and days to referral (:func:`~brugdata.analysis.pathways.cases`),
external partners per officer (:func:`~brugdata.analysis.network.link_counts`) and the
questionnaire's response (:func:`~brugdata.analysis.survey.response`). The one new count is
the contacts per focus area (themes mapped to the areas of ``focus_areas.toml``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import duckdb
import polars as pl

from brugdata.analysis._contract import (
    check_selection,
    group_columns,
    has_survey,
    logged_pilots,
    need,
)
from brugdata.analysis._focus import FocusAreas, FocusSource
from brugdata.analysis._focus import focus_areas as load_focus_areas
from brugdata.sql import Source, connect
from brugdata.store.derived import one_reading

__all__ = ["BY", "INDICATORS", "SCHEMA", "Indicator", "indicators"]

#: The ``by`` keys of :func:`indicators`.
BY: tuple[str, ...] = ("pilot", "school", "municipality", "school_type", "school_year")

IndicatorBy = Literal["pilot", "school", "municipality", "school_type", "school_year"]


@dataclass(frozen=True)
class Indicator:
    """One indicator: its labels, what kind of number its value is (``share``: a fraction
    0–1, ``rate``: per officer-hour, ``mean``: per officer, ``median``: days), its unit
    (``school``: BRIN6 or BRIN4 by the schools' type; ``officer``) and source."""

    nl: str
    en: str
    measure: str
    unit: str
    source: str
    population: bool = False


#: Every indicator by code, in the order of the table (the focus areas follow
#: ``contacts_focus_<area>``; see :func:`indicator_labels`).
INDICATORS: dict[str, Indicator] = {
    "families_reached_share": Indicator(
        "Gezinnen bereikt (aandeel van de gezinnen)",
        "Families reached (share of the families)",
        "share",
        "school",
        "log",
        population=True,
    ),
    "pupils_reached_share": Indicator(
        "Leerlingen bereikt (aandeel van de leerlingen)",
        "Pupils reached (share of the pupils)",
        "share",
        "school",
        "log",
        population=True,
    ),
    "contacts_per_officer_hour": Indicator(
        "Contacten per functionarisuur",
        "Contacts per officer-hour",
        "rate",
        "officer",
        "log",
    ),
    "families_reached_per_officer_hour": Indicator(
        "Gezinnen bereikt per functionarisuur",
        "Families reached per officer-hour",
        "rate",
        "officer",
        "log",
    ),
    "pupil_cases_parent_contact_share": Indicator(
        "Leerlingcasussen met oudercontact (aandeel)",
        "Pupil cases with parent contact (share)",
        "share",
        "school",
        "log",
    ),
    "cases_no_referral_share": Indicator(
        "Casussen zonder verwijzing (aandeel)",
        "Cases handled without a referral (share)",
        "share",
        "school",
        "log",
    ),
    "median_days_to_referral": Indicator(
        "Dagen tot verwijzing (mediaan)",
        "Days to referral (median)",
        "median",
        "school",
        "log",
    ),
    "external_partners_per_officer": Indicator(
        "Externe partners per functionaris",
        "External partners per officer",
        "mean",
        "officer",
        "log",
    ),
    "response_rate": Indicator(
        "Respons vragenlijst (aandeel van de functionarissen)",
        "Questionnaire response (share of the officers)",
        "share",
        "officer",
        "questionnaire",
    ),
}

#: The columns of :func:`indicators`, after its key columns.
SCHEMA = pl.Schema(
    {
        "school_year": pl.String,
        "indicator": pl.String,
        "numerator": pl.Int64,
        "denominator": pl.Float64,
        "value": pl.Float64,
        "measure": pl.String,
        "unit": pl.String,
        "population_date": pl.Date,
        "status": pl.String,
        "source": pl.String,
        "label_nl": pl.String,
        "label_en": pl.String,
        "note": pl.String,
    }
)

#: The prefix of the focus-area indicators' codes.
FOCUS_PREFIX = "contacts_focus_"


@one_reading()
def indicators(
    data: Source,
    /,
    *,
    by: IndicatorBy | Sequence[IndicatorBy] = "pilot",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
    focus_areas: FocusSource = None,
    today: dt.date | None = None,
) -> pl.DataFrame:
    """The indicator set: one row per indicator, group and school year.

    ``by``: pilot, school, municipality, school_type, school_year (one or several). The
    indicators about officers (external_partners_per_officer) and the questionnaire
    (response_rate) are per pilot: they are given with ``by="pilot"`` or ``"school_year"``
    alone, and left out for a group of schools. The log's indicators are given for the
    pilots with logged contacts in the selection, never as zeros for a pilot without a log.

    Columns: the group columns (pilot, school_id, municipality, school_type as asked),
    school_year, indicator (code, see :data:`INDICATORS`; the focus areas as
    ``contacts_focus_<area>``), numerator, denominator, value (numerator / denominator; for
    ``median_days_to_referral`` the median days, with the referred cases it is taken over as
    denominator and no numerator), measure (share: a fraction 0–1; rate: per officer-hour;
    mean: per officer; median: days), unit (BRIN6 for a group of po, gbo, so and vso
    schools, BRIN4 for vo schools, ``BRIN6+BRIN4`` for a group with both, ``officer`` for
    the indicators per officer or officer-hour), population_date (the count date of the
    population, 1 October of the school year, on the two reach indicators; null on the
    others), status (``provisional`` while the school year runs on ``today``, default the
    date of the run; ``definitive`` after its 31 July), source (log | questionnaire),
    label_nl, label_en (what the indicator is, in Dutch and English), note (over which
    schools a reach share is, when some school's count is unknown).

    With ``by="school_year"`` the numerators and denominators of the pilots are summed; the
    response is then over the officers of the pilots with questionnaire answers.

    ``focus_areas``: the themes of each focus area; None for the shipped
    ``focus_areas.toml``, a mapping theme → area, or the path of a TOML file like it.
    """
    from brugdata.analysis import _indicator_parts as parts

    keys = group_columns(by, BY, what="indicators")
    con = connect(data)
    check_selection(con, pilots, school_year)
    logged = _logged(con, pilots, school_year)
    survey = has_survey(con, pilots, school_year)
    need(
        con,
        bool(logged) or survey,
        what="indicators",
        data="logged contacts or questionnaire answers",
        pilots=pilots,
        school_year=school_year,
    )
    focus = load_focus_areas(focus_areas)
    found: list[pl.DataFrame] = []
    per_pilot = set(keys) <= {"pilot"}
    if logged:
        found += parts.log_parts(con, keys, logged, school_year, focus=focus)
        if per_pilot:
            found.append(parts.partners_part(con, keys, logged, school_year))
    if survey and per_pilot:
        found.append(parts.response_part(con, keys, pilots, school_year))
    rows = pl.concat([f for f in found if f.height], how="diagonal_relaxed") if found else None
    return _finish(con, rows, keys, focus, today or dt.date.today())


def _logged(
    con: duckdb.DuckDBPyConnection, pilots: Sequence[str] | None, school_year: str | None
) -> list[str]:
    """The pilots of the selection with logged contacts (in ``school_year``)."""
    with_log = {p for p in logged_pilots(con, school_year) if p is not None}
    return sorted(p for p in with_log if not pilots or p in pilots)


def indicator_labels(focus: FocusAreas | None = None) -> dict[str, Indicator]:
    """Every indicator code of a table → its :class:`Indicator`, the focus areas of
    ``focus`` (default: the shipped ones) included, in table order."""
    focus = focus or load_focus_areas()
    out = dict(INDICATORS)
    ordered = list(out.items())
    at = [c for c, _ in ordered].index("median_days_to_referral") + 1
    areas = [
        (
            f"{FOCUS_PREFIX}{code}",
            Indicator(
                f"Contacten over {nl.lower()} (aandeel van de contacten)",
                f"Contacts about {en.lower()} (share of the contacts)",
                "share",
                "school",
                "log",
            ),
        )
        for code, (nl, en) in focus.areas.items()
    ]
    return dict(ordered[:at] + areas + ordered[at:])


def _finish(
    con: duckdb.DuckDBPyConnection,
    rows: pl.DataFrame | None,
    keys: list[str],
    focus: FocusAreas,
    today: dt.date,
) -> pl.DataFrame:
    """The rows with labels, unit, population date, status, in key, year and indicator
    order, exactly the columns of :data:`SCHEMA` after the keys."""
    from brugdata.analysis._indicator_parts import school_units
    from brugdata.model.calendar import count_date, school_year_end

    full = pl.Schema([*((k, pl.String()) for k in keys), *SCHEMA.items()])
    if rows is None or rows.is_empty():
        return pl.DataFrame(schema=full)
    table = indicator_labels(focus)
    order = {code: i for i, code in enumerate(table)}
    years = rows["school_year"].unique().drop_nulls().to_list()
    ends = {y: school_year_end(y) for y in years}
    counted = {y: count_date(y) for y in years}
    units = school_units(con, keys)
    on = [*keys, "school_year"]
    out = (
        rows.join(units, on=on, how="left", nulls_equal=True)
        .with_columns(
            label_nl=pl.col("indicator").replace_strict(
                {c: i.nl for c, i in table.items()}, default=None
            ),
            label_en=pl.col("indicator").replace_strict(
                {c: i.en for c, i in table.items()}, default=None
            ),
            measure=pl.col("indicator").replace_strict(
                {c: i.measure for c, i in table.items()}, default=None
            ),
            _unit=pl.col("indicator").replace_strict(
                {c: i.unit for c, i in table.items()}, default=None
            ),
            _population=pl.col("indicator").replace_strict(
                {c: i.population for c, i in table.items()}, default=False
            ),
            _order=pl.col("indicator").replace_strict(order, default=len(order)),
        )
        .with_columns(
            unit=pl.when(pl.col("_unit") == "officer")
            .then(pl.lit("officer"))
            .otherwise(pl.col("school_unit")),
            population_date=pl.when(pl.col("_population")).then(
                pl.col("school_year").replace_strict(counted, default=None, return_dtype=pl.Date)
            ),
            status=pl.when(
                pl.col("school_year").replace_strict(ends, default=None, return_dtype=pl.Date)
                >= today
            )
            .then(pl.lit("provisional"))
            .otherwise(pl.lit("definitive")),
            value=pl.when(pl.col("indicator") == "median_days_to_referral")
            .then(pl.col("value"))
            .when(pl.col("denominator") > 0)
            .then(pl.col("numerator") / pl.col("denominator")),
        )
        .sort([*keys, "school_year", "_order"], nulls_last=True)
    )
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in full.items() if c not in out.columns]
    return out.with_columns(missing).select(list(full)).cast(dict(full))  # type: ignore[arg-type]
