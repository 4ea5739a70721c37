"""Stage 1: the inbox, fingerprinted, and the publication's layout brought up to date."""


import hashlib
import json

import dagster as dg

from pipeline.automation import MANIFEST_TAG, rescan
from pipeline.buckets import by_bucket
from pipeline.core.inbox import InboxFile, first_of_each_document
from pipeline.core.reference import ReferenceDataError
from pipeline.planning import read_manifest_files
from pipeline.project import OWNERS
from pipeline.resources import SeimeiSettings, reference_data
from pipeline.versions import code_version


def read_manifest(settings: SeimeiSettings) -> list[InboxFile]:
    files, identity = read_manifest_files(settings.store)
    if identity is None and not files:
        raise dg.Failure("the inbox has not been scanned into this publish folder yet: materialize inbox_files first")
    return files


@dg.asset(code_version=code_version("inbox_files"), group_name="ingest", kinds={"python", "pdf"}, owners=OWNERS)
def inbox_files(context: dg.AssetExecutionContext, settings: SeimeiSettings) -> dg.MaterializeResult:
    """Every file under the inbox folder with its sha256, size and detected format. The reviewed
    reference data is loaded and checked first: a broken file stops the run here, in one
    sentence, before any document work. A run planned by `seimei run`, the sensor or the schedule
    reuses the scan its plan was made from; a run started from the UI scans again (only new and
    changed files are hashed)."""
    try:
        reference_data()
    except ReferenceDataError as exc:
        raise dg.Failure(f"{exc}; nothing was processed") from None
    previous, identity = read_manifest_files(settings.store)
    planned = context.run.tags.get(MANIFEST_TAG)
    if planned and planned == identity:
        files, rescanned = previous, False
    else:
        (files, identity), rescanned = rescan(settings, previous), True
    documents = first_of_each_document(files)
    buckets = by_bucket(documents)
    return dg.MaterializeResult(
        metadata={
            "inbox": dg.MetadataValue.path(str(settings.inbox)),
            "files": len(files),
            "documents": len(documents),
            "duplicate_files": len(files) - len(documents),
            "documents_per_bucket": dg.MetadataValue.json({b: len(d) for b, d in buckets.items()}),
            "scanned_in_this_step": rescanned,
            "manifest": identity,
        },
        # the files' names and bytes, not their mtimes: touching a file changes nothing downstream
        data_version=dg.DataVersion(hashlib.sha256(json.dumps(
            [(f.source_path, f.source_sha256) for f in files]).encode()).hexdigest()[:16]),
    )
