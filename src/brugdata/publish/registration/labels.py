"""Column titles in Dutch and English and Dutch descriptions, from the shipped
``column_labels.toml``: the headers of the template and the titles of the codebook."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from brugdata.model.tables import Column, table
from brugdata.model.vocab import Lang, load_data_toml

__all__ = ["ColumnLabel", "column_label"]


@dataclass(frozen=True)
class ColumnLabel:
    """A column's titles and descriptions in Dutch and English."""

    nl: str
    en: str
    description_nl: str
    description_en: str

    def title(self, lang: Lang) -> str:
        """The title in ``lang``."""
        return self.nl if lang == "nl" else self.en

    def description(self, lang: Lang) -> str:
        """The description in ``lang``."""
        return self.description_nl if lang == "nl" else self.description_en


@cache
def _labels() -> dict[str, dict[str, dict[str, str]]]:
    return load_data_toml("column_labels.toml")


def column_label(table_name: str, column: str) -> ColumnLabel:
    """The labels of ``column`` of ``table_name``: the table's own entry, else the ``[all]``
    entry; a column with neither gets its name as title and its English description."""
    col: Column = table(table_name).column(column)
    raw = _labels()
    entry = raw.get(table_name, {}).get(column) or raw.get("all", {}).get(column) or {}
    return ColumnLabel(
        nl=entry.get("nl", column),
        en=entry.get("en", column.replace("_", " ")),
        description_nl=entry.get("description", col.description),
        description_en=col.description,
    )
