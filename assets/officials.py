"""Published table `officials`: every mention of a named official, resolved against the gazetteer."""

from assets.publishing import per_document_table
from schemas.tables import OFFICIALS

officials = per_document_table(
    OFFICIALS,
    lambda doc_id, src, norm, settings: [
        {"doc_id": doc_id, **row} for row in settings.store.read("structured_fields", doc_id)["officials"]
    ],
    kinds={"parquet"},
)
