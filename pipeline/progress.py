"""Per-document progress of a step, for long runs: a line in the run log every few seconds
(whatever runs the step: `seimei run`, the daemon, a pod), and, when the step runs in the same
process as `seimei run`, a live bar on its terminal through a listener.

Few log lines on purpose: each is an event in Dagster's storage, and one per document would cost
more than some steps' work.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Tick:
    step: str
    done: int
    total: int
    current: str  # the file (or document) just finished


_listener: Callable[[Tick], None] | None = None


def set_listener(listener: Callable[[Tick], None] | None) -> None:
    """Who sees every tick in this process (the CLI's bar); None: nobody."""
    global _listener
    _listener = listener


class Progress:
    """Counts documents through a step; logs at the start, every `log_every` seconds and at the end."""

    def __init__(self, step: str, total: int, log: Callable[[str], None], log_every: float = 5.0,
                 clock: Callable[[], float] = time.monotonic):
        self.step, self.total, self.log, self.log_every, self.clock = step, total, log, log_every, clock
        self.done = 0
        self.started = self.last_logged = clock()
        if total:
            log(f"{step}: {total} document(s) to do")

    def advance(self, current: str) -> None:
        self.done += 1
        if _listener is not None:
            _listener(Tick(self.step, self.done, self.total, current))
        now = self.clock()
        if self.done == self.total:
            self.log(f"{self.step}: {self.done}/{self.total} done in {now - self.started:.1f} s")
        elif now - self.last_logged >= self.log_every:
            self.last_logged = now
            self.log(f"{self.step}: {self.done}/{self.total} ({100 * self.done // max(self.total, 1)} %), "
                     f"last {current}")


class TerminalBar:
    """`seimei run`'s bar: step, files done / total, the current file; redrawn at most 10 times a
    second on a terminal, one plain line every few seconds otherwise (logs, CI)."""

    WIDTH = 24

    def __init__(self, stream, is_terminal: bool, every: float = 0.1, plain_every: float = 5.0,
                 clock: Callable[[], float] = time.monotonic):
        self.stream, self.is_terminal, self.clock = stream, is_terminal, clock
        self.every = every if is_terminal else plain_every
        self.last = float("-inf")
        self.drawn = False

    def __call__(self, tick: Tick) -> None:
        now = self.clock()
        last_of_step = tick.done == tick.total
        if now - self.last < self.every and not last_of_step:
            return
        self.last = now
        filled = self.WIDTH * tick.done // max(tick.total, 1)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        line = f"{tick.step:<17} [{bar}] {tick.done}/{tick.total} {tick.current}"
        if self.is_terminal:
            self.stream.write("\r\x1b[2K" + line[:160])
            self.drawn = True
            if last_of_step:
                self.stream.write("\n")
                self.drawn = False
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False
