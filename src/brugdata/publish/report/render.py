"""Writing the page: the built report laid out as sections of blocks (readings, tables,
figures, paragraphs, definitions), numbered, and rendered with the package's Jinja2 templates
(``templates/``, autoescaped: every text and value is escaped)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from brugdata.publish.report import readings as rd
from brugdata.publish.report import tables as tb
from brugdata.publish.report.build import Built
from brugdata.publish.report.export import bundle, chart_svg, embed_options, script_json, specs
from brugdata.publish.report.indicators_text import indicator_table
from brugdata.publish.report.narrow import NARROW_BELOW, narrow_spec
from brugdata.publish.report.survey_text import survey_readings, survey_tables
from brugdata.publish.report.tables import Table
from brugdata.publish.report.texts import Texts, labels
from brugdata.publish.report.trend_text import trend_readings, trend_table

__all__ = [
    "Definitions",
    "Figure",
    "Page",
    "Paragraph",
    "Reading",
    "Section",
    "chart_specs",
    "compose",
    "figures",
    "render",
    "render_print",
]

_PACKAGE = "brugdata.publish.report"


@dataclass(frozen=True)
class Reading:
    """A section's reading: its sentences as a list, then paragraphs."""

    title: str
    items: list[str]
    extra: list[str]
    kind: ClassVar[str] = "reading"


@dataclass(frozen=True)
class Figure:
    """The place of chart ``name`` with its caption: drawn in the browser from its spec, or
    (print) shown as ``image``, a ``data:`` URL of its SVG, ``width_mm`` wide."""

    name: str
    label: str
    number: int
    caption: str
    image: str | None = None
    width_mm: float = 0.0
    kind: ClassVar[str] = "figure"

    @property
    def alt(self) -> str:
        """The chart's text alternative: its number and caption ("Figuur 2. Bereik …")."""
        return f"{self.label} {self.number}. {self.caption}"


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text."""

    text: str
    css_class: str | None = None
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True)
class Definitions:
    """The terms used, as (key, title, text)."""

    items: list[tuple[str, str, str]]
    kind: ClassVar[str] = "definitions"


Block = Reading | Table | Figure | Paragraph | Definitions


@dataclass(frozen=True)
class Section:
    """A section of the page: id (its anchor), title and blocks."""

    id: str
    title: str
    blocks: list[Block]


@dataclass(frozen=True)
class Page:
    """Everything the page template shows, as text."""

    lang: str
    version: str
    title: str
    facts: list[tuple[str, str]]
    notes: list[str]
    contents: str
    intro: str
    sections: list[Section]
    footer: str
    chart_error: str


class _Composer:
    """Sections in page order, their tables and figures numbered as they come."""

    def __init__(self, built: Built, tx: Texts) -> None:
        self.built, self.tx = built, tx
        self.sections: list[Section] = []
        self.tables = self.figures = 0

    def section(self, sid: str, title_key: str, *blocks: Block | None) -> None:
        """Add a section of the blocks given (None: left out)."""
        kept = [b for b in blocks if b is not None]
        self.sections.append(Section(sid, self.tx.t(title_key), kept))

    def reading(self, items: list[str], *extra: str) -> Reading:
        """A reading of ``items``, then paragraphs ``extra``."""
        return Reading(self.tx.t("reading"), items, list(extra))

    def table(self, table: Table) -> Table:
        """The table with its number in its caption ("Tabel 3. …")."""
        self.tables += 1
        return replace(table, caption=f"{self.tx.t('table')} {self.tables}. {table.caption}")

    def figure(self, name: str) -> Figure | None:
        """The figure of chart ``name``, or None when the report has no such chart."""
        if name not in self.built.charts:
            return None
        self.figures += 1
        return Figure(name, self.tx.t("figure"), self.figures, self.tx.caption(name))


def _sections(built: Built, tx: Texts) -> list[Section]:
    """The sections of the report, in order (arguments are evaluated left to right, so the
    tables and figures are numbered in page order)."""
    c, pilots = _Composer(built, tx), built.pilots
    if (s := built.summary) is not None:
        c.section(
            "summary",
            "sec_summary",
            c.reading(rd.summary_readings(s, tx)),
            c.table(tb.key_figures_table(s, tx)),
            c.figure("comparison"),
        )
    if (r := built.reach) is not None:
        c.section(
            "reach",
            "sec_reach",
            c.reading(rd.reach_readings(r, pilots, tx)),
            c.table(tb.reach_table(r, tx)),
            c.table(tb.cases_table(r, tx)),
            c.figure("reach_ci"),
            c.reading(rd.band_readings(r, pilots, tx)),
            c.table(tb.band_table(r, "school", pilots, tx)),
            c.figure("reach_bands_school"),
            c.table(tb.band_table(r, "officer", pilots, tx)),
            c.figure("reach_bands_officer"),
        )
    if (se := built.seasons) is not None:
        c.section(
            "seasons",
            "sec_seasons",
            c.reading(rd.season_readings(se, pilots, tx), tx.r("season_caveat")),
            c.figure("seasonality_heatmap"),
            c.table(tb.peaks_table(se, tx)),
        )
    if (n := built.network) is not None:
        c.section(
            "network",
            "sec_network",
            c.reading(rd.network_readings(n, pilots, tx)),
            c.figure("network"),
            c.figure("network_bands"),
            c.table(tb.network_table(n, pilots, tx)),
            c.table(tb.kinds_table(n, pilots, tx)),
        )
    if (t := built.time_use) is not None:
        c.section(
            "time",
            "sec_time",
            c.reading(rd.time_use_readings(t, tx), tx.r("time_use_source")),
            c.figure("time_use"),
            c.table(tb.time_use_table(t, tx)),
        )
    if (p := built.pathways) is not None:
        c.section(
            "pathways",
            "sec_pathways",
            c.reading(rd.pathway_readings(p, tx)),
            c.table(tb.outcomes_table(p, pilots, tx)),
            c.figure("pathway_routes"),
            c.figure("time_to_referral"),
            c.table(tb.time_to_referral_table(p, tx)),
        )
    if (ind := built.indicators) is not None:
        c.section("indicators", "sec_indicators", c.table(indicator_table(ind, pilots, tx)))
    if (qn := built.questionnaire) is not None:
        c.section(
            "survey",
            "sec_survey",
            c.reading(survey_readings(qn, tx), tx.r("survey_source")),
            *[c.table(t) for t in survey_tables(qn, tx)],
        )
    if (tr := built.trend) is not None:
        c.section(
            "trend",
            "sec_trend",
            c.reading(trend_readings(tr, pilots, tx), tx.t("trend_scope", years=tx.join(tr.years))),
            c.table(trend_table(tr, pilots, tx)),
            c.figure("trend"),
        )
    q = built.quality
    rejected = q.reasons.height > 0
    c.section(
        "quality",
        "sec_quality",
        c.reading(rd.quality_readings(q, tx), tx.r("scope")),
        c.table(tb.file_table(q, tx)),
        c.table(tb.reasons_table(q, tx)) if rejected else None,
        Paragraph(tx.t("hidden_note"), "muted") if rejected else Paragraph(tx.t("no_rejects")),
        c.table(tb.store_table(q, tx)),
    )
    c.section("definitions", "sec_definitions", _definitions(built, tx))
    return c.sections


def _definitions(built: Built, tx: Texts) -> Definitions:
    """The definitions of ``labels.toml`` that the report's sections use."""
    from brugdata.analysis.compare import SCHOOL_WEEKS

    items = []
    skip = {"pathways"} if built.pathways is None else set()
    if built.summary is None:  # no contact log: only what the questionnaire uses
        skip |= {"reach", "population", "per_hour", "cases", "seasonal_index", "network"}
        skip |= {"time_use", "chi_square"}
    if built.trend is None:
        skip.add("trend")
    if built.indicators is None:
        skip.add("indicators")
    if built.questionnaire is None:
        skip.add("survey")
    for key, entry in labels()["definitions"].items():
        if key in skip:
            continue
        text = str(entry[tx.lang]).replace("{weeks}", str(SCHOOL_WEEKS))
        items.append((key, str(entry[f"{tx.lang}_title"]), text))
    return Definitions(items)


