"""Publishing one per-document table: rows built by the core for the documents a bucket has to
do, checked against the contract and validated by the table's Great Expectations suite, then the
bucket's file rewritten whole with the rows of its unchanged documents kept."""


import hashlib
import html
import json
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Callable

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc

from assets.stage_helpers import (BACKFILL, BucketWork, bucket_version, is_rejected, reject, reject_failure, rejected_among,
                                  run_buckets, stamp)
from pipeline.buckets import bucket_of
from pipeline.core.errors import RejectedInput
from pipeline.core.inbox import InboxFile
from pipeline.core.memory import give_back
from pipeline.core.rows import DocumentInputs
from pipeline.core.sectors import TokenView, token_views
from pipeline.core.parallel import Workers, guarded_call
from pipeline.core.process import NormalizedText
from pipeline.partitions import bucket_partitions
from pipeline.lineage import git_commit, library_versions, reference_hashes
from pipeline.progress import Progress
from pipeline.project import OWNERS
from pipeline.resources import SeimeiSettings
from pipeline.rows_ahead import ROWS_AHEAD
from pipeline.stage_io import stage_input
from pipeline.stage_values import STAGE_TYPES, StageValues
from pipeline.table_metadata import column_schema, definition_metadata
from pipeline import validation_service
from pipeline.validation import ValidationReport, merge_reports
from pipeline.versions import CODE_VERSIONS, UPSTREAM, code_version, pipeline_fingerprint
from schemas.contract import TableContract

CHECK_NAME = "gx_suite"
PUBLISH_CHUNK = 250  # documents whose rows are built together (a batch for the worker processes)
RowBuilder = Callable[[DocumentInputs], list[dict]]


def file_metadata(context: dg.AssetExecutionContext, contract: TableContract, extra: dict) -> dict[str, str]:
    lineage = {
        "table": contract.name,
        "contract_version": contract.version,
        "code_version": code_version(contract.name),
        "code_versions": {asset: code_version(asset) for asset in CODE_VERSIONS},
        "pipeline_fingerprint": pipeline_fingerprint(),
        "run_id": context.run.run_id,
        "git_commit": git_commit(),
        "libraries": library_versions(),
        "reference_data_sha256": reference_hashes(),
        **extra,
    }
    return {"seimei.lineage": json.dumps(lineage, ensure_ascii=False, sort_keys=True)}


def content_version(row_hashes: list[str]) -> str:
    """A DataVersion from the rows themselves (their rows_sha256, as ParquetPublisher.write
    returns it), so unchanged output leaves downstream fresh."""
    return hashlib.sha256("".join(row_hashes).encode()).hexdigest()[:16]


def check_result(report: ValidationReport, held: dict[str, list[str]] | None = None,
                 data_docs: str | None = None) -> dg.AssetCheckResult:
    """ERROR when a blocking (critical) expectation failed, WARN when only warnings did. Each
    failure in words with a few failing rows (doc_id and the columns that name a row); the run's
    GX Data Docs page linked."""
    blocking = any(f.blocking for f in report.failed)
    return dg.AssetCheckResult(
        check_name=CHECK_NAME,
        passed=report.success,
        severity=dg.AssetCheckSeverity.ERROR if blocking or report.success else dg.AssetCheckSeverity.WARN,
        metadata={
            "expectations_evaluated": report.evaluated,
            "expectations_failed": len(report.failed),
            **({"data_docs": dg.MetadataValue.url(data_docs)} if data_docs else {}),
            "documents_held_back": dg.MetadataValue.json(held or {}),
            "failed": dg.MetadataValue.json([
                {"expectation": f.words or f.describe(), "type": f.describe(), "severity": f.severity,
                 "unexpected_count": f.unexpected_count, "failing_rows": f.failing_rows or f.examples,
                 "documents": f.doc_ids[:20], **({"error": f.error} if f.error else {})}
                for f in report.failed
            ]),
        },
    )


