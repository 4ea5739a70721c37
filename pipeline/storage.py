"""Files the pipeline writes: per-document stage results (JSON) in the work folder, and the
published Parquet tables. Every write goes to a temporary file first and is renamed into place,
so a killed run never leaves a half-written file where a reader looks.

Layout of a publish folder:
    <table>/<doc_id>.parquet     one file per document (documents, sentences, tokens)
    sources/sources.parquet      the ledger, rewritten whole (one row per inbox file)
    _work/<stage>/<key>.json     stage results between Dagster steps (ignored by Parquet readers)
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

WORK_DIR_NAME = "_work"
ROWS_HASH_KEY = "seimei.rows_sha256"


def rows_sha256(table: pa.Table) -> str:
    """A hash of a table's rows (not its file bytes, which carry run ids): recorded in each
    Parquet file so `seimei verify` can tell when rows were changed behind the pipeline's back."""
    payload = json.dumps(table.to_pylist(), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Hidden (readers skip names starting with "."), ending in .tmp (no `*.parquet` glob matches
    # it), and created like any new file, 0o666 less the umask: mkstemp's 0o600 would make the
    # renamed, published file unreadable to everyone but the pipeline's user.
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class StageStore:
    """JSON results of the intermediate stages, one file per stage and partition key."""

    def __init__(self, publish_dir: str | Path):
        self.root = Path(publish_dir) / WORK_DIR_NAME

    def path(self, stage: str, key: str) -> Path:
        return self.root / stage / f"{key}.json"

    def write(self, stage: str, key: str, value: dict) -> Path:
        path = self.path(stage, key)
        # surrogateescape: file names with bytes that are not UTF-8 survive the round trip
        atomic_write_bytes(path, json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8", "surrogateescape"))
        return path

    def read(self, stage: str, key: str) -> dict | None:
        path = self.path(stage, key)
        return json.loads(path.read_bytes().decode("utf-8", "surrogateescape")) if path.exists() else None

    def keys(self, stage: str) -> list[str]:
        folder = self.root / stage
        return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []

    def delete(self, stage: str, key: str) -> None:
        self.path(stage, key).unlink(missing_ok=True)


class ParquetPublisher:
    """The published tables: one Parquet file per document per table, plus the ledger."""

    def __init__(self, publish_dir: str | Path):
        self.root = Path(publish_dir)

    def table_dir(self, table: str) -> Path:
        return self.root / table

    def doc_path(self, table: str, doc_id: str) -> Path:
        return self.table_dir(table) / f"{doc_id}.parquet"

    def write(self, path: Path, table: pa.Table, metadata: dict[str, str]) -> Path:
        metadata = {**metadata, ROWS_HASH_KEY: rows_sha256(table)}
        merged = {**(table.schema.metadata or {}), **{k.encode(): v.encode() for k, v in metadata.items()}}
        table = table.replace_schema_metadata(merged)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        atomic_write_bytes(path, sink.getvalue().to_pybytes())
        return path

    def write_doc(self, table_name: str, doc_id: str, table: pa.Table, metadata: dict[str, str]) -> Path:
        return self.write(self.doc_path(table_name, doc_id), table, metadata)

    def remove_doc(self, table_name: str, doc_id: str) -> bool:
        path = self.doc_path(table_name, doc_id)
        existed = path.exists()
        path.unlink(missing_ok=True)
        return existed

    def doc_ids(self, table_name: str) -> list[str]:
        folder = self.table_dir(table_name)
        return sorted(p.stem for p in folder.glob("*.parquet")) if folder.is_dir() else []

    def read(self, table_name: str) -> pa.Table:
        return pq.read_table(self.table_dir(table_name))
