"""Sentence spans of a normalized text: a sentence ends after 。！？ (or ! ? before a space), with
any closing brackets that follow, or at a paragraph break. Spans never include surrounding spaces."""

from __future__ import annotations

import re

_END = re.compile(r"(?:[。！？]|[!?](?=\s|$))[」』）)\]】〕”’]*")


def split_sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    offset = 0
    for paragraph in text.split("\n"):
        cuts = [m.end() for m in _END.finditer(paragraph)]
        start = 0
        for end in [*cuts, len(paragraph)]:
            _add_trimmed(paragraph, start, end, offset, spans)
            start = end
        offset += len(paragraph) + 1
    return spans


def _add_trimmed(paragraph: str, start: int, end: int, offset: int, spans: list[tuple[int, int]]) -> None:
    while start < end and paragraph[start].isspace():
        start += 1
    while end > start and paragraph[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((offset + start, offset + end))
