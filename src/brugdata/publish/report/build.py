"""Building a report: run the analyses, pass every table through the transform (small-cell
protection by default) and draw the charts, into plain data (:class:`Built`) that the readings
and the page are written from."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import polars as pl

from brugdata.analysis._contract import check_selection, pilot_names_of
from brugdata.analysis._shared import shared_results
from brugdata.publish.report.ahead import Ahead, ahead
from brugdata.publish.report.export import configure, stack_columns
from brugdata.publish.report.parts import OUTCOME_PARTS, shown_by_parts
from brugdata.publish.report.quality import Quality, quality
from brugdata.publish.report.survey import (
    SURVEY_TABLES,
    Questionnaire,
    logged_pilots,
    questionnaire,
)
from brugdata.publish.report.texts import Lang, check_lang, labels
from brugdata.publish.report.trend import Trend, every_year, every_year_parts, trend
from brugdata.store.derived import one_reading

if TYPE_CHECKING:
    from brugdata.publish.report.indicators import Indicators
    from brugdata.store.store import Store

__all__ = [
    "REPORT_TABLES",
    "Built",
    "Network",
    "Pathways",
    "Quality",
    "Reach",
    "Seasons",
    "Summary",
    "TimeUse",
    "Transform",
    "build",
]

#: ``transform(name, frame) -> frame``: applied to every table before it is shown.
Transform = Callable[[str, pl.DataFrame], pl.DataFrame]

#: The names :func:`write_report` passes to ``transform``, with what each table holds.
REPORT_TABLES: dict[str, str] = {
    "key_figures": "brugdata.compare(): one row per pilot and figure (pivoted for display)",
    "reach": "brugdata.reach(by='pilot')",
    "parents_of_pupil_cases": "brugdata.parents_of_pupil_cases(by='pilot')",
    "reach_bands_school": "brugdata.reach_bands(by='school') (parents)",
    "reach_bands_officer": "brugdata.reach_bands(by='officer') (parents)",
    "seasonality_peaks": "brugdata.seasonality().themes, themes with a peak",
    "network": "brugdata.network().pilots",
    "partner_kinds": "brugdata.network().partner_kinds",
    "time_use": "brugdata.time_use(by='pilot') (pivoted for display)",
    "pathways_outcomes": "pathways().outcomes (when brugdata has pathways)",
    "pathways_time_to_referral": "pathways().time_to_referral (when brugdata has pathways)",
    "pathways_unattached": "pathways().unattached_referrals: referrals that name no family",
    "compare": "brugdata.compare() over every school year: the trend section (more than one)",
    "indicators": "brugdata.indicators(by='pilot'): the indicator set (docs/indicators.md)",
    **SURVEY_TABLES,
    "store": "rows per table in the store",
    "files": "store.ingests(): per file rows read, loaded, rejected",
    "reject_reasons": "store.rejects() grouped by table, column and rule",
}


# --------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class Summary:
    """The key figures (``key_figures`` as shown), the pilots in their columns, and per
    (pilot, "families" | "pupils") the schools with an unknown count and all its schools."""

    frame: pl.DataFrame
    pilots: list[str]
    unknown: dict[tuple[str, str], tuple[int, int]]


@dataclass(frozen=True)
class Reach:
    """Reach per pilot, the parents of pupil cases, and the reach bands by level
    ("school", "officer"), each as shown."""

    reach: pl.DataFrame
    cases: pl.DataFrame
    bands: dict[str, pl.DataFrame]


@dataclass(frozen=True)
class Seasons:
    """The themes with a peak (as shown) and the pilots seasonality has themes of."""

    peaks: pl.DataFrame
    with_themes: frozenset[str]


@dataclass(frozen=True)
class Network:
    """The network per pilot and the contacts per partner kind, as shown."""

    pilots: pl.DataFrame
    kinds: pl.DataFrame


@dataclass(frozen=True)
class TimeUse:
    """Time use as shown, its tasks in vocabulary order and its (pilot, source) columns."""

    frame: pl.DataFrame
    tasks: list[str]
    columns: list[tuple[Any, Any]]


@dataclass(frozen=True)
class Pathways:
    """How cases were handled, the days to a referral and the referrals that name no family
    (``pathways().unattached_referrals``), as shown."""

    outcomes: pl.DataFrame
    times: pl.DataFrame
    unattached: pl.DataFrame = field(default_factory=pl.DataFrame)


@dataclass
class Built:
    """What a report shows, before it is written: each part ``None`` when the store has no
    contacts (or this brugdata no pathways analysis); ``charts`` by name, in page order."""

    lang: Lang
    pilots: list[str]
    school_year: str | None
    info: dict[str, Any]
    quality: Quality
    summary: Summary | None = None
    reach: Reach | None = None
    seasons: Seasons | None = None
    network: Network | None = None
    time_use: TimeUse | None = None
    pathways: Pathways | None = None
    trend: Trend | None = None
    indicators: Indicators | None = None
    questionnaire: Questionnaire | None = None
    charts: dict[str, Any] = field(default_factory=dict)
    publication: Any = None
    pilot_names: dict[str, dict[str, str]] = field(default_factory=dict)


# --------------------------------------------------------------------------- building


@dataclass
class _Run:
    """The analyses' common arguments, the transform, and the charts drawn so far."""

    store: Store
    lang: Lang
    transform: Transform | None
    pilots: list[str]
    school_year: str | None
    charts: dict[str, Any] = field(default_factory=dict)
    publication: Any = None
    pilot_names: dict[str, dict[str, str]] = field(default_factory=dict)
    ahead: Ahead | None = None

    def kw(self) -> dict[str, Any]:
        """The pilots and school year, as every analysis takes them."""
        return {"pilots": self.pilots or None, "school_year": self.school_year}

    def analysis(self, function: Callable[..., Any], **kw: Any) -> Any:
        """``function(store, **kw)``: worked out ahead when it was submitted
        (:mod:`.ahead`), else now."""
        if self.ahead is None:
            return function(self.store, **kw)
        return self.ahead.result(function, **kw)

    def shown(self, name: str, frame: pl.DataFrame) -> pl.DataFrame:
        """The table ``name`` as it will be shown: through the transform."""
        if self.transform is None:
            return frame
        out = self.transform(name, frame)
        if not isinstance(out, pl.DataFrame):
            raise TypeError(
                f"transform({name!r}, frame) returned {type(out).__name__}, not a polars DataFrame"
            )
        return out

    def drawn(self, name: str, frame: pl.DataFrame) -> pl.DataFrame:
        """The frame ``name`` as a chart embeds it: hidden values absent (null), and pilots
        by their display names in the report's language (codes stay in exports)."""
        from brugdata.model.pilots import pilot_name

        out = frame if self.publication is None else self.publication.chart(name, frame)
        if "pilot" in out.columns and out.schema["pilot"] == pl.String:
            codes = out["pilot"].drop_nulls().unique().to_list()
            names = {code: pilot_name(code, self.lang, self.pilot_names) for code in codes}
            out = out.with_columns(pl.col("pilot").replace(names))
        return out

    def chart(self, name: str, chart: Any, *, flat_x_labels: bool = False) -> None:
        """Keep chart ``name``, configured for the page."""
        chart = configure(chart)
        if flat_x_labels:
            chart = chart.configure_axisX(labelAngle=0)
        self.charts[name] = chart


