"""The report's indicator table as text: per pilot and indicator the numerator, denominator
and value as shown (hidden ones as ``<10`` or ``x``), the unit, status and source."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from brugdata.publish.report.indicators import Indicators
from brugdata.publish.report.tables import Column, Table
from brugdata.publish.report.texts import Texts, isnum, pilots_in

__all__ = ["indicator_table", "value_text"]

#: How a value of each measure is shown: a share as a percentage, a rate or mean with two
#: decimals, a median of days with one.
_KIND = {"share": "frac1", "rate": "dec2", "mean": "dec2", "median": "dec1"}


def _number(value: Any) -> Any:
    """A count as a table has it (text after protection) back to a number where it is one."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def value_text(row: Mapping[str, Any], tx: Texts) -> str:
    """An indicator's value as the report shows it; a hidden row's marker (``<10``, ``x``)."""
    for column in ("numerator", "denominator"):
        if isinstance(row.get(column), str) and not isnum(_number(row[column])):
            return str(row[column])
    value = row.get("value")
    kind = _KIND.get(str(row.get("measure")), "dec2")
    if kind == "frac1":
        return tx.fmt(None if value is None else 100 * value, "pct")
    return tx.fmt(value, kind)


def _label(row: Mapping[str, Any], tx: Texts) -> str:
    return str(row.get("label_nl" if tx.lang == "nl" else "label_en") or row.get("indicator"))


def _unit(row: Mapping[str, Any], tx: Texts) -> str:
    unit = row.get("unit")
    return tx.t("unit_officer") if unit == "officer" else str(unit or "–")


def indicator_table(part: Indicators, pilots: Sequence[str], tx: Texts) -> Table:
    """Per pilot and indicator: numerator, denominator, value, unit, status and source."""
    rows: list[list[str]] = []
    frame = part.frame
    for pilot in pilots_in(frame, pilots):
        for row in frame.filter(pl.col("pilot") == pilot).to_dicts():
            rows.append(
                [
                    tx.pilot(pilot),
                    _label(row, tx),
                    tx.fmt(_number(row.get("numerator")), "int"),
                    tx.fmt(_number(row.get("denominator")), "int"),
                    value_text(row, tx),
                    _unit(row, tx),
                    tx.t(f"status_{row.get('status')}"),
                    tx.t("from_survey" if row.get("source") == "questionnaire" else "source_log"),
                ]
            )
    columns = [
        Column(tx.col("pilot")),
        Column(tx.col("indicator")),
        Column(tx.col("numerator"), True),
        Column(tx.col("denominator"), True),
        Column(tx.col("value"), True),
        Column(tx.col("unit")),
        Column(tx.col("status")),
        Column(tx.col("source")),
    ]
    return Table("indicators", tx.t("tab_indicators"), columns, rows, [tx.t("indicators_note")])
