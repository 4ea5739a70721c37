"""What the per-document assets share: the documents of the run's buckets, which of them a
stage still has to do, and recording a rejection so the ledger can say why."""


import hashlib
import warnings
from dataclasses import dataclass, field
from typing import Callable

import dagster as dg

from assets.document_stages import AFTER_READING, NORMALIZED_TEXT, DocumentStage
from assets.inbox import read_manifest
from pipeline import rejections
from pipeline.buckets import by_bucket
from pipeline.core.errors import failure_reason
from pipeline.core.inbox import InboxFile, first_of_each_document
from pipeline.planning import final_rejections
from pipeline.core.process import NormalizedText, PreparedDocument
from pipeline.stage_values import STAGE_TYPES, StageValues
from pipeline.progress import Progress
from pipeline.rows_ahead import ROWS_AHEAD, build_ahead
from pipeline.resources import SeimeiSettings
from pipeline.versions import pipeline_fingerprint, stage_fingerprint

BACKFILL = dg.BackfillPolicy.single_run()
# A bucket range is one run by design (pipeline/automation.py); Dagster's beta notice for the
# parameter would otherwise print once per asset on every code load (nine times).
warnings.filterwarnings("ignore", message=r"Parameter `backfill_policy` of function `asset` is currently in beta",
                        category=dg.BetaWarning)


@dataclass
class BucketWork:
    """One bucket's documents for one stage: all of them (in the inbox now), those whose stamp is
    current (nothing to do) and those to do."""
    bucket: str
    documents: dict[str, InboxFile]
    current: dict[str, dict] = field(default_factory=dict)
    todo: list[str] = field(default_factory=list)


def run_buckets(context: dg.AssetExecutionContext, settings: SeimeiSettings, stage: str) -> list[BucketWork]:
    """The run's buckets (its partition keys) with their documents, and for each which ones this
    stage must (re)do: no stamp under the stage's current fingerprint, and no rejection that stands
    (a transient one is retried). A document stamped current is not read, tokenized or rebuilt
    again; one an earlier stage rejected in this run has no input here and is passed over."""
    originals = first_of_each_document(read_manifest(settings))
    grouped = by_bucket(originals)
    fingerprint = stage_fingerprint(stage)
    work = []
    for bucket in context.partition_keys:
        docs = {d: originals[d] for d in grouped.get(bucket, [])}
        stamps = settings.store.read_stamps(stage, bucket)
        current = {d: s for d, s in stamps.items() if d in docs and s.get("fingerprint") == fingerprint}
        work.append(BucketWork(bucket, docs, current, [d for d in docs if d not in current]))
    final = final_rejections(settings.store, [d for w in work for d in w.todo], settings.limits)
    for w in work:
        w.todo = [d for d in w.todo if d not in final]
    return work


def transform_documents(context: dg.AssetExecutionContext, settings: SeimeiSettings, stage: DocumentStage,
                        upstream: StageValues, show_progress: bool = False) -> tuple[StageValues, dg.DataVersion]:
    """A stage that turns each document's upstream result into its own: for every document of
    the run's buckets it has to do, take upstream's result (none: rejected upstream, passed over),
    transform it (an exception is that document's rejection, never the run's), store it, and
    commit each bucket with its stamps. show_progress: log the step's progress
    (pipeline/progress.py). Returns the stage's values for the run's buckets and the DataVersion
    of what they hold."""
    store, to_json, run_id = settings.store, STAGE_TYPES[stage.name].to_json, run_id_of(context)
    stamps: dict[str, dict[str, dict]] = {}
    buckets = run_buckets(context, settings, stage.name)
    ahead = sum(s.get("run") == run_id for w in buckets for s in w.current.values())
    if ahead:
        context.log.info(f"{stage.name}: {ahead} document(s) already done as they were read (extracted_text)")
    progress = Progress(stage.name, sum(len(w.todo) for w in buckets), context.log.info) if show_progress else None
    for w in buckets:
        done = dict(w.current)
        for doc_id in w.todo:
            if progress is not None:
                progress.advance(doc_id)
            value = upstream.get(doc_id)
            if value is None:  # rejected upstream
                store.delete(stage.name, doc_id)
                continue
            try:
                result, counts = stage.transform(value, settings)
            except Exception as exc:  # one document's failure is its rejection, never the run's
                reject_failure(context, settings, doc_id, stage.name, exc)
                continue
            store.write(stage.name, doc_id, to_json(result), durable=False)
            done[doc_id] = stamp(stage.name, run_id, **counts)
        store.write_stamps(stage.name, w.bucket, done)
        stamps[w.bucket] = done
    values = StageValues.stored(store, stage.name, stamps)
    return values, dg.DataVersion(bucket_version(values.all_stamps()))