def _summary(run: _Run, every: pl.DataFrame | None = None) -> Summary:
    """The key figures of :func:`brugdata.compare` (the report's year of ``every``, compare
    over every year with every theme, where the trend has made it), and the comparison
    chart."""
    from brugdata.analysis.compare import compare as run_compare
    from brugdata.analysis.compare import top_themes_only
    from brugdata.publish import charts

    if every is not None and run.school_year is not None:
        raw = top_themes_only(every.filter(pl.col("school_year") == run.school_year), 3)
    else:
        raw = run.analysis(run_compare, **run.kw())
    frame = run.shown("key_figures", raw)
    pilots = [p for p in run.pilots if p in set(frame["pilot"].to_list())] or sorted(
        {p for p in frame["pilot"].to_list() if p is not None}
    )
    unknown = _unknown_population(run)
    if raw.height and raw["value"].drop_nulls().len():
        run.chart("comparison", charts.comparison(run.drawn("key_figures", raw), lang=run.lang))
    return Summary(frame, pilots, unknown)


def _trend_chart(run: _Run, drawn: pl.DataFrame) -> None:
    """The trend chart (reach and contacts per officer-hour over the school years), from the
    trend's rows as a chart embeds them; none when no figure is left to draw."""
    from brugdata.publish import charts
    from brugdata.publish.charts._trend import TREND_CHART_METRICS

    drawable = drawn.filter(
        pl.col("metric").is_in(list(TREND_CHART_METRICS)) & pl.col("value").is_not_null()
    )
    if drawable.height:
        run.chart("trend", charts.trend_lines(drawn, lang=run.lang))


