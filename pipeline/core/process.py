"""The stages of turning one source file into rows, as plain functions over plain data.

read_source (bytes -> lines with pages), normalize (lines -> text, page map, sentence spans), and
the row builders of the published tables. Each stage's output serializes to JSON so the pipeline
can keep it between Dagster steps without pickles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.core.decoding import decode_text
from pipeline.core.errors import RejectedInput
from pipeline.core.limits import Limits
from pipeline.core.lines import ExtractedText, Line, text_file_lines
from pipeline.core.markup import plain_text
from pipeline.core.normalize import JoinedText, join_lines
from pipeline.core.pdf_layout import read_pdf
from pipeline.core.sentences import split_sentences
from pipeline.core.tokenize import tokenize_sentences


def read_source(path: Path, fmt: str, limits: Limits = Limits()) -> ExtractedText:
    """The readable lines of a source file, or RejectedInput with the reason."""
    with limits.time_limit():
        return _read_source(Path(path), fmt, limits)


def _read_source(path: Path, fmt: str, limits: Limits) -> ExtractedText:
    if fmt == "pdf":
        if path.stat().st_size == 0:
            raise RejectedInput("empty file: a .pdf with no bytes")
        return read_pdf(path, limits)
    if fmt == "text":
        limits.check_size(path.stat().st_size)
        decoded = decode_text(path.read_bytes())
        return ExtractedText(lines=text_file_lines(plain_text(decoded.text, path.suffix)), encoding=decoded.encoding)
    raise RejectedInput(
        f"unsupported format: '{path.suffix or path.name}' is neither a PDF nor a text file (.txt, .text, .md)"
    )


def read_outcome(job: tuple[str, str, Limits]) -> tuple[dict | None, str | None]:
    """read_source for a worker process: (extracted JSON, None) or (None, rejection reason)."""
    path, fmt, limits = job
    try:
        return extracted_to_json(read_source(Path(path), fmt, limits)), None
    except RejectedInput as exc:
        return None, exc.reason


def token_rows_job(job: tuple[str, "NormalizedText"]) -> list[dict]:
    """token_rows for a worker process."""
    doc_id, norm = job
    return token_rows(doc_id, norm)


def extracted_to_json(x: ExtractedText) -> dict:
    return {
        "lines": [[ln.text, ln.page, ln.continues] for ln in x.lines],
        "encoding": x.encoding,
        "page_count": x.page_count,
        "running_lines": list(x.running_lines),
        "dropped_pages": {str(k): v for k, v in x.dropped_pages.items()},
    }


def extracted_from_json(d: dict) -> ExtractedText:
    return ExtractedText(
        lines=[Line(t, p, c) for t, p, c in d["lines"]],
        encoding=d["encoding"],
        page_count=d["page_count"],
        running_lines=list(d["running_lines"]),
        dropped_pages={int(k): v for k, v in d["dropped_pages"].items()},
    )


@dataclass
class NormalizedText:
    text: str
    page_starts: list[int]
    page_numbers: list[int | None]
    sentences: list[tuple[int, int]]
    running_lines: list[str] = field(default_factory=list)
    page_count: int | None = None
    dropped_pages: dict[str, str] = field(default_factory=dict)  # page number (as text, for JSON) -> why

    def joined(self) -> JoinedText:
        return JoinedText(self.text, tuple(self.page_starts), tuple(self.page_numbers))

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> "NormalizedText":
        return cls(**{**d, "sentences": [tuple(s) for s in d["sentences"]]})


def normalize(extracted: ExtractedText) -> NormalizedText:
    joined = join_lines(extracted.lines)
    if not joined.text.strip():
        raise RejectedInput("no readable text: nothing is left after removing headers, footers and white space")
    return NormalizedText(
        text=joined.text,
        page_starts=list(joined.page_starts),
        page_numbers=list(joined.page_numbers),
        sentences=split_sentences(joined.text),
        running_lines=list(extracted.running_lines),
        page_count=extracted.page_count,
        dropped_pages={str(k): v for k, v in sorted(extracted.dropped_pages.items())},
    )


def document_row(doc_id: str, source_path: str, source_sha256: str, norm: NormalizedText, structure: dict) -> dict:
    """The documents row; `structure` is Structure.to_json() of the same text."""
    return {
        "doc_id": doc_id,
        "source_path": source_path,
        "source_sha256": source_sha256,
        "title": structure["title"],
        "doc_type": structure["doc_type"],
        "is_provisional_translation": structure["is_provisional_translation"],
        "page_count": norm.page_count,
        "text": norm.text,
        "char_count": len(norm.text),
        "meeting_date": dt.date.fromisoformat(structure["meeting_date"]) if structure["meeting_date"] else None,
        "place": structure["place"],
        "countries": structure["countries"],
        "next_meeting_date": dt.date.fromisoformat(structure["next_meeting_date"]) if structure.get("next_meeting_date") else None,
        "running_lines": list(norm.running_lines),
        "dropped_pages": [{"page": int(p), "reason": r} for p, r in sorted(norm.dropped_pages.items(), key=lambda kv: int(kv[0]))],
    }


def sentence_rows(doc_id: str, norm: NormalizedText) -> list[dict]:
    joined = norm.joined()
    return [
        {"doc_id": doc_id, "sentence_idx": i, "text": norm.text[s:e], "char_start": s, "char_end": e, "page": joined.page_at(s)}
        for i, (s, e) in enumerate(norm.sentences)
    ]


def token_rows(doc_id: str, norm: NormalizedText) -> list[dict]:
    # field by field: dataclasses.asdict deep-copies every value and cost more than tokenizing
    return [
        {"doc_id": doc_id, "sentence_idx": t.sentence_idx, "token_idx": t.token_idx, "surface": t.surface,
         "normalized_form": t.normalized_form, "dictionary_form": t.dictionary_form, "reading_form": t.reading_form,
         "pos": t.pos, "char_start": t.char_start, "char_end": t.char_end}
        for t in tokenize_sentences(norm.text, norm.sentences)
    ]
