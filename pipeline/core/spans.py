"""Non-overlapping character spans already claimed, kept sorted: whether a new span is free is a
bisection, not a comparison with every earlier one, so extractors stay linear in their mentions."""

from __future__ import annotations

import bisect


class Spans:
    def __init__(self):
        self.starts: list[int] = []
        self.ends: list[int] = []

    def free(self, a: int, b: int) -> bool:
        i = bisect.bisect_right(self.starts, a)
        if i and self.ends[i - 1] > a:  # the span starting at or before a reaches past it
            return False
        return not (i < len(self.starts) and self.starts[i] < b)

    def add(self, a: int, b: int) -> None:
        i = bisect.bisect_right(self.starts, a)
        self.starts.insert(i, a)
        self.ends.insert(i, b)
