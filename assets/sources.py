"""Published table `sources`: the ledger of every inbox file, published, rejected or duplicate.

Runs after the per-document tables. It also takes back what is not published: a table's rows of
a document another table rejected after they were written leave its bucket file here (a file
deleted or edited from the inbox leaves with its bucket's next rewrite, which the planning asks
for).
"""


import hashlib
import json

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from assets.inbox import read_manifest
from assets.publishing import CHECK_NAME, check_result, content_version, file_metadata, write_validation_result
from pipeline import rejections
from pipeline.automation import RANGE_END, RANGE_START
from pipeline.buckets import bucket_of, buckets_in_range, by_bucket
from pipeline.consistency import withdraw_from_bucket
from pipeline.core.inbox import first_of_each_document
from pipeline.planning import PER_DOCUMENT_TABLES, table_stamps
from pipeline.preview import PREVIEW_LIMIT, documents_preview
from pipeline.project import OWNERS
from pipeline.removal_guard import MassRemoval, check_withdrawal
from pipeline.resources import SeimeiSettings
from pipeline.storage import ParquetPublisher, StageStore
from pipeline.table_metadata import column_schema, definition_metadata
from pipeline.core.shorten import shorten
from pipeline import validation_service
from pipeline.versions import code_version, pipeline_fingerprint
from schemas.tables import SOURCES


REJECTIONS_CHECK = "no_rejected_files"
REJECTED_TAG = "seimei/rejected_files"


@dg.asset(
    deps=["inbox_files", *PER_DOCUMENT_TABLES],
    code_version=code_version("sources"),
    group_name="publish",
    kinds={"parquet"},
    owners=OWNERS,
    metadata=definition_metadata(SOURCES),
    description=SOURCES.description,
    check_specs=[
        dg.AssetCheckSpec(CHECK_NAME, asset="sources", description="Great Expectations suite expectations/sources.json"),
        dg.AssetCheckSpec(REJECTIONS_CHECK, asset="sources", description=(
            "Warns while any inbox file is rejected: the run goes on without it (its reason is in the ledger), "
            "so the UI must not show it as a success.")),
    ],
)
def sources(context: dg.AssetExecutionContext, settings: SeimeiSettings) -> dg.MaterializeResult:
    store, publisher = settings.store, settings.publisher
    files = read_manifest(settings)
    try:  # before anything is withdrawn: an empty or wrong inbox must not take the publication back
        check_withdrawal(files, publisher, str(settings.inbox), settings.max_removal_share, settings.allow_mass_removal)
    except MassRemoval as exc:
        raise dg.Failure(str(exc)) from None
    originals = first_of_each_document(files)
    mine, removed = _run_buckets(context), 0
    for _attempt in range(LEDGER_ATTEMPTS):  # bucket runs at once: the last ledger written sees every one
        _, published_ids, held = _published(store, originals)
        removed += withdraw_documents(store, publisher, {t: {b: s for b, s in by_b.items() if mine is None or b in mine}
                                                         for t, by_b in held.items()}, published_ids)
        state = publication_state(store)
        ledger, rows, awaiting, published_ids, held = _build_ledger(store, files, originals)
        ledger_hash = publisher.write(publisher.ledger_path(), ledger, file_metadata(context, SOURCES, {
            "input_sha256": sorted({f.source_sha256 for f in files if f.source_sha256}),
        }))
        if publication_state(store) == state:
            break
        context.log.info("another run changed the tables while the ledger was written: writing it again")
    temporaries = publisher.location.remove_stale_temporaries()
    if temporaries:
        context.log.info(f"removed {len(temporaries)} temporary files left by killed runs")
    if awaiting:
        context.log.warning(f"{len(awaiting)} inbox files have not been processed yet and are not in the ledger: {awaiting}")
    report = validation_service.validate("sources", ledger)
    counts = {s: sum(r["status"] == s for r in rows) for s in ("published", "rejected", "duplicate")}
    # on the run itself (the runs list shows tags): how many inbox files stand rejected after it
    context.instance.add_run_tags(context.run.run_id, {REJECTED_TAG: str(counts["rejected"])})
    files = write_validation_result(settings, report, context.run.run_id)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": ledger.num_rows,
            "dagster/uri": dg.MetadataValue.path(publisher.table_uri("sources")),
            "dagster/column_schema": column_schema(SOURCES),
            **counts,
            "awaiting_processing": len(awaiting),
            "stale_files_removed": removed,
            "stale_temporaries_removed": len(temporaries),
            "rejections": dg.MetadataValue.md(_rejections_markdown(rows)),
            "buckets": ledger_buckets(rows),
            "preview": dg.MetadataValue.md(_run_preview(context, settings, published_ids, held)),
            "validation_results": dg.MetadataValue.path(files.results),
            "data_docs": dg.MetadataValue.url(files.data_docs),
        },
        check_results=[check_result(report, data_docs=files.data_docs), rejections_check(rows)],
        data_version=dg.DataVersion(content_version([ledger_hash])),
    )


