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
from dataclasses import dataclass, field
from functools import cached_property
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
    news_sources: tuple[str, ...] = ()
    byline_markers: tuple[str, ...] = ()
    press_endings: tuple[str, ...] = ()
    body_markers: dict = field(default_factory=dict)  # doc_type -> phrases of its body

    @classmethod
    def load(cls, path: Path) -> "DocumentTypeRules":
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        news = raw["news_article"]
        return cls(
            provisional_markers=tuple(raw["provisional_translation_markers"]),
            news_markers=tuple(news["text_markers"]),
            title_markers=tuple((t["doc_type"], tuple(t["markers"])) for t in raw["title_markers"]),
            news_sources=tuple(news.get("sources", ())),
            byline_markers=tuple(news.get("byline_markers", ())),
            press_endings=tuple(news.get("press_style_endings", ())),
            body_markers={t["doc_type"]: tuple(t["body_markers"]) for t in raw["title_markers"] if t.get("body_markers")},
        )

    @cached_property
    def dateline(self) -> re.Pattern:
        """A news source named in a bracketed dateline or credit: 【北京時事】, [北京 28日 ロイター],
        【新華社北京8月22日】, [時事通信社], ワシントン(CNN)."""
        names = "|".join(re.escape(n) for n in sorted(self.news_sources, key=len, reverse=True)) or "(?!)"
        return re.compile(rf"[【\[［(（][^】\]］)）\n]{{0,24}}(?:{names})[^】\]］)）\n]{{0,16}}[】\]］)）]", re.IGNORECASE)


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


NEWS_LEAD_CHARS = 400  # where a dateline stands: the first lines
NEWS_TAIL_CHARS = 120  # where a credit stands: the last line
HEADLESS_LEAD_CHARS = 200  # a text with no heading of its own: its first sentence stands for it


def classify(text: str, title: str | None, rules: DocumentTypeRules) -> str:
    """The document type by the order of evidence in data/reference/document_types.json."""
    if (_has(text, rules.news_markers) or _has(text[:NEWS_LEAD_CHARS], rules.byline_markers)
            or rules.dateline.search(text[:NEWS_LEAD_CHARS]) or rules.dateline.search(text[-NEWS_TAIL_CHARS:])
            or _has(text, rules.press_endings)):
        return "news_article"
    heading = title or text[:HEADLESS_LEAD_CHARS].split("。", 1)[0]
    for doc_type, markers in rules.title_markers:
        if _has(heading, markers) or _has(text, rules.body_markers.get(doc_type, ())):
            return doc_type
    return "other"
