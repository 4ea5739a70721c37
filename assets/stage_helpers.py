"""What the per-document assets share: finding each partition's source file and recording a
rejection so the ledger can say why."""


import hashlib

import dagster as dg

from assets.inbox import read_manifest
from pipeline.core.inbox import InboxFile, first_of_each_document
from pipeline.planning import PER_DOCUMENT_TABLES, REJECTED_STAGE
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


def reject(settings: SeimeiSettings, doc_id: str, stage: str, reason: str) -> None:
    """Record the rejection and take back anything published for the document before."""
    settings.store.write(REJECTED_STAGE, doc_id, {"stage": stage, "reason": reason, "fingerprint": pipeline_fingerprint()})
    for table in PER_DOCUMENT_TABLES:
        settings.publisher.remove_doc(table, doc_id)
        settings.store.delete(table, doc_id)


def clear_rejection(settings: SeimeiSettings, doc_id: str) -> None:
    settings.store.delete(REJECTED_STAGE, doc_id)


def is_rejected(settings: SeimeiSettings, doc_id: str) -> bool:
    """Rejected under the current code: by an earlier stage or table of this run, or a run like it."""
    stamp = settings.store.read(REJECTED_STAGE, doc_id)
    return stamp is not None and stamp.get("fingerprint") == pipeline_fingerprint()


def stage_version(settings: SeimeiSettings, stage: str, keys) -> dg.DataVersion:
    """A DataVersion from the stage's stored results, so re-running unchanged inputs leaves
    everything downstream fresh in Dagster."""
    digest = hashlib.sha256()
    for key in sorted(keys):
        digest.update(key.encode() + (settings.store.read_bytes(stage, key) or b"-"))
    return dg.DataVersion(digest.hexdigest()[:16])