MAX_LISTED = 100


def rejections_check(rows: list[dict]) -> dg.AssetCheckResult:
    """WARN (yellow in the UI, and in "Failed" check filters) while the ledger holds rejected
    files: a run with a file turned away is green otherwise. Lists them with their reasons."""
    rejected = [r for r in rows if r["status"] == "rejected"]
    listed = rejected[:MAX_LISTED]
    return dg.AssetCheckResult(
        check_name=REJECTIONS_CHECK,
        passed=not rejected,
        severity=dg.AssetCheckSeverity.WARN,
        description=_rejections_sentence(rejected, len(rows)) if rejected else "every inbox file is published or a duplicate",
        metadata={
            "rejected": len(rejected),
            "files": dg.MetadataValue.md(_rejections_markdown(listed) + (
                f"\n\n… and {len(rejected) - len(listed)} more (the sources table, status = 'rejected')"
                if len(rejected) > len(listed) else "")),
        },
    )


NAMED_IN_SENTENCE = 3


def _rejections_sentence(rejected: list[dict], files: int) -> str:
    """What the check says at a glance: how many, and the first files by name with their reasons."""
    named = "; ".join(f"{r['source_path']} ({_short_reason(r['reason'])})" for r in rejected[:NAMED_IN_SENTENCE])
    more = f"; and {len(rejected) - NAMED_IN_SENTENCE} more" if len(rejected) > NAMED_IN_SENTENCE else ""
    return f"{len(rejected)} of {files} inbox files are rejected: {named}{more}"


def _short_reason(reason: str | None, limit: int = 80) -> str:
    return shorten((reason or "no reason recorded").splitlines()[0], limit)


LEDGER_ATTEMPTS = 5


def ledger_buckets(rows: list[dict]) -> dg.MetadataValue:
    """Files per bucket and what became of them, for the whole ledger: the partitions view shows a
    bucket materialized, this says how many documents it holds and how many of its files were
    turned away. A file never read (no sha256) has no bucket and counts under "-"."""
    counts: dict[str, dict[str, int]] = {}
    for r in rows:
        key = r.get("doc_id") or (r.get("source_sha256") or "")[:16]
        bucket = bucket_of(key) if key else "-"
        entry = counts.setdefault(bucket, {"files": 0, "published": 0, "rejected": 0, "duplicate": 0})
        entry["files"] += 1
        entry[r["status"]] += 1
    return dg.MetadataValue.table(
        records=[dg.TableRecord({"bucket": b, **c}) for b, c in sorted(counts.items())],
        schema=dg.TableSchema(columns=[dg.TableColumn("bucket", "string"), *(
            dg.TableColumn(name, "int") for name in ("files", "published", "rejected", "duplicate"))]),
    )


def publication_state(store: StageStore) -> str:
    """A hash of what the ledger is built from besides the inbox: every table's bucket stamps and
    the list of rejections. Unchanged across the ledger's writing means no other run moved it."""
    digest = hashlib.sha256()
    for table in ("extracted_text", *PER_DOCUMENT_TABLES):
        for bucket in store.stamped_buckets(table):
            digest.update(f"{table}/{bucket}".encode() + (store.read_bytes(f"stamps/{table}", bucket) or b"-"))
    digest.update(json.dumps(sorted(store.keys(rejections.REJECTED_STAGE))).encode())
    return digest.hexdigest()


def _run_buckets(context: dg.AssetExecutionContext) -> set[str] | None:
    """The buckets of this run's range (None for a ledger-only run: every bucket). The ledger
    takes documents back only from those: another run may be filling the others right now."""
    first, last = context.run.tags.get(RANGE_START), context.run.tags.get(RANGE_END)
    mine = set(buckets_in_range(first, last)) if first and last else set()
    return mine or None


