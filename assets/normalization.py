"""Stage 3: one normalized text per document, wrapped lines joined, split into sentences."""


import dagster as dg

from assets.extraction import extracted_text
from assets.document_stages import NORMALIZED_TEXT, run_counts
from assets.stage_helpers import BACKFILL, transform_documents
from pipeline.partitions import bucket_partitions
from pipeline.project import OWNERS
from pipeline.resources import SeimeiSettings
from pipeline.versions import code_version


@dg.asset(
    deps=[extracted_text],
    partitions_def=bucket_partitions,
    backfill_policy=BACKFILL,
    code_version=code_version("normalized_text"),
    group_name="normalize",
    kinds={"python", "json"},
    owners=OWNERS,
)
def normalized_text(context: dg.AssetExecutionContext, settings: SeimeiSettings) -> dg.MaterializeResult:
    """The character policy applied, hard line breaks inside sentences removed, sentences split
    (assets/document_stages.py; the reading step does it ahead for the documents it reads)."""
    version, stamps = transform_documents(context, settings, NORMALIZED_TEXT, show_progress=True)
    counts = run_counts(stamps, context.run.run_id, ("characters", "sentences"))
    return dg.MaterializeResult(
        metadata={"documents_normalized": counts["documents"], "characters": counts["characters"],
                  "sentences": counts["sentences"]},
        data_version=version)