@dataclass(frozen=True)
class ValidationFiles:
    results: str  # the JSON summary (counts, doc_ids, a few failing rows)
    data_docs: str  # where GX's Data Docs page of the run's validation of the table is (a URL)


def write_validation_result(settings: SeimeiSettings, report: ValidationReport, run_id: str) -> ValidationFiles:
    """Each run's GX results, kept beside the data: _validation/<run id>/<table>.json, and GX's
    Data Docs: <table>.html, or for a table validated in several parts <table>-<n>.html each with
    <table>.html listing them."""
    location = settings.publisher.location
    folder = ("_validation", run_id)
    location.write_bytes(location.path(*folder, f"{report.table}.json"),
                         json.dumps(report.result_json, ensure_ascii=False, indent=1, default=str).encode())
    pages = report.pages or ()
    if len(pages) == 1:
        location.write_bytes(location.path(*folder, f"{report.table}.html"), pages[0].encode())
    elif pages:
        names = [f"{report.table}-{i:03d}.html" for i in range(1, len(pages) + 1)]
        for name, page in zip(names, pages):
            location.write_bytes(location.path(*folder, name), page.encode())
        location.write_bytes(location.path(*folder, f"{report.table}.html"), _pages_index(report, names).encode())
    docs = location.display(*folder, f"{report.table}.html")
    return ValidationFiles(location.display(*folder, f"{report.table}.json"),
                           Path(docs).as_uri() if location.is_local else docs)


def _pages_index(report: ValidationReport, names: list[str]) -> str:
    chunks = report.result_json.get("chunks") or [{}] * len(names)
    items = "".join(
        f'<li><a href="{html.escape(n)}">{html.escape(n)}</a>: '
        f'{"passed" if c.get("success") else "failed"}, {c.get("failed", "?")} of {c.get("evaluated", "?")} expectations failed</li>'
        for n, c in zip(names, chunks))
    return (f'<!doctype html><meta charset="utf-8"><title>{html.escape(report.table)}: validations</title>'
            f'<h1>{html.escape(report.table)}</h1><p>Validated in {len(names)} parts (every part of the run\'s rows, '
            f'one Great Expectations validation each):</p><ul>{items}</ul>')


