"""The analyses: one module per question, each a function ``f(data, /, *, by=...,
pilots=None, school_year=None, ...)`` returning a polars frame, or :class:`Frames` of named
frames, computed by SQL in DuckDB over the store or frames handed in (docs/analyses.md).

:data:`ANALYSES` names every public analysis; :func:`run` runs one by name and gives its
frames, with the defaults of the function itself, for the command line and reports.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import Any

import polars as pl

from brugdata.analysis._contract import BY_COLUMNS, AnalysisError, Frames
from brugdata.sql import Source

__all__ = ["ANALYSES", "BY_COLUMNS", "AnalysisError", "Frames", "analysis", "run"]

#: Every public analysis: its name on the command line (``brugdata analyse NAME``) → module
#: and function. Each is also exported by ``brugdata`` under the function's name.
ANALYSES: dict[str, tuple[str, str]] = {
    "reach": ("brugdata.analysis.reach", "reach"),
    "reach-bands": ("brugdata.analysis.reach", "reach_bands"),
    "parents-of-pupil-cases": ("brugdata.analysis.reach", "parents_of_pupil_cases"),
    "seasonality": ("brugdata.analysis.seasonality", "seasonality"),
    "theme-shares": ("brugdata.analysis.themes", "theme_shares"),
    "network": ("brugdata.analysis.network", "network"),
    "time-use": ("brugdata.analysis.time_use", "time_use"),
    "compare": ("brugdata.analysis.compare", "compare"),
    "pathways": ("brugdata.analysis.pathways", "pathways"),
    "cases": ("brugdata.analysis.pathways", "cases"),
    "response": ("brugdata.analysis.survey", "response"),
    "survey": ("brugdata.analysis.survey", "survey_results"),
    "answer-codes": ("brugdata.analysis.answers", "code_counts"),
    "untagged-answers": ("brugdata.analysis.answers", "untagged_answers"),
    "indicators": ("brugdata.analysis.indicators", "indicators"),
}


def analysis(name: str) -> Callable[..., pl.DataFrame | Frames]:
    """The function of analysis ``name`` (a key of :data:`ANALYSES`; ``time_use`` for
    ``time-use`` is fine too)."""
    key = name.replace("_", "-")
    if key == "survey-results":
        key = "survey"
    if key not in ANALYSES:
        raise AnalysisError(f"no analysis {name!r}; choose from: {', '.join(ANALYSES)}")
    module, attr = ANALYSES[key]
    function: Callable[..., pl.DataFrame | Frames] = getattr(import_module(module), attr)
    return function


def run(
    name: str,
    data: Source,
    *,
    by: str | Sequence[str] | None = None,
    source: str | None = None,
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> Frames:
    """Run analysis ``name`` (one of :data:`ANALYSES`) and return its frames by name: those
    of a :class:`Frames` result, or ``{name: frame}`` (``time_use`` for ``time-use``) for one
    frame. ``by`` and ``source`` left None take the function's own defaults; AnalysisError
    (one sentence) for an analysis that has no ``source``."""
    function = analysis(name)
    kw: dict[str, Any] = {"pilots": list(pilots) if pilots else None, "school_year": school_year}
    if by is not None and not isinstance(by, str):
        by = list(by)
        by = by[0] if len(by) == 1 else by
    if by is not None and by != []:
        kw["by"] = by
    if source is not None:
        if "source" not in inspect.signature(function).parameters:
            raise AnalysisError(f"{name} reads the contact log only: it takes no source")
        kw["source"] = source
    result = function(data, **kw)
    if isinstance(result, Frames):
        return result
    key = function.__name__
    return Frames({key: result}, title=key)
