"""Protection of the indicator set (``brugdata.indicators``): one row per indicator, so the
cell rules work per row and across the rows that share a count.

A row is hidden (numerator, denominator and value null; in a table the numerator and
denominator say ``<10`` or ``x``) when its numerator is a count of people or contacts below
the threshold (primary), or (secondary) when its denominator is such a count below it, when
the rest of a share of people (denominator − numerator) is below it (the two numbers give
it), when another row of the same group shows the same count or one it follows from
(families reached in two rows; contacts in the officer-hour and focus-area rows; cases with
and without a referral in the case rows), when the figure is hidden in another table of the
publication (``forced``), or when it is the one hidden row of its indicator among the groups
that add up to a total (schools to their pilot, pilots to all) or among the focus areas of a
group (which add up to about the contacts): then the smallest other row is hidden too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import polars as pl

from brugdata.publish.protect.cells import HIDDEN, SMALL

__all__ = [
    "COMPARE_METRICS",
    "hidden_figures",
    "protect_indicators",
    "round_indicators",
    "clamp_indicators",
]

#: Indicators whose numerator and denominator are public (partners, officers): never hidden
#: for being small.
PUBLIC = frozenset({"external_partners_per_officer"})
#: Indicators whose denominator counts people or contacts (hidden when small too); the
#: others divide by the DUO population, officers or officer-hours (public).
COUNTED_BASE = ("pupil_cases_parent_contact_share", "cases_no_referral_share",
                "median_days_to_referral", "contacts_focus_")  # fmt: skip
#: Rows of one group that show one count (or counts that follow from each other): hidden
#: together.
LINKED: tuple[tuple[str, ...], ...] = (
    ("families_reached_share", "families_reached_per_officer_hour"),
    ("cases_no_referral_share", "median_days_to_referral"),
)
#: The key figures (``compare`` metrics) each indicator is, or shows a count of: hidden in
#: one table of a publication, hidden in the other.
COMPARE_METRICS: dict[str, tuple[str, ...]] = {
    "families_reached_share": (
        "parents_reached_pct",
        "parents_reached",
        "parents_reached_per_weekly_hour",
    ),
    "pupils_reached_share": (
        "pupils_reached_pct",
        "pupils_reached",
        "pupils_reached_per_weekly_hour",
    ),
    "families_reached_per_officer_hour": ("parents_reached", "parents_reached_per_weekly_hour"),
    "contacts_per_officer_hour": ("contacts_per_officer_hour", "contacts"),
    "pupil_cases_parent_contact_share": ("pupil_cases_parents_contacted_pct",),
    "cases_no_referral_share": ("cases_no_referral_pct",),
    "median_days_to_referral": ("median_days_to_referral",),
    "external_partners_per_officer": ("external_per_officer",),
    "response_rate": ("response_rate", "respondents"),
}
_FOCUS = "contacts_focus_"
#: The columns of the indicator table that are not group keys.
_FIXED = (
    *("indicator", "label_nl", "label_en", "numerator", "denominator", "value", "measure"),
    *("unit", "population_date", "status", "source", "note", "school_year"),
)

Row = dict[str, Any]


def _small(value: Any, threshold: int) -> bool:
    return value is not None and 0.5 <= float(value) < threshold - 0.5


def _counted_base(code: str) -> bool:
    return any(code == c or (c.endswith("_") and code.startswith(c)) for c in COUNTED_BASE)


def _primary(row: Row, threshold: int) -> bool:
    code = str(row["indicator"])
    if code in PUBLIC:
        return False
    if _small(row["numerator"], threshold):
        return True
    return _counted_base(code) and _small(row["denominator"], threshold)


def _rest_small(row: Row, threshold: int) -> bool:
    """A share of people whose rest (denominator − numerator) is small: the two give it away
    (not the response: officers who did not answer are no one's secret)."""
    if row.get("measure") != "share" or str(row["indicator"]) in (*PUBLIC, "response_rate"):
        return False
    if row["numerator"] is None or row["denominator"] is None:
        return False
    return _small(float(row["denominator"]) - float(row["numerator"]), threshold)


def protect_indicators(
    frame: pl.DataFrame,
    threshold: int,
    *,
    text: bool = True,
    forced: Collection[tuple[Any, Any, str]] = (),
    rounding: bool = False,
    clamp: bool = False,
) -> tuple[pl.DataFrame, list[Row]]:
    """The indicator rows fit for publication and the hidden cells with their reasons; hidden
    rows have a null value and numerator and denominator null or, when ``text``, what to
    print instead (``<10``, ``x``; every number as text). ``forced`` holds (pilot,
    school_year, compare metric) hidden in another table of the publication. ``rounding``
    (the cbs profile) and ``clamp`` (nco): see :func:`round_indicators` and
    :func:`clamp_indicators`."""
    keys = [c for c in frame.columns if c not in _FIXED]
    rows: list[Row] = frame.to_dicts()
    reasons: dict[int, str] = {}
    for i, row in enumerate(rows):
        if _primary(row, threshold):
            reasons[i] = "primary"
        elif _rest_small(row, threshold) or _forced(row, keys, forced):
            reasons[i] = "secondary"
    groups = _groups(rows, [*keys, "school_year", "source"])
    margins = _margins(rows, keys)
    for _ in range(len(rows) + 1):  # each round hides at least one more row, or stops
        before = len(reasons)
        for members in groups:
            _link(rows, members, reasons)
            focus = [i for i in members if str(rows[i]["indicator"]).startswith(_FOCUS)]
            _one_of(rows, focus, reasons)
        for members in margins:
            _one_of(rows, members, reasons)
        if len(reasons) == before:
            break
    shown = round_indicators(frame) if rounding else frame  # hidden by the exact counts
    shown = clamp_indicators(shown) if clamp else shown
    return _render(shown, rows, reasons, threshold, text=text), _log(rows, keys, reasons)


def _forced(row: Row, keys: list[str], forced: Collection[tuple[Any, Any, str]]) -> bool:
    if not forced or keys != ["pilot"]:
        return False
    metrics = COMPARE_METRICS.get(str(row["indicator"]), ())
    return any((row["pilot"], row["school_year"], m) in forced for m in metrics)


def _groups(rows: list[Row], columns: list[str]) -> list[list[int]]:
    found: dict[tuple[Any, ...], list[int]] = {}
    for i, row in enumerate(rows):
        found.setdefault(tuple(row.get(c) for c in columns), []).append(i)
    return list(found.values())


def _margins(rows: list[Row], keys: list[str]) -> list[list[int]]:
    """Rows of one indicator whose groups add up to a total (over the most detailed key)."""
    if not keys:
        return []
    rest = [*keys[:-1], "school_year", "source", "indicator"]
    return [m for m in _groups(rows, rest) if len(m) > 1]


def _link(rows: list[Row], members: list[int], reasons: dict[int, str]) -> None:
    """Hide the rows of a group that show a count of a hidden row: the linked indicators,
    and the focus-area rows (their denominator is the contacts) when the contacts row is."""
    codes = {str(rows[i]["indicator"]): i for i in members}
    for linked in LINKED:
        found = [codes[c] for c in linked if c in codes]
        if any(i in reasons for i in found):
            for i in found:
                reasons.setdefault(i, "secondary")
    contacts = codes.get("contacts_per_officer_hour")
    if contacts is not None and contacts in reasons:
        for code, i in codes.items():
            if code.startswith(_FOCUS):
                reasons.setdefault(i, "secondary")


def _one_of(rows: list[Row], members: Iterable[int], reasons: dict[int, str]) -> None:
    """Where exactly one of rows that add up to a total is hidden, hide the smallest other
    non-zero one too."""
    members = list(members)
    hidden = [i for i in members if i in reasons]
    if len(hidden) != 1:
        return
    others = [i for i in members if i not in reasons and (rows[i]["numerator"] or 0) > 0]
    if others:
        smallest = min(others, key=lambda i: (rows[i]["numerator"], i))
        reasons[smallest] = "secondary"


def _render(
    frame: pl.DataFrame, rows: list[Row], reasons: dict[int, str], threshold: int, *, text: bool
) -> pl.DataFrame:
    """Hidden rows with a null numerator, denominator and value; with ``text`` the numerator
    and denominator as a table shows them (``<10`` for a small count, ``x`` for a second
    cell, numbers as text)."""
    gone = pl.Series("_gone", [i in reasons for i in range(len(rows))], dtype=pl.Boolean)
    out = frame.with_columns(gone).with_columns(
        pl.when(pl.col("_gone")).then(None).otherwise(pl.col(c)).alias(c)
        for c in ("numerator", "denominator", "value")
    )
    if text:
        small = SMALL.format(threshold=threshold)
        marks = pl.Series(
            "_mark",
            [(small if reasons[i] == "primary" else HIDDEN) if i in reasons else None
             for i in range(len(rows))],
            dtype=pl.String,
        )  # fmt: skip
        out = out.with_columns(marks).with_columns(
            pl.coalesce(pl.col("_mark"), _as_text(pl.col(c))).alias(c)
            for c in ("numerator", "denominator")
        )
        out = out.drop("_mark")
    return out.drop("_gone")


def _as_text(column: pl.Expr) -> pl.Expr:
    """A number as text: whole numbers without decimals."""
    whole = column.cast(pl.Float64).round(0) == column.cast(pl.Float64)
    return (
        pl.when(whole)
        .then(column.cast(pl.Float64).cast(pl.Int64).cast(pl.String))
        .otherwise(column.cast(pl.String))
    )


def _log(rows: list[Row], keys: list[str], reasons: dict[int, str]) -> list[Row]:
    return [
        {
            **{k: rows[i].get(k) for k in keys},
            "school_year": rows[i].get("school_year"),
            "indicator": rows[i]["indicator"],
            "column": "numerator",
            "reason": reason,
        }
        for i, reason in sorted(reasons.items())
    ]


def hidden_figures(log: list[Row]) -> set[tuple[Any, Any, str]]:
    """(pilot, school_year, compare metric) of the hidden rows of a table per pilot: hidden
    in the key figures of the same publication too."""
    return {
        (cell["pilot"], cell["school_year"], metric)
        for cell in log
        if "pilot" in cell and len([k for k in cell if k not in _LOG_FIXED]) == 1
        for metric in COMPARE_METRICS.get(str(cell["indicator"]), ())
    }


_LOG_FIXED = ("school_year", "indicator", "column", "reason")


def round_indicators(frame: pl.DataFrame) -> pl.DataFrame:
    """The ``cbs`` profile: numerators and counted denominators rounded to multiples of 5,
    each value computed again from them (a median is kept: it is no ratio of counts)."""
    from brugdata.publish.protect.rounding import rounded

    code = pl.col("indicator")
    public = code.is_in(list(PUBLIC))
    counted = pl.any_horizontal(
        [code == c if not c.endswith("_") else code.str.starts_with(c) for c in COUNTED_BASE]
    )
    median = pl.col("measure") == "median"
    return frame.with_columns(
        numerator=pl.when(public).then(pl.col("numerator")).otherwise(rounded(pl.col("numerator"))),
        denominator=pl.when(counted & ~public)
        .then(rounded(pl.col("denominator")).cast(pl.Float64))
        .otherwise(pl.col("denominator")),
    ).with_columns(
        value=pl.when(median)
        .then(pl.col("value"))
        .when(pl.col("value").is_not_null() & (pl.col("denominator") > 0))
        .then(pl.col("numerator") / pl.col("denominator"))
    )


def clamp_indicators(frame: pl.DataFrame) -> pl.DataFrame:
    """The ``nco`` profile: shares clamped to [0.05, 0.95]."""
    share = pl.col("measure") == "share"
    return frame.with_columns(
        value=pl.when(share).then(pl.col("value").clip(0.05, 0.95)).otherwise(pl.col("value"))
    )
