"""For notebooks: charts that draw without internet (:func:`use_offline_charts`) and frames
formatted for reading (:func:`readable`: counts as whole numbers, percentages with one decimal).

Altair's default renderer loads Vega from a CDN, so a chart stays blank offline and in an
HTML export. The renderer enabled here gives each chart as SVG, drawn in the kernel by
vl-convert: JupyterLab, nbconvert's HTML, GitHub and mkdocs-jupyter all show it, and nothing
is loaded from the internet. (Altair's ``mimetype`` renderer draws interactive charts in
JupyterLab, but its output, ``application/vnd.vegalite.v6.json`` holding a JSON object, is not
valid in a notebook file under the nbformat schema, so nbconvert refuses the saved notebook.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import polars as pl

from brugdata.display import Lang, number, wrap

__all__ = ["RENDERER", "ReadableTable", "readable", "use_offline_charts"]

#: The name the offline renderer is registered under in ``altair.renderers``.
RENDERER = "brugdata_offline"

#: What a front end that cannot show SVG prints for a chart.
_PLAIN = "<chart: SVG; view it in JupyterLab or an HTML export>"

#: Columns holding a percentage (0..100): shown with one decimal.
PERCENT_COLUMNS = frozenset({"pct", "ci_low", "ci_high", "share_pct"})
#: Columns holding a fraction (0..1): shown as a percentage with one decimal and a % sign.
FRACTION_COLUMNS = frozenset({"share", "response_rate"})
#: Decimals of a ``value`` per its ``unit`` (a count shows as a whole number when it is one).
_UNIT_DECIMALS = {"n": 1, "%": 1, "h": 1, "n/h": 2}


def offline_bundle(spec: dict[str, Any], **options: Any) -> dict[str, str]:
    """The output of a chart: its SVG (``image/svg+xml``, drawn by vl-convert) and a line of
    plain text. ``options`` are Altair's renderer options, passed on to vl-convert."""
    import altair as alt

    with alt.renderers.enable("svg"):  # Altair's own SVG renderer; the active one comes back
        svg = alt.renderers.get()
    if svg is None:  # pragma: no cover - altair always registers "svg"
        raise RuntimeError("altair has no svg renderer")
    drawn = svg(spec, **options)
    bundle = dict(drawn[0] if isinstance(drawn, tuple) else drawn)
    bundle["text/plain"] = _PLAIN
    return bundle


def use_offline_charts() -> str:
    """Show Altair charts without internet from now on in this session: each chart's output
    is its SVG (see the module documentation). Returns the renderer's name
    (``altair.renderers.active``)."""
    import altair as alt

    if RENDERER not in alt.renderers.names():
        alt.renderers.register(RENDERER, offline_bundle)
    alt.renderers.enable(RENDERER)
    return RENDERER


# --------------------------------------------------------------------------- readable tables


def _whole(value: float) -> bool:
    return math.isfinite(value) and value == int(value)


def _number(value: Any, column: str, unit: str | None, lang: Lang, whole: bool) -> str:
    """One value as text; ``whole``: every value of the column is a whole number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return number(value, lang)
    value = float(value)  # a Decimal (DuckDB's sum) reads as a float
    if math.isnan(value):
        return "NaN"
    if column in FRACTION_COLUMNS:
        return number(100 * value, lang, 1) + "%"
    if column in PERCENT_COLUMNS or column.endswith("_pct"):
        return number(value, lang, 1)
    if column == "p_value":
        return "< " + number(0.001, lang, 3) if value < 0.001 else number(value, lang, 3)
    if unit is not None:
        if unit == "n" and _whole(value):
            return number(int(value), lang)
        return number(value, lang, _UNIT_DECIMALS.get(unit, 2))
    if whole:
        return number(int(value), lang)
    return number(value, lang, 2)


@dataclass(frozen=True)
class ReadableTable:
    """A frame formatted for reading. ``text`` holds every value as text; ``numeric`` names
    the columns that hold numbers (right-aligned in the HTML)."""

    text: pl.DataFrame
    numeric: tuple[str, ...]

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{escape(c)}</th>" for c in self.text.columns)
        rows = []
        for row in self.text.iter_rows(named=True):
            cells = "".join(
                f'<td class="num">{escape(v or "")}</td>'
                if c in self.numeric
                else f"<td>{escape(v or '')}</td>"
                for c, v in row.items()
            )
            rows.append(f"<tr>{cells}</tr>")
        table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        return wrap(table)

    def __repr__(self) -> str:
        with pl.Config(tbl_hide_column_data_types=True, tbl_hide_dataframe_shape=True):
            return repr(self.text)


def readable(
    frame: pl.DataFrame,
    lang: Lang = "nl",
    *,
    on: str | None = None,
    index: Sequence[str] | None = None,
    values: str = "value",
) -> ReadableTable:
    """``frame`` formatted for reading in ``lang`` (Dutch ``1.234,5`` or English
    ``1,234.5``): whole numbers as whole numbers (also a float column whose every value is
    one, such as a sum of answers), percentages (``pct``, ``ci_low``, ``ci_high``, ``*_pct``)
    with one decimal, fractions (``share``, ``response_rate``) as a percentage with one
    decimal, ``p_value`` with three decimals, other numbers with two. A ``value`` column
    beside a ``unit`` column is formatted per row by its unit (``n``, ``%``, ``h``, ``n/h``).
    With ``on``, the formatted ``values`` are pivoted: one column per value of ``on``,
    ``index`` the other columns kept (default: every other column but ``unit``).

    >>> f = pl.DataFrame({"metric": ["pupils", "pct"], "unit": ["n", "%"],
    ...                   "value": [2026.0, 17.758]})
    >>> readable(f, "en").text.rows()
    [('pupils', 'n', '2,026'), ('pct', '%', '17.8')]
    """
    numeric = [c for c, t in frame.schema.items() if t.is_numeric()]
    units = frame["unit"].to_list() if "unit" in frame.columns else None
    columns: dict[str, list[str]] = {}
    for name in frame.columns:
        series = frame[name]
        if name not in numeric:
            columns[name] = [_cell_text(v) for v in series.to_list()]
            continue
        finite = series.drop_nulls()
        finite = finite.drop_nans() if finite.dtype.is_float() else finite
        whole = all(_whole(float(v)) for v in finite.to_list())
        row_units = units if name == values and units is not None else None
        columns[name] = [
            _number(v, name, row_units[i] if row_units else None, lang, whole)
            for i, v in enumerate(series.to_list())
        ]
    text = pl.DataFrame(columns, schema=dict.fromkeys(frame.columns, pl.String))
    if on is None:
        return ReadableTable(text, tuple(numeric))
    keep = (
        list(index)
        if index is not None
        else [c for c in frame.columns if c not in (on, values, "unit")]
    )
    spread = text[on].unique(maintain_order=True).to_list()
    text = text.pivot(on=on, index=keep, values=values, aggregate_function=None)
    return ReadableTable(text, (*[c for c in keep if c in numeric], *spread))


def _cell_text(value: Any) -> str:
    """A value that is not a number as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_cell_text(v) for v in value)
    return str(value)
