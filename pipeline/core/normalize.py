"""The character policy and the joining of wrapped lines into paragraphs.

Character policy (one place, applied to every source):
- full-width ASCII letters and digits (Ａ-Ｚ, ａ-ｚ, ０-９) become half-width;
- the ideographic space (U+3000) and every run of white space inside a line become one space;
- half-width katakana and half-width Japanese punctuation (ｶﾞ, ｡, ｢) become full-width (ガ, 。, 「);
- everything else, Japanese punctuation and full-width symbols (、。「」・（）／：) included, is kept.

Line joining: a line that ran to the margin continues into the next one. Japanese has no spaces
between words, so the two are joined with nothing between them (キャンプデー + ビッド); a space is put
back only between two ASCII (Latin) characters. Every other break is a paragraph break (\n).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from pipeline.core.lines import Line

_FULLWIDTH_ALNUM = {
    **{0xFF10 + i: 0x30 + i for i in range(10)},
    **{0xFF21 + i: 0x41 + i for i in range(26)},
    **{0xFF41 + i: 0x61 + i for i in range(26)},
}
_HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]+")
_SPACES = re.compile(r"\s+")
_ASCII_WORD = re.compile(r"[\x21-\x7e]")


def normalize_chars(text: str) -> str:
    """Apply the character policy to one line."""
    text = text.translate(_FULLWIDTH_ALNUM)
    text = _HALFWIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class JoinedText:
    text: str
    page_starts: tuple[int, ...]  # offsets where a new page's text begins ...
    page_numbers: tuple[int | None, ...]  # ... and that page's number

    def page_at(self, offset: int) -> int | None:
        if not self.page_starts:
            return None
        i = bisect.bisect_right(self.page_starts, offset) - 1
        return self.page_numbers[max(i, 0)]


def join_lines(lines: list[Line]) -> JoinedText:
    parts: list[str] = []
    length = 0
    starts: list[int] = []
    numbers: list[int | None] = []
    previous: Line | None = None
    for line in lines:
        text = normalize_chars(line.text)
        if not text:
            continue
        if previous is not None:
            if previous.continues:
                sep = " " if _ASCII_WORD.match(parts[-1][-1]) and _ASCII_WORD.match(text[0]) else ""
            else:
                sep = "\n"
            parts.append(sep)
            length += len(sep)
        if not numbers or numbers[-1] != line.page:
            starts.append(length)
            numbers.append(line.page)
        parts.append(text)
        length += len(text)
        previous = line
    return JoinedText("".join(parts), tuple(starts), tuple(numbers))
