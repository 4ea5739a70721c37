"""What the per-document assets share: finding each partition's source file and recording a
rejection so the ledger can say why."""


import hashlib

import dagster as dg

from assets.inbox import read_manifest
from pipeline.core.inbox import InboxFile, first_of_each_document
from pipeline import rejections
from pipeline.core.errors import failure_reason
from pipeline.resources import SeimeiSettings
from pipeline.versions import pipeline_fingerprint

BACKFILL = dg.BackfillPolicy.single_run()


def sources_for(context: dg.AssetExecutionContext, settings: SeimeiSettings) -> dict[str, InboxFile]:
    """partition key -> source file, for this run's partitions that are still in the inbox."""
    by_doc = first_of_each_document(read_manifest(settings))
    found = {}
    for key in context.partition_keys:
        if key in by_doc:
            found[key] = by_doc[key]
        else:
            context.log.warning(f"document {key} is no longer in the inbox; nothing to do for it")
    return found


def reject(settings: SeimeiSettings, doc_id: str, stage: str, reason: str, transient: bool = False) -> None:
    """Record the rejection (pipeline/rejections.py) and drop this stage's own result for the
    document. Other tables' files are the ledger step's to withdraw, never another step's."""
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


def is_rejected(settings: SeimeiSettings, doc_id: str) -> bool:
    """Rejected under the current code: by an earlier stage or table of this run, or a run like it."""
    return rejections.rejected_in_run(settings.store, doc_id, pipeline_fingerprint())


def stage_version(settings: SeimeiSettings, stage: str, keys) -> dg.DataVersion:
    """A DataVersion from the stage's stored results, so re-running unchanged inputs leaves
    everything downstream fresh in Dagster."""
    digest = hashlib.sha256()
    for key in sorted(keys):
        digest.update(key.encode() + (settings.store.read_bytes(stage, key) or b"-"))
    return dg.DataVersion(digest.hexdigest()[:16])
