"""Stage 2: text out of each source file (decoded text, or PDF lines with their pages)."""


from collections import Counter

import dagster as dg

from assets.inbox import inbox_files
from assets.stage_helpers import BACKFILL, clear_rejection, reject, sources_for, stage_version
from pipeline.core.parallel import map_in_order
from pipeline.core.process import read_outcome
from pipeline.progress import Progress
from pipeline.partitions import documents_partitions
from pipeline.project import OWNERS
from pipeline.resources import SeimeiSettings
from pipeline.versions import code_version


@dg.asset(
    deps=[inbox_files],
    partitions_def=documents_partitions,
    backfill_policy=BACKFILL,
    code_version=code_version("extracted_text"),
    group_name="ingest",
    kinds={"pdf", "pdfplumber", "json"},
    owners=OWNERS,
)
def extracted_text(context: dg.AssetExecutionContext, settings: SeimeiSettings) -> dg.MaterializeResult:
    """Readable lines of each document with their page numbers; running headers, footers and page
    numbers dropped. Unreadable files are rejected with a reason, and the run goes on."""
    outcomes: Counter = Counter()
    rejections = {}
    sources = list(sources_for(context, settings).items())
    progress = Progress("extracted_text", len(sources), context.log.info)
    results = map_in_order(read_outcome, [(s.absolute_path, s.format, settings.limits) for _, s in sources], settings.workers,
                           on_result=lambda i: progress.advance(sources[i][1].source_path))
    for (doc_id, source), (extracted, reason) in zip(sources, results):
        if reason is not None:
            reject(settings, doc_id, "extracted_text", reason)
            settings.store.delete("extracted_text", doc_id)
            rejections[source.source_path] = reason
            outcomes["rejected"] += 1
            continue
        clear_rejection(settings, doc_id)
        settings.store.write("extracted_text", doc_id, extracted)
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