def _unknown_population(run: _Run) -> dict[tuple[str, str], tuple[int, int]]:
    """(pilot, "families" | "pupils") → (schools with an unknown count, schools)."""
    where, params = ["TRUE"], []
    if run.pilots:
        where.append(f"pilot IN ({', '.join('?' for _ in run.pilots)})")
        params += run.pilots
    if run.school_year:
        where.append("school_year = ?")
        params.append(run.school_year)
    frame = run.store.sql(
        "SELECT pilot, count(*) AS schools, "
        "count(*) FILTER (WHERE families IS NULL) AS families, "
        "count(*) FILTER (WHERE pupils IS NULL) AS pupils "
        f"FROM schools WHERE {' AND '.join(where)} GROUP BY pilot",
        params,
    )
    out = {}
    for row in frame.iter_rows(named=True):
        for side in ("families", "pupils"):
            if row[side]:
                out[(row["pilot"], side)] = (int(row[side]), int(row["schools"]))
    return out


def _reach(run: _Run) -> Reach:
    """Reach, the parents of pupil cases and the reach bands, with their charts."""
    import altair as alt

    from brugdata.analysis.reach import parents_of_pupil_cases as run_parents_of_pupil_cases
    from brugdata.analysis.reach import reach as run_reach
    from brugdata.analysis.reach import reach_bands as run_reach_bands
    from brugdata.publish import charts

    kw = run.kw()
    reach = run.shown("reach", run.analysis(run_reach, by="pilot", **kw))
    cases = run.shown(
        "parents_of_pupil_cases", run.analysis(run_parents_of_pupil_cases, by="pilot", **kw)
    )
    per_school = run.analysis(run_reach, by=["pilot", "school"], **kw)
    if per_school["pct"].drop_nulls().len():
        chart = charts.reach_ci(run.drawn("reach", per_school), lang=run.lang)
        chart.spec.width = 250
        run.chart("reach_ci", chart)
    bands = {}
    for level in ("school", "officer"):
        raw = run.analysis(run_reach_bands, by=level, **kw)
        name = f"reach_bands_{level}"
        bands[level] = run.shown(name, raw)
        if raw.filter(pl.col("band") != "unknown")["units"].sum():
            chart = charts.reach_bands(run.drawn(name, raw), lang=run.lang)
            if level == "officer":
                title = labels()["column"]["officers"][run.lang]
                chart = chart.encode(y=alt.Y("units:Q", title=title))
            run.chart(name, chart, flat_x_labels=True)
    return Reach(reach, cases, bands)


def _seasons(run: _Run) -> Seasons:
    """The themes that peak, and the seasonal-index heatmap."""
    from brugdata.analysis.seasonality import seasonality as run_seasonality
    from brugdata.publish import charts

    result = run.analysis(run_seasonality, by="pilot", **run.kw())
    peaks = run.shown(
        "seasonality_peaks",
        result.themes.filter(pl.col("peak_start") | pl.col("peak_end")).sort(
            "pilot", "peak_start", "contacts", descending=[False, True, True]
        ),
    )
    if result.monthly.height:
        monthly = run.drawn("seasonality.monthly", result.monthly)
        run.chart("seasonality_heatmap", charts.seasonality_heatmap(monthly, lang=run.lang))
    return Seasons(peaks, frozenset(result.themes["pilot"].to_list()))


