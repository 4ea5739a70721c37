"""Spreading per-document work over processes: one worker per core, each with its own Sudachi
tokenizer and pdfminer state, results returned in input order so rows do not depend on how many
workers ran.

Small batches stay in the calling process: starting workers (spawned, so nothing of the caller's
threads or open databases is inherited) costs about a second.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")
R = TypeVar("R")
MIN_ITEMS_PER_WORKER = 8


def worker_count(requested: int) -> int:
    """0 means one per available core."""
    if requested > 0:
        return requested
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def map_in_order(fn: Callable[[T], R], items: Iterable[T], workers: int,
                 on_result: Callable[[int], None] | None = None) -> list[R]:
    """[fn(x) for x in items], over `workers` processes when the batch is big enough.
    `fn` must be a module-level function (it is pickled by name). on_result(i) is called as each
    result arrives, in order (progress)."""
    with Workers(workers) as pool:
        return pool.map(fn, items, on_result)


class Workers:
    """Worker processes kept for a whole step: started (spawned) on the first batch big enough
    to need them, reused by every later batch, stopped on exit. A step that maps chunk after
    chunk pays the start (a second, and each worker's Sudachi dictionary) once, not per chunk."""

    def __init__(self, workers: int):
        self.workers = worker_count(workers)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def map(self, fn: Callable[[T], R], items: Iterable[T], on_result: Callable[[int], None] | None = None) -> list[R]:
        items = list(items)
        workers = min(self.workers, max(1, len(items) // MIN_ITEMS_PER_WORKER))
        if workers <= 1 and self._pool is None:
            return _collect((fn(x) for x in items), on_result)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))
        chunk = max(1, len(items) // (self.workers * 4))
        return _collect(self._pool.map(fn, items, chunksize=chunk), on_result)


def _collect(results: Iterable[R], on_result: Callable[[int], None] | None) -> list[R]:
    collected = []
    for i, result in enumerate(results):
        collected.append(result)
        if on_result is not None:
            on_result(i)
    return collected


def guarded_call(job: tuple[Callable, object]) -> tuple[object, BaseException | None]:
    """(fn(item), None), or (None, the exception) when fn failed on that one item: in a worker
    process an exception would otherwise end the whole map, and with it every other item."""
    fn, item = job
    try:
        return fn(item), None
    except Exception as exc:  # noqa: BLE001 - the caller turns it into that item's rejection
        return None, picklable_error(exc)


def picklable_error(exc: BaseException) -> BaseException:
    """The exception itself when it crosses to another process intact, else a RuntimeError that
    names its class and says its message."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")