def compose(built: Built, title: str | None = None, today: dt.date | None = None) -> Page:
    """The page of a built report: header facts, sections and footer, as text."""
    from brugdata._version import __version__

    tx = Texts(built.lang, built.pilot_names)
    info = built.info
    last = info.get("last_ingest")
    facts = tx.t(
        "store_facts",
        file=Path(str(info["path"])).name,
        files=tx.fmt(info["files_ingested"], "int"),
        last=tx.date(last.date()) if isinstance(last, dt.datetime) else "–",
    )
    year = built.school_year or ", ".join(info["school_years"]) or tx.t("school_years_all")
    made = tx.t("made", date=tx.date(today or dt.date.today()), version=__version__)
    notes = [made]
    if built.school_year and len(info["school_years"]) > 1:
        notes.append(tx.t("latest_year_note", year=built.school_year))
    return Page(
        lang=built.lang,
        version=__version__,
        title=title or tx.t("title"),
        facts=[
            (tx.t("pilots"), ", ".join(tx.pilot(p) for p in built.pilots) or "–"),
            (tx.t("school_year"), year),
            (tx.t("store"), facts),
        ],
        notes=notes,
        contents=tx.t("contents"),
        intro=tx.t("intro" if built.summary is not None else "intro_survey"),
        sections=_sections(built, tx),
        footer=tx.t("footer") + " " + made,
        chart_error=tx.t("chart_error"),
    )


def _lines(text: str) -> Markup:
    """Cell text escaped, its line breaks as ``<br>``."""
    escaped = escape(text)
    if "\n" not in escaped:  # most cells: a join of one part is the part (0.1 s a report)
        return escaped
    return Markup("<br>").join(escaped.split("\n"))


