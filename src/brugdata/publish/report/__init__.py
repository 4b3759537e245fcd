"""One self-contained HTML report of a pilot evaluation, readable offline and on a phone, or
the same report as a print-ready A4 PDF.

:func:`write_report` writes a single HTML file (or, for a ``.pdf`` path, a PDF): a summary
table of key figures, a section per analysis (reach, themes through the year, network, time
use and, where brugdata has it, referral pathways) each with its charts and a short reading
generated from the numbers, the data quality (rows read, loaded and rejected per file, and
why) and the definitions used. Dutch by default, English with ``lang="en"``.

It is made in three steps: :mod:`.build` runs the analyses and passes every table through
``transform(name, frame)`` (names in :data:`REPORT_TABLES`; small-cell protection by
default); :mod:`.readings` writes the sentences from the transformed tables, so a suppressed
cell reaches every number in a table and in the text; :mod:`.render` lays the page out and
renders it with the autoescaped Jinja2 templates in ``templates/``. Charts are drawn from the
protected frames (a hidden value is absent from their data); :mod:`.export` inlines the Vega,
Vega-Lite and vega-embed JavaScript once (so the page needs no network) and writes charts as
PNG or SVG; :mod:`.narrow` gives each chart its phone layout; :mod:`.pdf` prints the page
with WeasyPrint (the ``pdf`` extra), the charts as SVG, fetching nothing. The report never
shows person or family keys, nor free text: a rejected value is shown only for columns
without personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from brugdata.publish.report.build import REPORT_TABLES, Transform, build
from brugdata.publish.report.export import ImageFormat, save_charts
from brugdata.publish.report.render import compose, render, render_print
from brugdata.publish.report.texts import Lang

if TYPE_CHECKING:
    import altair as alt

    from brugdata.store.store import Store

__all__ = [
    "REPORT_CHARTS",
    "REPORT_TABLES",
    "ImageFormat",
    "Lang",
    "Transform",
    "report_charts",
    "report_html",
    "save_charts",
    "write_report",
]

#: The charts of a report, in order (the pathway charts only when brugdata has pathways, the
#: trend only when the store holds more than one school year).
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
    "trend",
)


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
    from brugdata.publish.checks import mark_page

    built = build(source, pilots=pilots, lang=lang, transform=transform, school_year=school_year)
    return mark_page(render(compose(built, title), built), built.publication, lang)


def report_charts(
    source: Store,
    *,
    pilots: Sequence[str] | None = None,
    lang: Lang = "nl",
    school_year: str | None = None,
) -> dict[str, alt.TopLevelMixin]:
    """The report's charts by name (see :data:`REPORT_CHARTS`), as Altair charts."""
    built = build(source, pilots=pilots, lang=lang, transform=None, school_year=school_year)
    return built.charts


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
    checks: bool = False,
    svg_dir: str | Path | None = None,
) -> Path:
    """Write the evaluation report of the store as ONE self-contained HTML file at ``out``,
    or, when ``out`` ends in ``.pdf``, as a print-ready A4 PDF.

    ``pilots`` limits the analyses to those pilots (default: every pilot in the store);
    ``school_year`` to one school year (default: the only one, or the latest when the store
    holds several). ``lang`` is ``"nl"`` (default) or ``"en"``. ``title`` replaces the
    default title. ``transform(name, frame)`` is applied to every table before it is shown
    (names in :data:`REPORT_TABLES`) and the readings are written from its output; charts are
    drawn from the protected frames, without the hidden values. By default the transform is
    small-cell protection (:class:`brugdata.publish.protect.Publication`: counts below 10
    shown as ``<10``), unless ``brugdata.settings.protect`` is False: then every page and
    image carries the banner "niet beschermd / not protected". With ``png_dir`` every chart
    is also written there as ``<name>.png`` (or ``.svg`` with ``image_format="svg"``), and
    with ``svg_dir`` as ``<name>.svg`` there, from the same protected charts. With
    ``checks`` the output log ``<name>.checks.json`` (every file written, images included) is
    written beside ``out`` (:mod:`brugdata.publish.checks`).

    The page inlines the Vega, Vega-Lite and vega-embed JavaScript once and needs no network;
    below 600 px of screen width it draws each chart's phone layout. The PDF has numbered A4
    pages, a table of contents with page numbers and every chart as SVG with its text
    alternative; it is made by WeasyPrint (``pip install 'brugdata[pdf]'``) fetching nothing.
    Returns the path written. Raises ValueError for an unknown pilot, school year or language;
    BrugdataError for a PDF without WeasyPrint.
    """
    if image_format not in ("png", "svg"):
        raise ValueError(f"image_format must be 'png' or 'svg', not {image_format!r}")
    from brugdata.publish.checks import UNPROTECTED, mark_page, write_checks

    path = Path(out)
    as_pdf = path.suffix.lower() == ".pdf"
    if as_pdf:
        from brugdata.publish.report.pdf import check_pdf, write_pdf

        check_pdf()  # before the work: a missing WeasyPrint is said at once
    built = build(source, pilots=pilots, lang=lang, transform=transform, school_year=school_year)
    banner = None if built.publication.protected else UNPROTECTED
    composed = compose(built, title)
    if as_pdf:
        page = render_print(composed, built, banner)
        write_pdf(mark_page(page, built.publication, lang), path)
    else:
        page = mark_page(render(composed, built), built.publication, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    files = [path]
    if png_dir is not None:
        files += save_charts(
            built.charts, png_dir, image_format=image_format, lang=lang, banner=banner
        )
    if svg_dir is not None:
        files += save_charts(built.charts, svg_dir, image_format="svg", lang=lang, banner=banner)
    if checks:
        write_checks(path, files, built.publication)
    return path
