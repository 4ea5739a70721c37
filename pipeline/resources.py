"""The folders a run reads and writes, as a Dagster resource."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from functools import lru_cache

from pipeline.core.limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES, DEFAULT_MAX_READ_SECONDS, Limits
from pipeline.core.officials import OfficialsExtractor
from pipeline.core.reference import ReferenceData
from pipeline.core.sectors import SectorMatcher
from pipeline.core.tokenize import tokenize_sentences
from pipeline.project import REFERENCE_DIR
from pipeline.storage import ParquetPublisher, StageStore


@lru_cache(maxsize=1)
def reference_data() -> ReferenceData:
    return ReferenceData.load(REFERENCE_DIR)


@lru_cache(maxsize=1)
def officials_extractor() -> OfficialsExtractor:
    return OfficialsExtractor(reference_data().gazetteer)


def _normalized_term(term: str) -> str:
    return "".join(t.normalized_form for t in tokenize_sentences(term, [(0, len(term))]))


@lru_cache(maxsize=1)
def sector_matcher() -> SectorMatcher:
    """Taxonomy terms tokenized once per process with the documents' own tokenizer."""
    return SectorMatcher(reference_data().sectors, _normalized_term)


class SeimeiSettings(dg.ConfigurableResource):
    """inbox_dir: where statement files land (read recursively); publish_dir: where Parquet goes;
    max_file_mb / max_pages: a file over either is rejected unread; max_read_seconds: a file that
    takes longer to read is rejected (a malformed PDF must not hang the run); workers: processes
    for the heavy per-document work (0: one per core)."""

    inbox_dir: str
    publish_dir: str
    max_file_mb: float = DEFAULT_MAX_BYTES / (1024 * 1024)
    max_pages: int = DEFAULT_MAX_PAGES
    max_read_seconds: float = DEFAULT_MAX_READ_SECONDS
    workers: int = 0  # processes for reading and tokenizing; 0: one per core

    @property
    def limits(self) -> Limits:
        return Limits(max_bytes=int(self.max_file_mb * 1024 * 1024), max_pages=self.max_pages,
                      max_read_seconds=self.max_read_seconds)

    @property
    def inbox(self) -> Path:
        return Path(self.inbox_dir)

    @property
    def store(self) -> StageStore:
        return StageStore(self.publish_dir)

    @property
    def publisher(self) -> ParquetPublisher:
        return ParquetPublisher(self.publish_dir)
