"""Reading files ahead on a thread while the caller works on the one before.

Takes jobs and a function that reads one; gives ``(job, future)`` pairs in order
(:class:`read_ahead`).
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

__all__ = ["SMALL_FILE", "read_ahead"]

#: Files smaller than this (bytes) are read ahead without counting towards ``read_ahead``'s
#: depth.
SMALL_FILE = 1 << 20

_Job = TypeVar("_Job")
_Out = TypeVar("_Out")


class read_ahead(Generic[_Job, _Out]):  # noqa: N801 - used like a function
    """Iterate ``(job, future of read(job))`` for each job in order. Reading starts at once
    and stays ``depth`` jobs ahead of the caller, the files read one after the other on a
    thread while the caller works on this one (parsing releases the GIL: the next files are
    read while this one is validated and loaded). With ``size`` (a job's size in bytes),
    only jobs of at least :data:`SMALL_FILE` bytes count towards ``depth``: small files never
    hold up reading the large ones after them. ``future.result()`` gives what ``read``
    returned or raises what it raised. Use it in a ``with`` block: leaving it cancels the
    reads not begun and waits for the one under way."""

    def __init__(
        self,
        jobs: Iterable[_Job],
        read: Callable[[_Job], _Out],
        *,
        depth: int = 1,
        size: Callable[[_Job], int] | None = None,
    ) -> None:
        self._read = read
        self._pending = iter(jobs)
        self._depth = depth
        self._counts = (lambda job: size(job) >= SMALL_FILE) if size else (lambda job: True)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brugdata-read")
        self._ahead: collections.deque[tuple[_Job, Future[_Out], bool]] = collections.deque()
        self._fill(self._depth + 1)

    def _fill(self, limit: int) -> None:
        """Submit jobs while fewer than ``limit`` submitted and not yet taken count."""
        while sum(counts for *_, counts in self._ahead) < limit:
            job = next(self._pending, None)
            if job is None:
                return
            self._ahead.append((job, self._pool.submit(self._read, job), self._counts(job)))

    def __iter__(self) -> Iterator[tuple[_Job, Future[_Out]]]:
        return self

    def __next__(self) -> tuple[_Job, Future[_Out]]:
        if not self._ahead:
            raise StopIteration
        job, future, _ = self._ahead.popleft()
        self._fill(self._depth)
        return job, future

    def __enter__(self) -> read_ahead[_Job, _Out]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Cancel the reads not begun and wait for the one under way."""
        self._pool.shutdown(wait=True, cancel_futures=True)
