"""Stage 3: one normalized text per document, wrapped lines joined, split into sentences."""


import dagster as dg

from assets.document_stages import NORMALIZED_TEXT, run_counts
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
    code_version=code_version("normalized_text"),
    group_name="normalize",
    kinds={"python", "json"},
    owners=OWNERS,
    io_manager_key=STAGE_STORE,
    dagster_type=STAGE_VALUES_TYPES["normalized_text"],
    ins={"extracted_text": stage_input("extracted_text")},
)
def normalized_text(context: dg.AssetExecutionContext, settings: SeimeiSettings,
                    extracted_text: StageValues) -> dg.Output:
    """The character policy applied, hard line breaks inside sentences removed, sentences split
    (assets/document_stages.py; the reading step does it ahead for the documents it reads)."""
    values, version = transform_documents(context, settings, NORMALIZED_TEXT, extracted_text, show_progress=True)
    counts = run_counts(values.all_stamps(), run_id_of(context), ("characters", "sentences"))
    return dg.Output(
        values,
        metadata={"documents_normalized": counts["documents"], "characters": counts["characters"],
                  "sentences": counts["sentences"]},
        data_version=version)