def publish_buckets(
    context: dg.AssetExecutionContext,
    settings: SeimeiSettings,
    contract: TableContract,
    inputs: dict[str, StageValues],
    build_rows: RowBuilder,
    rows_in_workers: Callable[[tuple[str, str, NormalizedText]], pa.Table] | None = None,
) -> dg.MaterializeResult:
    """inputs: the stages' values the table's spec names as upstream (normalized_text always)."""
    reports, held, all_stamps = [], {}, {}
    written = rows_total = files_written = 0
    buckets = run_buckets(context, settings, contract.name)
    by_name = {w.bucket: w for w in buckets}
    progress = Progress(contract.name, sum(len(w.todo) for w in buckets), context.log.info)
    built: dict[str, dict[str, pa.Table]] = {w.bucket: {} for w in buckets}
    left = {w.bucket: len(w.todo) for w in buckets}
    per_bucket: dict[str, tuple[int, int, int, bool]] = {}  # documents, rows, built now, file rewritten

    def finish(bucket: str) -> None:
        nonlocal written, rows_total, files_written
        work = by_name[bucket]
        done = {d: t for d, t in built.pop(bucket).items() if not is_rejected(settings, d)}  # by another table since
        stamps = _write_bucket(context, settings, contract, work, done)
        if stamps is not None:
            files_written += 1
            written += len(done)
            rows_total += sum(t.num_rows for t in done.values())
        now = stamps if stamps is not None else work.current
        all_stamps.update({f"{bucket}/{d}": s for d, s in now.items()})
        per_bucket[bucket] = (len(now), sum(int(s.get("rows") or 0) for s in now.values()), len(done),
                              stamps is not None)
        if stamps is not None:
            give_back()  # the bucket's rows, sorted copy and Parquet buffers

    for w in buckets:
        if not w.todo:
            finish(w.bucket)  # nothing to build; a document may still have left it
    # rows built (and handed to validation) while the documents were read, read back bucket by
    # bucket (in the order they were read): each validation's report collected once, failing
    # documents held back, a bucket's file written as soon as its documents are in
    collected: dict[object, ValidationReport | None] = {}
    taken: set[tuple[str, str]] = set()
    for w in buckets:
        if not w.todo:
            continue
        ahead = _take_ahead(context, settings, contract, [(w.bucket, d) for d in w.todo], collected)
        for report, report_held in ahead.reports:
            reports.append(report)
            held.update(report_held)
        for b, d in ahead.order:
            if d in ahead.rows:
                built[b][d] = ahead.rows[d]
            progress.advance(by_name[b].documents[d].source_path)
            left[b] -= 1
            if left[b] == 0:
                finish(b)
        taken.update(ahead.order)
    # documents stream through in chunks across buckets, built a chunk at a time and validated
    # together once their rows reach VALIDATE_BYTES (one GX validation for many documents, not
    # one per bucket); a bucket's file is written once all its documents are validated
    todo = [(w.bucket, d) for w in buckets for d in w.todo if (w.bucket, d) not in taken]
    pending: dict[str, pa.Table] = {}
    pending_order: list[tuple[str, str]] = []
    pending_bytes = 0
    text_lengths: dict[str, int] = {}

    def validate_pending() -> None:
        nonlocal pending_bytes
        report, chunk_held = _validate(context, settings, contract, pending, text_lengths)
        reports.append(report)
        held.update(chunk_held)
        for b, d in pending_order:
            if d in pending:
                built[b][d] = pending[d]
            left[b] -= 1
            if left[b] == 0:
                finish(b)
        pending.clear()
        pending_order.clear()
        text_lengths.clear()
        pending_bytes = 0

    with Workers(settings.workers) as workers:  # one set of worker processes for the whole step
        for chunk_start in range(0, len(todo), PUBLISH_CHUNK):
            chunk = todo[chunk_start:chunk_start + PUBLISH_CHUNK]
            sources = {d: by_name[b].documents[d] for b, d in chunk}
            chunk_built, lengths = _build(context, settings, contract, inputs, sources, build_rows, rows_in_workers,
                                          workers, progress)
            pending.update(chunk_built)
            pending_order.extend(chunk)
            text_lengths.update(lengths)
            pending_bytes += sum(t.nbytes for t in chunk_built.values())
            if pending_bytes >= validation_service.VALIDATE_BYTES:
                validate_pending()
    if pending_order:
        validate_pending()
    report = merge_reports(reports) if reports else validation_service.validate(contract.name, contract.arrow_schema().empty_table())
    files = write_validation_result(settings, report, context.run.run_id)
    return dg.MaterializeResult(
        metadata={
            # The whole table's rows (every bucket's file footer, 16 reads): the catalog shows the
            # latest materialization's dagster/row_count as the table's size. One result covers the
            # run's bucket range, so every bucket of the run carries the table's total, not its own
            # (that is in "buckets").
            "dagster/row_count": settings.publisher.row_count(contract.name),
            "rows_written_in_run": rows_total,
            "dagster/uri": dg.MetadataValue.path(settings.publisher.table_uri(contract.name)),
            "dagster/column_schema": column_schema(contract),
            "documents_written_in_run": written,
            "bucket_files_written": files_written,
            "documents_held_back": len(held),
            "buckets": bucket_table(per_bucket),
            "validation_results": dg.MetadataValue.path(files.results),
            "data_docs": dg.MetadataValue.url(files.data_docs),
        },
        check_results=[check_result(report, held, files.data_docs)],
        data_version=dg.DataVersion(bucket_version(all_stamps)),
    )


