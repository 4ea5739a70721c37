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
    "extracted_text": "1",
    "normalized_text": "1",
    "structured_fields": "1",
    "documents": "2",
    "sentences": "2",
    "tokens": "2",
    "dates": "2",
    "officials": "2",
    "sectors": "2",
    "sources": "1",
}


@lru_cache(maxsize=1)
def pipeline_fingerprint() -> str:
    """One hash of every code version and reference file: a document processed under another
    fingerprint is processed again."""
    payload = json.dumps({"code": CODE_VERSIONS, "reference": reference_hashes()}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
