"""One self-contained HTML report of a pilot evaluation, readable offline and printable.

:func:`write_report` writes a single HTML file: a summary table of key figures, a section per
analysis (reach, themes through the year, network, time use and, where brugdata has it,
referral pathways) each with its charts and a short reading generated from the numbers, the
data quality (rows read, loaded and rejected per file, and why) and the definitions used.
Dutch by default, English with ``lang="en"``.

The Vega, Vega-Lite and vega-embed JavaScript comes from vl-convert-python and is inlined once,
so the page needs no network. Every table passes through ``transform(name, frame)`` before it
is shown (names in :data:`REPORT_TABLES`), and the readings are written from the transformed
tables, so a transform that suppresses small cells reaches every number in a table and in the
text; charts are drawn from the analysis frames as they are. The report never shows person or
family keys, nor free text: a rejected value is shown only for columns without personal data.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

if TYPE_CHECKING:
    import altair as alt

    from brugdata.store.store import Store

__all__ = [
    "REPORT_CHARTS",
    "REPORT_TABLES",
    "Transform",
    "report_charts",
    "report_html",
    "save_charts",
    "write_report",
]

Lang = Literal["nl", "en"]
ImageFormat = Literal["png", "svg"]

#: ``transform(name, frame) -> frame``: applied to every table before it is shown.
Transform = Callable[[str, pl.DataFrame], pl.DataFrame]

#: The names :func:`write_report` passes to ``transform``, with what each table holds.
REPORT_TABLES: dict[str, str] = {
    "key_figures": "brugdata.compare(): one row per pilot and figure (pivoted for display)",
    "reach": "brugdata.reach(by='pilot')",
    "parents_of_pupil_cases": "brugdata.parents_of_pupil_cases(by='pilot')",
    "reach_bands_school": "brugdata.reach_bands(level='school') (parents)",
    "reach_bands_officer": "brugdata.reach_bands(level='officer') (parents)",
    "seasonality_peaks": "brugdata.seasonality().themes, themes with a peak",
    "network": "brugdata.network().pilots",
    "partner_kinds": "brugdata.network().partner_kinds",
    "time_use": "brugdata.time_use(by='pilot') (pivoted for display)",
    "pathways_outcomes": "pathways().outcomes (when brugdata has pathways)",
    "pathways_time_to_referral": "pathways().time_to_referral (when brugdata has pathways)",
    "store": "rows per table in the store",
    "files": "store.ingests(): per file rows read, loaded, rejected",
    "reject_reasons": "store.rejects() grouped by table, column and rule",
}

#: The charts of a report, in order (the pathway charts only when brugdata has pathways).
REPORT_CHARTS: tuple[str, ...] = (
    "comparison",
    "reach_ci",
    "reach_bands_school",
    "reach_bands_officer",
    "seasonality_heatmap",
    "network",
    "network_bands",
    "time_use",
    "pathway_routes",
    "time_to_referral",
)

#: Column kinds whose values are never shown in the report (person and family keys, free text).
_SENSITIVE_KINDS = frozenset({"pseudonym", "text"})

_MONTHS = {
    "nl": [
        "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
        "september", "oktober", "november", "december",
    ],
    "en": [
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ],
}  # fmt: skip


# --------------------------------------------------------------------------- texts


@cache
def _labels() -> dict[str, Any]:
    text = files("brugdata.model.data").joinpath("report/labels.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def _css() -> str:
    return files("brugdata.model.data").joinpath("report/report.css").read_text(encoding="utf-8")


def _check_lang(lang: str) -> Lang:
    if lang not in ("nl", "en"):
        raise ValueError(f"lang must be 'nl' or 'en', not {lang!r}")
    return lang  # type: ignore[return-value]


# --------------------------------------------------------------------------- numbers


def _isnum(v: Any) -> bool:
    return (
        isinstance(v, (int, float))
        and not isinstance(v, bool)
        and not (isinstance(v, float) and math.isnan(v))
    )


def _number(v: float, lang: Lang, decimals: int = 0) -> str:
    """``v`` with thousands grouped and ``decimals`` decimals, Dutch style in nl (1.234,5)."""
    text = f"{v:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _fmt(v: Any, kind: str, lang: Lang) -> str:
    """A cell value as text. Kinds: int, dec1, dec2, pct (a percentage), frac (a fraction
    shown as a percentage), p (a p-value), text. A value that is not a number (a transform may
    put text such as "<10" in its place) is shown as it is; null as an en dash."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, (list, tuple)):
        return ", ".join(_fmt(x, kind, lang) for x in v)
    if not _isnum(v) or kind == "text":
        return str(v)
    if kind == "int":
        return _number(v, lang, 0 if float(v).is_integer() else 1)
    if kind == "dec1":
        return _number(v, lang, 1)
    if kind == "dec2":
        return _number(v, lang, 2)
    if kind == "pct":
        return _number(v, lang, 1) + "%"
    if kind == "frac":
        return _number(100 * v, lang, 0) + "%"
    if kind == "p":
        return "p < " + _number(0.001, lang, 3) if v < 0.001 else "p = " + _number(v, lang, 3)
    return str(v)


def _ci(low: Any, high: Any, lang: Lang, *, frac: bool = False) -> str:
    """A 95% interval as "15,8–20,0" (fractions as percentages when ``frac``)."""
    if low is None and high is None:
        return "–"
    if _isnum(low) and _isnum(high):
        scale = 100 if frac else 1
        return f"{_number(low * scale, lang, 1)}–{_number(high * scale, lang, 1)}"
    return f"{_fmt(low, 'text', lang)}–{_fmt(high, 'text', lang)}"


def _date(day: dt.date, lang: Lang) -> str:
    month = _MONTHS[lang][day.month - 1]
    return f"{day.day} {month} {day.year}"


def _join(items: Sequence[str], lang: Lang) -> str:
    """ "a, b en c"."""
    if len(items) <= 1:
        return "".join(items)
    word = _labels()["text"]["and"][lang]
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


# --------------------------------------------------------------------------- HTML pieces


_NUM = ' class="num"'


@dataclass
class _Col:
    """A display column: header, cell text from a row, right-aligned or not."""

    header: str
    cell: Callable[[dict[str, Any]], str]
    numeric: bool = False


def _cell(key: str) -> Callable[[dict[str, Any]], str]:
    """A cell function showing ``row[key]`` (already text)."""

    def cell(row: dict[str, Any]) -> str:
        return str(row[key])

    return cell


