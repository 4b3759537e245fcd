"""How values and frames are shown: numbers in Dutch or English (:func:`number`,
:func:`percent`), and HTML fragments of frames for notebooks (``_repr_html_``) built from
:func:`table`, :func:`facts` and :func:`wrap`, each value escaped.

Every stage may use this module; it takes nothing from them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from html import escape
from typing import Any, Literal

import polars as pl

__all__ = [
    "COLUMN_DEFINITIONS",
    "Lang",
    "facts",
    "frame_html",
    "frames_html",
    "number",
    "percent",
    "table",
    "wrap",
]

#: The languages values are shown in: Dutch and English.
Lang = Literal["nl", "en"]

#: What the columns of the analysis frames mean; :func:`frame_html` shows the definitions of
#: the columns a frame has unless it is given its own.
COLUMN_DEFINITIONS: dict[str, str] = {
    "reached": "Distinct families (parent contacts; family_key, else person_key) or pupils "
    "(pupil contacts; person_key) contacted.",
    "population": "Families or pupils of the group's schools (schools table); empty when "
    "unknown for any of its schools, never guessed.",
    "pct": "reached / population × 100.",
    "ci_low": "Lower bound of the 95% Wilson score interval.",
    "ci_high": "Upper bound of the 95% Wilson score interval.",
    "hours_per_week": "Officer hours a week assigned to the group's schools (assignments).",
    "reached_per_weekly_hour": "reached / hours_per_week: reach per hour of officer time a week.",
    "band": "Reach band of a school or officer: 0–20, 20–40, 40–60, 60–80, 80–100% of its "
    "population.",
    "units": "Schools or officers in the band.",
    "share": "A share as a fraction (0..1).",
    "pupil_cases": "Distinct pupils with a pupil contact.",
    "linked": "Pupil cases with a family_key (linkable to parent contacts).",
    "parents_contacted": "Linked pupil cases whose family also had a parent contact.",
    "seasonal_index": "Contacts in the month / (the theme's year total / 12); 1 is an even spread.",
    "school_month": "Month of the school year, 1 = August … 12 = July.",
    "chi2": "Chi-square statistic.",
    "p_value": "P-value of the chi-square test.",
    "peak_start": "At least 1.5 × 3/12 of the theme's contacts fall in Aug–Oct and p < 0.05.",
    "peak_end": "At least 1.5 × 3/12 of the theme's contacts fall in May–Jul and p < 0.05.",
    "internal": "Distinct colleague roles per school the officer had contact with (a lower "
    "bound on distinct colleagues).",
    "external": "Distinct partner organisations the officer had contact with or referred to.",
    "density": "Edges / (officers × nodes) of the pilot's officer–contact network.",
    "share_pct": "Share of working time (%): reported in time_use, or derived from contact "
    "durations (source = contacts).",
    "source": "Where a figure comes from.",
    "method": "How the pilots were compared.",
    "value": "The figure's value, in unit.",
    "unit": "n: a count, %: a percentage, h: hours, n/h: per hour.",
}

_STYLE = """<style>
.brugdata{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:13px;
  line-height:1.4;max-width:1100px}
.brugdata h4{margin:.6em 0 .3em;font-size:14px}
.brugdata h5{margin:.6em 0 .2em;font-size:13px}
.brugdata table{border-collapse:collapse;margin:.2em 0 .6em;font-size:12px}
.brugdata th,.brugdata td{border:1px solid #c8c8c8;padding:2px 7px;text-align:left;
  vertical-align:top}
