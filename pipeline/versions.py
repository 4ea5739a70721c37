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
from schemas.tables import PUBLISHED_TABLES

# The stages that are not published tables; each table's version, upstream and reference inputs
# are in its spec (schemas/tables.py) and joined in below.
STAGE_VERSIONS: dict[str, str] = {
    "inbox_files": "1",
    "extracted_text": "3",
    "normalized_text": "2",
    "structured_fields": "6",
    "corpus_report": "2",
}
STAGE_UPSTREAM: dict[str, tuple[str, ...]] = {
    "extracted_text": ("inbox_files",),
    "normalized_text": ("extracted_text",),
    "structured_fields": ("normalized_text",),
}
STAGE_REFERENCE_INPUTS: dict[str, tuple[str, ...]] = {
    "normalized_text": ("cjk_folding.json",),
    "structured_fields": ("document_types.json", "officials.json", "name_variants.json", "countries.json",
                          "places.json", "office_patterns.json", "countries_more.json"),
}

CODE_VERSIONS: dict[str, str] = {**STAGE_VERSIONS, **{t.name: t.code_version for t in PUBLISHED_TABLES.values()}}

# Rebuilt from the whole corpus on every run that publishes, never per document.
CORPUS_WIDE = ("sources", "corpus_report")

# What each per-document stage and table is computed from: the assets' deps, and the chain a
# document's stamp is checked against (a change anywhere upstream redoes the document here).
UPSTREAM: dict[str, tuple[str, ...]] = {
    **STAGE_UPSTREAM, **{t.name: t.upstream for t in PUBLISHED_TABLES.values() if t.per_document}}

# The assets whose output also depends on reviewed reference data, and on which files.
REFERENCE_INPUTS: dict[str, tuple[str, ...]] = {
    **STAGE_REFERENCE_INPUTS, **{t.name: t.reference_inputs for t in PUBLISHED_TABLES.values() if t.reference_inputs}}


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
    """One hash of the per-document stages' code versions and every reference file: a document
    processed under another fingerprint is processed again. The corpus-wide steps (ledger,
    report) are left out: they are rebuilt on every run, so their bumps need no reprocessing."""
    per_document = {a: v for a, v in CODE_VERSIONS.items() if a not in CORPUS_WIDE}
    payload = json.dumps({"code": per_document, "reference": reference_hashes()}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _lineage(asset: str) -> set[str]:
    found = {asset}
    for up in UPSTREAM.get(asset, ()):
        found |= _lineage(up)
    return found


@lru_cache(maxsize=None)
def stage_fingerprint(asset: str) -> str:
    """A hash of the code versions (with their reference data) of a per-document stage or table
    and of everything upstream of it: a document stamped with it needs no work there. A change to
    the sectors code redoes sectors, not the reading or the tokens."""
    payload = json.dumps({a: code_version(a) for a in sorted(_lineage(asset))}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
