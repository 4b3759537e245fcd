"""Themes spread over several columns: ``thema``, ``thema 2``, ``thema 3`` (or ``theme``,
``theme 2``, ...), as the registration template has them, joined into the one themes column.

Takes the frame as read and the table; gives the frame with the numbered theme columns
joined into the first theme column (:func:`join_theme_columns`).
"""

from __future__ import annotations

import re
from dataclasses import replace

import polars as pl

from brugdata.ingest.read import RawTable
from brugdata.model.tables import Table
from brugdata.model.vocab import column_aliases, fold

__all__ = ["join_theme_columns", "join_themes"]

#: a numbered theme header, folded: ``thema_2``, ``theme2``, ``themas_3``
_NUMBERED = re.compile(r"^(?:thema|themas|theme|themes)_?([2-9])$")


def join_theme_columns(data: pl.DataFrame, spec: Table) -> pl.DataFrame:
    """``data`` with its numbered theme columns (``thema 2``, ``thema 3``, ...) joined into
    its theme column with ``|``, in column order: empty cells add nothing, a value already in
    the row is not repeated, and a row with no theme anywhere stays empty (null). The
    numbered columns are dropped. Without numbered columns, or in a table without a themes
    column, ``data`` comes back unchanged. With numbered columns but no plain theme column,
    the joined value goes in a new column named after the first numbered one's base word
    (``thema`` for ``thema 2``)."""
    themes = [c.name for c in spec.columns if c.kind == "themes"]
    if not themes:
        return data
    numbered = [(int(m.group(1)), h) for h in data.columns if (m := _NUMBERED.match(fold(h)))]
    if not numbered:
        return data
    aliases = column_aliases(spec.name)
    main = next(
        (h for h in data.columns if fold(h) == themes[0] or aliases.get(fold(h)) == themes[0]),
        None,
    )
    target = main or re.sub(r"\s*_?[2-9]$", "", numbered[0][1].strip())
    sources = ([main] if main else []) + [h for _, h in sorted(numbered)]
    joined = pl.concat_list(
        [pl.col(h).cast(pl.String).str.strip_chars() for h in sources]
    ).list.eval(pl.element().filter(pl.element().is_not_null() & (pl.element() != "")))
    joined = joined.list.unique(maintain_order=True)
    value = pl.when(joined.list.len() > 0).then(joined.list.join("|"))
    out = data.with_columns(value.alias(target))
    return out.drop([h for h in sources if h != target])


def join_themes(raw: RawTable, spec: Table) -> RawTable:
    """``raw`` with its numbered theme columns joined (:func:`join_theme_columns`)."""
    data = join_theme_columns(raw.data, spec)
    return raw if data is raw.data else replace(raw, data=data)