def _table_html(
    cols: Sequence[_Col],
    rows: Iterable[dict[str, Any]],
    *,
    caption: str,
    name: str,
    row_header: bool = True,
) -> str:
    """A table; cell functions return plain text, escaped here (a line break as ``\\n``)."""
    head = "".join(
        f'<th scope="col"{_NUM if c.numeric else ""}>{escape(c.header)}</th>' for c in cols
    )
    body = []
    for row in rows:
        cells = []
        for i, c in enumerate(cols):
            text = escape(c.cell(row)).replace("\n", "<br>")
            if i == 0 and row_header:
                cells.append(f'<th scope="row">{text}</th>')
            else:
                cells.append(f"<td{_NUM if c.numeric else ''}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="table-wrap"><p class="table-title">{escape(caption)}</p>'
        f'<table data-table="{escape(name)}" aria-label="{escape(caption)}">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _reading_html(title: str, items: Sequence[str], extra: Sequence[str] = ()) -> str:
    lis = "".join(f"<li>{escape(i)}</li>" for i in items)
    more = "".join(f"<p>{escape(e)}</p>" for e in extra)
    ul = f"<ul>{lis}</ul>" if lis else ""
    return f'<div class="reading"><h3>{escape(title)}</h3>{ul}{more}</div>'


# --------------------------------------------------------------------------- the builder


@dataclass
class _Report:
    store: Store
    lang: Lang
    transform: Transform | None
    pilots: list[str]
    school_year: str | None
    sections: list[tuple[str, str, str]] = field(default_factory=list)  # id, title, body
    charts: dict[str, Any] = field(default_factory=dict)
    figure_no: int = 0
    table_no: int = 0

    # -- helpers
    def t(self, key: str, **kw: Any) -> str:
        text: str = _labels()["text"][key][self.lang]
        return text.format(**kw) if kw else text

    def col(self, key: str) -> str:
        text: str = _labels()["column"][key][self.lang]
        return text

    def r(self, key: str, **kw: Any) -> str:
        text: str = _labels()["reading"][key][self.lang]
        return text.format(**kw)

    def fmt(self, v: Any, kind: str) -> str:
        return _fmt(v, kind, self.lang)

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

    def table(
        self, name: str, cols: Sequence[_Col], rows: Iterable[dict[str, Any]], caption: str
    ) -> str:
        self.table_no += 1
        return _table_html(
            cols, rows, caption=f"{self.t('table')} {self.table_no}. {caption}", name=name
        )

    def chart(self, name: str, chart: Any, *, flat_x_labels: bool = False) -> str:
        """A figure holding chart ``name`` (drawn in the browser from its spec)."""
        chart = _configure(chart)
        if flat_x_labels:
            chart = chart.configure_axisX(labelAngle=0)
        self.charts[name] = chart
        self.figure_no += 1
        caption = _labels()["caption"][name][self.lang]
        return (
            f'<figure><div class="chart" id="chart-{escape(name)}" data-chart="{escape(name)}">'
            f"</div><figcaption><b>{escape(self.t('figure'))} {self.figure_no}.</b> "
            f"{escape(caption)}</figcaption></figure>"
        )

    def unknown(self, row: Mapping[str, Any], column: str, kind: str) -> str:
        """The formatted value, or "unknown" where it is null."""
        value = row.get(column)
        return self.t("unknown") if value is None else self.fmt(value, kind)

    def pilot_label(self, pilot: Any) -> str:
        return "–" if pilot is None else str(pilot)

    def add(self, sid: str, title_key: str, *parts: str) -> None:
        self.sections.append((sid, self.t(title_key), "".join(parts)))

    # -- analyses
    def kw(self) -> dict[str, Any]:
        return {"pilots": self.pilots or None, "school_year": self.school_year}


def _configure(chart: Any) -> Any:
    """Readable font sizes and a left-aligned title for a top-level chart."""
    return (
        chart.configure_axis(labelFontSize=11, titleFontSize=12)
        .configure_legend(labelFontSize=11, titleFontSize=12, labelLimit=280)
        .configure_header(labelFontSize=12, titleFontSize=12)
        .configure_headerRow(
            labelAngle=0,
            labelOrient="top",
            labelAnchor="start",
            labelFontWeight="bold",
            labelPadding=6,
            title=None,
        )
        .configure_title(fontSize=14, anchor="start")
    )


def _stack_columns(chart: Any) -> Any:
    """A chart faceted into columns (one per pilot), faceted into rows instead: one panel
    under the other fits the page width and keeps the labels readable."""
    import altair as alt

    facet = getattr(chart, "facet", None)
    column = getattr(facet, "column", alt.Undefined) if facet is not None else alt.Undefined
    if isinstance(chart, alt.FacetChart) and column is not alt.Undefined:
        stacked = chart.copy()
        stacked.facet = alt.FacetMapping(row=column)
        return stacked
    return chart


# --------------------------------------------------------------------------- sections


def _summary(rep: _Report) -> None:
    from brugdata.analysis.compare import METRICS, SCHOOL_WEEKS
    from brugdata.analysis.compare import compare as run_compare
    from brugdata.model.vocab import label, themes
    from brugdata.publish import charts

    raw = run_compare(rep.store, **rep.kw())
    frame = rep.shown("key_figures", raw)
    idx = 0 if rep.lang == "nl" else 1
    pilots = [p for p in rep.pilots if p in set(frame["pilot"].to_list())] or sorted(
        {p for p in frame["pilot"].to_list() if p is not None}
    )
    unknown = _unknown_population(rep)
    notes: list[str] = []
    rows: list[dict[str, Any]] = []
    present = list(dict.fromkeys(frame["metric"].to_list()))
    order = [m for m in METRICS if m in present] + [m for m in present if m not in METRICS]
    for metric in order:
        part = frame.filter(pl.col("metric") == metric)
        unit = METRICS[metric][2] if metric in METRICS else ""
        kind = {"%": "pct", "n/h": "dec2", "h": "int", "n": "int"}.get(unit, "dec1")
        row: dict[str, Any] = {"figure": METRICS[metric][idx] if metric in METRICS else metric}
        for pilot in pilots:
            cells = part.filter(pl.col("pilot") == pilot).to_dicts()
            texts = []
            for c in cells:
                value = rep.fmt(c.get("value"), kind)
                if c.get("suppressed") is not None:
                    value = str(c["suppressed"])
                elif c.get("value") is None:
                    value = rep.t("unknown")
                    side = _population_side(metric)
                    if side and unknown.get((pilot, side)):
                        value += " *"
                        n, schools = unknown[(pilot, side)]
                        note = rep.t(f"{side}_unknown_note", pilot=pilot, n=n, schools=schools)
                        if note not in notes:
                            notes.append(note)
                elif unit == "%" and (c.get("ci_low") is not None or c.get("ci_high") is not None):
                    value += f" ({_ci(c.get('ci_low'), c.get('ci_high'), rep.lang)})"
                if c.get("label") is not None:
                    code = str(c["label"])
                    name = (
                        themes().label(code, rep.lang)
                        if metric == "top_theme"
                        else label("role", code, rep.lang)
                        if metric == "officers_by_role"
                        else code
                    )
                    value = f"{name}: {value}"
                texts.append(value)
            row[pilot] = "\n".join(texts) if texts else "–"
        p_values = [c for c in part.to_dicts() if c.get("p_value") is not None]
        row["test"] = rep.fmt(p_values[0]["p_value"], "p") if p_values else ""
        rows.append(row)
    cols = [_Col(rep.col("figure"), lambda r: r["figure"])]
    cols += [_Col(p, _cell(p), numeric=True) for p in pilots]
    if len(pilots) > 1 and any(r["test"] for r in rows):
        cols.append(_Col(rep.t("test_between"), lambda r: r["test"]))
    table = rep.table("key_figures", cols, rows, rep.t("tab_key_figures"))
    if notes:
        table += '<ul class="notes">' + "".join(f"<li>* {escape(n)}</li>" for n in notes) + "</ul>"

    # reading: contacts per officer-hour, and the tests between pilots
    items = []
    for pilot in pilots:
        get = {c["metric"]: c["value"] for c in frame.filter(pl.col("pilot") == pilot).to_dicts()}
        if "contacts" in get:
            items.append(
                rep.r(
                    "contacts_hour",
                    pilot=pilot,
                    contacts=rep.fmt(get.get("contacts"), "int"),
                    per_hour=rep.fmt(get.get("contacts_per_officer_hour"), "dec2"),
                    weeks=SCHOOL_WEEKS,
                )
            )
    for metric in (
        "parents_reached_pct",
        "pupils_reached_pct",
        "pupil_cases_parents_contacted_pct",
    ):
        tested = frame.filter((pl.col("metric") == metric) & pl.col("p_value").is_not_null())
        if len(pilots) < 2 or tested.is_empty():
            continue
        p = tested["p_value"][0]
        if not _isnum(p):
            continue
        verdict = rep.r("significant" if p < 0.05 else "not_significant")
        items.append(rep.r("test", figure=METRICS[metric][idx], verdict=verdict, p=rep.fmt(p, "p")))
    body = [_reading_html(rep.t("reading"), items), table]
    if raw.height and raw["value"].drop_nulls().len():
        body.append(rep.chart("comparison", charts.comparison(raw, lang=rep.lang)))
    rep.add("summary", "sec_summary", *body)


def _population_side(metric: str) -> str | None:
    if metric in ("families", "parents_reached_pct", "parents_reached_per_weekly_hour"):
        return "families"
    if metric in ("pupils", "pupils_reached_pct", "pupils_reached_per_weekly_hour"):
        return "pupils"
    return None


def _unknown_population(rep: _Report) -> dict[tuple[str, str], tuple[int, int]]:
    """(pilot, "families" | "pupils") → (schools with an unknown count, schools)."""
    where, params = ["TRUE"], []
    if rep.pilots:
        where.append(f"pilot IN ({', '.join('?' for _ in rep.pilots)})")
        params += rep.pilots
    if rep.school_year:
        where.append("school_year = ?")
        params.append(rep.school_year)
    frame = rep.store.sql(
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


def _reach(rep: _Report) -> None:
    import altair as alt

    from brugdata.analysis.reach import (
        parents_of_pupil_cases as run_parents_of_pupil_cases,
    )
    from brugdata.analysis.reach import (
        reach as run_reach,
    )
    from brugdata.analysis.reach import (
        reach_bands as run_reach_bands,
    )
    from brugdata.model.vocab import label
    from brugdata.publish import charts

    lang = rep.lang
    reach = rep.shown("reach", run_reach(rep.store, by="pilot", **rep.kw()))
    cases = rep.shown(
        "parents_of_pupil_cases",
        run_parents_of_pupil_cases(rep.store, by="pilot", **rep.kw()),
    )
    items = []
    for pilot in _pilots_in(reach, rep):
        rows = {r["counterpart"]: r for r in reach.filter(pl.col("pilot") == pilot).to_dicts()}
        parent, pupil = rows.get("parent", {}), rows.get("pupil", {})

        def part(side: str, row: dict[str, Any]) -> str:
            n = rep.fmt(row.get("reached"), "int")
            if row.get("pct") is None:
                return rep.r(f"reach_{side}_unknown", n=n)
            ci = _ci(row.get("ci_low"), row.get("ci_high"), lang)
            pct = rep.fmt(row["pct"], "pct")
            if row.get("population_bounded") and row.get("pct_low") is not None:
                low, high = rep.fmt(row["pct_low"], "pct"), rep.fmt(row.get("pct_high"), "pct")
                return rep.r(f"reach_{side}_bounded", n=n, pct=pct, ci=ci, low=low, high=high)
            return rep.r(f"reach_{side}", n=n, pct=pct, ci=ci)

        items.append(
            rep.r(
                "reach",
                pilot=pilot,
                parents=part("parent", parent),
                pupils=part("pupil", pupil),
                parents_hour=rep.fmt(parent.get("reached_per_weekly_hour"), "dec2"),
                pupils_hour=rep.fmt(pupil.get("reached_per_weekly_hour"), "dec2"),
            )
        )
    for row in cases.to_dicts():
        if row.get("pct") is None:
            continue
        items.append(
            rep.r(
                "cases",
                pilot=rep.pilot_label(row.get("pilot")),
                pct=rep.fmt(row["pct"], "pct"),
                k=rep.fmt(row.get("parents_contacted"), "int"),
                n=rep.fmt(row.get("linked"), "int"),
            )
        )
    reach_cols = [
        _Col(rep.col("pilot"), lambda r: rep.pilot_label(r.get("pilot"))),
        _Col(
            rep.col("counterpart"),
            lambda r: label("counterpart", str(r.get("counterpart")), lang),
        ),
        _Col(rep.col("reached"), lambda r: rep.fmt(r.get("reached"), "int"), True),
        _Col(rep.col("population"), lambda r: rep.unknown(r, "population", "int"), True),
        _Col(rep.col("pct"), lambda r: rep.unknown(r, "pct", "pct"), True),
        _Col(rep.col("ci"), lambda r: _ci(r.get("ci_low"), r.get("ci_high"), lang), True),
        _Col(rep.col("hours_per_week"), lambda r: rep.fmt(r.get("hours_per_week"), "int"), True),
        _Col(
            rep.col("reached_per_weekly_hour"),
            lambda r: rep.fmt(r.get("reached_per_weekly_hour"), "dec2"),
            True,
        ),
    ]
    cases_cols = [
        _Col(rep.col("pilot"), lambda r: rep.pilot_label(r.get("pilot"))),
        _Col(rep.col("pupil_cases"), lambda r: rep.fmt(r.get("pupil_cases"), "int"), True),
        _Col(rep.col("linked"), lambda r: rep.fmt(r.get("linked"), "int"), True),
        _Col(
            rep.col("parents_contacted"), lambda r: rep.fmt(r.get("parents_contacted"), "int"), True
        ),
        _Col(rep.col("cases_pct"), lambda r: rep.fmt(r.get("pct"), "pct"), True),
        _Col(rep.col("ci"), lambda r: _ci(r.get("ci_low"), r.get("ci_high"), lang), True),
    ]
    body = [
        _reading_html(rep.t("reading"), items),
        rep.table("reach", reach_cols, reach.to_dicts(), rep.t("tab_reach")),
        rep.table("parents_of_pupil_cases", cases_cols, cases.to_dicts(), rep.t("tab_cases")),
    ]
    per_school = run_reach(rep.store, by=["pilot", "school"], **rep.kw())
    if per_school["pct"].drop_nulls().len():
        chart = charts.reach_ci(per_school, lang=lang)
        chart.spec.width = 250
        body.append(rep.chart("reach_ci", chart))

    # reach bands per school and per officer, as the evaluation shows them
    band_items: list[str] = []
    band_body: list[str] = []
    for level, units_key in (("school", "schools_word"), ("officer", "officers_word")):
        raw = run_reach_bands(rep.store, level=level, **rep.kw())  # type: ignore[arg-type]
        name = f"reach_bands_{level}"
        shown = rep.shown(name, raw)
        band_items += _band_readings(rep, shown, rep.t(units_key))
        band_body.append(rep.table(name, *_bands_table(rep, shown), rep.t(f"tab_bands_{level}")))
        if raw.filter(pl.col("band") != "unknown")["units"].sum():
            chart = charts.reach_bands(raw, lang=lang)
            if level == "officer":
                chart = chart.encode(
                    y=alt.Y("units:Q", title=_labels()["column"]["officers"][lang])
                )
            band_body.append(rep.chart(name, chart, flat_x_labels=True))
    body += [_reading_html(rep.t("reading"), band_items), *band_body]
    rep.add("reach", "sec_reach", *body)


def _by_pilot(
    rep: _Report,
    frame: pl.DataFrame,
    measures: Sequence[tuple[str, Callable[[dict[str, Any]], str]]],
) -> tuple[list[_Col], list[dict[str, Any]]]:
    """A frame with one row per pilot shown with the measures as rows and pilots as columns."""
    pilots = _pilots_in(frame, rep)
    by_pilot = {r.get("pilot"): r for r in frame.to_dicts()}
    rows = []
    for header, cell in measures:
        row: dict[str, Any] = {"measure": header}
        for pilot in pilots:
            row[pilot] = cell(by_pilot[pilot])
        rows.append(row)
    cols = [_Col(rep.col("figure"), lambda r: r["measure"])]
    cols += [_Col(p, _cell(p), numeric=True) for p in pilots]
    return cols, rows


def _pilots_in(frame: pl.DataFrame, rep: _Report) -> list[str]:
    if "pilot" not in frame.columns:
        return []
    present = [p for p in dict.fromkeys(frame["pilot"].to_list()) if p is not None]
    return [p for p in rep.pilots if p in present] + [p for p in present if p not in rep.pilots]


def _bands_table(rep: _Report, frame: pl.DataFrame) -> tuple[list[_Col], list[dict[str, Any]]]:
    """Bands as rows, pilots as columns: "units (share)"."""
    pilots = _pilots_in(frame, rep)
    bands = [b for b in dict.fromkeys(frame["band"].to_list()) if b is not None]
    bands = [b for b in bands if b != "unknown"] + (["unknown"] if "unknown" in bands else [])
    rows = []
    for band in bands:
        row: dict[str, Any] = {
            "band": rep.col("band_unknown") if band == "unknown" else band,
        }
        for pilot in pilots:
            hit = frame.filter((pl.col("pilot") == pilot) & (pl.col("band") == band)).to_dicts()
            if not hit:
                row[pilot] = "–"
                continue
            text = rep.fmt(hit[0].get("units"), "int")
            if hit[0].get("share") is not None:
                text += f" ({rep.fmt(hit[0]['share'], 'frac')})"
            row[pilot] = text
        rows.append(row)
    cols = [_Col(rep.col("band"), lambda r: r["band"])]
    cols += [_Col(p, _cell(p), numeric=True) for p in pilots]
    return cols, rows


def _band_readings(rep: _Report, frame: pl.DataFrame, units_word: str) -> list[str]:
    items = []
    for pilot in _pilots_in(frame, rep):
        part = frame.filter(pl.col("pilot") == pilot).to_dicts()
        known = [r for r in part if r["band"] != "unknown" and _isnum(r.get("units"))]
        if not known or not sum(r["units"] for r in known):
            continue
        top = max(known, key=lambda r: r["units"])
        text = rep.r(
            "bands",
            pilot=pilot,
            units_word=units_word,
            n=rep.fmt(top["units"], "int"),
            total=rep.fmt(sum(r["units"] for r in known), "int"),
            band=top["band"],
        )
        unknown = [r for r in part if r["band"] == "unknown" and r.get("units")]
        if unknown:
            text += rep.r("bands_unknown", n=rep.fmt(unknown[0]["units"], "int"))
        items.append(text)
    return items


def _seasons(rep: _Report) -> None:
    from brugdata.analysis.seasonality import seasonality as run_seasonality
    from brugdata.model.vocab import themes
    from brugdata.publish import charts
    from brugdata.publish.charts._common import MONTHS

    lang = rep.lang
    result = run_seasonality(rep.store, by="pilot", **rep.kw())
    peaks = rep.shown(
        "seasonality_peaks",
        result.themes.filter(pl.col("peak_start") | pl.col("peak_end")).sort(
            "pilot", "peak_start", "contacts", descending=[False, True, True]
        ),
    )
    items = []
    for pilot in rep.pilots:
        part = peaks.filter(pl.col("pilot") == pilot) if "pilot" in peaks.columns else peaks
        start = [themes().label(t, lang) for t in part.filter(pl.col("peak_start"))["theme"]]
        end = [themes().label(t, lang) for t in part.filter(pl.col("peak_end"))["theme"]]
        if start:
            items.append(rep.r("season_start", pilot=pilot, themes=_join(start, lang)))
        if end:
            items.append(rep.r("season_end", pilot=pilot, themes=_join(end, lang)))
        if not start and not end and pilot in set(result.themes["pilot"].to_list()):
            items.append(rep.r("season_none", pilot=pilot))

    def month(r: dict[str, Any]) -> str:
        m = r.get("peak_school_month")
        return MONTHS[lang][m - 1] if isinstance(m, int) and 1 <= m <= 12 else rep.fmt(m, "text")

    def peak(r: dict[str, Any]) -> str:
        return ", ".join(rep.t(k) for k in ("peak_start", "peak_end") if r.get(k) is True)

    cols = [
        _Col(rep.col("pilot"), lambda r: rep.pilot_label(r.get("pilot"))),
        _Col(rep.col("theme"), lambda r: themes().label(str(r.get("theme")), lang)),
        _Col(rep.col("peak"), peak),
        _Col(rep.col("peak_month"), month),
        _Col(rep.col("contacts"), lambda r: rep.fmt(r.get("contacts"), "int"), True),
        _Col(rep.col("p_value"), lambda r: rep.fmt(r.get("p_value"), "p"), True),
    ]
    body = [_reading_html(rep.t("reading"), items, [rep.r("season_caveat")])]
    if result.monthly.height:
        body.append(rep.chart("seasonality_heatmap", charts.seasonality_heatmap(result, lang=lang)))
    body.append(rep.table("seasonality_peaks", cols, peaks.to_dicts(), rep.t("tab_peaks")))
    rep.add("seasons", "sec_seasons", *body)


def _network(rep: _Report) -> None:
    import altair as alt

    from brugdata.analysis.network import network as run_network
    from brugdata.publish import charts

    lang = rep.lang
    result = run_network(rep.store, **rep.kw())
    pilots = rep.shown("network", result.pilots)
    kinds = rep.shown(
        "partner_kinds",
        result.partner_kinds.sort("pilot", "contacts", descending=[False, True], nulls_last=True),
    )
    items = []
    for net_row in pilots.to_dicts():
        items.append(
            rep.r(
                "network",
                pilot=rep.pilot_label(net_row.get("pilot")),
                officers=rep.fmt(net_row.get("officers"), "int"),
                internal=rep.fmt(net_row.get("mean_internal"), "dec1"),
                external=rep.fmt(net_row.get("mean_external"), "dec1"),
                nodes=rep.fmt(net_row.get("nodes"), "int"),
            )
        )
    for pilot in _pilots_in(kinds, rep):
        part = [
            r
            for r in kinds.filter(pl.col("pilot") == pilot).to_dicts()
            if _isnum(r.get("contacts")) and _isnum(r.get("referrals"))
        ]
        part.sort(key=lambda r: r["contacts"] + r["referrals"], reverse=True)
        top = [_kind_label(r.get("partner_kind"), lang) for r in part[:3]]
        if top:
            items.append(rep.r("partner_top", pilot=pilot, kinds=_join(top, lang)))
    net_cols, net_rows = _by_pilot(
        rep,
        pilots,
        [
            (rep.col("officers"), lambda r: rep.fmt(r.get("officers"), "int")),
            (rep.col("nodes"), lambda r: rep.fmt(r.get("nodes"), "int")),
            (rep.col("edges"), lambda r: rep.fmt(r.get("edges"), "int")),
            (rep.col("density"), lambda r: rep.fmt(r.get("density"), "dec2")),
            (rep.col("mean_internal"), lambda r: rep.fmt(r.get("mean_internal"), "dec1")),
            (rep.col("median_internal"), lambda r: rep.fmt(r.get("median_internal"), "dec1")),
            (rep.col("mean_external"), lambda r: rep.fmt(r.get("mean_external"), "dec1")),
            (rep.col("median_external"), lambda r: rep.fmt(r.get("median_external"), "dec1")),
        ],
    )
    # partner kinds as rows, pilots as columns: "contacts (referrals)", most contacts first
    kind_pilots = _pilots_in(kinds, rep)
    totals: dict[Any, float] = {}
    for r in kinds.to_dicts():
        if _isnum(r.get("contacts")):
            totals[r.get("partner_kind")] = totals.get(r.get("partner_kind"), 0) + r["contacts"]
    kind_order = sorted(
        dict.fromkeys(kinds["partner_kind"].to_list()) if kinds.height else [],
        key=lambda k: (-totals.get(k, 0), k is None, str(k)),
    )
    kind_rows = []
    for kind in kind_order:
        row: dict[str, Any] = {"kind": _kind_label(kind, lang)}
        for pilot in kind_pilots:
            hit = [
                r
                for r in kinds.to_dicts()
                if r.get("pilot") == pilot and r.get("partner_kind") == kind
            ]
            if not hit:
                row[pilot] = "–"
                continue
            contacts, referrals = hit[0].get("contacts"), hit[0].get("referrals")
            row[pilot] = f"{rep.fmt(contacts, 'int')} ({rep.fmt(referrals, 'int')})"
        kind_rows.append(row)
    kind_cols = [_Col(rep.col("partner_kind"), lambda r: r["kind"])]
    kind_cols += [
        _Col(f"{p}: {rep.col('contacts_referrals')}", _cell(p), numeric=True) for p in kind_pilots
    ]
    body = [_reading_html(rep.t("reading"), items)]
    if result.officers.height:
        chart = charts.network(result, lang=lang)
        if isinstance(chart, alt.HConcatChart):  # one pilot under the other: fits the page
            chart = alt.vconcat(*chart.hconcat, title=chart.title)
        body.append(rep.chart("network", chart))
        body.append(rep.chart("network_bands", charts.network_bands(result, lang=lang)))
    body.append(rep.table("network", net_cols, net_rows, rep.t("tab_network")))
    body.append(rep.table("partner_kinds", kind_cols, kind_rows, rep.t("tab_partner_kinds")))
    rep.add("network", "sec_network", *body)


def _kind_label(kind: Any, lang: Lang) -> str:
    from brugdata.model.vocab import label

    if kind is None:
        return _labels()["text"]["unknown"][lang]
    return label("partner_kind", str(kind), lang)


def _time_use(rep: _Report) -> None:
    from brugdata.analysis.time_use import time_use as run_time_use
    from brugdata.model.vocab import vocabulary
    from brugdata.publish import charts

    lang = rep.lang
    raw = run_time_use(rep.store, by="pilot", **rep.kw())
    frame = rep.shown("time_use", raw)
    tasks = vocabulary("task")
    present = [t for t in dict.fromkeys(frame["task"].to_list()) if t is not None]
    order = [t for t in tasks.code_list if t in present] + [
        t for t in present if t not in tasks.code_list
    ]
    keys = list(
        dict.fromkeys(zip(frame["pilot"].to_list(), frame["source"].to_list(), strict=True))
    )
    keys.sort(
        key=lambda k: (rep.pilots.index(k[0]) if k[0] in rep.pilots else 99, k[1] != "time_use")
    )

    def head(key: tuple[Any, Any]) -> str:
        pilot, source = key
        name = rep.pilot_label(pilot)
        return f"{name} ({rep.t('from_contacts')})" if source == "contacts" else name

    rows = []
    for task in order:
        row: dict[str, Any] = {"task": tasks.label(task, lang)}
        for key in keys:
            hit = frame.filter(
                (pl.col("pilot") == key[0])
                & (pl.col("source") == key[1])
                & (pl.col("task") == task)
            )
            row[head(key)] = rep.fmt(hit["share_pct"][0], "dec1") if hit.height else "–"
        rows.append(row)
    cols = [_Col(rep.col("task"), lambda r: r["task"])]
    cols += [_Col(h, _cell(h), numeric=True) for h in map(head, keys)]
    items = []
    for key in keys:
        part = [
            r
            for r in frame.filter(
                (pl.col("pilot") == key[0]) & (pl.col("source") == key[1])
            ).to_dicts()
            if _isnum(r.get("share_pct"))
        ]
        part.sort(key=lambda r: r["share_pct"], reverse=True)
        if len(part) >= 2:
            items.append(
                rep.r(
                    "time_use",
                    pilot=head(key),
                    task=tasks.label(part[0]["task"], lang),
                    share=rep.fmt(part[0]["share_pct"], "pct"),
                    task2=tasks.label(part[1]["task"], lang),
                    share2=rep.fmt(part[1]["share_pct"], "pct"),
                )
            )
    body = [_reading_html(rep.t("reading"), items, [rep.r("time_use_source")])]
    if raw.height:
        body.append(rep.chart("time_use", charts.time_use(raw, lang=lang)))
    body.append(rep.table("time_use", cols, rows, rep.t("tab_time_use")))
    rep.add("time", "sec_time", *body)


def _pathways(rep: _Report) -> bool:
    """The referral pathways section, when brugdata has the pathways analysis."""
    try:
        from brugdata.analysis.pathways import class_label, pathways
        from brugdata.publish.charts._pathways import pathway_routes, time_to_referral
    except ImportError:
        return False
    lang = rep.lang
    result = pathways(rep.store, by="pilot", **rep.kw())
    outcomes = rep.shown("pathways_outcomes", result.outcomes)
    times = rep.shown("pathways_time_to_referral", result.time_to_referral)
    items = []
    for row in outcomes.to_dicts():
        items.append(
            rep.r(
                "pathways",
                pilot=rep.pilot_label(row.get("pilot")),
                cases=rep.fmt(row.get("cases"), "int"),
                none=rep.fmt(row.get("share_no_referral"), "frac"),
                light=rep.fmt(row.get("share_light"), "frac"),
                specialised=rep.fmt(row.get("share_specialised"), "frac"),
                days=rep.fmt(row.get("median_days_to_referral"), "int"),
            )
        )
    measures: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        (rep.col("cases"), lambda r: rep.fmt(r.get("cases"), "int")),
        (
            rep.col("share_no_referral"),
            lambda r: (
                rep.fmt(r.get("share_no_referral"), "frac")
                + f" ({_ci(r.get('ci_low'), r.get('ci_high'), lang, frac=True)})"
            ),
        ),
        (rep.col("share_light"), lambda r: rep.fmt(r.get("share_light"), "frac")),
        (rep.col("share_specialised"), lambda r: rep.fmt(r.get("share_specialised"), "frac")),
        (
            rep.col("median_days_to_referral"),
            lambda r: rep.fmt(r.get("median_days_to_referral"), "int"),
        ),
    ]
    out_cols, out_rows = _by_pilot(rep, outcomes, measures)
    p_values = (
        [v for v in outcomes.get_column("p_value").to_list() if v is not None]
        if ("p_value" in outcomes.columns)
        else []
    )
    if outcomes.height > 1 and p_values:
        out_rows[1]["test"] = rep.fmt(p_values[0], "p")
        out_cols.append(_Col(rep.t("test_between"), lambda r: r.get("test", "")))
    time_cols = [
        _Col(rep.col("pilot"), lambda r: rep.pilot_label(r.get("pilot"))),
        _Col(
            rep.col("referral_class"),
            lambda r: class_label(str(r.get("referral_class")), lang),
        ),
        _Col(rep.col("cases"), lambda r: rep.fmt(r.get("cases"), "int"), True),
        _Col(rep.col("median_days"), lambda r: rep.fmt(r.get("median_days"), "int"), True),
        _Col(rep.col("p25_days"), lambda r: rep.fmt(r.get("p25_days"), "int"), True),
        _Col(rep.col("p75_days"), lambda r: rep.fmt(r.get("p75_days"), "int"), True),
    ]
    body = [
        _reading_html(rep.t("reading"), items),
        rep.table("pathways_outcomes", out_cols, out_rows, rep.t("tab_pathways")),
    ]
    if result.routes.height:
        routes = _stack_columns(pathway_routes(result, lang=lang))
        body.append(rep.chart("pathway_routes", routes))
    if result.time_to_referral.height:
        body.append(rep.chart("time_to_referral", time_to_referral(result, lang=lang)))
    body.append(
        rep.table(
            "pathways_time_to_referral", time_cols, times.to_dicts(), rep.t("tab_time_to_referral")
        )
    )
    rep.add("pathways", "sec_pathways", *body)
    return True


def _quality(rep: _Report) -> None:
    from brugdata.model.tables import TABLES

    counts = rep.store.counts()
    store = rep.shown(
        "store",
        pl.DataFrame(
            {"table_name": list(counts), "rows": list(counts.values())},
            schema={"table_name": pl.String, "rows": pl.Int64},
        ).filter(pl.col("rows") > 0),
    )
    ingests = rep.store.ingests()
    files_frame = rep.shown(
        "files",
        ingests.select(
            pl.col("path")
            .map_elements(lambda p: "/".join(Path(p).parts[-2:]), return_dtype=pl.String)
            .alias("file"),
            "table_name",
            "rows_read",
            "rows_loaded",
            "rows_rejected",
            pl.col("unknown_columns").list.join(", ").alias("unknown_columns"),
        ),
    )
    rejects = rep.store.rejects()
    file_of = dict(
        zip(
            ingests["ingest_id"].to_list(),
            ["/".join(Path(p).parts[-2:]) for p in ingests["path"].to_list()],
            strict=True,
        )
    )
    grouped = _reasons(rejects, file_of, TABLES)
    reasons = rep.shown("reject_reasons", grouped)

    items = []
    sums = {
        c: sum(v for v in files_frame[c].to_list() if _isnum(v))
        for c in ("rows_read", "rows_loaded", "rows_rejected")
        if c in files_frame.columns
    }
    if len(sums) == 3:
        items.append(
            rep.r(
                "quality",
                files=rep.fmt(files_frame.height, "int"),
                read=rep.fmt(sums["rows_read"], "int"),
                loaded=rep.fmt(sums["rows_loaded"], "int"),
                rejected=rep.fmt(sums["rows_rejected"], "int"),
            )
        )
    if reasons.height:
        top = reasons.row(0, named=True)
        items.append(
            rep.r(
                "quality_reasons",
                rule=top.get("rule"),
                column=top.get("column"),
                table=top.get("table_name"),
                n=rep.fmt(top.get("reasons"), "int"),
            )
        )
    hidden = rep.t("hidden")
    store_cols = [
        _Col(rep.col("table_name"), lambda r: str(r.get("table_name"))),
        _Col(rep.col("rows"), lambda r: rep.fmt(r.get("rows"), "int"), True),
    ]
    file_cols = [
        _Col(rep.col("file"), lambda r: str(r.get("file"))),
        _Col(rep.col("table_name"), lambda r: str(r.get("table_name"))),
        _Col(rep.col("rows_read"), lambda r: rep.fmt(r.get("rows_read"), "int"), True),
        _Col(rep.col("rows_loaded"), lambda r: rep.fmt(r.get("rows_loaded"), "int"), True),
        _Col(rep.col("rows_rejected"), lambda r: rep.fmt(r.get("rows_rejected"), "int"), True),
        _Col(rep.col("unknown_columns"), lambda r: rep.fmt(r.get("unknown_columns") or "", "text")),
    ]
    reason_cols = [
        _Col(rep.col("table_name"), lambda r: str(r.get("table_name"))),
        _Col(rep.col("column"), lambda r: str(r.get("column"))),
        _Col(rep.col("rule"), lambda r: str(r.get("rule"))),
        _Col(rep.col("reasons"), lambda r: rep.fmt(r.get("reasons"), "int"), True),
        _Col(rep.col("lines"), lambda r: rep.fmt(r.get("lines"), "text")),
        _Col(
            rep.col("values"),
            lambda r: hidden if r.get("sensitive") else rep.fmt(r.get("values"), "text"),
        ),
        _Col(
            rep.col("message"),
            lambda r: hidden if r.get("sensitive") else rep.fmt(r.get("message"), "text"),
        ),
    ]
    body = [
        _reading_html(rep.t("reading"), items, [rep.r("scope")]),
        rep.table("files", file_cols, files_frame.to_dicts(), rep.t("tab_files")),
    ]
    if reasons.height:
        body.append(
            rep.table("reject_reasons", reason_cols, reasons.to_dicts(), rep.t("tab_reasons"))
        )
        body.append(f'<p class="muted">{escape(rep.t("hidden_note"))}</p>')
    else:
        body.append(f"<p>{escape(rep.t('no_rejects'))}</p>")
    body.append(rep.table("store", store_cols, store.to_dicts(), rep.t("tab_store")))
    rep.add("quality", "sec_quality", *body)


def _reasons(
    rejects: pl.DataFrame, file_of: Mapping[int, str], tables: Mapping[str, Any]
) -> pl.DataFrame:
    """Rejects grouped by table, column and rule: count, example lines (file:line), example
    values and message; ``sensitive`` when the column may hold personal data or free text
    (its values and messages are then not shown)."""
    schema = pl.Schema(
        {
            "table_name": pl.String(),
            "column": pl.String(),
            "rule": pl.String(),
            "reasons": pl.Int64(),
            "lines": pl.List(pl.String()),
            "values": pl.List(pl.String()),
            "message": pl.String(),
            "sensitive": pl.Boolean(),
        }
    )
    if rejects.is_empty():
        return pl.DataFrame(schema=schema)

    def sensitive(table: str, column: str, rule: str) -> bool:
        spec = tables.get(table)
        if spec is None:
            return True
        kinds = {c.name: c.kind for c in spec.columns}
        if column not in kinds or kinds[column] in _SENSITIVE_KINDS:
            return True
        if rule in ("duplicate_key", "already_stored"):  # the value joins the key columns
            return any(kinds.get(k) in _SENSITIVE_KINDS for k in spec.key)
        return rule == "personal_data"

    rows = []
    for (table, column, rule), part in rejects.group_by(
        "table_name", "column", "rule", maintain_order=True
    ):
        hide = sensitive(str(table), str(column), str(rule))
        lines = [
            f"{file_of.get(i, i)}:{line}"
            for i, line in part.select("ingest_id", "line").head(5).iter_rows()
        ]
        values = (
            []
            if hide
            else [
                v
                for v in part["value"].unique(maintain_order=True).head(3).to_list()
                if v is not None
            ]
        )
        rows.append(
            {
                "table_name": table,
                "column": column,
                "rule": rule,
                "reasons": part.height,
                "lines": lines,
                "values": values,
                "message": None if hide else part["message"][0],
                "sensitive": hide,
            }
        )
    return pl.DataFrame(rows, schema=schema).sort(
        "reasons", "table_name", "column", descending=[True, False, False]
    )


def _definitions(rep: _Report, with_pathways: bool) -> None:
    from brugdata.analysis.compare import SCHOOL_WEEKS

    lang = rep.lang
    parts = []
    for key, entry in _labels()["definitions"].items():
        if key == "pathways" and not with_pathways:
            continue
        text = str(entry[lang]).replace("{weeks}", str(SCHOOL_WEEKS))
        parts.append(
            f'<dt id="def-{escape(key)}">{escape(entry[f"{lang}_title"])}</dt>'
            f"<dd>{escape(text)}</dd>"
        )
    rep.add("definitions", "sec_definitions", f'<dl class="definitions">{"".join(parts)}</dl>')


# --------------------------------------------------------------------------- page


def _bundle() -> str:
    """The vega-embed, Vega-Lite and Vega JavaScript, for the Vega-Lite version altair
    writes."""
    import altair as alt
    import vl_convert as vlc

    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return vlc.javascript_bundle(vl_version=f"v{major}_{minor}")  # type: ignore[call-arg]


def _embed_options(lang: Lang) -> dict[str, Any]:
    options: dict[str, Any] = {
        "renderer": "svg",
        "actions": {"export": True, "source": False, "compiled": False, "editor": False},
    }
    if lang == "nl":
        import vl_convert as vlc

        options["formatLocale"] = vlc.get_format_locale("nl-NL")
        options["timeFormatLocale"] = vlc.get_time_format_locale("nl-NL")
    return options


@contextmanager
def _aggregated_data() -> Iterator[None]:
    """A context in which altair writes charts of any number of rows.

    altair refuses data over 5,000 rows (MaxRowsError) to keep raw data out of notebooks.
    The report's charts are drawn from aggregated analysis frames, which grow with the
    pilots: seasonality has pilots × themes × 12 months rows (6,960 for 29 pilots)."""
    import altair as alt

    with alt.data_transformers.disable_max_rows():
        yield


def _script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


_RUNNER = """
(function () {
  var specs = JSON.parse(document.getElementById("brugdata-specs").textContent);
  var options = JSON.parse(document.getElementById("brugdata-embed-options").textContent);
  var failed = document.body.getAttribute("data-chart-error-text");
  var jobs = Object.keys(specs).map(function (name) {
    var el = document.getElementById("chart-" + name);
    return vegaEmbed(el, specs[name], options).then(function (result) {
      el.setAttribute("data-rendered", "true");
      return result;
    }).catch(function (error) {
      el.setAttribute("data-rendered", "error");
      el.textContent = failed;
      console.error("brugdata chart " + name + ": " + error);
    });
  });
  Promise.all(jobs).then(function () {
    document.body.setAttribute("data-charts", "done");
  });
})();
"""


def _page(rep: _Report, title: str, header: str) -> str:
    from brugdata._version import __version__

    toc = "".join(
        f'<li><a href="#{escape(sid)}">{escape(name)}</a></li>' for sid, name, _ in rep.sections
    )
    sections = "".join(
        f'<section id="{escape(sid)}"><h2>{escape(name)}</h2>{body}</section>'
        for sid, name, body in rep.sections
    )
    with _aggregated_data():
        specs = {name: chart.to_dict() for name, chart in rep.charts.items()}
    bundle = _bundle().replace("</script", "<\\/script")
    options = _script_json(_embed_options(rep.lang))
    footer = (
        escape(rep.t("footer"))
        + " "
        + escape(rep.t("made", date=_date(dt.date.today(), rep.lang), version=__version__))
    )
    return f"""<!DOCTYPE html>
<html lang="{rep.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="brugdata {escape(__version__)}">
<title>{escape(title)}</title>
<link rel="icon" href="data:,">
<style>
{_css()}
</style>
<script>
{bundle}
</script>
</head>
<body data-chart-error-text="{escape(rep.t("chart_error"))}">
<main>
<header>
<h1>{escape(title)}</h1>
{header}
</header>
<nav class="toc"><strong>{escape(rep.t("contents"))}</strong><ol>{toc}</ol></nav>
<p>{escape(rep.t("intro"))}</p>
{sections}
<footer>{footer}</footer>
</main>
<script type="application/json" id="brugdata-specs">{_script_json(specs)}</script>
<script type="application/json" id="brugdata-embed-options">{options}</script>
<script>{_RUNNER}</script>
</body>
</html>
"""


def _header(rep: _Report) -> str:
    from brugdata._version import __version__

    info = rep.store.info()
    last = info.get("last_ingest")
    facts = rep.t(
        "store_facts",
        file=Path(str(info["path"])).name,
        files=_fmt(info["files_ingested"], "int", rep.lang),
        last=_date(last.date(), rep.lang) if isinstance(last, dt.datetime) else "–",
    )
    year = rep.school_year or ", ".join(info["school_years"]) or rep.t("school_years_all")
    lines = [
        (rep.t("pilots"), ", ".join(rep.pilots) or "–"),
        (rep.t("school_year"), year),
        (rep.t("store"), facts),
    ]
    out = "".join(
        f'<p class="meta"><strong>{escape(k)}:</strong> {escape(v)}</p>' for k, v in lines
    )
    made = rep.t("made", date=_date(dt.date.today(), rep.lang), version=__version__)
    out += f'<p class="meta">{escape(made)}</p>'
    if rep.school_year and len(info["school_years"]) > 1:
        out += f'<p class="meta">{escape(rep.t("latest_year_note", year=rep.school_year))}</p>'
    return out


def _default_transform() -> Transform | None:
    """Small-cell protection, unless the settings switch it off (analysts inside the data)."""
    from brugdata.config import settings

    if not settings.protect:
        return None
    from brugdata.publish.protect import protect

    return protect


def _build(
    source: Store,
    *,
    pilots: Sequence[str] | None,
    lang: str,
    title: str | None,
    transform: Transform | None,
    school_year: str | None,
) -> tuple[str, dict[str, Any]]:
    lang_ = _check_lang(lang)
    info = source.info()
    known = list(info["pilots"])
    chosen = list(dict.fromkeys(pilots)) if pilots else known
    missing = [p for p in chosen if p not in known]
    if missing:
        raise ValueError(
            f"unknown pilot {', '.join(map(repr, missing))}; the store has: "
            + (", ".join(known) or "no pilots")
        )
    years = list(info["school_years"])
    if school_year is None and len(years) > 1:
        school_year = years[-1]
    elif school_year is not None and school_year not in years:
        raise ValueError(
            f"unknown school year {school_year!r}; the store has: {', '.join(years) or 'none'}"
        )
    if transform is None:
        transform = _default_transform()
    rep = _Report(source, lang_, transform, chosen, school_year)
    if info["tables"].get("contacts", 0):
        _summary(rep)
        _reach(rep)
        _seasons(rep)
        _network(rep)
        _time_use(rep)
        with_pathways = _pathways(rep)
    else:
        with_pathways = False
    _quality(rep)
    _definitions(rep, with_pathways)
    page = _page(rep, title or rep.t("title"), _header(rep))
    return page, rep.charts


# --------------------------------------------------------------------------- public


def report_html(
    source: Store,
    *,
    pilots: Sequence[str] | None = None,
    lang: Lang = "nl",
    title: str | None = None,
    transform: Transform | None = None,
    school_year: str | None = None,
) -> str:
    """The report as one HTML string; see :func:`write_report`."""
    return _build(
        source,
        pilots=pilots,
        lang=lang,
        title=title,
        transform=transform,
        school_year=school_year,
    )[0]


def report_charts(
    source: Store,
    *,
    pilots: Sequence[str] | None = None,
    lang: Lang = "nl",
    school_year: str | None = None,
) -> dict[str, alt.TopLevelMixin]:
    """The report's charts by name (see :data:`REPORT_CHARTS`), as Altair charts."""
    return _build(
        source, pilots=pilots, lang=lang, title=None, transform=None, school_year=school_year
    )[1]


def save_charts(
    charts: Mapping[str, Any],
    out_dir: str | Path,
    *,
    image_format: ImageFormat = "png",
    lang: Lang = "nl",
) -> list[Path]:
    """Write each chart as ``<name>.png`` (at twice the size, for print) or ``<name>.svg``
    into ``out_dir`` with vl-convert; return the paths."""
    if image_format not in ("png", "svg"):
        raise ValueError(f"image_format must be 'png' or 'svg', not {image_format!r}")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    options = _embed_options(_check_lang(lang))
    embed = {k: options[k] for k in ("formatLocale", "timeFormatLocale") if k in options}
    written = []
    with _aggregated_data():
        for name, chart in charts.items():
            path = folder / f"{name}.{image_format}"
            kwargs: dict[str, Any] = {"embed_options": embed} if embed else {}
            if image_format == "png":
                kwargs["scale_factor"] = 2
            chart.save(str(path), format=image_format, **kwargs)
            written.append(path)
    return written


def write_report(
    source: Store,
    out: str | Path,
    *,
    pilots: Sequence[str] | None = None,
    lang: Lang = "nl",
    png_dir: str | Path | None = None,
    image_format: ImageFormat = "png",
    title: str | None = None,
    transform: Transform | None = None,
    school_year: str | None = None,
) -> Path:
    """Write the evaluation report of the store as ONE self-contained HTML file at ``out``.

    ``pilots`` limits the analyses to those pilots (default: every pilot in the store);
    ``school_year`` to one school year (default: the only one, or the latest when the store
    holds several). ``lang`` is ``"nl"`` (default) or ``"en"``. ``title`` replaces the
    default title. ``transform(name, frame)`` is applied to every table before it is shown
    (names in :data:`REPORT_TABLES`) and the readings are written from its output; charts are
    drawn from the analysis frames as they are. By default the transform is small-cell
    protection (:func:`brugdata.privacy.protect`: counts below 10 shown as ``<10``), unless
    ``brugdata.settings.protect`` is False. With ``png_dir`` every chart is also written
    there as ``<name>.png`` (or ``.svg`` with ``image_format="svg"``).

    The page inlines the Vega, Vega-Lite and vega-embed JavaScript once and needs no network.
    Returns the path written. Raises ValueError for an unknown pilot, school year or language.
    """
    if image_format not in ("png", "svg"):
        raise ValueError(f"image_format must be 'png' or 'svg', not {image_format!r}")
    page, charts = _build(
        source,
        pilots=pilots,
        lang=lang,
        title=title,
        transform=transform,
        school_year=school_year,
    )
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    if png_dir is not None:
        save_charts(charts, png_dir, image_format=image_format, lang=lang)
    return path
