"""Writing canonical rows as a pilot's system exports them (``export.toml``).

The Dutch style: Dutch headers and values, ``;``-separated, Windows-1252, CRLF, ``dd-mm-yyyy``
dates and decimal commas; the modern style: canonical English headers and codes, ``,``, UTF-8,
LF and ISO dates.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from brugdata.sample.calibration import ExportStyle, calibration

__all__ = ["ExportStyle", "export_style", "write_table"]


def export_style(name: str) -> ExportStyle:
    """The export style called `name` ("dutch" or "english")."""
    return calibration().export.styles[name]


def _format(table: str, column: str, value: object, style: ExportStyle) -> str:
    """One cell as text in the given export style."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime(style.date_format)
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if style.decimal_comma else text
    vocab = calibration().export.column_vocab.get((table, column))
    mapping = style.values.get(vocab, {}) if vocab else {}
    if isinstance(value, tuple):
        return "|".join(mapping.get(str(v), str(v)) for v in value)
    return mapping.get(str(value), str(value))


def write_table(
    path: Path, table: str, rows: Sequence[Mapping[str, object]], style: ExportStyle
) -> None:
    """Write one table as CSV in the given export style."""
    columns = calibration().export.columns[table]
    headers = style.headers.get(table, {})
    with path.open("w", encoding=style.encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=style.delimiter, lineterminator=style.line_ending)
        writer.writerow([headers.get(column, column) for column in columns])
        for row in rows:
            writer.writerow([_format(table, column, row[column], style) for column in columns])
