"""Stage 4: structured fields of each document (metadata, meeting date, place, parties, dates,
officials), kept as JSON for the published tables that need them."""

import dagster as dg

from assets.normalization import normalized_text
from assets.stage_helpers import BACKFILL, transform_documents
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
    ref, extractor = reference_data(), officials_extractor()
    counts = {"dates": 0, "officials": 0, "officials_not_in_gazetteer": 0}

    def structured(raw: dict) -> dict:
        structure = extract_structure(NormalizedText.from_json(raw), ref, extractor, settings.limits)
        result = structure.to_json()
        counts["dates"] += len(structure.dates)
        counts["officials"] += len(structure.officials)
        counts["officials_not_in_gazetteer"] += sum(o["person_id"] is None for o in structure.officials)
        return result

    version = transform_documents(context, settings, "structured_fields", "normalized_text", structured)
    return dg.MaterializeResult(metadata=counts, data_version=version)
