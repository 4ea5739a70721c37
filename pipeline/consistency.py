"""The publication as one whole: after a run that failed (a full disk mid-publish, a killed
process, a refused mass withdrawal), the tables hold exactly the documents the ledger lists as
published. Rows a failed run wrote for documents the ledger does not list are withdrawn from
the bucket files, with their stamps, so the next run does them again; a document the ledger
lists keeps its rows.

Called by `seimei run` when a run fails and by the run-failure sensor for runs the daemon or the
UI launched. No Dagster here.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.planning import PER_DOCUMENT_TABLES
from pipeline.storage import ROWS_HASH_KEY, ParquetPublisher, StageStore


def listed_as_published(publisher: ParquetPublisher) -> set[str]:
    return {r["doc_id"] for r in publisher.ledger_rows(["doc_id", "status"]) if r["status"] == "published"}


def withdraw_from_bucket(store: StageStore, publisher: ParquetPublisher, table: str, bucket: str, gone: set[str],
                         current: pa.Table | None = None) -> None:
    """Rewrite a bucket's file of a table without the rows of the documents in gone (its lineage
    metadata kept; an emptied file is removed) and drop their stamps. current: the file's table,
    when the caller has read it already."""
    current = current if current is not None else publisher.read_bucket(table, bucket)
    if current is not None and gone & set(current.column("doc_id").unique().to_pylist()):
        kept = current.filter(pc.invert(pc.is_in(current.column("doc_id"), value_set=pa.array(sorted(gone), pa.string()))))
        metadata = {k.decode(): v.decode() for k, v in (current.schema.metadata or {}).items()
                    if k.startswith(b"seimei.") and k != ROWS_HASH_KEY.encode()}
        publisher.write_bucket(table, bucket, kept, metadata)
    stamps = store.read_stamps(table, bucket)
    if gone & set(stamps):
        store.write_stamps(table, bucket, {d: s for d, s in stamps.items() if d not in gone})


def withdraw_unlisted(store: StageStore, publisher: ParquetPublisher) -> int:
    """Take every document the ledger does not list as published out of the tables' bucket files
    (and their stamps); returns how many (table, document) pairs went. Only bucket files holding
    such a document are rewritten."""
    listed = listed_as_published(publisher)
    removed = 0
    for table in PER_DOCUMENT_TABLES:
        for bucket, path in publisher.bucket_files(table).items():
            current = publisher.read_file(path)
            unlisted = (set(current.column("doc_id").unique().to_pylist()) | set(store.read_stamps(table, bucket))) - listed
            if unlisted:
                withdraw_from_bucket(store, publisher, table, bucket, unlisted, current)
                removed += len(unlisted)
    return removed
