"""Stage 4: structured fields of each document (metadata, meeting date, place, parties, dates,
officials), kept as JSON for the published tables that need them."""

import dagster as dg

from assets.normalization import normalized_text
from assets.stage_helpers import BACKFILL, bucket_version, reject_failure, run_buckets, stamp
from pipeline.core.process import NormalizedText
from pipeline.core.structure import extract_structure
from pipeline.partitions import bucket_partitions
from pipeline.project import OWNERS
from pipeline.resources import SeimeiSettings, officials_extractor, reference_data
from pipeline.versions import code_version


@dg.asset(
    deps=[normalized_text],
    partitions_def=bucket_partitions,
    backfill_policy=BACKFILL,
    code_version=code_version("structured_fields"),
    group_name="structure",
    kinds={"python", "json"},
    owners=OWNERS,
)
def structured_fields(context: dg.AssetExecutionContext, settings: SeimeiSettings) -> dg.MaterializeResult:
    """Dates, officials, meeting date, place and countries, from general rules plus the reviewed
    reference data in data/reference/ (gazetteer, countries, places, document-type markers)."""
    store = settings.store
    ref, extractor = reference_data(), officials_extractor()
    dates = officials = unresolved = 0
    stamps = {}
    for w in run_buckets(context, settings, "structured_fields"):
        done = dict(w.current)
        for doc_id in w.todo:
            raw = store.read("normalized_text", doc_id)
            if raw is None:
                store.delete("structured_fields", doc_id)
                continue
            try:
                structure = extract_structure(NormalizedText.from_json(raw), ref, extractor, settings.limits)
            except Exception as exc:  # one document's failure is its rejection, never the run's
                reject_failure(context, settings, doc_id, "structured_fields", exc)
                continue
            store.write("structured_fields", doc_id, structure.to_json())
            done[doc_id] = stamp("structured_fields", context.run.run_id)
            dates += len(structure.dates)
            officials += len(structure.officials)
            unresolved += sum(o["person_id"] is None for o in structure.officials)
        store.write_stamps("structured_fields", w.bucket, done)
        stamps.update({f"{w.bucket}/{d}": s for d, s in done.items()})
    return dg.MaterializeResult(
        metadata={"dates": dates, "officials": officials, "officials_not_in_gazetteer": unresolved},
        data_version=dg.DataVersion(bucket_version(stamps)),
    )
