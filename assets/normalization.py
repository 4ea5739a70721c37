"""Stage 3: one normalized text per document, wrapped lines joined, split into sentences."""


import dagster as dg

from assets.extraction import extracted_text
from assets.stage_helpers import BACKFILL, transform_documents
from pipeline.core.process import extracted_from_json, normalize
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
    """The character policy applied, hard line breaks inside sentences removed, sentences split."""
    counts = {"documents_normalized": 0, "characters": 0, "sentences": 0}

    def normalized(raw: dict) -> dict:
        norm = normalize(extracted_from_json(raw))
        settings.limits.check_text(len(norm.text))
        result = norm.to_json()
        counts["documents_normalized"] += 1
        counts["characters"] += len(norm.text)
        counts["sentences"] += len(norm.sentences)
        return result

    version = transform_documents(context, settings, "normalized_text", "extracted_text", normalized, show_progress=True)
    return dg.MaterializeResult(metadata=counts, data_version=version)
