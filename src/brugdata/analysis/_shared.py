"""Results shared by the analyses of one report: inside :func:`shared_results` a part that
two analyses work out alike (reach per pilot for the reach section and the indicators, reach
per school for the reach chart and the reach bands, the parents of pupil cases for the reach
section and the indicators) is worked out once: about 0.5 s of DuckDB work less in the report
of the 10M-contact benchmark store. A part asked for one school year is taken from the same
part over every school year when the block holds that (:func:`shared_by_year`: compare over
every year, for the trend, has reach per pilot, the parents of pupil cases and the pathways'
outcomes of every year; the sections ask for the report's year): another 0.6 CPU-seconds.

Outside the block every call works its part out: a store can change between two calls.
Inside it, nothing may write to the store (as inside
:func:`~brugdata.store.derived.one_reading`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import duckdb
    import polars as pl

__all__ = ["shared", "shared_by_year", "shared_results"]

T = TypeVar("T")


class _Held:
    """The results of one block, and a lock per key."""

    def __init__(self) -> None:
        self.results: dict[Hashable, object] = {}
        self.locks: dict[Hashable, threading.Lock] = {}
        self.lock = threading.Lock()


#: The results of the open block by key, and a lock per key (so that a part asked for by two
#: threads at once is worked out by one while the other waits); None outside the block.
_RESULTS: ContextVar[_Held | None] = ContextVar("brugdata_shared_results", default=None)


@contextmanager
def shared_results() -> Iterator[None]:
    """A block (one report of one store) in which :func:`shared` keeps what it works out;
    threads started with a copy of the block's context share it."""
    token = _RESULTS.set(_RESULTS.get() or _Held())
    try:
        yield
    finally:
        _RESULTS.reset(token)


def shared(key: Hashable, work: Callable[[], T]) -> T:
    """``work()``, or inside :func:`shared_results` what it gave for ``key`` before (the
    same frame: never change it in place)."""
    held = _RESULTS.get()
    if held is None:
        return work()
    with held.lock:
        lock = held.locks.setdefault(key, threading.Lock())
    with lock:
        if key not in held.results:
            held.results[key] = work()
        return held.results[key]  # type: ignore[return-value]


#: A part of an analysis worked out from a connection, the key columns, the pilots (None:
#: every pilot) and the school year (None: every year).
Part = Callable[
    ["duckdb.DuckDBPyConnection", list[str], Sequence[str] | None, str | None], "pl.DataFrame"
]


def shared_by_year(
    name: str,
    part: Part,
    con: duckdb.DuckDBPyConnection,
    keys: list[str],
    pilots: Sequence[str] | None,
    school_year: str | None,
) -> pl.DataFrame:
    """``part(con, keys, pilots, school_year)``, shared (:func:`shared`) under ``name``, the
    keys, the pilots and the school year; for one school year, inside
    :func:`shared_results`, the rows of that year of the part for every school year when the
    block holds it or is working it out (then it waits for it). ``part`` must give a frame
    with a ``school_year`` column whose rows of one year are those it gives for that year
    alone, in the same order: a figure of a year depends on that year only, and the frame is
    sorted by the same columns whatever the years in it."""
    import polars as pl

    key = (name, tuple(keys), tuple(pilots or ()))
    held = _RESULTS.get()
    if held is not None and school_year is not None:
        every = (*key, None)
        with held.lock:
            lock = held.locks.get(every)
        if lock is not None:
            with lock:  # worked out by now, unless it failed
                frame = held.results.get(every)
            if frame is not None:
                return frame.filter(pl.col("school_year") == school_year)  # type: ignore[attr-defined]
    return shared((*key, school_year), lambda: part(con, keys, pilots, school_year))