class StagesAhead:
    """The stages after reading (assets/document_stages.py AFTER_READING), run for each document
    the moment the reading step has it, while the workers read the next ones: the main process
    would otherwise wait idle through the reading and do this work after it. Stored and stamped
    as the stages' own steps would; their steps then find the documents current.

    The reading workers normalize and tokenize each document they read (read_ahead_job): those
    are the stages' heaviest work, done in parallel there, not one document at a time here.
    Where no rows can be kept (SEIMEI_ROWS_AHEAD_MB=0, steps in processes of their own) the
    workers only read."""

    def __init__(self, context: dg.AssetExecutionContext, settings: SeimeiSettings, buckets: list[str]):
        self.context, self.settings, self.run_id = context, settings, run_id_of(context)
        self.stamps = {stage.name: {b: settings.store.read_stamps(stage.name, b) for b in buckets}
                       for stage in AFTER_READING}
        ROWS_AHEAD.start(self.run_id)
        self.prepares = not ROWS_AHEAD.full()

    def run(self, bucket: str, doc_id: str, source: InboxFile, extracted: dict,
            prepared: PreparedDocument | None = None) -> None:
        """Then the published tables' rows of the document, kept for their steps (pipeline/rows_ahead.py).
        extracted: the reading's result as stored; prepared: what the reading worker did already
        (the normalized text, perhaps the tokens)."""
        value, results = None, {}  # value: the last stage's result, the next one's input
        for stage in AFTER_READING:
            try:
                if stage is NORMALIZED_TEXT and prepared is not None:
                    stored, counts = prepared.normalized, prepared.counts
                    value = NormalizedText.from_json(stored)
                else:
                    if stage is NORMALIZED_TEXT:  # the first stage: its input is the reading's
                        value = STAGE_TYPES[stage.upstream].from_json(extracted)
                    value, counts = stage.transform(value, self.settings)
                    stored = STAGE_TYPES[stage.name].to_json(value)
            except Exception as exc:  # that document's rejection at this stage, as in the step
                reject_failure(self.context, self.settings, doc_id, stage.name, exc)
                return
            self.settings.store.write(stage.name, doc_id, stored, durable=False)
            self.stamps[stage.name][bucket][doc_id] = stamp(stage.name, self.run_id, **counts)
            results[stage.name] = value
        build_ahead(self.run_id, doc_id, source.source_path, source.source_sha256,
                    results["normalized_text"], results["structured_fields"],
                    {"tokens": prepared.tokens} if prepared is not None and prepared.tokens is not None else {})

    def finish(self) -> None:
        """The stages' stamps written, and the rows kept handed to validation."""
        for stage, by_bucket_stamps in self.stamps.items():
            for bucket, stamps in by_bucket_stamps.items():
                self.settings.store.write_stamps(stage, bucket, stamps)
        ROWS_AHEAD.submit_all()
        if ROWS_AHEAD.stopped:
            self.context.log.warning(f"rows were no longer built ahead: {ROWS_AHEAD.stopped}; the tables' steps "
                                     "build the rest themselves")


def run_id_of(context: dg.AssetExecutionContext) -> str:
    """The run's id; an asset called directly (as in a test) has no run: "EPHEMERAL", Dagster's name."""
    try:
        return context.run.run_id
    except dg.DagsterError:  # DagsterInvalidPropertyError, not exported
        return "EPHEMERAL"


def stamp(stage: str, run_id: str, **extra) -> dict:
    return {"fingerprint": stage_fingerprint(stage), "run": run_id, **extra}


def reject(settings: SeimeiSettings, doc_id: str, stage: str, reason: str, transient: bool = False) -> None:
    """Record the rejection (pipeline/rejections.py) and drop this stage's own result for the
    document. Other tables' rows are left to their own steps, never another step's."""
    rejections.reject(settings.store, doc_id, stage, reason, pipeline_fingerprint(), settings.limits, transient)
    settings.store.delete(stage, doc_id)


def reject_failure(context: dg.AssetExecutionContext, settings: SeimeiSettings, doc_id: str, stage: str,
                   exc: BaseException) -> str:
    """Any error of one document's work becomes that document's rejection; the run goes on."""
    reason = failure_reason(stage, exc)
    reject(settings, doc_id, stage, reason, transient=getattr(exc, "transient", False))
    context.log.warning(f"rejected document {doc_id}: {reason}")
    return reason


def clear_rejection(settings: SeimeiSettings, doc_id: str) -> None:
    rejections.clear(settings.store, doc_id)


def rejected_among(settings: SeimeiSettings, doc_ids) -> set[str]:
    """Those of doc_ids rejected under the current code (is_rejected for many: a bucket's rewrite
    keeps N/16 documents, and a lookup for each was 3,800 file opens in a one-document run at
    N = 10,000)."""
    fingerprint = pipeline_fingerprint()
    return {d for d, found in rejections.stamps_among(settings.store, doc_ids).items()
            if rejections.decided_under(found, fingerprint)}


def is_rejected(settings: SeimeiSettings, doc_id: str) -> bool:
    """Rejected under the current code: by an earlier stage or table of this run, or a run like it."""
    return rejections.rejected_in_run(settings.store, doc_id, pipeline_fingerprint())


def bucket_version(stamps: dict[str, dict]) -> str:
    """A DataVersion of a bucket from what its stamps say it holds (documents and fingerprints),
    so re-running unchanged inputs leaves everything downstream fresh in Dagster."""
    digest = hashlib.sha256()
    for doc_id in sorted(stamps):
        s = stamps[doc_id]
        digest.update(f"{doc_id}:{s.get('fingerprint')}:{s.get('rows', '')}\n".encode())
    return digest.hexdigest()[:16]