def bucket_table(per_bucket: dict[str, tuple[int, int, int, bool]]) -> dg.MetadataValue:
    """The run's buckets, each with what its file holds now: Dagster keeps one result for a
    partition range run (dagster-io/dagster#18123), so this is where a bucket's counts show."""
    return dg.MetadataValue.table(
        records=[dg.TableRecord({"bucket": b, "documents": n, "rows": r, "documents_built": built, "file_rewritten": w})
                 for b, (n, r, built, w) in sorted(per_bucket.items())],
        schema=dg.TableSchema(columns=[
            dg.TableColumn("bucket", "string"), dg.TableColumn("documents", "int"), dg.TableColumn("rows", "int"),
            dg.TableColumn("documents_built", "int", description="documents whose rows this run built"),
            dg.TableColumn("file_rewritten", "bool"),
        ]),
    )


def _write_bucket(context, settings: SeimeiSettings, contract: TableContract, work: BucketWork,
                  built: dict[str, pa.Table]) -> dict[str, dict] | None:
    """The bucket's file anew: the rows of its documents still current (in the inbox, stamped
    under the current code, not rejected) and the rows just built, in key order. Returns the new
    stamps, or None when nothing changed and the file was left as it is."""
    store, publisher = settings.store, settings.publisher
    stamps = store.read_stamps(contract.name, work.bucket)
    keep = set(work.current) - rejected_among(settings, work.current)
    if not built and set(stamps) == keep:
        return None
    existing = publisher.read_bucket(contract.name, work.bucket)
    parts = []
    if existing is not None and keep:
        parts.append(existing.filter(pc.is_in(existing.column("doc_id"), value_set=pa.array(sorted(keep)))))
    parts += [built[d] for d in sorted(built)]
    table = sorted_by_key(contract, _concat(contract, parts))  # one sort per file, not one per document
    documents = sorted(keep | set(built))
    publisher.write_bucket(contract.name, work.bucket, table, file_metadata(context, contract, {
        "bucket": work.bucket, "documents": len(documents),
    }))
    new_stamps = {d: work.current[d] for d in keep}
    new_stamps.update({d: stamp(contract.name, context.run.run_id, rows=t.num_rows) for d, t in built.items()})
    store.write_stamps(contract.name, work.bucket, new_stamps)
    return new_stamps


def sorted_by_key(contract: TableContract, table: pa.Table) -> pa.Table:
    """Rows in the contract's key order: a stable order within every file, whatever order the
    extractors found them in."""
    return table.sort_by([(k, "ascending") for k in contract.key]) if table.num_rows > 1 else table


def _build(context, settings, contract, inputs, sources, build_rows, rows_in_workers, workers, progress):
    """Rows of a chunk of documents, each checked against the contract; a document whose rows
    cannot be built or break the contract is rejected. Returns ({doc_id: table}, text lengths)."""
    built: dict[str, pa.Table] = {}
    text_lengths: dict[str, int] = {}
    todo: dict[str, NormalizedText] = {}
    for doc_id, source in sources.items():
        norm = inputs["normalized_text"].get(doc_id)
        if norm is None or is_rejected(settings, doc_id):  # rejected, or gone from the inbox
            progress.advance(doc_id)
            continue
        todo[doc_id] = norm
        text_lengths[doc_id] = len(norm.text)
    names = [sources[doc_id].source_path for doc_id in todo]
    if rows_in_workers is not None:
        jobs = [(rows_in_workers, (doc_id, sources[doc_id].source_sha256, norm)) for doc_id, norm in todo.items()]
        all_rows = workers.map(guarded_call, jobs, on_result=lambda i: progress.advance(names[i]))
    else:
        all_rows = []
        for name, (doc_id, norm) in zip(names, todo.items()):
            make = partial(document_inputs, settings, contract, inputs, doc_id, sources[doc_id], norm)
            all_rows.append(guarded_call((lambda make: build_rows(make()), make)))
            progress.advance(name)
    for doc_id, (rows, error) in zip(todo, all_rows):
        try:
            if error is not None:
                raise error
            if isinstance(rows, pa.Table):  # built in a worker, checked against the contract there
                built[doc_id] = rows
                continue
            sha = sources[doc_id].source_sha256
            built[doc_id] = contract.to_table([{**row, "source_sha256": sha} for row in rows])  # sorted per file
        except Exception as exc:  # a row that breaks the contract, or any error building them: this document's
            reject_failure(context, settings, doc_id, contract.name, exc)
    return built, text_lengths


