"""The publication as one whole: after a run that failed (a full disk mid-publish, a killed
process, a refused mass withdrawal), the tables hold exactly the documents the ledger lists as
published. Files a failed run wrote for documents the ledger does not list are withdrawn, with
their stamps, so the next run does them again; a document the ledger lists keeps its files.

Called by `seimei run` when a run fails and by the run-failure sensor for runs the daemon or the
UI launched. No Dagster here.
"""

from __future__ import annotations

from pipeline.planning import PER_DOCUMENT_TABLES
from pipeline.storage import ParquetPublisher, StageStore


def listed_as_published(publisher: ParquetPublisher) -> set[str]:
    return {r["doc_id"] for r in publisher.ledger_rows(["doc_id", "status"]) if r["status"] == "published"}


def withdraw_unlisted(store: StageStore, publisher: ParquetPublisher) -> int:
    """Remove every per-document file (and its stamp) of a document the ledger does not list as
    published; returns how many files went."""
    listed = listed_as_published(publisher)
    removed = 0
    for table in PER_DOCUMENT_TABLES:
        for doc_id, path in publisher.doc_files(table).items():
            if doc_id not in listed:
                publisher.location.delete(path)
                store.delete(table, doc_id)
                removed += 1
    return removed
