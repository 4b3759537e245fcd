"""The report's indicator section, its data: :func:`brugdata.indicators` per pilot, through
the transform (small-cell protection); :mod:`.indicators_text` lays it out as a table
(docs/indicators.md)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from brugdata.store.store import Store

__all__ = ["Indicators", "indicator_part"]


@dataclass(frozen=True)
class Indicators:
    """The indicator set per pilot as shown (hidden numerators as ``<10`` or ``x``)."""

    frame: pl.DataFrame


def indicator_part(
    store: Store,
    kw: Mapping[str, Any],
    shown: Callable[[str, pl.DataFrame], pl.DataFrame],
) -> Indicators | None:
    """The indicators of the report's pilots and school year (``kw``), through ``shown``;
    None when there are none."""
    from brugdata.analysis.indicators import indicators

    frame = indicators(store, by="pilot", **kw)
    if frame.is_empty():
        return None
    return Indicators(shown("indicators", frame))
