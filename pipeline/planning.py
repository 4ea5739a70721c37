"""Deciding what a run has to do, from the inbox and what the publish folder already holds.

A document is done when it was rejected for good, or every per-document table holds it under
that table's current fingerprint (pipeline/versions.py). A bucket needs a run when it has a
document that is not done, or when a table still holds rows of a document that is no longer in
the inbox. What is known comes from one stamp file per table per bucket and one listing of the
rejections: never a read per document. No Dagster here: the CLI, the sensor and the schedule
all ask the same questions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from pipeline import rejections
from pipeline.buckets import bucket_keys, by_bucket
from pipeline.core.inbox import InboxFile, first_of_each_document
from pipeline.core.limits import Limits
from pipeline.rejections import rejection_is_final
from pipeline.storage import ParquetPublisher, StageStore
from pipeline.versions import code_version, pipeline_fingerprint, stage_fingerprint
from schemas.tables import PUBLISHED_TABLES

PER_DOCUMENT_TABLES = tuple(name for name, contract in PUBLISHED_TABLES.items() if contract.per_document)
REPORT_STAMP = ("report", "corpus_report")  # stage and key of the corpus report's stamp
MANIFEST = ("inbox", "manifest")  # stage and key of the last scan of the inbox


def manifest_id(files: list[InboxFile]) -> str:
    return hashlib.sha256(json.dumps(sorted((f.source_path, f.source_sha256, f.size_bytes) for f in files)).encode()).hexdigest()[:16]


_MANIFEST_READ: dict[str, tuple[tuple, list[InboxFile], str | None]] = {}  # path -> (file identity, files, id)


def read_manifest_files(store: StageStore) -> tuple[list[InboxFile], str | None]:
    """The last scan's files and its id (none before the first scan). Every step of a run reads
    the scan it was planned from: a local manifest is parsed once per process while its inode,
    size and mtime stay the same (a rewrite is atomic, so it is a new inode), not once per step
    (10,000 entries took 0.1 s a step)."""
    path = store.path(*MANIFEST)
    identity = store.location.local_identity(path)
    cached = _MANIFEST_READ.get(path)
    if identity is not None and cached is not None and cached[0] == identity:
        return list(cached[1]), cached[2]
    raw = store.read(*MANIFEST)
    if raw is None:
        return [], None
    files = [InboxFile(**f) for f in raw["files"]]
    _MANIFEST_READ.clear()  # one publication's manifest at a time
    if identity is not None:
        _MANIFEST_READ[path] = (identity, files, raw.get("id"))
    return list(files), raw.get("id")


def write_manifest(store: StageStore, inbox: str, files: list[InboxFile]) -> str:
    identity = manifest_id(files)
    store.write(*MANIFEST, {"inbox": inbox, "id": identity, "files": [asdict(f) for f in files]})
    return identity


def final_rejections(store: StageStore, doc_ids, limits: Limits = Limits()) -> set[str]:
    """The documents among doc_ids whose rejection stands (one listing, a read per rejected one)."""
    fingerprint = pipeline_fingerprint()
    return {d for d, found in rejections.stamps_among(store, doc_ids).items()
            if rejection_is_final(found, fingerprint, limits)}


def table_stamps(store: StageStore, buckets) -> dict[str, dict[str, dict[str, dict]]]:
    """{table: {bucket: {doc_id: stamp}}} for the given buckets."""
    return {t: {b: store.read_stamps(t, b) for b in buckets} for t in PER_DOCUMENT_TABLES}


def work_to_do(files: list[InboxFile], store: StageStore, limits: Limits = Limits()) -> tuple[list[str], list[str]]:
    """(pending documents, buckets that need a run), in order."""
    grouped = by_bucket(first_of_each_document(files))
    stamped = {b for t in PER_DOCUMENT_TABLES for b in store.stamped_buckets(t)}
    buckets = sorted(set(grouped) | stamped)
    stamps = table_stamps(store, buckets)
    final = final_rejections(store, [d for docs in grouped.values() for d in docs], limits)
    current = {t: stage_fingerprint(t) for t in PER_DOCUMENT_TABLES}
    pending, dirty = [], set()
    for b in buckets:
        docs = grouped.get(b, [])
        for d in docs:
            if d in final:
                continue
            if not all(stamps[t][b].get(d, {}).get("fingerprint") == current[t] for t in PER_DOCUMENT_TABLES):
                pending.append(d)
                dirty.add(b)
        inbox_now = set(docs) - final
        if any(set(stamps[t][b]) - inbox_now for t in PER_DOCUMENT_TABLES):
            dirty.add(b)  # rows of a document gone from the inbox (deleted, edited) or now rejected
    order = {k: i for i, k in enumerate(bucket_keys())}
    return pending, sorted(dirty, key=lambda b: order.get(b, len(order)))


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


def report_stamp(publisher: ParquetPublisher) -> dict:
    """What the corpus report is built from: the ledger now published and the report's code."""
    return {"ledger": ledger_identity(publisher), "code_version": code_version("corpus_report")}


def report_is_current(store: StageStore, publisher: ParquetPublisher) -> bool:
    """True when the corpus report was built from the ledger now published, by the report's
    current code. The report runs after the ledger in the same run; when it failed, the ledger
    was rewritten without it, or a new release changed the page, the next run redoes it even
    though no document is pending."""
    return store.read(*REPORT_STAMP) == report_stamp(publisher)


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
    pending: list[str]
    buckets: list[str] = field(default_factory=list)  # the buckets a run must do
    ledger_current: bool = True
    report_current: bool = True
    manifest: str | None = None  # the id of the scan the plan was made from

    @property
    def nothing_to_do(self) -> bool:
        return not self.buckets and self.ledger_current and self.report_current
