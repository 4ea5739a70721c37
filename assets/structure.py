"""Stage 4: structured fields of each document (metadata, meeting date, place, parties, dates,
officials), kept as JSON for the published tables that need them."""

import dagster as dg

from assets.normalization import normalized_text
from assets.document_stages import STRUCTURED_FIELDS, run_counts
from assets.stage_helpers import BACKFILL, transform_documents
from pipeline.partitions import bucket_partitions
from pipeline.project import OWNERS
from pipeline.resources import SeimeiSettings
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
    reference data in data/reference/ (gazetteer, countries, places, document-type markers);
    assets/document_stages.py, done ahead by the reading step for the documents it reads."""
    version, stamps = transform_documents(context, settings, STRUCTURED_FIELDS)
    counts = run_counts(stamps, context.run.run_id, ("dates", "officials", "officials_not_in_gazetteer"))
    counts.pop("documents")
    return dg.MaterializeResult(metadata=counts, data_version=version)
