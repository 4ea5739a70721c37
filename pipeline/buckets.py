"""Buckets: a fixed number of groups of documents, by their doc_id (a prefix of the file's
sha256). A bucket is a Dagster partition, a published file per table and the unit of parallel
work, so Dagster's events, the Parquet file count and the ledger's bookkeeping stay bounded
however many statements the archive holds (Dagster advises O(1000s) of partitions at most; one
per document was 18 stored events per document). Content-addressed, so reproducible: the same
bytes land in the same bucket on every machine. No Dagster here.

$SEIMEI_BUCKETS (default 16) sets the count; changing it re-lays the publication out on the
next run (pipeline/layout.py).
"""

from __future__ import annotations

import os

DEFAULT_BUCKETS = 16
MAX_BUCKETS = 1024


def bucket_count() -> int:
    raw = os.environ.get("SEIMEI_BUCKETS", "").strip()
    n = int(raw) if raw else DEFAULT_BUCKETS
    if not 1 <= n <= MAX_BUCKETS:
        raise ValueError(f"SEIMEI_BUCKETS must be between 1 and {MAX_BUCKETS}, not {n}")
    return n


def _width(n: int) -> int:
    return max(2, len(str(n - 1)))


def bucket_keys(n: int | None = None) -> list[str]:
    """The buckets' names, in order: 00 … 15."""
    n = n or bucket_count()
    return [f"{i:0{_width(n)}d}" for i in range(n)]


def buckets_in_range(first: str, last: str, n: int | None = None) -> list[str]:
    """The buckets from first to last, both included (a run's partition range); empty when either
    is not a bucket."""
    keys = bucket_keys(n)
    if first not in keys or last not in keys:
        return []
    return keys[keys.index(first): keys.index(last) + 1]


def bucket_of(doc_id: str, n: int | None = None) -> str:
    """The bucket of a document: its doc_id's first 8 hex digits modulo the count."""
    n = n or bucket_count()
    return f"{int(doc_id[:8], 16) % n:0{_width(n)}d}"


def by_bucket(doc_ids, n: int | None = None) -> dict[str, list[str]]:
    """{bucket: its doc_ids, sorted}, for the buckets that hold any."""
    n = n or bucket_count()
    out: dict[str, list[str]] = {}
    for doc_id in doc_ids:
        out.setdefault(bucket_of(doc_id, n), []).append(doc_id)
    return {b: sorted(ids) for b, ids in sorted(out.items())}
