"""The rows of the per-document tables, each a pure function of one document's typed stage
results (DocumentInputs). Each table's spec in schemas/tables.py names its builder and what it is
built from (its upstream); the asset that publishes the table fills exactly those inputs. No
Dagster, no files: a builder can be called in a test, or in a worker process."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.core.process import NormalizedText, document_row, sentence_rows, token_rows
from pipeline.core.sectors import TokenView
from pipeline.core.structure import Structure


@dataclass(frozen=True)
class DocumentInputs:
    """One document's typed stage results: `structure` when the table is built from
    structured_fields, `tokens` (the document's published tokens) when from tokens."""
    doc_id: str
    source_path: str
    source_sha256: str
    normalized: NormalizedText
    structure: Structure | None = None
    tokens: tuple[TokenView, ...] | None = None


def documents_rows(x: DocumentInputs) -> list[dict]:
    return [document_row(x.doc_id, x.source_path, x.source_sha256, x.normalized, x.structure)]


def sentences_rows(x: DocumentInputs) -> list[dict]:
    return sentence_rows(x.doc_id, x.normalized)


def tokens_rows(x: DocumentInputs) -> list[dict]:
    return token_rows(x.doc_id, x.normalized)


def dates_rows(x: DocumentInputs) -> list[dict]:
    return [{"doc_id": x.doc_id, **row, "date": dt.date.fromisoformat(row["date"])} for row in x.structure.dates]


def officials_rows(x: DocumentInputs) -> list[dict]:
    return [{"doc_id": x.doc_id, **row} for row in x.structure.officials]


def sectors_rows(x: DocumentInputs) -> list[dict]:
    from pipeline.core.reference_loaders import sector_matcher

    joined = x.normalized.joined()
    return [
        {"doc_id": x.doc_id, "sector_id": h.sector_id, "label_ja": h.label_ja, "mentions": h.mentions,
         "first_char_start": h.first_char_start, "page": joined.page_at(h.first_char_start)}
        for h in sector_matcher().match(x.tokens or ())
    ]
