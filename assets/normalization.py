"""Stage 3: one normalized text per document, wrapped lines joined, split into sentences."""


import dagster as dg

from assets.extraction import extracted_text
from assets.stage_helpers import BACKFILL, bucket_version, reject_failure, run_buckets, stamp
from pipeline.core.process import extracted_from_json, normalize
from pipeline.partitions import bucket_partitions
from pipeline.progress import Progress
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
    store = settings.store
    chars = sentences = done_count = 0
    buckets = run_buckets(context, settings, "normalized_text")
    progress = Progress("normalized_text", sum(len(w.todo) for w in buckets), context.log.info)
    stamps = {}
    for w in buckets:
        done = dict(w.current)
        for doc_id in w.todo:
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
            done[doc_id] = stamp("normalized_text", context.run.run_id)
            chars += len(norm.text)
            sentences += len(norm.sentences)
            done_count += 1
        store.write_stamps("normalized_text", w.bucket, done)
        stamps.update({f"{w.bucket}/{d}": s for d, s in done.items()})
    return dg.MaterializeResult(
        metadata={"documents_normalized": done_count, "characters": chars, "sentences": sentences},
        data_version=dg.DataVersion(bucket_version(stamps)),
    )
