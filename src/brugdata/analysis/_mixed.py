"""Mixed stores: ``source="auto"`` per pilot. Where the selection holds pilots that log
contacts and pilots that only have a questionnaire, an analysis with a questionnaire variant
gives the log's rows for the first and the questionnaire's for the second, one frame with its
``source`` column saying which is which (never zeros for a pilot that keeps no log)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import duckdb
import polars as pl

from brugdata.analysis._contract import (
    AnalysisError,
    Frames,
    _pilots,
    check_selection,
    has_survey,
    logged_pilots,
)
from brugdata.sql import connect
from brugdata.store.derived import one_reading

__all__ = ["per_pilot_source", "split_sources"]

F = TypeVar("F", bound=Callable[..., Any])


def split_sources(
    con: duckdb.DuckDBPyConnection, pilots: Sequence[str] | None, school_year: str | None
) -> tuple[list[str], list[str]] | None:
    """(pilots with logged contacts, pilots with only questionnaire answers) of the selection
    in ``school_year``, when it holds both kinds; else None."""
    chosen = list(pilots) if pilots else _pilots(con)
    with_log = logged_pilots(con, school_year)
    logged = [p for p in chosen if p in with_log]
    answered = [p for p in chosen if p not in logged and has_survey(con, [p], school_year)]
    return (logged, answered) if logged and answered else None


def _concat(first: Any, second: Any) -> Any:
    if isinstance(first, Frames):
        return Frames(
            {
                name: pl.concat([first[name], second[name]], how="diagonal_relaxed")
                if name in second
                else first[name]
                for name in first
            },
            title=first.title,
            meta=first.meta,
        )
    return pl.concat([first, second], how="diagonal_relaxed")


def per_pilot_source(function: F) -> F:
    """Give ``function`` (an analysis with ``source``) the per-pilot ``"auto"`` of a mixed
    selection: the log for the pilots that log, the questionnaire for the others (when the
    questionnaire cannot group by the ``by`` asked, the log's rows alone), as one reading
    (:func:`~brugdata.store.derived.one_reading`)."""

    @functools.wraps(function)
    @one_reading()
    def wrapper(data: Any, /, **kw: Any) -> Any:
        if kw.get("source", "auto") != "auto":
            return function(data, **kw)
        con = connect(data)
        check_selection(con, kw.get("pilots"), kw.get("school_year"))
        split = split_sources(con, kw.get("pilots"), kw.get("school_year"))
        if split is None:
            return function(con, **kw)
        logged, answered = split
        first = function(con, **{**kw, "source": "log", "pilots": logged})
        try:
            second = function(con, **{**kw, "source": "survey", "pilots": answered})
        except AnalysisError:  # a `by` the questionnaire does not have
            return first
        return _concat(first, second)

    return wrapper  # type: ignore[return-value]
