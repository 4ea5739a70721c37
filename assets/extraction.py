"""Stage 2: text out of each source file (decoded text, or PDF lines with their pages)."""


from collections import Counter
from pathlib import Path

import dagster as dg

from assets.inbox import inbox_files
from assets.stage_helpers import BACKFILL, clear_rejection, reject, sources_for, stage_version
from pipeline.core.errors import RejectedInput
from pipeline.core.process import extracted_to_json, read_source
from pipeline.partitions import documents_partitions
from pipeline.resources import SeimeiSettings
from pipeline.versions import code_version


@dg.asset(
    deps=[inbox_files],
    partitions_def=documents_partitions,
    backfill_policy=BACKFILL,
    code_version=code_version("extracted_text"),
    group_name="ingest",
    kinds={"pdfplumber"},
)
def extracted_text(context: dg.AssetExecutionContext, settings: SeimeiSettings) -> dg.MaterializeResult:
    """Readable lines of each document with their page numbers; running headers, footers and page
    numbers dropped. Unreadable files are rejected with a reason, and the run goes on."""
    outcomes: Counter = Counter()
    rejections = {}
    for doc_id, source in sources_for(context, settings).items():
        try:
            extracted = read_source(Path(source.absolute_path), source.format, settings.limits)
        except RejectedInput as exc:
            reject(settings, doc_id, "extracted_text", exc.reason)
            settings.store.delete("extracted_text", doc_id)
            rejections[source.source_path] = exc.reason
            outcomes["rejected"] += 1
            continue
        clear_rejection(settings, doc_id)
        settings.store.write("extracted_text", doc_id, extracted_to_json(extracted))
        outcomes[source.format] += 1
    for path, reason in rejections.items():
        context.log.warning(f"rejected {path}: {reason}")
    return dg.MaterializeResult(
        metadata={
            "documents": len(context.partition_keys),
            "pdf": outcomes["pdf"],
            "text": outcomes["text"],
            "rejected": outcomes["rejected"],
            "rejections": dg.MetadataValue.json(rejections),
        },
        data_version=stage_version(settings, "extracted_text", context.partition_keys),
    )
