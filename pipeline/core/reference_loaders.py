"""The reviewed reference data and what is built from it, loaded once per process. No Dagster:
row builders in worker processes and the assets share them."""

from __future__ import annotations

from functools import lru_cache

from pipeline.core.officials import OfficialsExtractor
from pipeline.core.reference import ReferenceData, check_reference
from pipeline.core.sectors import SectorMatcher
from pipeline.core.tokenize import tokenize_sentences
from pipeline.project import REFERENCE_DIR


@lru_cache(maxsize=1)
def reference_data() -> ReferenceData:
    """Loaded and checked once per process (ReferenceDataError: one sentence naming the file)."""
    from schemas.tables import DOC_TYPES

    ref = ReferenceData.load(REFERENCE_DIR)
    check_reference(ref, frozenset(DOC_TYPES), _parts_of_speech)
    return ref


def _parts_of_speech(term: str) -> list[str]:
    return [t.pos for t in tokenize_sentences(term, [(0, len(term))])]


@lru_cache(maxsize=1)
def officials_extractor() -> OfficialsExtractor:
    return OfficialsExtractor(reference_data().gazetteer)


def _normalized_term(term: str) -> str:
    return "".join(t.normalized_form for t in tokenize_sentences(term, [(0, len(term))]))


@lru_cache(maxsize=1)
def sector_matcher() -> SectorMatcher:
    """Taxonomy terms tokenized once per process with the documents' own tokenizer."""
    return SectorMatcher(reference_data().sectors, _normalized_term)
