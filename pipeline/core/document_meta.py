"""Document-level metadata read from the normalized text: title, doc_type and the 仮訳 mark.

The title is the heading block: the paragraphs before the first body paragraph (one with a
sentence end 。 or longer than a heading can be), less datelines, bare 仮訳 marks and lines with no
Japanese. Database exports that label their fields (`[文書名] …`, `[備考] 仮訳`, `[全文]`) are read by
label instead. Which words mark which kind of document is reviewed data, not code
(data/reference/document_types.json).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

MAX_HEADING_CHARS = 80
LABELLED_FIELD = re.compile(r"^[\[［【]\s*([^\]］】]+?)\s*[\]］】]\s*(.*)$")  # [文書名] 日米韓首脳会合…
_DATELINE = re.compile(r"^(?:\d{4}\s*年|(?:明治|大正|昭和|平成|令和)\s*(?:\d+|元)\s*年)")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_BARE_MARK = re.compile(r"^[\s(（\[［【]*([^()（）\[\]［］【】]*)[)）\]］】\s]*$")


@dataclass(frozen=True)
class DocumentTypeRules:
    provisional_markers: tuple[str, ...]
    news_markers: tuple[str, ...]
    title_markers: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def load(cls, path: Path) -> "DocumentTypeRules":
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            provisional_markers=tuple(raw["provisional_translation_markers"]),
            news_markers=tuple(raw["news_article"]["text_markers"]),
            title_markers=tuple((t["doc_type"], tuple(t["markers"])) for t in raw["title_markers"]),
        )


@dataclass(frozen=True)
class DocumentMeta:
    title: str | None
    doc_type: str
    is_provisional_translation: bool


def _has(text: str, markers: tuple[str, ...]) -> bool:
    folded = text.casefold()
    return any(m.casefold() in folded for m in markers)


def is_body(paragraph: str) -> bool:
    """The heading block ends at the first paragraph with a sentence end or too long for a heading."""
    return "。" in paragraph or len(paragraph) > MAX_HEADING_CHARS


def heading_block(paragraphs: list[str]) -> list[str]:
    block = []
    for p in paragraphs:
        if is_body(p):
            break
        block.append(p)
    return block


def describe(text: str, rules: DocumentTypeRules, running_lines: list[str] = ()) -> DocumentMeta:
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    block = heading_block(paragraphs)
    labelled = {m.group(1): m.group(2).strip() for p in block if (m := LABELLED_FIELD.match(p))}
    if labelled.get("文書名"):
        title = labelled["文書名"]
    else:
        kept = [
            p for p in block
            if _JAPANESE.search(p) and not _DATELINE.match(p) and not LABELLED_FIELD.match(p)
            and not _is_bare_marker(p, rules.provisional_markers)
        ]
        title = " ".join(kept) or None
    # the marker sits in the heading, in a running header, or in a disclaimer that opens the text
    provisional = any(_has(p, rules.provisional_markers) for p in [*block, *running_lines, *paragraphs[:1]])
    return DocumentMeta(title=title, doc_type=classify(text, title, rules), is_provisional_translation=provisional)


def _is_bare_marker(paragraph: str, markers: tuple[str, ...]) -> bool:
    m = _BARE_MARK.match(paragraph)
    return bool(m) and m.group(1).strip().casefold() in {x.casefold() for x in markers}


def classify(text: str, title: str | None, rules: DocumentTypeRules) -> str:
    if _has(text, rules.news_markers):
        return "news_article"
    for doc_type, markers in rules.title_markers:
        if title and _has(title, markers):
            return doc_type
    return "other"