@cache
def environment() -> Environment:
    """The Jinja2 environment of the report's templates: autoescaped, strict about undefined
    names."""
    env = Environment(
        loader=PackageLoader(_PACKAGE, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["lines"] = _lines
    return env


def _asset(name: str) -> str:
    """A file of ``templates/`` as text (the page's CSS and JavaScript)."""
    return files(_PACKAGE).joinpath("templates", name).read_text(encoding="utf-8")


def figures(page: Page) -> list[Figure]:
    """The page's figures, in order."""
    return [b for s in page.sections for b in s.blocks if isinstance(b, Figure)]


def chart_specs(page: Page, built: Built) -> dict[str, Any]:
    """The Vega-Lite spec of each chart on the page, its ``description`` the figure's text
    alternative (Vega gives it to the chart as its ``aria-label``)."""
    alts = {f.name: f.alt for f in figures(page)}
    out = specs(built.charts)
    for name, spec in out.items():
        if name in alts:
            spec["description"] = alts[name]
    return out


def render(page: Page, built: Built) -> str:
    """The page as one HTML document, with the CSS, the Vega JavaScript and the specs of the
    built report's charts inline (and their phone layout, drawn below 600 px)."""
    # the inline script and JSON are made safe for their element here, then marked safe
    js = bundle().replace("</script", "<\\/script")
    wide = chart_specs(page, built)
    return (
        environment()
        .get_template("page.html.j2")
        .render(
            page=page,
            media="screen",
            css=Markup(_asset("report.css").rstrip("\n")),
            bundle=Markup(js),
            specs=Markup(script_json(wide)),
            narrow=Markup(script_json({n: narrow_spec(s) for n, s in wide.items()})),
            narrow_below=NARROW_BELOW,
            options=Markup(script_json(embed_options(built.lang))),
            runner=Markup(_asset("runner.js").rstrip("\n")),
        )
    )


#: The printed size of a chart's pixel (mm): 0.2 mm, so that its 11 px labels print at
#: about 6 pt, as a printed figure's labels are (a screen pixel is 0.265 mm).
PRINT_MM_PER_PX = 0.2

#: The font of a printed chart: vl-convert lays text out with Arial's widths, which Liberation
#: Sans shares (a wider font, such as the PDF engine's default sans-serif, would run past the
#: chart's edge).
PRINT_CHART_FONT = "Liberation Sans, Arial, Helvetica, sans-serif"

#: The most a printed chart may take (mm): the width of the A4 text column, and most of a
#: page's height (its caption comes under it).
PRINT_MAX_MM = (180.0, 165.0)


def _symbol_legends(node: Any) -> None:
    """Colour legends of a number drawn as squares of sample colours, in place: the PDF
    engine leaves a colour gradient of vl-convert's SVG blank."""
    if isinstance(node, list):
        for item in node:
            _symbol_legends(item)
    elif isinstance(node, dict):
        encoding = node.get("encoding")
        encoding = encoding if isinstance(encoding, dict) else {}
        for channel in ("color", "fill"):
            field = encoding.get(channel)
            if not isinstance(field, dict) or field.get("type") != "quantitative":
                continue
            legend = field.get("legend", {})
            if legend is not None:  # a legend is drawn
                field["legend"] = {"symbolType": "square", **legend, "type": "symbol"}
        for key in ("layer", "vconcat", "hconcat", "concat", "spec"):
            if key in node:
                _symbol_legends(node[key])


def _print_width(width_px: float, height_px: float) -> float:
    """The printed width (mm) of a chart of ``width_px`` × ``height_px``: 0.2 mm a pixel, or
    smaller where that is wider or taller than :data:`PRINT_MAX_MM`."""
    most_w, most_h = PRINT_MAX_MM
    scale = min(PRINT_MM_PER_PX, most_w / width_px, most_h / height_px)
    return width_px * scale


def render_print(page: Page, built: Built, banner: str | None = None) -> str:
    """The page as one HTML document for print (a PDF): no JavaScript, each chart an SVG
    image drawn by vl-convert (``banner`` written into it), the print CSS, and a table of
    contents whose page numbers the PDF engine fills in."""
    import base64
    import re

    drawn = chart_specs(page, built)

    def drawn_figure(figure: Figure) -> Figure:
        spec = drawn[figure.name]
        spec["config"] = {**spec.get("config", {}), "font": PRINT_CHART_FONT}
        _symbol_legends(spec)
        svg = chart_svg(spec, built.lang, banner)
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        found = re.search(r'<svg[^>]*?\swidth="([0-9.]+)" height="([0-9.]+)"', svg)
        width = _print_width(float(found.group(1)), float(found.group(2))) if found else 0.0
        return replace(figure, image=f"data:image/svg+xml;base64,{data}", width_mm=width)

    sections = [
        replace(s, blocks=[drawn_figure(b) if isinstance(b, Figure) else b for b in s.blocks])
        for s in page.sections
    ]
    css = _asset("report.css").rstrip("\n") + "\n" + _asset("print.css").rstrip("\n")
    return (
        environment()
        .get_template("page.html.j2")
        .render(page=replace(page, sections=sections), media="print", css=Markup(css))
    )