.brugdata th{background:#f2f2f2}
.brugdata td.num{text-align:right;font-variant-numeric:tabular-nums}
.brugdata .ok{color:#1b7a36;font-weight:600}
.brugdata .bad{color:#b3261e;font-weight:600}
.brugdata .muted{color:#666}
.brugdata dl{margin:.2em 0}.brugdata dt{font-weight:600}.brugdata dd{margin:0 0 .3em 1.2em}
</style>"""


# --------------------------------------------------------------------------- numbers


def number(value: float, lang: Lang = "nl", decimals: int = 0, *, trim: bool = False) -> str:
    """``value`` as text with ``decimals`` decimals and its thousands grouped: Dutch style
    (``1.234,5``) with ``lang="nl"``, English style (``1,234.5``) with ``lang="en"``. With
    ``trim`` trailing zeros of the decimals are dropped (and the separator when none are left).

    >>> number(1234.5, "nl", 1), number(1234.5, "en", 1)
    ('1.234,5', '1,234.5')
    >>> number(5161), number(5161, "en"), number(-0.25, "nl", 2)
    ('5.161', '5,161', '-0,25')
    >>> number(1234.50, "en", 2, trim=True), number(100.0, "nl", 2, trim=True)
    ('1,234.5', '100')
    """
    if isinstance(value, int) and not isinstance(value, bool) and decimals == 0:
        text = f"{value:,}"  # exact for any size of integer
    else:
        text = f"{value:,.{decimals}f}"
    if trim and decimals > 0 and "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def percent(value: float, lang: Lang = "nl", decimals: int = 1) -> str:
    """A percentage (``17.8`` for 17.8%) as text, :func:`number` style with a ``%`` sign.

    >>> percent(17.84), percent(17.84, "en"), percent(100, "nl", 0)
    ('17,8%', '17.8%', '100%')
    """
    return number(value, lang, decimals) + "%"


# --------------------------------------------------------------------------- building blocks


def _cell(value: Any) -> str:
    """A value as display text (not yet escaped)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if value != 0 and abs(value) < 1e-3:
            return f"{value:.3g}"
        return number(value, "en", 2, trim=True)
    if isinstance(value, int):
        return number(value, "en")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def _is_num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """An HTML table of raw values; numbers right-aligned, everything escaped."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{escape(_cell(v))}</td>'
            if _is_num(v)
            else f"<td>{escape(_cell(v))}</td>"
            for v in row
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def facts(rows: list[list[Any]]) -> str:
    """A two-column table of named facts, names as row headers."""
    body = "".join(
        f'<tr><th scope="row">{escape(str(k))}</th><td>{escape(_cell(v))}</td></tr>'
        for k, v in rows
    )
    return f"<table><tbody>{body}</tbody></table>"


def wrap(*parts: str) -> str:
    return '<div class="brugdata">' + _STYLE + "".join(parts) + "</div>"


def _definitions(defs: Mapping[str, str]) -> str:
    if not defs:
        return ""
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in defs.items())
    return f"<details><summary>Definitions</summary><dl>{items}</dl></details>"


def _frame_body(frame: pl.DataFrame, definitions: Mapping[str, str] | None, max_rows: int) -> str:
    shown = frame.head(max_rows)
    shape = f"{frame.height:,} rows × {frame.width} columns"
    if frame.height > max_rows:
        shape += f"; the first {max_rows} shown"
    parts = [f'<div class="muted">{escape(shape)}</div>']
    if frame.width:
        rows = [list(r) for r in shown.iter_rows()]
        parts.append(table(list(frame.columns), rows))
    defs = (
        {c: COLUMN_DEFINITIONS[c] for c in frame.columns if c in COLUMN_DEFINITIONS}
        if definitions is None
        else dict(definitions)
    )
    parts.append(_definitions(defs))
    return "".join(parts)


# --------------------------------------------------------------------------- public


def frame_html(
    frame: pl.DataFrame,
    *,
    title: str | None = None,
    definitions: Mapping[str, str] | None = None,
    max_rows: int = 20,
) -> str:
    """A frame as an HTML table (the first ``max_rows`` rows), its shape, and the definitions
    of its columns: ``definitions`` when given (``{}`` for none), else those of
    :data:`COLUMN_DEFINITIONS` for the columns it has."""
    head = f"<h4>{escape(title)}</h4>" if title else ""
    return wrap(head, _frame_body(frame, definitions, max_rows))


def frames_html(
    frames: Mapping[str, pl.DataFrame],
    *,
    title: str | None = None,
    definitions: Mapping[str, str] | None = None,
    max_rows: int = 20,
) -> str:
    """Several named frames (an analysis result's ``frames()``), one table each, as
    :func:`frame_html` shows them."""
    parts = [f"<h4>{escape(title)}</h4>"] if title else []
    for name, frame in frames.items():
        parts.append(f"<h5>{escape(name)}</h5>")
        parts.append(_frame_body(frame, definitions, max_rows))
    return wrap(*parts)
