"""The folders a run reads and writes, as a Dagster resource."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipeline.core.document_meta import DocumentTypeRules
from pipeline.project import REFERENCE_DIR
from pipeline.storage import ParquetPublisher, StageStore


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

    def document_type_rules(self) -> DocumentTypeRules:
        return DocumentTypeRules.load(REFERENCE_DIR / "document_types.json")
