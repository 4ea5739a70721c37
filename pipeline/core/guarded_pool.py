"""Work on hostile input in worker processes that a deadline and a memory cap really bound.

A timer inside the reading process is not enough: pdfplumber catches every exception of a page
(an alarm's too), and a C loop or a 8 GiB inflate never returns to Python. So each document is
read by a worker process whose address space is capped (RLIMIT_AS: an allocation past the cap is
a MemoryError there, not an OOM kill of the run), and the parent kills a worker whose document
runs past its deadline, or notices one that died, and starts a new one. Either way that one
document gets a reason; the others go on.

Each worker holds its next item while it works on one (QUEUED_PER_WORKER), so it starts the next
the moment it is done, even while the caller is busy with the results (on_result); the deadline
of an item runs from when its worker began it. Results come back in input order, so rows do not
depend on how many workers ran.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Callable, Iterable

START_SECONDS = 120.0  # for a worker to start (imports) on a loaded machine
QUEUED_PER_WORKER = 2  # the item in work and the next


@dataclass(frozen=True)
class Outcome:
    """value when the work returned; otherwise error: why it did not (its exception, the
    deadline, or the worker's death)."""

    value: object = None
    error: str | None = None
    error_kind: str | None = None  # exception class name, "deadline" or "crash"


_HANDED_OVER = Outcome(error="handed to on_result", error_kind="handed over")  # its slot, once it was


def _address_space() -> int:
    """The process's address space now, in bytes (0 where there is no /proc)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _limit_memory(max_memory_mb: int) -> None:
    """The cap on top of what the worker holds once started (its libraries, a tokenizer's
    dictionary mapped by warm_up): what one item may add, whatever the libraries take."""
    if max_memory_mb > 0:
        import resource

        cap = _address_space() + max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _worker(conn, fn: Callable, max_memory_mb: int, warm_up: Callable | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when work stops
    if warm_up is not None:
        warm_up()
    _limit_memory(max_memory_mb)
    conn.send(("ready", None))
    while True:
        try:
            task = conn.recv()
        except EOFError:
            task = None
        if task is None:
            # nothing to flush (every answer is sent whole): ending without tearing the
            # interpreter down saves about a second per worker at the end of every read
            os._exit(0)
        index, item = task
        # with each answer, when it was done (the monotonic clock is the machine's): the next item's
        # deadline runs from then
        try:
            value = fn(item)
            conn.send((index, Outcome(value=value), time.monotonic()))
        except MemoryError:
            conn.send((index, Outcome(error="ran out of memory", error_kind="MemoryError"), time.monotonic()))
        except BaseException as exc:  # noqa: BLE001 - any failure is this item's, not the run's
            try:
                conn.send((index, Outcome(error=str(exc), error_kind=type(exc).__name__), time.monotonic()))
            except Exception:  # the exception itself does not pickle
                conn.send((index, Outcome(error=repr(exc)[:500], error_kind=type(exc).__name__), time.monotonic()))


class _Worker:
    def __init__(self, context, fn: Callable, max_memory_mb: int, warm_up: Callable | None = None):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, fn, max_memory_mb, warm_up), daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.tasks: list[int] = []  # sent, in order: the first is the one in work
        self.started = time.monotonic()  # when the first began (before ready: when the process started)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(5)
        self.kill()


def _death(process) -> str:
    process.join(5)  # reaped: its exit code is known (a sentinel can be ready before it is)
    code = process.exitcode
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        hint = " (the kernel's out-of-memory killer?)" if name == "SIGKILL" else ""
        return f"the worker process was killed by {name}{hint}"
    return f"the worker process exited with status {code}"


def guarded_map(fn: Callable, items: Iterable, workers: int, deadline_seconds: float, max_memory_mb: int,
                on_result: Callable[[int, Outcome], None] | None = None,
                warm_up: Callable[[], None] | None = None) -> list[Outcome]:
    """[Outcome of fn(x) for x in items], each run in a worker process (spawned: nothing of the
    caller's threads or open databases is inherited) under the memory cap and the deadline.
    `fn` must be a module-level function (it is pickled by name). on_result(i, outcome) is called
    for each item as soon as it and every item before it are done, while the workers go on; an
    outcome handed to on_result is not kept (a run's read documents would otherwise all stay in
    memory until the last is read), and the list returned is then empty. warm_up: run by each
    worker as it starts, before the memory cap (which then bounds what one item adds to it)."""
    items = list(items)
    if not items:
        return []
    context = multiprocessing.get_context("spawn")
    results: list[Outcome | None] = [None] * len(items)
    pending = list(range(len(items)))[::-1]  # popped from the end: input order
    pool = [_Worker(context, fn, max_memory_mb, warm_up) for _ in range(max(1, min(workers, len(items))))]
    delivered = 0

    def finish(index: int, outcome: Outcome) -> None:
        results[index] = outcome

    def deliver() -> None:
        nonlocal delivered
        while delivered < len(items) and results[delivered] is not None:
            if on_result is not None:
                outcome, results[delivered] = results[delivered], _HANDED_OVER
                on_result(delivered, outcome)
            delivered += 1

    def replace(worker: _Worker) -> None:
        worker.kill()
        pool[pool.index(worker)] = _Worker(context, fn, max_memory_mb, warm_up)

    def requeue(worker: _Worker) -> None:
        """Items sent to a worker that is gone, behind the one it was on, go to another."""
        pending.extend(reversed(worker.tasks[1:]))
        worker.tasks = []

    try:
        while True:
            for worker in pool:
                while worker.ready and len(worker.tasks) < QUEUED_PER_WORKER and pending:
                    index = pending.pop()
                    if not worker.tasks:
                        worker.started = time.monotonic()
                    worker.tasks.append(index)
                    worker.conn.send((index, items[index]))
            # the caller's work on what came back (on_result) runs while the workers read on
            deliver()
            if delivered == len(items):
                break
            remaining = [w.started + (deadline_seconds if w.ready else START_SECONDS) - time.monotonic()
                         for w in pool if w.tasks or not w.ready]
            timeout = min([5.0, *remaining]) if deadline_seconds > 0 else 5.0
            ready = wait([w.conn for w in pool] + [w.process.sentinel for w in pool], timeout=max(0.01, timeout))
            for worker in list(pool):
                if worker.conn in ready:
                    try:
                        message = worker.conn.recv()
                    except (EOFError, OSError):  # the worker died
                        message = None
                        worker.process.join(5)
                    if message is not None and message[0] == "ready":
                        worker.ready, worker.started = True, time.monotonic()
                        continue
                    if message is not None:
                        index, outcome, finished_at = message
                        worker.tasks.remove(index)
                        finish(index, outcome)
                        if worker.tasks:
                            worker.started = finished_at
                        continue
                if worker.process.sentinel in ready or not worker.process.is_alive():
                    if not worker.ready:
                        raise RuntimeError(f"a worker process could not start: {_death(worker.process)}")
                    if worker.tasks:
                        finish(worker.tasks[0], Outcome(error=_death(worker.process), error_kind="crash"))
                    requeue(worker)
                    replace(worker)
            # deadlines after the results are in: time the caller spent in on_result is not
            # charged to a worker whose answer was already waiting
            now = time.monotonic()
            for worker in list(pool):
                if worker.ready and not worker.tasks:
                    continue  # idle: no clock runs
                limit = deadline_seconds if worker.ready else START_SECONDS
                if limit > 0 and now - worker.started > limit:
                    if worker.tasks:
                        finish(worker.tasks[0], Outcome(error=f"still not done after {deadline_seconds:g} s",
                                                        error_kind="deadline"))
                    elif not worker.ready:
                        raise RuntimeError(f"a worker process did not start in {START_SECONDS:g} s")
                    requeue(worker)
                    replace(worker)
    finally:
        for worker in pool:
            worker.stop()
    return [] if on_result is not None else results  # type: ignore[return-value]

