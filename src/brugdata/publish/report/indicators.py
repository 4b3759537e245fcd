"""The report's indicator section, its data: :func:`brugdata.indicators` per pilot, through
the transform (small-cell protection); :mod:`.indicators_text` lays it out as a table
(docs/indicators.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

__all__ = ["Indicators", "indicator_part"]


@dataclass(frozen=True)
class Indicators:
    """The indicator set per pilot as shown (hidden numerators as ``<10`` or ``x``)."""

    frame: pl.DataFrame


def indicator_part(
    frame: pl.DataFrame, shown: Callable[[str, pl.DataFrame], pl.DataFrame]
) -> Indicators | None:
    """The indicators of the report's pilots and school year (``frame``: :func:`brugdata.
    indicators` by pilot), through ``shown``; None when there are none."""
    if frame.is_empty():
        return None
    return Indicators(shown("indicators", frame))
