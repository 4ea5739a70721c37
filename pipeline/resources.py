"""The folders a run reads and writes, as a Dagster resource."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from functools import lru_cache

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
    """inbox_dir: where statement files land (read recursively); publish_dir: where Parquet goes."""

    inbox_dir: str
    publish_dir: str

    @property
    def inbox(self) -> Path:
        return Path(self.inbox_dir)

    @property
    def store(self) -> StageStore:
        return StageStore(self.publish_dir)

    @property
    def publisher(self) -> ParquetPublisher:
        return ParquetPublisher(self.publish_dir)
