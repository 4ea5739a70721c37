"""Published table `documents`: one row per document with its metadata and normalized text."""

from assets.publishing import per_document_table
from pipeline.core.process import document_row
from schemas.tables import DOCUMENTS

documents = per_document_table(
    DOCUMENTS,
    lambda doc_id, src, norm, settings: [
        document_row(doc_id, src.source_path, src.source_sha256, norm, settings.store.read("structured_fields", doc_id))
    ],
    kinds={"parquet"},
)