def _network(run: _Run) -> Network:
    """The network per pilot and per partner kind, and the network charts."""
    from brugdata.analysis.network import network as run_network
    from brugdata.publish import charts

    result = run.analysis(run_network, **run.kw())
    pilots = run.shown("network", result.pilots)
    kinds = run.shown(
        "partner_kinds",
        result.partner_kinds.sort("pilot", "contacts", descending=[False, True], nulls_last=True),
    )
    if result.officers.height:
        drawn = {k: run.drawn(f"network.{k}", result[k]) for k in ("edges", "officers")}
        # one pilot under the other: fits the page
        run.chart("network", charts.network(drawn, lang=run.lang, stacked=True))
        run.chart("network_bands", charts.network_bands(drawn, lang=run.lang))
    return Network(pilots, kinds)


def _time_use(run: _Run) -> TimeUse:
    """Time use per pilot, its tasks and columns in display order, and its chart."""
    from brugdata.analysis.time_use import time_use as run_time_use
    from brugdata.model.vocab import vocabulary
    from brugdata.publish import charts

    raw = run.analysis(run_time_use, by="pilot", **run.kw())
    frame = run.shown("time_use", raw)
    codes = vocabulary("task").code_list
    present = [t for t in dict.fromkeys(frame["task"].to_list()) if t is not None]
    tasks = [t for t in codes if t in present] + [t for t in present if t not in codes]
    columns = list(
        dict.fromkeys(zip(frame["pilot"].to_list(), frame["source"].to_list(), strict=True))
    )
    columns.sort(
        key=lambda k: (run.pilots.index(k[0]) if k[0] in run.pilots else 99, k[1] != "time_use")
    )
    if raw.height:
        run.chart("time_use", charts.time_use(run.drawn("time_use", raw), lang=run.lang))
    return TimeUse(frame, tasks, columns)


def _pathways(run: _Run) -> Pathways | None:
    """The referral pathways, when brugdata has the pathways analysis."""
    try:
        from brugdata.analysis.pathways import pathways
        from brugdata.publish.charts._pathways import pathway_routes, time_to_referral
    except ImportError:
        return None
    result = run.analysis(pathways, by="pilot", **run.kw())
    outcomes = shown_by_parts(run.shown, "pathways_outcomes", result.outcomes, OUTCOME_PARTS)
    times = run.shown("pathways_time_to_referral", result.time_to_referral)
    unattached = run.shown("pathways_unattached", result.unattached_referrals)
    if result.routes.height:
        routes = run.drawn("pathways.routes", result.routes)
        run.chart("pathway_routes", stack_columns(pathway_routes(routes, lang=run.lang)))
    if result.time_to_referral.height:
        times_drawn = run.drawn("pathways.time_to_referral", result.time_to_referral)
        run.chart("time_to_referral", time_to_referral(times_drawn, lang=run.lang))
    return Pathways(outcomes, times, unattached)


def default_transform() -> Transform | None:
    """Small-cell protection, unless the settings switch it off (analysts inside the data)."""
    from brugdata.config import settings

    if not settings.protect:
        return None
    from brugdata.publish.protect import protect

    return protect


