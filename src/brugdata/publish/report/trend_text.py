"""The trend section as text: the table of the pilots' figures per school year and the
sentences on the change in the latest year."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from brugdata.publish.report.tables import Column, Table
from brugdata.publish.report.texts import Texts, isnum, pilots_in
from brugdata.publish.report.trend import TREND_METRICS, Trend

__all__ = ["trend_readings", "trend_table"]

_KIND = {"%": "pct", "n/h": "dec2", "h": "int", "n": "int", "d": "dec1"}


def _label(metric: str, label: Any, tx: Texts) -> str:
    """The figure's name, a theme's label after it."""
    from brugdata.analysis.compare import METRICS
    from brugdata.model.vocab import themes

    name = METRICS[metric][0 if tx.lang == "nl" else 1] if metric in METRICS else metric
    if metric == "top_theme" and label is not None:
        name = f"{name}: {themes().label(str(label), tx.lang)}"
    return name


def _rows(t: Trend, pilots: Sequence[str]) -> list[tuple[str, str, Any, dict[str, dict[str, Any]]]]:
    """(pilot, metric, label, year → row) in pilot and figure order."""
    # (pilot, metric) → label → year → row, the labels in the frame's order
    found: dict[tuple[Any, Any], dict[Any, dict[str, dict[str, Any]]]] = {}
    for r in t.frame.to_dicts():
        by_label = found.setdefault((r["pilot"], r["metric"]), {})
        by_label.setdefault(r["label"], {})[str(r["school_year"])] = r
    return [
        (pilot, metric, label, by_year)
        for pilot in pilots_in(t.frame, pilots)
        for metric in TREND_METRICS
        for label, by_year in found.get((pilot, metric), {}).items()
    ]


def _value(row: dict[str, Any] | None, kind: str, tx: Texts) -> str:
    if row is None:
        return "–"
    if row.get("suppressed") is not None:
        return str(row["suppressed"])
    return tx.fmt(row.get("value"), kind)


def _change(years: Sequence[str], by_year: dict[str, dict[str, Any]]) -> tuple[Any, Any]:
    """(latest − previous, p-value) from the values as shown: None where either is hidden."""
    if len(years) < 2:
        return None, None
    now, before = by_year.get(years[-1]), by_year.get(years[-2])
    if now is None or before is None:
        return None, None
    a, b = now.get("value"), before.get("value")
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return None, None
    if not (isnum(a) and isnum(b)) or now.get("suppressed") or before.get("suppressed"):
        return None, None
    return a - b, now.get("change_p_value")


def trend_table(t: Trend, pilots: Sequence[str], tx: Texts) -> Table:
    """Figures as rows (per pilot), school years as columns, then the change in the latest
    year and the test of that change."""
    from brugdata.analysis.compare import METRICS

    rows: list[list[str]] = []
    notes: list[str] = []
    for pilot, metric, label, by_year in _rows(t, pilots):
        kind = _KIND.get(METRICS[metric][2] if metric in METRICS else "", "dec1")
        change, p = _change(t.years, by_year)
        sign = "+" if isnum(change) and change > 0 else ""
        name = _label(metric, label, tx)
        if label is not None and metric != "top_theme":  # over the schools with a count
            name += " *"
            if not notes:
                notes.append("* " + tx.t("trend_partial_note"))
        rows.append(
            [
                tx.pilot(pilot),
                name,
                *[_value(by_year.get(y), kind, tx) for y in t.years],
                sign + tx.fmt(change, "dec2" if kind == "dec2" else "dec1"),
                tx.fmt(p, "p") if isnum(p) else "",
            ]
        )
    columns = [
        Column(tx.col("pilot")),
        Column(tx.col("figure")),
        *[Column(y, numeric=True) for y in t.years],
        Column(tx.t("trend_change", year=t.years[-1]), numeric=True),
        Column(tx.t("trend_test"), numeric=True),
    ]
    return Table("compare", tx.t("tab_trend"), columns, rows, notes)


def trend_readings(t: Trend, pilots: Sequence[str], tx: Texts) -> list[str]:
    """Per pilot the change in each share between the last two years, with its test."""
    items = []
    for pilot, metric, label, by_year in _rows(t, pilots):
        change, p = _change(t.years, by_year)
        if change is None or metric == "top_theme" or not isnum(p):
            continue
        verdict = tx.r("significant" if p < 0.05 else "not_significant")
        items.append(
            tx.r(
                "trend",
                pilot=tx.pilot(pilot),
                figure=_label(metric, label, tx),
                before=_value(by_year.get(t.years[-2]), "pct", tx),
                year_before=t.years[-2],
                now=_value(by_year.get(t.years[-1]), "pct", tx),
                year=t.years[-1],
                verdict=verdict,
                p=tx.fmt(p, "p"),
            )
        )
    return items