def _published(store: StageStore, originals):
    """(rejection stamps of the inbox's documents, the published doc_ids, every table's stamps)."""
    fingerprint = pipeline_fingerprint()
    stamps = rejections.stamps_among(store, originals)
    held = table_stamps(store, sorted({b for t in PER_DOCUMENT_TABLES for b in store.stamped_buckets(t)}))
    in_documents = {d for bucket in held["documents"].values() for d in bucket}
    published_ids = {d for d in originals if d in in_documents and not rejections.decided_under(stamps.get(d), fingerprint)}
    return stamps, published_ids, held


def _build_ledger(store: StageStore, files, originals):
    """(ledger table, its rows, files awaiting processing, published doc_ids, table stamps)."""
    stamps, published_ids, held = _published(store, originals)
    read = {d: s for b in by_bucket(originals) for d, s in store.read_stamps("extracted_text", b).items()}
    rows, awaiting = [], []
    for f in files:
        doc_id = f.doc_id
        rejected = stamps.get(doc_id) if doc_id else None
        read_stamp = read.get(doc_id) if doc_id else None
        encoding = read_stamp.get("encoding") if read_stamp else None
        # A PDF's encoding is None in its stamp: only a stamp without the key (written before
        # encodings were kept in it) sends us to the stored text, or every run would read every
        # PDF's text again (6 s at N = 10,000).
        if doc_id in published_ids and (read_stamp is None or "encoding" not in read_stamp):
            encoding = (store.read("extracted_text", doc_id) or {}).get("encoding")
        row = {
            "source_path": f.source_path,
            "source_sha256": f.source_sha256,
            "size_bytes": f.size_bytes,
            "format": f.format,
            "encoding": encoding,
        }
        if f.skipped is not None:
            row.update(status="rejected", doc_id=None, reason=f.skipped)
            rows.append(row)
            continue
        original = originals[doc_id]
        if original.source_path != f.source_path:
            row.update(status="duplicate", doc_id=None if rejected else doc_id,
                       reason=f"same bytes as {original.source_path}"
                              + (f", which was rejected: {rejected['reason']}" if rejected else ""))
        elif rejected is not None:
            row.update(status="rejected", doc_id=None, reason=rejected["reason"])
        elif doc_id in published_ids:
            row.update(status="published", doc_id=doc_id, reason=None)
        else:
            awaiting.append(f.source_path)
            continue
        rows.append(row)
    ledger = SOURCES.to_table(sorted(rows, key=lambda r: r["source_path"]))
    return ledger, rows, awaiting, published_ids, held


def withdraw_documents(store: StageStore, publisher: ParquetPublisher, held: dict[str, dict[str, dict[str, dict]]],
                       keep: set[str]) -> int:
    """Take every document not in keep out of the tables' bucket files (and their stamps); only
    the buckets that hold one are rewritten. Returns how many (table, document) pairs went."""
    removed = 0
    for table, buckets in held.items():
        for bucket, stamps in buckets.items():
            gone = set(stamps) - keep
            if gone:
                withdraw_from_bucket(store, publisher, table, bucket, gone)
                removed += len(gone)
    return removed


def _run_preview(context: dg.AssetExecutionContext, settings: SeimeiSettings, published_ids: set[str],
                 held: dict[str, dict[str, dict[str, dict]]]) -> str:
    """Title, meeting date, officials and sectors of the first documents this run published."""
    publisher, run_id = settings.publisher, context.run.run_id
    published = sorted(d for bucket in held["documents"].values() for d, s in bucket.items()
                       if s.get("run") == run_id and d in published_ids)
    shown = set(published[:PREVIEW_LIMIT])
    docs, officials, sectors = [], {}, {}
    for bucket in by_bucket(shown):
        def rows(table, columns):
            t = publisher.read_bucket(table, bucket, columns=["doc_id", *columns])
            return [] if t is None else t.filter(pc.is_in(t.column("doc_id"), value_set=pa.array(sorted(shown)))).to_pylist()
        docs += rows("documents", ["title", "meeting_date"])
        for r in rows("officials", ["name"]):
            officials.setdefault(r["doc_id"], []).append(r["name"])
        for r in rows("sectors", ["sector_id"]):
            sectors.setdefault(r["doc_id"], []).append(r["sector_id"])
    return documents_preview(sorted(docs, key=lambda r: r["doc_id"]), officials, sectors, total=len(published))


def _rejections_markdown(rows: list[dict]) -> str:
    rejected = [r for r in rows if r["status"] == "rejected"]
    if not rejected:
        return "No file was rejected."
    lines = ["| file | reason |", "| --- | --- |"]
    lines += [f"| `{r['source_path']}` | {r['reason']} |" for r in rejected]
    return "\n".join(lines)
