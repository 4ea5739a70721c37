"""The publication's layout, brought up to date before a run plans or works: a publish folder of
an earlier version (one Parquet file per document, in `meeting_year=<YYYY>/` folders or flat),
or one laid out for another bucket count ($SEIMEI_BUCKETS changed), is rewritten as one file per
bucket per table, with nothing lost: every row of every document moves, with its stamp.

Order makes it safe to kill: the bucket files and their stamps are written first, the old files
removed last; a document found in both (a migration cut short) keeps its bucket rows. No Dagster.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.buckets import bucket_count, bucket_keys, bucket_of
from pipeline.planning import PER_DOCUMENT_TABLES
from pipeline.storage import ParquetPublisher, StageStore
from pipeline.versions import pipeline_fingerprint, stage_fingerprint
from schemas.tables import PUBLISHED_TABLES

LAYOUT = ("layout", "current")  # stage and key of what the layout is
LAYOUT_VERSION = 2
PER_DOCUMENT_STAGES = ("extracted_text", "normalized_text", "structured_fields")


def ensure_layout(store: StageStore, publisher: ParquetPublisher) -> dict[str, int] | None:
    """Re-lay the publication out when it is not one file per current bucket; returns what moved
    ({table: documents}), or None when it already was."""
    n = bucket_count()
    wanted = {"version": LAYOUT_VERSION, "buckets": n}
    legacy = {t: publisher.legacy_files(t) for t in PER_DOCUMENT_TABLES}
    valid = set(bucket_keys(n))
    foreign = {t: [b for b in publisher.bucket_files(t) if b not in valid] for t in PER_DOCUMENT_TABLES}
    recorded = store.read(*LAYOUT)
    if not any(legacy.values()) and (recorded == wanted or (recorded is None and not any(foreign.values())
                                                            and not any(publisher.bucket_files(t) for t in PER_DOCUMENT_TABLES))):
        if recorded != wanted:
            store.write(*LAYOUT, wanted)
        return None
    regroup = recorded is not None and recorded.get("buckets") != n
    moved = {t: _relayout_table(store, publisher, t, legacy[t], n, regroup) for t in PER_DOCUMENT_TABLES}
    _carry_stage_stamps(store, publisher, n)
    store.write(*LAYOUT, wanted)
    return moved


def _relayout_table(store: StageStore, publisher: ParquetPublisher, table: str, legacy: list[str], n: int,
                    regroup: bool) -> int:
    """Move one table's rows into its bucket files; returns how many documents moved."""
    rows: dict[str, list[pa.Table]] = {}  # new bucket -> tables
    stamps: dict[str, dict[str, dict]] = {}
    in_buckets: set[str] = set()
    old_buckets = publisher.bucket_files(table)
    old_stamp_buckets = store.stamped_buckets(table)
    for bucket, path in old_buckets.items():
        t = publisher.read_file(path)
        old_stamps = store.read_stamps(table, bucket)
        if not regroup and bucket in set(bucket_keys(n)):
            in_buckets.update(old_stamps)
            rows.setdefault(bucket, []).append(t)
            stamps.setdefault(bucket, {}).update(old_stamps)
            continue
        for doc_id in t.column("doc_id").unique().to_pylist():
            b = bucket_of(doc_id, n)
            rows.setdefault(b, []).append(t.filter(pc.equal(t.column("doc_id"), doc_id)))
            if doc_id in old_stamps:
                stamps.setdefault(b, {})[doc_id] = old_stamps[doc_id]
            in_buckets.add(doc_id)
    moved = 0
    current, fingerprint = stage_fingerprint(table), pipeline_fingerprint()

    def legacy_stamp(doc_id: str) -> dict:
        """A document published under the code of today stays done; anything else is redone."""
        old = store.read(table, doc_id) or {}
        mark = current if old.get("fingerprint") == fingerprint else old.get("fingerprint")
        return {"fingerprint": mark, "rows": old.get("rows"), "run": "migrated"}

    for path in legacy:
        doc_id = path.rsplit("/", 1)[-1][: -len(".parquet")]
        if doc_id in in_buckets:  # moved already by a migration that was cut short
            continue
        b = bucket_of(doc_id, n)
        rows.setdefault(b, []).append(publisher.read_file(path))
        stamps.setdefault(b, {})[doc_id] = legacy_stamp(doc_id)
        moved += 1
    for doc_id in store.keys(table):  # a legacy stamp of a document whose file holds no rows
        b = bucket_of(doc_id, n)
        if doc_id not in in_buckets and doc_id not in stamps.get(b, {}):
            stamps.setdefault(b, {})[doc_id] = legacy_stamp(doc_id)
    for b in set(stamps) - set(rows):
        rows[b] = []
    for b, parts in rows.items():
        contract = PUBLISHED_TABLES[table]
        merged = pa.concat_tables(parts, promote_options="default") if parts else contract.arrow_schema().empty_table()
        merged = merged.sort_by([(k, "ascending") for k in contract.key])
        publisher.write_bucket(table, b, merged, {"seimei.lineage": "{\"migrated\": true}"})
        store.write_stamps(table, b, stamps.get(b, {}))
    valid = set(rows)
    for b, path in old_buckets.items():
        if b not in valid:
            publisher.location.delete(path)
    for b in old_stamp_buckets:
        if b not in valid:
            store.write_stamps(table, b, {})
    for path in legacy:
        publisher.location.delete(path)
    for folder in sorted({path.rsplit("/", 1)[0] for path in legacy} - {publisher.table_dir(table)}):
        publisher.location.remove_empty_folder(folder)
    for doc_id in store.keys(table):
        store.delete(table, doc_id)
    return moved


def _carry_stage_stamps(store: StageStore, publisher: ParquetPublisher, n: int) -> None:
    """A document every table holds under today's code was read, normalized and structured under
    it too (its results are in _work): stamp those stages so it is not read again."""
    by_table = {t: {} for t in PER_DOCUMENT_TABLES}
    for t in PER_DOCUMENT_TABLES:
        for b in store.stamped_buckets(t):
            by_table[t].update(store.read_stamps(t, b))
    done = [d for d in by_table["documents"]
            if all(by_table[t].get(d, {}).get("fingerprint") == stage_fingerprint(t) for t in PER_DOCUMENT_TABLES)]
    for stage in PER_DOCUMENT_STAGES:
        stamps: dict[str, dict[str, dict]] = {}
        for d in done:
            if store.read_bytes(stage, d) is not None:
                stamps.setdefault(bucket_of(d, n), {})[d] = {"fingerprint": stage_fingerprint(stage), "run": "migrated"}
        for b in set(store.stamped_buckets(stage)) | set(stamps):
            store.write_stamps(stage, b, stamps.get(b, {}))
