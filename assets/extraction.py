"""Stage 2: text out of each source file (decoded text, or PDF lines with their pages)."""


from collections import Counter
from pathlib import Path

import dagster as dg

from assets.inbox import inbox_files
from assets.stage_helpers import BACKFILL, StagesAhead, bucket_version, clear_rejection, reject, run_buckets, run_id_of, stamp
from pipeline.core.errors import error_reason
from pipeline.core.guarded_pool import guarded_map
from pipeline.core.parallel import worker_count
from pipeline.core.process import ReadAheadJob, ReadJob, read_ahead_job, warm_up_reading_worker
from pipeline.progress import Progress
from pipeline.partitions import bucket_partitions
from pipeline.project import OWNERS
from pipeline.resources import SeimeiSettings
from pipeline.stage_io import STAGE_STORE, STAGE_VALUES_TYPES
from pipeline.stage_values import StageValues
from pipeline.versions import code_version


def reading_failure(outcome) -> str:
    """Why a read that did not return is refused: past the deadline, out of memory, the worker
    killed, or an error the reader did not expect. About the bytes, so never transient."""
    limits_hint = "the limit for one statement; the file is probably malformed"
    if outcome.error_kind == "deadline":
        return f"too slow to read: {outcome.error} ({limits_hint})"
    if outcome.error_kind == "MemoryError":
        return "too much memory to read: it needs more than the limit for one statement (max_memory_mb)"
    if outcome.error_kind == "crash":
        return f"reading stopped: {outcome.error}"
    return error_reason("reading", outcome.error_kind, outcome.error or "")


@dg.asset(
    deps=[inbox_files],
    partitions_def=bucket_partitions,
    backfill_policy=BACKFILL,
    code_version=code_version("extracted_text"),
    group_name="ingest",
    kinds={"pdf", "pdfplumber", "json"},
    owners=OWNERS,
    io_manager_key=STAGE_STORE,
    dagster_type=STAGE_VALUES_TYPES["extracted_text"],
)
def extracted_text(context: dg.AssetExecutionContext, settings: SeimeiSettings) -> dg.Output:
    """Readable lines of each document with their page numbers; running headers, footers and page
    numbers dropped. Each file is read once, from inside the inbox, in a worker process bounded
    by the read deadline and the memory cap; unreadable files are rejected with a reason, and the
    run goes on. Each document read is normalized and its fields extracted right away, while the
    workers read the next (StagesAhead): those steps then find it done."""
    outcomes: Counter = Counter()
    rejections = {}
    limits = settings.limits
    buckets = run_buckets(context, settings, "extracted_text")
    sources = [(w.bucket, doc_id, w.documents[doc_id]) for w in buckets for doc_id in w.todo]
    progress = Progress("extracted_text", len(sources), context.log.info)
    done: dict[str, dict] = {w.bucket: dict(w.current) for w in buckets}
    run_id = run_id_of(context)
    ahead = StagesAhead(context, settings, sorted({bucket for bucket, _, _ in sources}))
    jobs = [ReadAheadJob(ReadJob(str(settings.inbox), s.absolute_path, s.source_sha256, s.format,
                                 Path(s.absolute_path).suffix or Path(s.absolute_path).name, limits),
                         doc_id, prepare=ahead.prepares) for _, doc_id, s in sources]

    def take(i: int, outcome) -> None:
        """One document read (or not): stored and stamped, or rejected; then the next stages
        done for it while the workers read on."""
        bucket, doc_id, source = sources[i]
        progress.advance(source.source_path)
        if outcome.error_kind is None:
            extracted, reason, transient, prepared = outcome.value
        else:
            extracted, reason, transient, prepared = None, reading_failure(outcome), False, None
        if reason is not None:
            reject(settings, doc_id, "extracted_text", reason, transient=transient)
            rejections[source.source_path] = reason
            outcomes["rejected"] += 1
            return
        clear_rejection(settings, doc_id)
        settings.store.write("extracted_text", doc_id, extracted, durable=False)
        done[bucket][doc_id] = stamp("extracted_text", run_id, encoding=extracted.get("encoding"))
        outcomes[source.format] += 1
        ahead.run(bucket, doc_id, source, extracted, prepared)

    guarded_map(read_ahead_job, jobs, worker_count(settings.workers), limits.max_read_seconds, limits.max_memory_mb,
                on_result=take, warm_up=warm_up_reading_worker if ahead.prepares else None)
    for w in buckets:
        settings.store.write_stamps("extracted_text", w.bucket, done[w.bucket])
    ahead.finish()
    for path, reason in rejections.items():
        context.log.warning(f"rejected {path}: {reason}")
    values = StageValues.stored(settings.store, "extracted_text", done)
    return dg.Output(
        values,
        metadata={
            "documents": sum(len(w.documents) for w in buckets),
            "documents_read": len(sources),
            "pdf": outcomes["pdf"],
            "text": outcomes["text"],
            "rejected": outcomes["rejected"],
            "rejections": dg.MetadataValue.json(rejections),
        },
        data_version=dg.DataVersion(bucket_version(values.all_stamps())),
    )
