"""The report's charts outside Python: their look on the page, their Vega-Lite specs, the
vega-embed / Vega-Lite / Vega JavaScript inlined in the page, and PNG or SVG files, all with
vl-convert (no browser, no network)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from brugdata.publish.report.texts import Lang, check_lang

__all__ = [
    "ImageFormat",
    "aggregated_data",
    "bundle",
    "chart_svg",
    "configure",
    "embed_options",
    "save_charts",
    "script_json",
    "specs",
    "stack_columns",
    "vl_version",
]

ImageFormat = Literal["png", "svg"]


def configure(chart: Any) -> Any:
    """``chart`` itself, with readable font sizes and a left-aligned title (replacing any
    configuration of its own, as ``chart.configure`` would). Set on the chart, not on a copy:
    altair copies a chart by building it anew, which for the network of 29 pilots takes
    0.2 s; the report's charts are its own."""
    import altair as alt

    chart.config = alt.Config(
        axis=alt.AxisConfig(labelFontSize=11, titleFontSize=12),
        legend=alt.LegendConfig(labelFontSize=11, titleFontSize=12, labelLimit=280),
        header=alt.HeaderConfig(labelFontSize=12, titleFontSize=12),
        headerRow=alt.HeaderConfig(
            labelAngle=0,
            labelOrient="top",
            labelAnchor="start",
            labelFontWeight="bold",
            labelPadding=6,
            title=None,
        ),
        title=alt.TitleConfig(fontSize=14, anchor="start"),
    )
    return chart


def stack_columns(chart: Any) -> Any:
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


@contextmanager
def aggregated_data() -> Iterator[None]:
    """A context in which altair writes charts of any number of rows.

    altair refuses data over 5,000 rows (MaxRowsError) to keep raw data out of notebooks.
    The report's charts are drawn from aggregated analysis frames, which grow with the
    pilots: seasonality has pilots × themes × 12 months rows (6,960 for 29 pilots)."""
    import altair as alt

    with alt.data_transformers.disable_max_rows():
        yield


def specs(charts: Mapping[str, Any]) -> dict[str, Any]:
    """The Vega-Lite spec of each chart, by name (in the order given), not validated against
    the Vega-Lite schema here (slow for large charts): the tests validate every chart of the
    report (tests/test_report_acceptance.py)."""
    with aggregated_data():
        return {name: chart.to_dict(validate=False) for name, chart in charts.items()}


def bundle() -> str:
    """The vega-embed, Vega-Lite and Vega JavaScript, for the Vega-Lite version altair
    writes."""
    import vl_convert as vlc

    return vlc.javascript_bundle(vl_version=vl_version())  # type: ignore[call-arg]


def embed_options(lang: Lang) -> dict[str, Any]:
    """vega-embed's options: SVG, export only, and Dutch number and date formats in nl."""
    options: dict[str, Any] = {
        "renderer": "svg",
        "actions": {"export": True, "source": False, "compiled": False, "editor": False},
    }
    if lang == "nl":
        import vl_convert as vlc

        options["formatLocale"] = vlc.get_format_locale("nl-NL")
        options["timeFormatLocale"] = vlc.get_time_format_locale("nl-NL")
    return options


def script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def save_charts(
    charts: Mapping[str, Any],
    out_dir: str | Path,
    *,
    image_format: ImageFormat = "png",
    lang: Lang = "nl",
    banner: str | None = None,
) -> list[Path]:
    """Write each chart as ``<name>.png`` (at twice the size, for print) or ``<name>.svg``
    into ``out_dir`` with vl-convert; return the paths. ``banner`` (the words of an
    unprotected output) is written into every image, at its top left."""
    if image_format not in ("png", "svg"):
        raise ValueError(f"image_format must be 'png' or 'svg', not {image_format!r}")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    options = embed_options(check_lang(lang))
    embed = {k: options[k] for k in ("formatLocale", "timeFormatLocale") if k in options}
    written = []
    with aggregated_data():
        for name, chart in charts.items():
            path = folder / f"{name}.{image_format}"
            kwargs: dict[str, Any] = {"embed_options": embed} if embed else {}
            if image_format == "png":
                kwargs["scale_factor"] = 2
            if banner is None:
                chart.save(str(path), format=image_format, **kwargs)
            else:
                _save_with_banner(
                    chart, path, banner, check_lang(lang), kwargs.get("scale_factor", 1)
                )
            written.append(path)
    return written


def vl_version() -> str:
    """The Vega-Lite version altair writes, as vl-convert names it (``"v6_1"``)."""
    import altair as alt

    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f"v{major}_{minor}"


def chart_svg(spec: Mapping[str, Any], lang: Lang = "nl", banner: str | None = None) -> str:
    """The Vega-Lite ``spec`` drawn as SVG by vl-convert (no browser, no network), with the
    number and date formats of ``lang`` and ``banner`` written at its top left."""
    import html
    import re

    import vl_convert as vlc

    options = embed_options(check_lang(lang))
    with aggregated_data():
        svg: str = vlc.vegalite_to_svg(
            dict(spec),
            vl_version=vl_version(),
            format_locale=options.get("formatLocale"),
            time_format_locale=options.get("timeFormatLocale"),
        )
    if banner is None:
        return svg
    found = re.search(r"<svg[^>]*>", svg)
    at = found.end() if found else 0
    text = (
        '<text x="4" y="14" fill="#b00020" font-weight="bold" font-size="13" '
        f'font-family="sans-serif">{html.escape(banner)}</text>'
    )
    return svg[:at] + text + svg[at:]


def _save_with_banner(chart: Any, path: Path, banner: str, lang: Lang, scale: float) -> None:
    """Save ``chart`` as SVG or PNG (at ``scale``) with ``banner`` written at its top left."""
    import vl_convert as vlc

    svg = chart_svg(chart.to_dict(), lang, banner)
    if path.suffix == ".svg":
        path.write_text(svg, "utf-8")
    else:
        path.write_bytes(vlc.svg_to_png(svg, scale=scale))
