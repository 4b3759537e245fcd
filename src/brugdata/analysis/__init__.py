"""The analyses: one module per question, each a function returning a polars frame (or a
small result object of frames) computed by SQL in DuckDB over the store or frames handed in.

:func:`run` gives every analysis by name as named frames, for the command line and reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from brugdata.sql import Source

__all__ = ["ANALYSES", "run"]


def _reach(source: Source, by: Sequence[str] | None, **kw: Any) -> dict[str, pl.DataFrame]:
    from brugdata.analysis.reach import parents_of_pupil_cases, reach, reach_bands

    return {
        "reach": reach(source, by=list(by or ["pilot"]), **kw),  # type: ignore[arg-type]
        "bands": reach_bands(source, level="school", **kw),
        "bands_by_officer": reach_bands(source, level="officer", **kw),
        "parents_of_pupil_cases": parents_of_pupil_cases(source, by="pilot", **kw),
    }


def _seasonality(source: Source, by: Sequence[str] | None, **kw: Any) -> dict[str, pl.DataFrame]:
    from brugdata.analysis.seasonality import seasonality

    return seasonality(source, by=list(by or ["pilot"]), **kw).frames()  # type: ignore[arg-type]


def _network(source: Source, by: Sequence[str] | None, **kw: Any) -> dict[str, pl.DataFrame]:
    from brugdata.analysis.network import network

    _no_by("network", by)
    return network(source, **kw).frames()


def _time_use(source: Source, by: Sequence[str] | None, **kw: Any) -> dict[str, pl.DataFrame]:
    from brugdata.analysis.time_use import time_use

    groups = list(by or ["officer"])
    if len(groups) != 1:
        raise ValueError("time-use groups by one of: officer, pilot")
    return {"time_use": time_use(source, by=groups[0], **kw)}  # type: ignore[arg-type]


def _compare(source: Source, by: Sequence[str] | None, **kw: Any) -> dict[str, pl.DataFrame]:
    from brugdata.analysis.compare import compare

    _no_by("compare", by)
    return {"compare": compare(source, **kw)}


def _pathways(source: Source, by: Sequence[str] | None, **kw: Any) -> dict[str, pl.DataFrame]:
    from brugdata.analysis.pathways import pathways

    return pathways(source, by=list(by or ["pilot"]), **kw).frames()  # type: ignore[arg-type]


def _survey(source: Source, by: Sequence[str] | None, **kw: Any) -> dict[str, pl.DataFrame]:
    from brugdata.analysis.survey import survey_results

    _no_by("survey", by)
    return survey_results(source, **kw)


def _no_by(name: str, by: Sequence[str] | None) -> None:
    if by:
        raise ValueError(f"{name} does not take --by")


#: name → function(source, by, *, pilots, school_year) giving named frames.
ANALYSES: dict[str, Callable[..., dict[str, pl.DataFrame]]] = {
    "reach": _reach,
    "seasonality": _seasonality,
    "network": _network,
    "time-use": _time_use,
    "compare": _compare,
    "pathways": _pathways,
    "survey": _survey,
}


def run(
    name: str,
    source: Source,
    *,
    by: Sequence[str] | None = None,
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> dict[str, pl.DataFrame]:
    """Run analysis ``name`` (one of :data:`ANALYSES`) and return its frames by name."""
    if name not in ANALYSES:
        raise ValueError(f"unknown analysis {name!r}; choose from: {', '.join(ANALYSES)}")
    return ANALYSES[name](source, by, pilots=pilots or None, school_year=school_year)