def document_inputs(settings: SeimeiSettings, contract: TableContract, inputs: dict[str, StageValues], doc_id: str,
                    source: InboxFile, norm: NormalizedText) -> DocumentInputs:
    """A document's typed inputs for the table's builder: the stage results its spec's upstream
    names, from the stages' values (structured_fields) or the published bucket (tokens)."""
    structure = inputs["structured_fields"].get(doc_id) if "structured_fields" in contract.upstream else None
    if "structured_fields" in contract.upstream and structure is None:
        raise RejectedInput("no structured fields for the document (its structure stage did not finish)")
    tokens = published_tokens(settings, doc_id) if "tokens" in contract.upstream else None
    return DocumentInputs(doc_id, source.source_path, source.source_sha256, norm, structure, tokens)


@lru_cache(maxsize=1)
def _tokens_of_bucket(publish_dir: str, bucket: str, signature: tuple):
    """One bucket's tokens file, read once for all its documents (signature: the file's size and
    mtime, so a rewritten file is read again), with where each document's rows are (the file is
    sorted by doc_id): (table, {doc_id: (offset, length)})."""
    from pipeline.storage import ParquetPublisher

    table = ParquetPublisher(publish_dir).read_bucket("tokens", bucket, columns=["doc_id", "sentence_idx", "normalized_form", "char_start"])
    if table is None:
        return None, {}
    runs = pc.run_end_encode(table.column("doc_id").combine_chunks())
    ends, values = runs.run_ends.to_pylist(), runs.values.to_pylist()
    starts = [0, *ends[:-1]]
    return table, {d: (s, e - s) for d, s, e in zip(values, starts, ends)}


def published_tokens(settings: SeimeiSettings, doc_id: str) -> tuple[TokenView, ...]:
    """The document's tokens as the tokens table published them (sectors are matched on them)."""
    publisher, bucket = settings.publisher, bucket_of(doc_id)
    info = publisher.location.fs.get_file_info(publisher.bucket_path("tokens", bucket))
    table, where = _tokens_of_bucket(settings.publish_dir, bucket, (info.size, info.mtime_ns))
    if doc_id not in where:
        return ()
    offset, length = where[doc_id]
    return token_views(table.slice(offset, length))


def _validate(context, settings, contract, built: dict[str, pa.Table], text_lengths: dict[str, int]):
    """The suite over the rows of many documents at once; documents failing a blocking
    expectation are rejected and taken out of `built`. Returns (report, held back)."""
    report = validation_service.validate(contract.name, _concat(contract, built.values()), text_lengths)
    return report, _hold_back(context, settings, contract, report, built)


def _hold_back(context, settings, contract, report: ValidationReport, built: dict[str, pa.Table]) -> dict[str, list[str]]:
    """Documents failing a blocking expectation rejected and taken out of `built` (one another
    table rejected already keeps that first reason)."""
    held: dict[str, list[str]] = {}
    for failure in report.failed:
        if failure.blocking:
            for doc_id in failure.doc_ids:
                held.setdefault(doc_id, []).append(failure.describe())
    for doc_id, failures in list(held.items()):
        built.pop(doc_id, None)
        if is_rejected(settings, doc_id):
            del held[doc_id]
            continue
        reject(settings, doc_id, contract.name, f"failed validation of table {contract.name}: {'; '.join(failures)}")
        context.log.warning(f"document {doc_id} held back: {'; '.join(failures)}")
    return held


