"""Protection of the pilot comparison (``compare``, the key figures): one row per figure, so
the cell rules work per metric, and a percentage is hidden when the counts it is made of
(which its interval gives away) are small."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator
from functools import lru_cache
from typing import Any

import polars as pl

from brugdata.publish.protect.cells import HIDDEN, SMALL

__all__ = ["protect_compare"]

#: Counts of people or contacts.
PEOPLE = ("parents_reached", "pupils_reached", "contacts", "respondents")
#: A figure made from a count of the same pilot and year, hidden with it.
MADE_FROM: dict[str, str] = {
    "parents_reached_pct": "parents_reached",
    "parents_reached_per_weekly_hour": "parents_reached",
    "pupils_reached_pct": "pupils_reached",
    "pupils_reached_per_weekly_hour": "pupils_reached",
    "contacts_per_officer_hour": "contacts",
    "response_rate": "respondents",
}
#: Percentages of people with a 95% Wilson interval: the interval gives n away, so the
#: numerator (and the rest) follow from percentage and interval.
WILSON = (
    "parents_reached_pct",
    "pupils_reached_pct",
    "pupil_cases_parents_contacted_pct",
    "cases_no_referral_pct",
)
#: A reach percentage over the schools whose count is known, and the count of everyone
#: reached: their difference (those reached at the other schools) is not published.
PARTIAL_OF = {"parents_reached_pct": "parents_reached", "pupils_reached_pct": "pupils_reached"}
#: Case figures whose base is the cases of ``cases_no_referral_pct``.
CASE_SHARES = ("cases_specialised_pct",)

_Z = 1.959963984540054

#: The change to the year before: hidden with the figure of either year.
CHANGE = ("previous_school_year", "previous_value", "change", "change_method", "change_p_value")


@lru_cache(maxsize=4096)  # a report asks for one figure's n in several tables (0.1 s)
def wilson_n(pct: float, low: float, high: float) -> float | None:
    """The n of a 95% Wilson interval [low, high] around ``pct`` (all 0–100), as an
    attacker would work it out; None when it cannot be."""
    p, lo, hi = pct / 100, low / 100, high / 100
    if not (0 <= lo <= hi <= 1) or hi - lo <= 0:
        return None

    def width(n: float) -> float:
        d = 1 + _Z * _Z / n
        return 2 * _Z / d * math.sqrt(max(p * (1 - p) / n + _Z * _Z / (4 * n * n), 0.0))

    a, b = 0.5, 1e9  # width falls as n grows
    if not (width(b) <= hi - lo <= width(a)):
        return None
    for _ in range(200):
        mid = math.sqrt(a * b)
        step = (mid, b) if width(mid) > hi - lo else (a, mid)
        if step == (a, b):  # converged (after some 60 steps): every later step is the same
            break
        a, b = step
    return b


def _small(value: float | None, threshold: int) -> bool:
    return value is not None and 0.5 <= value < threshold - 0.5


Row = dict[str, Any]


def protect_compare(
    frame: pl.DataFrame,
    threshold: int,
    *,
    text: bool = True,
    forced: Collection[tuple[Any, Any, str]] = (),
) -> tuple[pl.DataFrame, list[Row]]:
    """Compare rows fit for publication, and the hidden cells with their reasons.

    A count of people or contacts below the threshold is hidden (primary); a figure made
    from it, a percentage whose numerator or rest (n − k, from its interval or base) is
    small, and its case shares are hidden with it (secondary); so are the figures
    (pilot, school_year, metric) in ``forced`` (hidden in another table of the publication).
    A p-value of a metric in a school year where a pilot's figure is hidden is removed, and
    the change to the year before where either year's figure is hidden. The column
    ``suppressed`` says what to print instead (``<10`` or ``x``) when ``text``; hidden values
    are null."""
    keys = [k for k in ("pilot", "school_year", "source") if k in frame.columns]
    rows: list[Row] = frame.with_row_index("_row").to_dicts()
    by_key: dict[tuple[Any, ...], list[Row]] = {}
    for r in rows:
        by_key.setdefault(tuple(r[k] for k in keys), []).append(r)
    reasons: dict[int, str] = {}
    for group in by_key.values():
        for row, reason in _group_reasons(group, threshold):
            reasons.setdefault(int(row["_row"]), reason)
    for r in rows:
        if (r.get("pilot"), r.get("school_year"), r["metric"]) in forced:
            reasons.setdefault(int(r["_row"]), "secondary")
    changed = _changes(rows, reasons, threshold)
    # a test over the pilots of a year gives the hidden figure's counts away
    hidden_tests = {(rows[i].get("school_year"), rows[i]["metric"]) for i in reasons}
    small = SMALL.format(threshold=threshold)
    marks = [
        (small if reasons.get(i) == "primary" else HIDDEN) if i in reasons else None
        for i in range(len(rows))
    ]
    gone = pl.Series("_gone", [i in reasons for i in range(len(rows))], dtype=pl.Boolean)
    test_gone = pl.Series(
        "_test",
        [(r.get("school_year"), r["metric"]) in hidden_tests for r in rows],
        dtype=pl.Boolean,
    )
    change_gone = pl.Series("_change", [i in changed for i in range(len(rows))])
    out = frame.with_columns(gone, test_gone, change_gone).with_columns(
        *[
            pl.when(pl.col("_change")).then(None).otherwise(pl.col(c)).alias(c)
            for c in CHANGE
            if c in frame.columns
        ],
        *[
            pl.when(pl.col("_gone")).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("value", "ci_low", "ci_high")
            if c in frame.columns
        ],
        *[
            pl.when(pl.col("_test")).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("p_value", "method")  # the method names the chi-square
            if c in frame.columns
        ],
    )
    if text:
        out = out.with_columns(pl.Series("suppressed", marks, dtype=pl.String))
    out = out.drop("_gone", "_test", "_change")
    log = [
        {
            "pilot": rows[i].get("pilot"),
            "school_year": rows[i].get("school_year"),
            "metric": rows[i]["metric"],
            "label": rows[i].get("label"),
            "column": "value",
            "reason": reason,
        }
        for i, reason in sorted(reasons.items())
    ]
    return out, log


def _group_reasons(group: list[Row], threshold: int) -> Iterator[tuple[Row, str]]:
    """The figures of one pilot, school year and source to hide, with their reasons."""
    figures: dict[str, Row] = {}
    for one in group:
        figures.setdefault(str(one["metric"]), one)
    primary = {m for m in PEOPLE if m in figures and _small(_num(figures[m]["value"]), threshold)}
    for m in primary:
        yield figures[m], "primary"
    for m, base in MADE_FROM.items():
        if m in figures and base in primary:
            yield figures[m], "secondary"
    cases_n: float | None = None
    r: Row | None
    for m in WILSON:
        r = figures.get(m)
        value = None if r is None else _num(r["value"])
        if r is None or value is None:
            continue
        n = _n(r)
        if m == "cases_no_referral_pct":
            cases_n = n
        if n is not None:
            k = n * value / 100
            if _small(k, threshold) or _small(n - k, threshold) or _small(n, threshold):
                yield r, "secondary"
            elif m in PARTIAL_OF and r.get("label") is not None:
                # a reach over the schools whose count is known (label: "23 of 24 schools"):
                # its k are those reached there, so the count reached leaves those reached at
                # the other schools, a small count of its own
                total = _num(figures.get(PARTIAL_OF[m], {}).get("value"))
                if total is not None and _small(total - k, threshold):
                    yield r, "secondary"
    no_referral = _num(figures.get("cases_no_referral_pct", {}).get("value"))
    for m in (*CASE_SHARES, "median_days_to_referral"):
        r = figures.get(m)
        value = None if r is None else _num(r["value"])
        if r is None or value is None:
            continue
        if cases_n is None:  # no base to check it by
            yield r, "secondary"
            continue
        if m == "median_days_to_referral":  # a median of the referred cases
            k, rest = cases_n * (1 - (no_referral or 0) / 100), float(threshold)
        else:
            k = cases_n * value / 100
            rest = cases_n - k
        if _small(k, threshold) or _small(rest, threshold):
            yield r, "secondary"
    contacts = _num(figures.get("contacts", {}).get("value"))
    for top in (r for r in group if r["metric"] == "top_theme"):
        share = (_num(top["value"]) or 0) / 100
        if contacts is None or "contacts" in primary or _small(contacts * share, threshold):
            yield top, "secondary"


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _n(row: Row) -> float | None:
    low, high, value = _num(row.get("ci_low")), _num(row.get("ci_high")), _num(row["value"])
    if low is None or high is None or value is None:
        return None
    return wilson_n(value, low, high)


def _changes(rows: list[Row], reasons: dict[int, str], threshold: int) -> set[int]:
    """The rows whose change to the year before must be hidden: the figure is hidden in
    either year, or the year before is not in the frame to check it by (its percentage, with
    the change test's chi-square, gives its counts away) unless it is a count shown."""
    if not rows or "previous_value" not in rows[0]:
        return set()
    keys = ("pilot", "metric", "label", "source")
    at = {(*(r.get(k) for k in keys), r.get("school_year")): i for i, r in enumerate(rows)}
    out = set()
    for i, r in enumerate(rows):
        previous = _num(r.get("previous_value"))
        if previous is None:
            continue
        j = at.get((*(r.get(k) for k in keys), r.get("previous_school_year")))
        if i in reasons or (j is not None and j in reasons):
            out.add(i)
        elif j is None and (r["metric"] not in PEOPLE or _small(previous, threshold)):
            percent = r.get("unit") == "%" or r["metric"] == "median_days_to_referral"
            if r["metric"] in PEOPLE or r["metric"] in MADE_FROM or percent:
                out.add(i)
    return out
