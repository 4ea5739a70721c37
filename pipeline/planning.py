"""Deciding what a run has to do, from the inbox and what the publish folder already holds.

A document is done when it was rejected, or published to every per-document table, under the
current pipeline fingerprint. Everything else in the inbox is pending. No Dagster here: the CLI,
the sensor and the schedule all ask the same questions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pipeline.core.inbox import InboxFile, first_of_each_document
from pipeline.core.limits import Limits
from pipeline.rejections import rejection_is_final
from pipeline.rejections import stamp as rejection_stamp
from pipeline.storage import ParquetPublisher, StageStore

PER_DOCUMENT_TABLES = ("documents", "sentences", "tokens", "dates", "officials", "sectors")
REPORT_STAMP = ("report", "corpus_report")  # stage and key of the corpus report's stamp


def is_done(store: StageStore, doc_id: str, fingerprint: str, limits: Limits = Limits()) -> bool:
    rejected = rejection_stamp(store, doc_id)
    if rejected is not None:
        return rejection_is_final(rejected, fingerprint, limits)
    stamps = [store.read(t, doc_id) for t in PER_DOCUMENT_TABLES]
    return all(s is not None and s.get("fingerprint") == fingerprint for s in stamps)


def pending_documents(files: list[InboxFile], store: StageStore, fingerprint: str,
                      limits: Limits = Limits()) -> list[str]:
    return [doc_id for doc_id in first_of_each_document(files) if not is_done(store, doc_id, fingerprint, limits)]


def ledger_is_current(files: list[InboxFile], publisher: ParquetPublisher) -> bool:
    """True when the published ledger lists exactly these files with these hashes."""
    path = publisher.ledger_path()
    if not publisher.exists(path):
        return False
    ledger = publisher.read_file(path, columns=["source_path", "source_sha256"]).to_pylist()
    return {(r["source_path"], r["source_sha256"]) for r in ledger} == {(f.source_path, f.source_sha256) for f in files}


def ledger_identity(publisher: ParquetPublisher) -> str | None:
    """Which write of the ledger is published: a hash of its rows hash and lineage (which names
    the run that wrote it); None when there is no ledger."""
    path = publisher.ledger_path()
    if not publisher.exists(path):
        return None
    metadata = publisher.read_file(path, columns=["source_path"]).schema.metadata or {}
    digest = hashlib.sha256()
    for key in (b"seimei.rows_sha256", b"seimei.lineage"):
        digest.update(key + b"=" + metadata.get(key, b"") + b"\n")
    return digest.hexdigest()[:16]


def report_is_current(store: StageStore, publisher: ParquetPublisher) -> bool:
    """True when the corpus report was built from the ledger now published. The report runs
    after the ledger in the same run; when it failed, or the ledger was rewritten without it,
    the next run must redo it even though no document is pending."""
    stamp = store.read(*REPORT_STAMP)
    return stamp is not None and stamp.get("ledger") == ledger_identity(publisher)


def keys_in_range(partition_order: list[str], first: str, last: str) -> list[str]:
    """The partition keys from first to last, both included (a run's range); empty when either is
    not a known key."""
    if first not in partition_order or last not in partition_order:
        return []
    return partition_order[partition_order.index(first): partition_order.index(last) + 1]


def contiguous_blocks(pending: list[str], partition_order: list[str], max_size: int = 0) -> list[tuple[str, str]]:
    """Pending keys as (first, last) ranges of consecutive partitions, so each range is one run;
    with max_size, no range holds more than that many documents (runs to spread over machines)."""
    wanted = set(pending)
    blocks: list[tuple[str, str]] = []
    start = prev = None
    size = 0
    for key in partition_order:
        if key in wanted and not (max_size and size == max_size):
            start = start or key
            prev = key
            size += 1
            continue
        if start is not None:
            blocks.append((start, prev))
            start, size = None, 0
        if key in wanted:  # the block was full: this key starts the next one
            start, prev, size = key, key, 1
    if start is not None:
        blocks.append((start, prev))
    return blocks


@dataclass(frozen=True)
class Plan:
    files: list[InboxFile]
    new_partitions: list[str]
    pending: list[str]
    ledger_current: bool
    report_current: bool = True

    @property
    def nothing_to_do(self) -> bool:
        return not self.pending and self.ledger_current and self.report_current
