"""The per-document stages after reading, each a function of one document's typed upstream
result (pipeline/stage_values.py): their steps run them, and the reading step runs them ahead
for each document the moment it is read, while the workers read the next ones
(assets/extraction.py). Either way a document is stored and stamped the same, so a step finds
what was done ahead current and passes it over."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pipeline.core.lines import ExtractedText
from pipeline.core.process import NormalizedText, normalized_stage
from pipeline.core.structure import Structure, extract_structure
from pipeline.resources import SeimeiSettings, officials_extractor, reference_data


@dataclass(frozen=True)
class DocumentStage:
    name: str
    upstream: str
    # (the upstream's result, settings) -> (this stage's result, counts kept in its stamp)
    transform: Callable[[object, SeimeiSettings], tuple[object, dict]]


def normalized_document(extracted: ExtractedText, settings: SeimeiSettings) -> tuple[NormalizedText, dict]:
    return normalized_stage(extracted, settings.limits)


def structured_document(norm: NormalizedText, settings: SeimeiSettings) -> tuple[Structure, dict]:
    structure = extract_structure(norm, reference_data(), officials_extractor(), settings.limits)
    return structure, {
        "dates": len(structure.dates),
        "officials": len(structure.officials),
        "officials_not_in_gazetteer": sum(o["person_id"] is None for o in structure.officials),
    }


NORMALIZED_TEXT = DocumentStage("normalized_text", "extracted_text", normalized_document)
STRUCTURED_FIELDS = DocumentStage("structured_fields", "normalized_text", structured_document)
# What the reading step does ahead, in order: each stage's upstream is the one before it.
AFTER_READING = (NORMALIZED_TEXT, STRUCTURED_FIELDS)


def run_counts(stamps: dict[str, dict], run_id: str, names: tuple[str, ...]) -> dict[str, int]:
    """The counts of the documents a run did (ahead or in the step), summed from their stamps."""
    mine = [s for s in stamps.values() if s.get("run") == run_id]
    return {"documents": len(mine), **{n: sum(int(s.get(n) or 0) for s in mine) for n in names}}
