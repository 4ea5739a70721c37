"""Publishing one per-document table: rows built by the core, checked against the contract,
written one Parquet file per document, validated by the table's Great Expectations suite."""


import hashlib
import json
from typing import Callable

import dagster as dg
import pyarrow as pa

from assets.normalization import normalized_text
from assets.stage_helpers import BACKFILL, sources_for
from pipeline.core.inbox import InboxFile
from pipeline.core.process import NormalizedText
from pipeline.partitions import documents_partitions
from pipeline.lineage import git_commit, library_versions, reference_hashes
from pipeline.resources import SeimeiSettings
from pipeline.storage import atomic_write_bytes, rows_sha256
from pipeline.table_metadata import column_schema, definition_metadata
from pipeline.validation import ValidationReport, validate_table
from pipeline.versions import CODE_VERSIONS, pipeline_fingerprint
from schemas.contract import TableContract

CHECK_NAME = "gx_suite"
RowBuilder = Callable[[str, InboxFile, NormalizedText, SeimeiSettings], list[dict]]


def file_metadata(context: dg.AssetExecutionContext, contract: TableContract, extra: dict) -> dict[str, str]:
    lineage = {
        "table": contract.name,
        "contract_version": contract.version,
        "code_version": CODE_VERSIONS[contract.name],
        "code_versions": CODE_VERSIONS,
        "pipeline_fingerprint": pipeline_fingerprint(),
        "run_id": context.run.run_id,
        "git_commit": git_commit(),
        "libraries": library_versions(),
        "reference_data_sha256": reference_hashes(),
        **extra,
    }
    return {"seimei.lineage": json.dumps(lineage, ensure_ascii=False, sort_keys=True)}


def content_version(tables: list[pa.Table]) -> str:
    """A DataVersion from the rows themselves, so unchanged output leaves downstream fresh."""
    digest = hashlib.sha256()
    for t in tables:
        digest.update(rows_sha256(t).encode())
    return digest.hexdigest()[:16]


def check_result(report: ValidationReport, severity=dg.AssetCheckSeverity.ERROR) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=CHECK_NAME,
        passed=report.success,
        severity=severity,
        metadata={
            "expectations_evaluated": report.evaluated,
            "expectations_failed": len(report.failed),
            "failed": dg.MetadataValue.json([f.__dict__ for f in report.failed]),
        },
    )


def write_validation_result(settings: SeimeiSettings, report: ValidationReport) -> str:
    path = settings.publisher.root / "_validation" / f"{report.table}.json"
    atomic_write_bytes(path, json.dumps(report.result_json, ensure_ascii=False, indent=1, default=str).encode())
    return str(path)


def publish_per_document(
    context: dg.AssetExecutionContext,
    settings: SeimeiSettings,
    contract: TableContract,
    sources: dict[str, InboxFile],
    build_rows: RowBuilder,
) -> dg.MaterializeResult:
    store, publisher = settings.store, settings.publisher
    tables: list[pa.Table] = []
    for doc_id in context.partition_keys:
        raw = store.read("normalized_text", doc_id)
        source = sources.get(doc_id)
        if raw is None or source is None:  # rejected upstream, or gone from the inbox
            publisher.remove_doc(contract.name, doc_id)
            store.delete(contract.name, doc_id)
            continue
        table = contract.to_table(build_rows(doc_id, source, NormalizedText.from_json(raw), settings))
        publisher.write_doc(contract.name, doc_id, table, file_metadata(context, contract, {
            "doc_id": doc_id, "source_sha256": source.source_sha256, "source_path": source.source_path,
        }))
        store.write(contract.name, doc_id, {"fingerprint": pipeline_fingerprint(), "rows": table.num_rows})
        tables.append(table)
    combined = pa.concat_tables(tables) if tables else contract.arrow_schema().empty_table()
    report = validate_table(contract.name, combined)
    results_path = write_validation_result(settings, report)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": combined.num_rows,
            "dagster/uri": dg.MetadataValue.path(str(publisher.table_dir(contract.name))),
            "dagster/column_schema": column_schema(contract),
            "documents_written": len(tables),
            "validation_results": dg.MetadataValue.path(results_path),
        },
        check_results=[check_result(report)],
        data_version=dg.DataVersion(content_version(tables)),
    )


def per_document_table(contract: TableContract, build_rows: RowBuilder, kinds: set[str], deps=(normalized_text,)) -> dg.AssetsDefinition:
    """The asset for one per-document published table: same partitions, policy and check for all."""

    @dg.asset(
        name=contract.name,
        deps=list(deps),
        partitions_def=documents_partitions,
        backfill_policy=BACKFILL,
        code_version=CODE_VERSIONS[contract.name],
        group_name="published",
        kinds=kinds,
        metadata=definition_metadata(contract),
        description=contract.description,
        check_specs=[dg.AssetCheckSpec(
            CHECK_NAME, asset=contract.name, description=f"Great Expectations suite expectations/{contract.name}.json",
        )],
    )
    def _asset(context: dg.AssetExecutionContext, settings: SeimeiSettings) -> dg.MaterializeResult:
        return publish_per_document(context, settings, contract, sources_for(context, settings), build_rows)

    return _asset
