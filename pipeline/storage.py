"""Files the pipeline writes: per-document stage results (JSON) in the work folder, and the
published Parquet tables, at a publish location given as a local path or a URI (`s3://bucket/x`,
`gs://bucket/x`, `file:///x`, or any fsspec filesystem, e.g. `memory://x` in tests). Nothing
outside this module assumes the location is a local folder.

Local writes go to a hidden temporary file first and are renamed into place, so a killed run
never leaves a half-written file where a reader looks; on object stores a PUT is already
all-or-nothing, so objects are written directly.

Layout of a publish location:
    <table>/meeting_year=<YYYY>/<doc_id>.parquet
                                 one file per document (documents, sentences, tokens, ...), in a
                                 hive-style folder by the year of the document's meeting date
                                 (`meeting_year=__HIVE_DEFAULT_PARTITION__` when it has none), so
                                 a reader filtering on a year opens only that year's files
    sources/sources.parquet      the ledger, rewritten whole (one row per inbox file)
    _work/<stage>/<key>.json     stage results between Dagster steps (ignored by Parquet readers)
    _validation/<run>/<t>.json   each run's Great Expectations results
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
PARTITION_COLUMN = "meeting_year"
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # what pyarrow, DuckDB, Spark and polars read as null


def partition_folder(meeting_year: int | None) -> str:
    """The hive-style folder of a document's files: every table of a document shares it."""
    return f"{PARTITION_COLUMN}={NULL_PARTITION if meeting_year is None else int(meeting_year)}"


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


def _filesystem(location: str):
    """(pyarrow filesystem, path inside it) for a local path or a URI."""
    import pyarrow.fs as pafs

    if "://" not in location:
        return pafs.LocalFileSystem(), os.path.abspath(location)
    scheme = location.split("://", 1)[0].lower()
    if scheme in ("file", "s3", "gs", "gcs", "hdfs", "abfs", "abfss"):
        return pafs.FileSystem.from_uri(location)
    import fsspec

    fs, path = fsspec.core.url_to_fs(location)
    return pafs.PyFileSystem(pafs.FSSpecHandler(fs)), path


class PublishLocation:
    """A publish location: a filesystem and a base path, with the few operations the pipeline needs."""

    def __init__(self, location: str | Path):
        self.uri = str(location)
        self.fs, self.base = _filesystem(self.uri)
        import pyarrow.fs as pafs

        self.is_local = isinstance(self.fs, pafs.LocalFileSystem)

    def path(self, *parts: str) -> str:
        return "/".join([self.base.rstrip("/"), *parts])

    def display(self, *parts: str) -> str:
        """What to show people: the local path, or the URI."""
        if self.is_local:
            return self.path(*parts)
        return "/".join([self.uri.rstrip("/"), *parts])

    def write_bytes(self, path: str, data: bytes) -> None:
        if self.is_local:
            atomic_write_bytes(Path(path), data)
            return
        self.fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
        with self.fs.open_output_stream(path) as out:
            out.write(data)

    def read_bytes(self, path: str) -> bytes | None:
        try:
            with self.fs.open_input_stream(path) as stream:
                return stream.readall()
        except (FileNotFoundError, OSError) as exc:
            if isinstance(exc, FileNotFoundError) or not self.exists(path):
                return None
            raise

    def exists(self, path: str) -> bool:
        import pyarrow.fs as pafs

        return self.fs.get_file_info(path).type != pafs.FileType.NotFound

    def delete(self, path: str) -> bool:
        if not self.exists(path):
            return False
        self.fs.delete_file(path)
        return True

    def remove_stale_temporaries(self, older_than_seconds: float = 3600.0) -> list[str]:
        """Delete the hidden `.<name>.<random>.tmp` files a killed run left behind. A write takes
        milliseconds, so a temporary older than an hour belongs to no live writer. Local only:
        object stores get no temporaries."""
        if not self.is_local:
            return []
        import time

        removed = []
        cutoff = time.time() - older_than_seconds
        for root, _dirs, files in os.walk(self.base):
            for name in files:
                path = os.path.join(root, name)
                if name.startswith(".") and name.endswith(".tmp"):
                    try:
                        if os.stat(path).st_mtime < cutoff:
                            os.unlink(path)
                            removed.append(path)
                    except FileNotFoundError:
                        pass
        return sorted(removed)

    def folders(self, folder: str) -> list[str]:
        """Names of the sub-folders of a folder (hidden and private names skipped)."""
        import pyarrow.fs as pafs

        return self._visible(folder, pafs.FileType.Directory)

    def names(self, folder: str, suffix: str) -> list[str]:
        """File names in a folder ending in suffix; hidden (`.`) and private (`_`) names skipped."""
        import pyarrow.fs as pafs

        return [n for n in self._visible(folder, pafs.FileType.File) if n.endswith(suffix)]

    def _visible(self, folder: str, kind) -> list[str]:
        import pyarrow.fs as pafs

        infos = self.fs.get_file_info(pafs.FileSelector(folder, allow_not_found=True))
        return sorted(i.base_name for i in infos if i.type == kind and not i.base_name.startswith((".", "_")))


