"""Sectors a statement covers, from the reviewed taxonomy (data/reference/sectors.json).

Terms and text are compared as Sudachi normalized forms, so spelling variants meet (強靱/強靭,
ＡＩ/AI) — each term is tokenized once with the same tokenizer as the documents. A sentence's
normalized forms are joined into one string and every term searched in it, so a term inside a
longer compound token (先端半導体) still counts; Latin terms (AI, IPEF) must stand alone, not inside
a longer Latin word. Overlapping hits of one sector count once.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

_LATIN = re.compile(r"[a-z0-9]", re.IGNORECASE)


@dataclass(frozen=True)
class Sector:
    sector_id: str
    label_ja: str
    label_en: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class SectorHit:
    sector_id: str
    label_ja: str
    mentions: int
    first_char_start: int


@dataclass(frozen=True)
class TokenView:
    sentence_idx: int
    normalized_form: str
    char_start: int


def token_views(tokens) -> tuple[TokenView, ...]:
    """A document's rows of the tokens table (a pyarrow table, in key order) as the matcher reads them."""
    columns = (tokens.column(name).to_pylist() for name in ("sentence_idx", "normalized_form", "char_start"))
    return tuple(map(TokenView, *columns))


def load_sectors(path: Path) -> list[Sector]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Sector(s["id"], s["label_ja"], s["label_en"], tuple(s["terms"])) for s in raw["sectors"]]


class SectorMatcher:
    def __init__(self, sectors: list[Sector], normalize_term: Callable[[str], str]):
        self.sectors = sectors
        self.patterns: list[tuple[Sector, str]] = []
        for sector in sectors:
            for term in sector.terms:
                key = normalize_term(term).casefold()
                if key:
                    self.patterns.append((sector, key))

    def match(self, tokens: Iterable[TokenView]) -> list[SectorHit]:
        # one string per document, sentence after sentence, a NUL between them (no term crosses
        # it): each term is searched once per document, not once per sentence
        toks = sorted(tokens, key=lambda t: t.sentence_idx)  # stable: token order within a sentence kept
        parts, starts, length, previous = [], [], 0, None
        for t in toks:
            if previous is not None and t.sentence_idx != previous:
                parts.append("\0")
                length += 1
            previous = t.sentence_idx
            starts.append(length)
            form = t.normalized_form.casefold()
            parts.append(form)
            length += len(form)
        joined = "".join(parts)
        # (sentence, first token, last token, char_start); token indices over the document keep
        # the order of (sentence, token) pairs the mention count below relies on
        spans: dict[str, set[tuple[int, int, int, int]]] = {}
        for sector, key in self.patterns:
            for i in _find_all(joined, key):
                end = i + len(key)
                if _LATIN.match(key[0]) and i > 0 and _LATIN.match(joined[i - 1]):
                    continue
                if _LATIN.match(key[-1]) and end < len(joined) and _LATIN.match(joined[end]):
                    continue
                first = bisect.bisect_right(starts, i) - 1
                last = bisect.bisect_right(starts, end - 1) - 1
                spans.setdefault(sector.sector_id, set()).add((toks[first].sentence_idx, first, last, toks[first].char_start))
        hits = []
        for sector in self.sectors:
            found = sorted(spans.get(sector.sector_id, ()))
            if not found:
                continue
            mentions, last = 0, (-1, -1)
            for sentence_idx, first, final, _ in found:
                if (sentence_idx, first) > last:
                    mentions += 1
                last = max(last, (sentence_idx, final))
            hits.append(SectorHit(sector.sector_id, sector.label_ja, mentions, min(f[3] for f in found)))
        return hits


def _find_all(haystack: str, needle: str):
    i = haystack.find(needle)
    while i != -1:
        yield i
        i = haystack.find(needle, i + 1)
