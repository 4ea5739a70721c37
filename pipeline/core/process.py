"""The stages of turning one source file into rows, as plain functions over plain data.

read_source (bytes -> lines with pages), normalize (lines -> text, page map, sentence spans), and
the row builders of the published tables. Each stage's output serializes to JSON so the pipeline
can keep it between Dagster steps without pickles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.decoding import decode_text
from pipeline.core.errors import RejectedInput
from pipeline.core.limits import Limits
from pipeline.core.lines import ExtractedText, Line, text_file_lines
from pipeline.core.markup import plain_text
from pipeline.core.normalize import JoinedText, join_lines
from pipeline.core.pdf_layout import read_pdf
from pipeline.core.sentences import split_sentences
from pipeline.core.source_bytes import read_inside
from pipeline.core.tokenize import tokenize_columns
from pipeline.core.without_pandas import do_without_pandas

if TYPE_CHECKING:  # structure.py imports this module
    from pipeline.core.structure import Structure


def read_source(path: Path, fmt: str, limits: Limits = Limits()) -> ExtractedText:
    """The readable lines of a source file, or RejectedInput with the reason (in this process,
    unbounded in time: the pipeline reads through read_job in a guarded worker)."""
    path = Path(path)
    if fmt in ("pdf", "text"):
        limits.check_size(path.stat().st_size)
    return parse_source(path.read_bytes() if fmt in ("pdf", "text") else b"", fmt, path.suffix or path.name, limits)


def parse_source(data: bytes, fmt: str, suffix: str, limits: Limits) -> ExtractedText:
    """Lines of a source from its bytes (read once: the bytes hashed are the bytes parsed)."""
    if fmt == "pdf":
        if not data:
            raise RejectedInput("empty file: a .pdf with no bytes")
        extracted = read_pdf(data, limits)  # checks the size itself
    elif fmt == "text":
        limits.check_size(len(data))
        decoded = decode_text(data)
        limits.check_text(len(decoded.text))
        extracted = ExtractedText(lines=text_file_lines(plain_text(decoded.text, suffix)), encoding=decoded.encoding)
    else:
        raise RejectedInput(f"unsupported format: '{suffix}' is neither a PDF nor a text file (.txt, .text, .md)")
    limits.check_text(sum(len(ln.text) for ln in extracted.lines))
    return extracted


@dataclass(frozen=True)
class ReadJob:
    """One document to read in a guarded worker: where it is (resolved at scan time), the sha256
    the scan took, its format and the limits."""

    inbox: str
    target: str
    sha256: str | None
    fmt: str
    suffix: str
    limits: Limits


def read_job(job: ReadJob) -> tuple[dict | None, str | None, bool]:
    """For a guarded worker: (extracted JSON, None, False), or (None, reason, transient)."""
    extracted, reason, transient = _read(job)
    return (extracted_to_json(extracted) if extracted is not None else None), reason, transient


def _read(job: ReadJob) -> tuple[ExtractedText | None, str | None, bool]:
    try:
        # an unsupported format is refused by parse_source without its bytes being read
        data = read_inside(job.inbox, job.target, job.sha256, job.limits.max_bytes) if job.fmt in ("pdf", "text") else b""
        return parse_source(data, job.fmt, job.suffix, job.limits), None, False
    except RejectedInput as exc:
        return None, exc.reason, exc.transient


@dataclass(frozen=True)
class ReadAheadJob:
    """A document to read, then to normalize and tokenize in the same worker: the reading
    workers do the CPU-heavy stages in parallel instead of the run's one process."""

    read: ReadJob
    doc_id: str
    prepare: bool  # normalize and tokenize too; False: only read, as read_job


@dataclass(frozen=True)
class PreparedDocument:
    """What a reading worker did beyond reading: the normalized_text stage's result and counts,
    and the document's tokens table (None when it could not be built)."""

    normalized: dict
    counts: dict
    tokens: object = None  # pa.Table of the tokens contract


def normalized_stage(extracted: ExtractedText, limits: Limits) -> tuple["NormalizedText", dict]:
    """The normalized_text stage: a document's extracted text to its normalized text and the
    counts its stamp keeps; RejectedInput when the text is over the limit."""
    norm = normalize(extracted)
    limits.check_text(len(norm.text))
    return norm, {"characters": len(norm.text), "sentences": len(norm.sentences)}


def read_ahead_job(job: ReadAheadJob) -> tuple[dict | None, str | None, bool, PreparedDocument | None]:
    """read_job, then what can be prepared. Any failure past the reading leaves the preparation
    out (None), never the document: the stage's own code does it again and says why."""
    extracted, reason, transient = _read(job.read)
    stored = extracted_to_json(extracted) if extracted is not None else None
    if extracted is None or not job.prepare:
        return stored, reason, transient, None
    try:
        norm, counts = normalized_stage(extracted, job.read.limits)
    except Exception:  # noqa: BLE001 - the normalized_text stage rejects it with the reason
        return stored, reason, transient, None
    try:
        tokens = token_table_job((job.doc_id, job.read.sha256, norm))
    except Exception:  # noqa: BLE001 - the tokens step builds them again and says why
        tokens = None
    return stored, reason, transient, PreparedDocument(norm.to_json(), counts, tokens)


def warm_up_reading_worker() -> None:
    """What read_ahead_job loads the first time it tokenizes (pyarrow, the tokens contract,
    SudachiPy and its dictionary), loaded as the worker starts: the memory cap then bounds
    the reading of a document, not the libraries (pipeline/core/guarded_pool.py). Run in a
    reading worker's own process only (guarded_map's warm_up), which does without pandas
    (pipeline/core/without_pandas.py; nor do pdfplumber and SudachiPy use it)."""
    do_without_pandas()
    norm = normalize(ExtractedText(lines=[Line("日本国政府は声明を発表した。", 1, False)], encoding="utf-8"))
    token_table_job(("0" * 16, "0" * 64, norm))


def token_table_job(job: tuple[str, str, "NormalizedText"]):
    """A document's tokens as an Arrow table of the tokens contract, built in the worker process:
    half a million rows cross back as a few buffers each, not as half a million pickled dicts."""
    from schemas.tables import TOKENS

    doc_id, source_sha256, norm = job
    columns = token_columns(doc_id, norm)
    return TOKENS.table_from_columns({**columns, "source_sha256": [source_sha256] * len(columns["doc_id"])})


def token_columns(doc_id: str, norm: NormalizedText) -> dict[str, list]:
    """The document's tokens column by column (the tokens table without source_sha256)."""
    columns = tokenize_columns(norm.text, norm.sentences)
    return {"doc_id": [doc_id] * len(columns["surface"]), **columns}


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


def document_row(doc_id: str, source_path: str, source_sha256: str, norm: NormalizedText, structure: "Structure") -> dict:
    """The documents row, from the normalized text and the structure extracted from it."""
    return {
        "doc_id": doc_id,
        "source_path": source_path,
        "source_sha256": source_sha256,
        "title": structure.title,
        "doc_type": structure.doc_type,
        "is_provisional_translation": structure.is_provisional_translation,
        "page_count": norm.page_count,
        "text": norm.text,
        "char_count": len(norm.text),
        "meeting_date": dt.date.fromisoformat(structure.meeting_date) if structure.meeting_date else None,
        "place": structure.place,
        "countries": structure.countries,
        "next_meeting_date": dt.date.fromisoformat(structure.next_meeting_date) if structure.next_meeting_date else None,
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
    """The document's tokens row by row: token_columns turned around, so both say the same."""
    columns = token_columns(doc_id, norm)
    return [dict(zip(columns, values)) for values in zip(*columns.values())]
