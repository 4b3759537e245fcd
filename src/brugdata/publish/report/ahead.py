"""The report's analyses worked out ahead, on background threads with connections of their
own, while the page is built from those already done.

A report runs a dozen analyses (DuckDB, which releases the GIL) and, between them, protects
their tables and draws their charts (Python). :class:`Ahead` runs the analyses submitted
(in the order the sections take them) on two worker threads, each with its own cursor of
the store; :meth:`Ahead.result` hands a section its result when it is there. So the
sections' queries run beside compare over every school year (the key figures and the trend,
which the first section waits for), and the protection and charts of one section beside the
queries of the next. Only the analyses move: every table is still protected and every chart
drawn in the main thread, in page order (the protection of a table depends on what the
tables before it hid).

While the workers run, each query gets its share of DuckDB's threads (the store's setting,
by default one per core, divided by the workers): two queries side by side on one thread
each take less CPU than each on both threads in turn (compare over every school year of the
10M-contact store: 4.5 CPU-seconds on one thread, 5.3 on two), and the report is short of
CPU on two cores. The longest analysis, compare over every school year, has its two longest
parts (the parents of pupil cases and the pathways' outcomes over every year) worked out on
the other worker beside it (:func:`~brugdata.publish.report.trend.every_year_parts`), so the
first section waits about half as long.

On the 10M-contact benchmark store (2 cores) the report took 5.2 s and 5.7 s in two runs of
bench/run.py on 6 December (the shared machine's speed varies by a third between runs).
With the workers' queries on every thread and compare over every year in one piece it took
6.0–6.5 s, against 5.0–5.5 s (interleaved runs; the network chart and the year's parts
taken from every year's were made faster at the same time).

A source that is not a store opened read-only (a connection, frames, a store that may be
inside a transaction, whose uncommitted rows a second connection would not see), or
``workers=0``, takes the plain serial path: each analysis runs when it is asked for.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Any

import duckdb

from brugdata.sql import Connected

__all__ = ["Ahead", "ahead"]

Analysis = Callable[..., Any]


def _key(function: Analysis, kw: dict[str, Any]) -> Hashable:
    """One call of an analysis: the function and its keyword arguments."""
    return (function, repr(sorted(kw.items())))


class Ahead:
    """Analyses of one source submitted ahead (:meth:`submit`) and taken when needed
    (:meth:`result`); with no workers every call runs when taken."""

    def __init__(self, source: Any, workers: int = 0) -> None:
        self.source = source
        self._pool = ThreadPoolExecutor(workers) if workers else None
        self._futures: dict[Hashable, Future[Any]] = {}
        self._local = threading.local()
        self._connections: list[duckdb.DuckDBPyConnection] = []
        # DuckDB's threads for each query, shared out between the workers while they run
        # (see the module's docstring); the setting is given back on :meth:`close`
        self._threads: int | None = None
        if workers:
            row = source.con.execute("SELECT current_setting('threads')").fetchall()
            self._threads = int(row[0][0])
            source.con.execute(f"SET threads = {max(1, self._threads // workers)}")

    @property
    def threaded(self) -> bool:
        """Whether submitted analyses are worked out on a background thread."""
        return self._pool is not None

    def _connection(self) -> duckdb.DuckDBPyConnection:
        """The worker thread's own connection to the store (one connection is not safe to
        use from two threads at once)."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = self.source.con.cursor()
            self._connections.append(con)
        return con

    def _run(self, function: Analysis, kw: dict[str, Any]) -> Any:
        return function(self._connection(), **kw)

    def submit(self, function: Analysis, **kw: Any) -> None:
        """Start ``function(source, **kw)`` in the background (nothing on the serial path)."""
        key = _key(function, kw)
        if self._pool is None or key in self._futures:
            return
        # the caller's context (one reading of the store) goes along to the thread
        context = contextvars.copy_context()
        self._futures[key] = self._pool.submit(context.run, partial(self._run, function, kw))

    def result(self, function: Analysis, **kw: Any) -> Any:
        """``function(source, **kw)``: the result worked out ahead, or worked out now."""
        future = self._futures.pop(_key(function, kw), None)
        if future is None:
            return function(self.source, **kw)
        return future.result()

    def close(self) -> None:
        """Stop the background work (waiting for the analyses running) and close its
        connections."""
        if self._pool is not None:
            for future in self._futures.values():
                future.cancel()
            self._pool.shutdown(wait=True)
        for con in self._connections:
            con.close()
        if self._threads is not None:
            self.source.con.execute(f"SET threads = {self._threads}")


@contextmanager
def ahead(source: Any, *, workers: int = 2) -> Iterator[Ahead]:
    """An :class:`Ahead` of ``source`` with ``workers`` threads when it is a store opened
    read-only, else none."""
    if not (isinstance(source, Connected) and getattr(source, "read_only", False)):
        workers = 0
    work = Ahead(source, workers)
    try:
        yield work
    finally:
        work.close()
