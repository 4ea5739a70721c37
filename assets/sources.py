"""Published table `sources`: the ledger of every inbox file, published, rejected or duplicate.

Runs after the per-document tables. It also takes back what no longer has a source: a document
whose file was deleted or edited (new bytes, new doc_id) loses its published rows here.
"""


import dagster as dg

from assets.dates import dates
from assets.documents import documents
from assets.inbox import inbox_files, read_manifest
from assets.officials import officials
from assets.sectors import sectors
from assets.publishing import CHECK_NAME, check_result, content_version, file_metadata, write_validation_result
from assets.sentences import sentences
from assets.tokens import tokens
from pipeline.core.inbox import first_of_each_document
from pipeline.automation import RANGE_END, RANGE_START
from pipeline.partitions import documents_partitions
from pipeline import rejections
from pipeline.planning import PER_DOCUMENT_TABLES, keys_in_range
from pipeline.removal_guard import MassRemoval, check_withdrawal
from pipeline.preview import PREVIEW_LIMIT, documents_preview
from pipeline.project import OWNERS
from pipeline.resources import SeimeiSettings
from pipeline.table_metadata import column_schema, definition_metadata
from pipeline.validation import validate_table
from pipeline.versions import code_version, pipeline_fingerprint
from schemas.tables import SOURCES



@dg.asset(
    deps=[inbox_files, documents, sentences, tokens, dates, officials, sectors],
    code_version=code_version("sources"),
    group_name="publish",
    kinds={"parquet"},
    owners=OWNERS,
    metadata=definition_metadata(SOURCES),
    description=SOURCES.description,
    check_specs=[dg.AssetCheckSpec(CHECK_NAME, asset="sources", description="Great Expectations suite expectations/sources.json")],
)
def sources(context: dg.AssetExecutionContext, settings: SeimeiSettings) -> dg.MaterializeResult:
    store, publisher = settings.store, settings.publisher
    files = read_manifest(settings)
    try:  # before anything is withdrawn: an empty or wrong inbox must not take the publication back
        check_withdrawal(files, publisher, str(settings.inbox), settings.max_removal_share, settings.allow_mass_removal)
    except MassRemoval as exc:
        raise dg.Failure(str(exc)) from None
    originals = first_of_each_document(files)
    document_files = publisher.doc_files("documents")
    fingerprint = pipeline_fingerprint()
    stamps = {d: rejections.stamp(store, d) for d in originals}  # each read once
    published_ids = {d for d in originals if d in document_files and store.read("documents", d) is not None
                     and not rejections.decided_under(stamps[d], fingerprint)}
    rows, awaiting = [], []
    for f in files:
        doc_id = f.doc_id
        rejected = stamps.get(doc_id) if doc_id else None
        extracted = store.read("extracted_text", doc_id) if doc_id else None
        row = {
            "source_path": f.source_path,
            "source_sha256": f.source_sha256,
            "size_bytes": f.size_bytes,
            "format": f.format,
            "encoding": extracted["encoding"] if extracted else None,
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
    removed = 0
    for table in PER_DOCUMENT_TABLES:
        for doc_id in publisher.doc_ids(table):
            if doc_id not in published_ids:
                publisher.remove_doc(table, doc_id)
                store.delete(table, doc_id)
                removed += 1
    temporaries = publisher.location.remove_stale_temporaries()
    if temporaries:
        context.log.info(f"removed {len(temporaries)} temporary files left by killed runs")
    if awaiting:
        context.log.warning(f"{len(awaiting)} inbox files have not been processed yet and are not in the ledger: {awaiting}")
    ledger = SOURCES.to_table(sorted(rows, key=lambda r: r["source_path"]))
    ledger_hash = publisher.write(publisher.ledger_path(), ledger, file_metadata(context, SOURCES, {
        "input_sha256": sorted({f.source_sha256 for f in files if f.source_sha256}),
    }))
    report = validate_table("sources", ledger)
    counts = {s: sum(r["status"] == s for r in rows) for s in ("published", "rejected", "duplicate")}
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
            "preview": dg.MetadataValue.md(_run_preview(context, settings, published_ids)),
            "validation_results": dg.MetadataValue.path(write_validation_result(settings, report, context.run.run_id)),
        },
        check_results=[check_result(report)],
        data_version=dg.DataVersion(content_version([ledger_hash])),
    )


def _run_documents(context: dg.AssetExecutionContext) -> list[str]:
    """The documents of this run's partition range (none for a ledger-only run)."""
    first, last = context.run.tags.get(RANGE_START), context.run.tags.get(RANGE_END)
    if not first or not last:
        return []
    return keys_in_range(context.instance.get_dynamic_partitions(documents_partitions.name), first, last)


def _run_preview(context: dg.AssetExecutionContext, settings: SeimeiSettings, published_ids: set[str]) -> str:
    """Title, meeting date, officials and sectors of the first documents this run published."""
    publisher = settings.publisher
    published = [d for d in _run_documents(context) if d in published_ids]
    docs, officials, sectors = [], {}, {}
    for doc_id in published[:PREVIEW_LIMIT]:
        paths = {t: publisher.find_doc(t, doc_id) for t in ("documents", "officials", "sectors")}
        if paths["documents"] is None:
            continue
        docs.extend(publisher.read_file(paths["documents"], columns=["doc_id", "title", "meeting_date"]).to_pylist())
        if paths["officials"]:
            officials[doc_id] = publisher.read_file(paths["officials"], columns=["name"]).column("name").to_pylist()
        if paths["sectors"]:
            sectors[doc_id] = publisher.read_file(paths["sectors"], columns=["sector_id"]).column("sector_id").to_pylist()
    return documents_preview(docs, officials, sectors, total=len(published))


def _rejections_markdown(rows: list[dict]) -> str:
    rejected = [r for r in rows if r["status"] == "rejected"]
    if not rejected:
        return "No file was rejected."
    lines = ["| file | reason |", "| --- | --- |"]
    lines += [f"| `{r['source_path']}` | {r['reason']} |" for r in rejected]
    return "\n".join(lines)