@dataclass
class RowsTaken:
    order: list[tuple[str, str]]  # (bucket, doc_id) of every document whose rows were built ahead
    rows: dict[str, pa.Table]  # those still to publish (not held back, not rejected since)
    reports: list[tuple[ValidationReport, dict[str, list[str]]]]  # reports new here, and who they held back


def _take_ahead(context, settings, contract, todo: list[tuple[str, str]],
                collected: dict[object, ValidationReport | None]) -> RowsTaken:
    """The rows pipeline/rows_ahead.py kept for these documents (one bucket's) and the reports
    of their validations (waited for here if the validation process is still at them). A
    validation covers documents of several buckets: its report is collected once (`collected`,
    by handle) and holds back its failing documents wherever they are. Rows handed over to no
    validation, or to a validation process that ended, are validated now."""
    taken = RowsTaken([], {}, [])
    lengths: dict[str, int] = {}
    handles: dict[object, list[str]] = {}
    for bucket, doc_id in todo:
        entry = ROWS_AHEAD.take(context.run.run_id, contract.name, doc_id)
        if entry is None:
            continue
        taken.order.append((bucket, doc_id))
        if is_rejected(settings, doc_id):  # by another table, or a validation read before
            continue
        rows, lengths[doc_id], handle = entry
        taken.rows[doc_id] = rows
        handles.setdefault(handle, []).append(doc_id)
    for handle, doc_ids in handles.items():
        report, new = collected.get(handle), handle not in collected
        if new and handle is not None:
            try:
                report = validation_service.result(handle)
            except validation_service.ValidationServiceError as exc:
                context.log.warning(f"{contract.name}: {exc}; validating those rows again")
            collected[handle] = report
            ROWS_AHEAD.validated(handle)
        if report is None:  # validated here, this bucket's part
            report, new = validation_service.validate(contract.name, _concat(contract, [taken.rows[d] for d in doc_ids]),
                                                      {d: lengths[d] for d in doc_ids}), True
        held = _hold_back(context, settings, contract, report, taken.rows)
        if new:
            taken.reports.append((report, held))
    return taken


def _concat(contract: TableContract, tables) -> pa.Table:
    tables = list(tables)
    return pa.concat_tables(tables) if tables else contract.arrow_schema().empty_table()


def per_document_table(contract: TableContract) -> dg.AssetsDefinition:
    """The asset for one per-document published table, from its spec alone (schemas/tables.py):
    the builder and worker function it names, its upstream as deps, its code version and kinds;
    the same bucket partitions, policy and check for all."""
    assert contract.per_document and contract.key[0] == "doc_id", contract.name  # bucket files sort by doc_id first
    assert "normalized_text" in contract.upstream, contract.name  # every row's offsets are checked against its text
    build_rows = contract.row_builder()
    rows_in_workers = contract.worker_builder()
    stages = [name for name in UPSTREAM[contract.name] if name in STAGE_TYPES]

    @dg.asset(
        name=contract.name,
        ins={name: stage_input(name) for name in stages},
        deps=[name for name in UPSTREAM[contract.name] if name not in STAGE_TYPES],
        partitions_def=bucket_partitions,
        backfill_policy=BACKFILL,
        code_version=code_version(contract.name),
        group_name="publish",
        kinds=set(contract.kinds),
        owners=OWNERS,
        metadata=definition_metadata(contract),
        description=contract.description,
        check_specs=[dg.AssetCheckSpec(
            CHECK_NAME, asset=contract.name, description=f"Great Expectations suite expectations/{contract.name}.json",
        )],
    )
    def _asset(context: dg.AssetExecutionContext, settings: SeimeiSettings, **inputs: StageValues) -> dg.MaterializeResult:
        return publish_buckets(context, settings, contract, inputs, build_rows, rows_in_workers)

    return _asset
