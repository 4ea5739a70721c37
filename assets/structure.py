"""Stage 4: structured fields of each document (metadata, meeting date, place, parties, dates,
officials), kept in the stage store and handed on as typed values (pipeline/stage_values.py)."""

import dagster as dg

from assets.document_stages import STRUCTURED_FIELDS, run_counts
from assets.stage_helpers import BACKFILL, run_id_of, transform_documents
from pipeline.partitions import bucket_partitions
from pipeline.project import OWNERS
from pipeline.resources import SeimeiSettings
from pipeline.stage_io import STAGE_STORE, STAGE_VALUES_TYPES, stage_input
from pipeline.stage_values import StageValues
from pipeline.versions import code_version


@dg.asset(
    partitions_def=bucket_partitions,
    backfill_policy=BACKFILL,
    code_version=code_version("structured_fields"),
    group_name="structure",
    kinds={"python", "json"},
    owners=OWNERS,
    io_manager_key=STAGE_STORE,
    dagster_type=STAGE_VALUES_TYPES["structured_fields"],
    ins={"normalized_text": stage_input("normalized_text")},
)
def structured_fields(context: dg.AssetExecutionContext, settings: SeimeiSettings,
                      normalized_text: StageValues) -> dg.Output:
    """Dates, officials, meeting date, place and countries, from general rules plus the reviewed
    reference data in data/reference/ (gazetteer, countries, places, document-type markers);
    assets/document_stages.py, done ahead by the reading step for the documents it reads."""
    values, version = transform_documents(context, settings, STRUCTURED_FIELDS, normalized_text)
    counts = run_counts(values.all_stamps(), run_id_of(context), ("dates", "officials", "officials_not_in_gazetteer"))
    counts.pop("documents")
    return dg.Output(values, metadata=counts, data_version=version)
