"""Stage 1: the inbox, fingerprinted. Registers one dynamic partition per new document."""


import hashlib
import json
from dataclasses import asdict

import dagster as dg

from pipeline.core.inbox import InboxFile, first_of_each_document, scan
from pipeline.partitions import documents_partitions
from pipeline.project import OWNERS
from pipeline.core.reference import ReferenceDataError
from pipeline.resources import SeimeiSettings, reference_data
from pipeline.versions import code_version

MANIFEST = ("inbox", "manifest")


def read_manifest(settings: SeimeiSettings) -> list[InboxFile]:
    raw = settings.store.read(*MANIFEST)
    if raw is None:
        raise dg.Failure("the inbox has not been scanned into this publish folder yet: materialize inbox_files first")
    return [InboxFile(**f) for f in raw["files"]]


@dg.asset(code_version=code_version("inbox_files"), group_name="ingest", kinds={"python", "pdf"}, owners=OWNERS)
def inbox_files(context: dg.AssetExecutionContext, settings: SeimeiSettings) -> dg.MaterializeResult:
    """Every file under the inbox folder with its sha256, size and detected format. The reviewed
    reference data is loaded and checked first: a broken file stops the run here, in one
    sentence, before any document work."""
    try:
        reference_data()
    except ReferenceDataError as exc:
        raise dg.Failure(f"{exc}; nothing was processed") from None
    files = scan(settings.inbox)
    settings.store.write(*MANIFEST, {"inbox": str(settings.inbox), "files": [asdict(f) for f in files]})
    documents = first_of_each_document(files)
    known = set(context.instance.get_dynamic_partitions(documents_partitions.name))
    new = [d for d in documents if d not in known]
    if new:
        context.instance.add_dynamic_partitions(documents_partitions.name, new)
    return dg.MaterializeResult(
        metadata={
            "inbox": dg.MetadataValue.path(str(settings.inbox)),
            "files": len(files),
            "documents": len(documents),
            "duplicate_files": len(files) - len(documents),
            "new_partitions": len(new),
        },
        # the files' names and bytes, not their mtimes: touching a file changes nothing downstream
        data_version=dg.DataVersion(hashlib.sha256(json.dumps(
            [(f.source_path, f.source_sha256) for f in files]).encode()).hexdigest()[:16]),
    )