@one_reading()
def build(
    source: Store,
    *,
    pilots: Sequence[str] | None,
    lang: str,
    transform: Transform | None,
    school_year: str | None,
) -> Built:
    """Run the analyses of ``pilots`` (default: every pilot) in ``school_year`` (default: the
    only or latest one), every table through ``transform`` (default: :func:`default_transform`),
    and draw the charts in ``lang``. Raises ValueError for an unknown pilot, school year or
    language; TypeError when the transform does not return a frame."""
    lang_ = check_lang(lang)
    info = source.info()
    # an unknown pilot or school year: the analyses' own sentence naming what the store has
    check_selection(source.con, pilots, school_year)
    known = list(info["pilots"])
    chosen = list(dict.fromkeys(pilots)) if pilots else known
    years = list(info["school_years"])
    if school_year is None and len(years) > 1:
        school_year = years[-1]
    publication = _publication()
    if transform is None and publication.protected:
        transform = publication.table
    names = pilot_names_of(source.con)
    logged = logged_pilots(source, chosen, school_year) if info["tables"].get("contacts") else []
    # the analyses' common parts worked out once (reach per pilot and per school are in two
    # sections each), and the analyses worked out ahead of the sections that show them
    with shared_results(), ahead(source) as work:
        run = _Run(
            source,
            lang_,
            transform,
            chosen,
            school_year,
            publication=publication,
            pilot_names=names,
            ahead=work,
        )
        log_run = replace(run, pilots=logged)  # the log sections: pilots with logged contacts
        _submit(run, log_run, len(years) > 1)
        parts = _parts(run, log_run, years)
    parts["questionnaire"] = questionnaire(source, pilots, school_year, run.shown)
    quality_part = quality(source, run.shown)
    return Built(
        lang_,
        chosen,
        school_year,
        info,
        quality_part,
        charts=run.charts,
        publication=publication,
        pilot_names=names,
        **parts,
    )


def _submit(run: _Run, log_run: _Run, several_years: bool) -> None:
    """Have the report's analyses worked out ahead (:mod:`.ahead`), in the order
    :func:`_parts` takes them."""
    if run.ahead is None:
        return
    from brugdata.analysis.indicators import indicators
    from brugdata.analysis.network import network
    from brugdata.analysis.reach import parents_of_pupil_cases, reach, reach_bands
    from brugdata.analysis.seasonality import seasonality
    from brugdata.analysis.time_use import time_use

    submit, kw = run.ahead.submit, log_run.kw()
    if several_years:
        submit(every_year, pilots=run.pilots)
        for function, kw_part in every_year_parts(pilots=run.pilots):  # beside it
            submit(function, **kw_part)
    if not log_run.pilots:
        return
    submit(reach, by="pilot", **kw)
    submit(parents_of_pupil_cases, by="pilot", **kw)
    submit(reach, by=["pilot", "school"], **kw)
    submit(reach_bands, by="school", **kw)
    submit(reach_bands, by="officer", **kw)
    submit(seasonality, by="pilot", **kw)
    submit(network, **kw)
    submit(time_use, by="pilot", **kw)
    try:  # as in _pathways: a brugdata without the pathways analysis has no such section
        from brugdata.analysis.pathways import pathways
    except ImportError:
        pass
    else:
        submit(pathways, by="pilot", **kw)
    submit(indicators, by="pilot", **run.kw())


def _parts(run: _Run, log_run: _Run, years: list[str]) -> dict[str, Any]:
    """The sections of the report, in page order: the log sections (when ``log_run`` has
    pilots with logged contacts) and the trend (over ``years``, when more than one)."""
    from brugdata.analysis.indicators import indicators
    from brugdata.publish.report.indicators import indicator_part

    parts: dict[str, Any] = {}
    # compare over every year, once: the trend, and the key figures of the report's year
    every = run.analysis(every_year, pilots=run.pilots) if len(years) > 1 else None
    if log_run.pilots:
        parts["summary"] = _summary(run, every)
        parts["reach"] = _reach(log_run)
        parts["seasons"] = _seasons(log_run)
        parts["network"] = _network(log_run)
        parts["time_use"] = _time_use(log_run)
        parts["pathways"] = _pathways(log_run)
        frame = run.analysis(indicators, by="pilot", **run.kw())
        parts["indicators"] = indicator_part(frame, run.shown)
    parts["trend"] = None if every is None else trend(every, run.shown, years, run.drawn)
    if parts["trend"] is not None and parts["trend"].drawn is not None:
        _trend_chart(run, parts["trend"].drawn)
    return parts


def _publication() -> Any:
    """The protection of one report (profile and threshold from the settings), which keeps
    every hidden cell for the output log; unprotected when the settings switch it off."""
    from brugdata.config import settings
    from brugdata.publish.protect import Publication

    return Publication(profile=settings.profile, protected=settings.protect)
