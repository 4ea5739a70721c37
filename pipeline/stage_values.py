"""What a per-document stage hands the next along the asset graph: its typed results for the
documents of the run's buckets (StageValues), each read from the stage store when asked for, so
that holding 10,000 documents' values costs their stamps, not their texts. The IO manager that
moves them between steps is pipeline/stage_io.py; a test can build them in memory (`of`) and
call an asset with them. No Dagster here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, Iterator, Mapping, TypeVar

from pipeline.buckets import bucket_of
from pipeline.core.lines import ExtractedText
from pipeline.core.process import NormalizedText, extracted_from_json, extracted_to_json
from pipeline.core.structure import Structure
from pipeline.storage import StageStore

T = TypeVar("T")


@dataclass(frozen=True)
class StageType(Generic[T]):
    """A stage's result type and its JSON form in the stage store (unchanged by typing it)."""
    type: type
    to_json: Callable[[T], dict]
    from_json: Callable[[dict], T]


STAGE_TYPES: dict[str, StageType] = {
    "extracted_text": StageType(ExtractedText, extracted_to_json, extracted_from_json),
    "normalized_text": StageType(NormalizedText, NormalizedText.to_json, NormalizedText.from_json),
    "structured_fields": StageType(Structure, Structure.to_json, Structure.from_json),
}


class StageValues(Mapping[str, T]):
    """One stage's results by doc_id for the documents of some buckets: those its stamps name
    (done and current, or done before and kept). A document rejected, or not done, has none.
    `stamps` is {bucket: {doc_id: stamp}}; `load(doc_id)` reads one result (None: not stored)."""

    def __init__(self, stage: str, stamps: Mapping[str, Mapping[str, dict]], load: Callable[[str], T | None]):
        self.stage = stage
        self.stamps = {b: dict(s) for b, s in sorted(stamps.items())}
        self._load = load
        self._doc_ids = {d for s in self.stamps.values() for d in s}

    @classmethod
    def stored(cls, store: "StageStore", stage: str, stamps: Mapping[str, Mapping[str, dict]]) -> "StageValues":
        """The stage's results in the stage store for the documents its stamps name."""
        from_json = STAGE_TYPES[stage].from_json

        def load(doc_id: str):
            raw = store.read(stage, doc_id)
            return None if raw is None else from_json(raw)

        return cls(stage, stamps, load)

    @classmethod
    def of(cls, stage: str, values: Mapping[str, T]) -> "StageValues[T]":
        """Values held in memory (a test's, or a caller's without a store), in their doc_ids'
        buckets, stamped with nothing but the stage's name."""
        stamps: dict[str, dict[str, dict]] = {}
        for doc_id in values:
            stamps.setdefault(bucket_of(doc_id), {})[doc_id] = {"stage": stage}
        held = dict(values)
        return cls(stage, stamps, held.get)

    @property
    def buckets(self) -> list[str]:
        return list(self.stamps)

    def all_stamps(self) -> dict[str, dict]:
        """{"<bucket>/<doc_id>": stamp} of every document named."""
        return {f"{b}/{d}": st for b, s in self.stamps.items() for d, st in s.items()}

    def get(self, doc_id: str, default=None):
        """The document's result, read now; `default` when the stage has none for it."""
        if doc_id not in self._doc_ids:
            return default
        value = self._load(doc_id)
        return default if value is None else value

    def __getitem__(self, doc_id: str) -> T:
        value = self.get(doc_id)
        if value is None:
            raise KeyError(doc_id)
        return value

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._doc_ids

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._doc_ids))

    def __len__(self) -> int:
        return len(self._doc_ids)

    def __repr__(self) -> str:
        return f"StageValues({self.stage!r}: {len(self)} documents in {len(self.stamps)} buckets)"