class StageStore:
    """JSON results of the intermediate stages, one file per stage and partition key."""

    def __init__(self, location: str | Path | PublishLocation):
        self.location = location if isinstance(location, PublishLocation) else PublishLocation(location)

    def path(self, stage: str, key: str) -> str:
        return self.location.path(WORK_DIR_NAME, stage, f"{key}.json")

    def write(self, stage: str, key: str, value: dict) -> str:
        path = self.path(stage, key)
        # surrogateescape: file names with bytes that are not UTF-8 survive the round trip
        self.location.write_bytes(path, json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8", "surrogateescape"))
        return path

    def read_bytes(self, stage: str, key: str) -> bytes | None:
        return self.location.read_bytes(self.path(stage, key))

    def read(self, stage: str, key: str) -> dict | None:
        data = self.read_bytes(stage, key)
        return json.loads(data.decode("utf-8", "surrogateescape")) if data is not None else None

    def keys(self, stage: str) -> list[str]:
        return [n[: -len(".json")] for n in self.location.names(self.location.path(WORK_DIR_NAME, stage), ".json")]

    def delete(self, stage: str, key: str) -> None:
        self.location.delete(self.path(stage, key))


class ParquetPublisher:
    """The published tables: one Parquet file per document per table, in its meeting-year
    folder, plus the ledger."""

    LEDGER = ("sources", "sources.parquet")

    def __init__(self, location: str | Path | PublishLocation):
        self.location = location if isinstance(location, PublishLocation) else PublishLocation(location)

    def table_dir(self, table: str) -> str:
        return self.location.path(table)

    def table_uri(self, table: str) -> str:
        return self.location.display(table)

    def doc_path(self, table: str, doc_id: str, meeting_year: int | None) -> str:
        return self.location.path(table, partition_folder(meeting_year), f"{doc_id}.parquet")

    def ledger_path(self) -> str:
        return self.location.path(*self.LEDGER)

    def ledger_rows(self, columns: list[str]) -> list[dict]:
        """The published ledger's rows (those columns), or none when nothing is published."""
        path = self.ledger_path()
        return self.read_file(path, columns=columns).to_pylist() if self.exists(path) else []

    def exists(self, path: str) -> bool:
        return self.location.exists(path)

    def write(self, path: str, table: pa.Table, metadata: dict[str, str]) -> str:
        """Write the table with its metadata and its rows hash; returns the rows hash."""
        rows_hash = rows_sha256(table)
        metadata = {**metadata, ROWS_HASH_KEY: rows_hash}
        merged = {**(table.schema.metadata or {}), **{k.encode(): v.encode() for k, v in metadata.items()}}
        table = table.replace_schema_metadata(merged)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        self.location.write_bytes(path, sink.getvalue().to_pybytes())
        return rows_hash

    def write_doc(self, table_name: str, doc_id: str, meeting_year: int | None, table: pa.Table,
                  metadata: dict[str, str]) -> str:
        """Write a document's file in its year folder, then remove any copy elsewhere (the
        meeting date, hence the folder, can change when the code or reference data does)."""
        path = self.doc_path(table_name, doc_id, meeting_year)
        rows_hash = self.write(path, table, metadata)
        self.remove_doc(table_name, doc_id, keep=path)
        return rows_hash

    def find_doc(self, table_name: str, doc_id: str) -> str | None:
        """Where a document's file of this table is, or None."""
        copies = self._copies(table_name, doc_id)
        return copies[0] if copies else None

    def remove_doc(self, table_name: str, doc_id: str, keep: str | None = None) -> bool:
        removed = False
        for path in self._copies(table_name, doc_id):
            if path != keep:
                removed = self.location.delete(path) or removed
        return removed

    def _copies(self, table_name: str, doc_id: str) -> list[str]:
        name = f"{doc_id}.parquet"
        folders = self.location.folders(self.table_dir(table_name))
        candidates = [self.location.path(table_name, f, name) for f in folders]
        candidates.append(self.location.path(table_name, name))  # the flat layout of earlier versions
        return [p for p in candidates if self.location.exists(p)]

    def doc_files(self, table_name: str) -> dict[str, str]:
        """{doc_id: path} of every document file of the table (any year folder, or the flat
        layout of earlier versions)."""
        found: dict[str, str] = {}
        base = self.table_dir(table_name)
        for folder in [None, *self.location.folders(base)]:
            where = base if folder is None else self.location.path(table_name, folder)
            for name in self.location.names(where, ".parquet"):
                found.setdefault(name[: -len(".parquet")], f"{where}/{name}")
        return found

    def doc_ids(self, table_name: str) -> list[str]:
        return sorted(self.doc_files(table_name))

    def relative(self, path: str) -> str:
        """A path inside the publish location, as people read it in messages (`tokens/meeting_year=2024/x.parquet`)."""
        return path[len(self.location.base.rstrip("/")) + 1:]

    def read_file(self, path: str, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(path, columns=columns, filesystem=self.location.fs)

    def read(self, table_name: str, columns: list[str] | None = None) -> pa.Table | None:
        """The whole table (every document's file, in doc_id order, without the folder's year
        column), or None when nothing is published."""
        if table_name == "sources" and self.exists(self.ledger_path()):
            return self.read_file(self.ledger_path(), columns=columns)
        files = self.doc_files(table_name)
        if not files:
            return None
        return pq.read_table([files[d] for d in sorted(files)], columns=columns, filesystem=self.location.fs,
                             partitioning=None)

    def row_count(self, table_name: str) -> int:
        return sum(pq.read_metadata(path, filesystem=self.location.fs).num_rows
                   for path in self.doc_files(table_name).values())
