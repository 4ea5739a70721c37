"""Stage 3: one normalized text per document, wrapped lines joined, split into sentences."""


import dagster as dg

from assets.extraction import extracted_text
from assets.stage_helpers import BACKFILL, reject_failure, stage_version
from pipeline.core.process import extracted_from_json, normalize
from pipeline.partitions import documents_partitions
from pipeline.progress import Progress
from pipeline.project import OWNERS
from pipeline.resources import SeimeiSettings
from pipeline.versions import code_version


@dg.asset(
    deps=[extracted_text],
    partitions_def=documents_partitions,
    backfill_policy=BACKFILL,
    code_version=code_version("normalized_text"),
    group_name="normalize",
    kinds={"python", "json"},
    owners=OWNERS,
)
def normalized_text(context: dg.AssetExecutionContext, settings: SeimeiSettings) -> dg.MaterializeResult:
    """The character policy applied, hard line breaks inside sentences removed, sentences split."""
    store = settings.store
    chars = sentences = done = 0
    progress = Progress("normalized_text", len(context.partition_keys), context.log.info)
    for doc_id in context.partition_keys:
        progress.advance(doc_id)
        raw = store.read("extracted_text", doc_id)
        if raw is None:  # rejected upstream
            store.delete("normalized_text", doc_id)
            continue
        try:
            norm = normalize(extracted_from_json(raw))
            settings.limits.check_text(len(norm.text))
        except Exception as exc:  # one document's failure is its rejection, never the run's
            reject_failure(context, settings, doc_id, "normalized_text", exc)
            continue
        store.write("normalized_text", doc_id, norm.to_json())
        chars += len(norm.text)
        sentences += len(norm.sentences)
        done += 1
    return dg.MaterializeResult(
        metadata={"documents": done, "characters": chars, "sentences": sentences},
        data_version=stage_version(settings, "normalized_text", context.partition_keys),
    )
