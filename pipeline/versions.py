"""Code versions of every asset, in one reviewed place.

Bump an asset's version when a change to its code (or to the core functions it calls) changes
its output: Dagster then shows it and everything downstream as stale, and `seimei run`
reprocesses every document. Reference data is versioned by content (see lineage.py).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from pipeline.lineage import reference_hashes

CODE_VERSIONS: dict[str, str] = {
    "inbox_files": "1",
    "extracted_text": "3",
    "normalized_text": "2",
    "structured_fields": "4",
    "documents": "6",
    "sentences": "3",
    "tokens": "3",
    "dates": "3",
    "officials": "4",
    "sectors": "3",
    "sources": "3",
}


# The assets whose output also depends on reviewed reference data, and on which files.
REFERENCE_INPUTS: dict[str, tuple[str, ...]] = {
    "normalized_text": ("cjk_folding.json",),
    "structured_fields": ("document_types.json", "officials.json", "name_variants.json", "countries.json",
                          "places.json", "office_patterns.json"),
    "sectors": ("sectors.json",),
}


def code_version(asset: str) -> str:
    """The asset's code version, extended by a hash of the reference files it reads, so that a
    reviewed change to data/reference/ shows in Dagster as that asset (and what follows) stale."""
    files = REFERENCE_INPUTS.get(asset)
    if not files:
        return CODE_VERSIONS[asset]
    hashes = reference_hashes()
    digest = hashlib.sha256(json.dumps({f: hashes.get(f) for f in files}, sort_keys=True).encode()).hexdigest()
    return f"{CODE_VERSIONS[asset]}+ref.{digest[:12]}"


@lru_cache(maxsize=1)
def pipeline_fingerprint() -> str:
    """One hash of every code version and reference file: a document processed under another
    fingerprint is processed again."""
    payload = json.dumps({"code": CODE_VERSIONS, "reference": reference_hashes()}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
