"""Source lines: what every reader (PDF or text) hands to normalization.

A line knows its page and whether it *continues*: whether the break after it is only a wrap
(the line ran to the right margin) and not the end of a paragraph or heading.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

# A text file whose typical long line is wider than this was not hard-wrapped by a PDF or an editor.
MAX_WRAP_MEASURE = 160  # display columns (a full-width character counts 2)
WRAP_FILL = 0.85  # a line this close to the measure ran into the margin


@dataclass(frozen=True)
class Line:
    text: str
    page: int | None
    continues: bool


@dataclass
class ExtractedText:
    """A source's readable lines, plus what the reader learned on the way."""

    lines: list[Line]
    encoding: str | None = None
    page_count: int | None = None
    running_lines: list[str] = field(default_factory=list)  # headers/footers removed, deduplicated
    dropped_pages: dict[int, str] = field(default_factory=dict)  # page -> why it gave no text


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _percentile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def text_file_lines(text: str) -> list[Line]:
    """Lines of a decoded text file, each marked as wrapped or not by comparing its width with the
    file's measure (the width most long lines share). Blank lines are dropped: in text pulled from
    PDFs they separate every line, so only width tells a wrap from a paragraph end."""
    raw = [ln.strip() for ln in text.split("\n")]
    widths = [display_width(ln) for ln in raw if ln]
    if not widths:
        return []
    measure = _percentile(widths, 0.9)
    wrapped = measure <= MAX_WRAP_MEASURE and sum(w >= WRAP_FILL * measure for w in widths) >= 0.3 * len(widths)
    lines = []
    for ln in raw:
        if ln:
            lines.append(Line(ln, None, wrapped and display_width(ln) >= WRAP_FILL * measure))
    return lines
