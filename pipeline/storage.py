"""Files the pipeline writes: per-document stage results (JSON) in the work folder, and the
published Parquet tables, at a publish location given as a local path or a URI (`s3://bucket/x`,
`gs://bucket/x`, `file:///x`, or any fsspec filesystem, e.g. `memory://x` in tests). Nothing
outside this module assumes the location is a local folder.

Local writes go to a hidden temporary file first and are renamed into place, so a killed run
never leaves a half-written file where a reader looks; on object stores a PUT is already
all-or-nothing, so objects are written directly.

Layout of a publish location:
    <table>/part-<bucket>.parquet
                                 one file per bucket of documents (pipeline/buckets.py: 16 by
                                 default), rows in the table's key order (doc_id first); a
                                 bucket's file is rewritten whole when any of its documents
                                 changes, so the file count is bounded whatever the corpus size
    sources/sources.parquet      the ledger, rewritten whole (one row per inbox file)
    _work/<stage>/<key>.json     stage results between Dagster steps (ignored by Parquet readers)
    _work/stamps/<table>/<bucket>.json
                                 what each bucket's file holds: per document the pipeline
                                 fingerprint, the rows and the run that wrote them
    _validation/<run>/<t>.json   each run's Great Expectations results
Publications of earlier versions (one file per document, in `meeting_year=<YYYY>/` folders or
flat) are laid out anew by pipeline/layout.py on the first run.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

WORK_DIR_NAME = "_work"
ROWS_HASH_KEY = "seimei.rows_sha256"
LEGACY_PARTITION_COLUMN = "meeting_year"  # the year folders of the one-file-per-document layout
BUCKET_FILE_PREFIX = "part-"


ROWS_HASH_SCHEME = "cols1:"  # prefix of the column-wise hash; a bare hex digest is the row-wise one


def rows_sha256(table: pa.Table) -> str:
    """A hash of a table's rows (not its file bytes, which carry run ids): recorded in each
    Parquet file so `seimei verify` can tell when rows were changed behind the pipeline's back.

    Column by column over the values' canonical bytes (validity, lengths, UTF-8 data), so half a
    million tokens hash in tens of milliseconds and are never Python objects; nested columns
    (lists, structs: documents only) as JSON. Chunking, slicing and file encoding do not change it."""
    import numpy as np
    import pyarrow.compute as pc

    digest = hashlib.sha256(f"{table.num_rows}\n".encode())
    for name, column in zip(table.column_names, table.columns):
        kind = column.type
        nested = pa.types.is_nested(kind)  # named by kind only: Parquet renames a list's item field
        digest.update(f"{name}:{'nested' if nested else kind}\n".encode("utf-8", "surrogateescape"))
        values = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        digest.update(np.asarray(pc.is_valid(values), dtype=np.uint8).tobytes())
        if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind):
            filled = pc.fill_null(values, "" if not pa.types.is_binary(kind) else b"").cast(
                pa.large_binary())
            offsets = np.frombuffer(filled.buffers()[1], dtype=np.int64)[filled.offset: filled.offset + len(filled) + 1]
            digest.update(np.diff(offsets).astype("<i8").tobytes())
            if len(filled) and filled.buffers()[2] is not None:
                digest.update(memoryview(filled.buffers()[2])[int(offsets[0]): int(offsets[-1])])
        elif pa.types.is_primitive(kind):  # integers, floats, booleans, dates, timestamps
            if not pa.types.is_boolean(kind):
                values = values.view(pa.int64() if kind.bit_width == 64 else pa.int32() if kind.bit_width == 32 else
                                     pa.int16() if kind.bit_width == 16 else pa.int8())
            filled = pc.fill_null(values, False if pa.types.is_boolean(kind) else 0)
            digest.update(np.ascontiguousarray(filled.to_numpy(zero_copy_only=False)).tobytes())
        else:  # nested (or any other type): the values' JSON
            for value in values.to_pylist():
                digest.update((json.dumps(value, ensure_ascii=False, sort_keys=True, default=str) + "\n").encode(
                    "utf-8", "surrogateescape"))
    return ROWS_HASH_SCHEME + digest.hexdigest()


def rows_sha256_rowwise(table: pa.Table) -> str:
    """The row-wise hash files written before the column-wise one record (a bare hex digest): the
    JSON of the list of rows, fed to the hash batch by batch. Kept so `seimei verify` still checks them."""
    digest = hashlib.sha256(b"[")
    first = True
    for batch in table.to_batches(max_chunksize=8192):
        for row in batch.to_pylist():
            digest.update((("" if first else ", ") + json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)).encode("utf-8"))
            first = False
    digest.update(b"]")
    return digest.hexdigest()


def rows_match(table: pa.Table, recorded: str) -> bool:
    """Whether the table's rows are the ones a file recorded, under the scheme it was written with."""
    return (rows_sha256(table) if recorded.startswith(ROWS_HASH_SCHEME) else rows_sha256_rowwise(table)) == recorded


def atomic_write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """Write to a temporary and rename it into place. durable: fsync before the rename; a caller
    writing many files that only matter together passes False and calls sync_filesystem() once
    before the write that commits them (a stamp)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Hidden (readers skip names starting with "."), ending in .tmp (no `*.parquet` glob matches
    # it), and created like any new file, 0o666 less the umask: mkstemp's 0o600 would make the
    # renamed, published file unreadable to everyone but the pipeline's user.
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sync_filesystem(folder: Path) -> None:
    """Everything written to the folder's filesystem so far on disk: one syncfs(2) (Linux) in
    place of an fsync per file, or sync(2) where there is none."""
    syncfs = _syncfs()
    if syncfs is None:
        os.sync()
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


@lru_cache(maxsize=1)
def _syncfs():
    """libc's syncfs, looked up once per process (every bucket's stamp write syncs), or None."""
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


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

    def write_bytes(self, path: str, data: bytes, durable: bool = True) -> None:
        if self.is_local:
            atomic_write_bytes(Path(path), data, durable)
            return
        self.fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
        with self.fs.open_output_stream(path) as out:
            out.write(data)

    def sync(self) -> None:
        """Files written with durable=False on disk (local: one syncfs; object stores: PUTs are)."""
        if self.is_local and Path(self.base).is_dir():
            sync_filesystem(Path(self.base))

    def read_bytes(self, path: str) -> bytes | None:
        try:
            with self.fs.open_input_stream(path) as stream:
                return stream.readall()
        except (FileNotFoundError, OSError) as exc:
            if isinstance(exc, FileNotFoundError) or not self.exists(path):
                return None
            raise

    def local_identity(self, path: str) -> tuple[int, int, int] | None:
        """(inode, size, mtime in ns) of a local file, which an atomic rewrite always changes;
        None for a missing file or an object store (whose times say less)."""
        if not self.is_local:
            return None
        try:
            st = os.stat(path)
        except OSError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def exists(self, path: str) -> bool:
        import pyarrow.fs as pafs

        return self.fs.get_file_info(path).type != pafs.FileType.NotFound

    def delete(self, path: str) -> bool:
        if not self.exists(path):
            return False
        self.fs.delete_file(path)
        return True

    def remove_empty_folder(self, path: str) -> None:
        """Remove a folder that holds nothing any more (a year folder of the old layout)."""
        import pyarrow.fs as pafs

        if self.fs.get_file_info(path).type == pafs.FileType.Directory and \
                not self.fs.get_file_info(pafs.FileSelector(path, allow_not_found=True)):
            self.fs.delete_dir(path)

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

    def write(self, stage: str, key: str, value: dict, durable: bool = True) -> str:
        """durable=False for a document's stage result: it counts once a stamp names it, and
        write_stamps syncs the filesystem first (one syncfs for a bucket, not an fsync per file)."""
        path = self.path(stage, key)
        # surrogateescape: file names with bytes that are not UTF-8 survive the round trip
        data = json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8", "surrogateescape")
        self.location.write_bytes(path, data, durable)
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

    def read_stamps(self, stage: str, bucket: str) -> dict[str, dict]:
        """{doc_id: stamp} of what a stage or table holds for a bucket's documents."""
        return self.read(f"stamps/{stage}", bucket) or {}

    def write_stamps(self, stage: str, bucket: str, stamps: dict[str, dict]) -> None:
        """The commit point of a bucket's stage results: they reach the disk before the stamp does."""
        if stamps:
            self.location.sync()
            self.write(f"stamps/{stage}", bucket, stamps)
        else:
            self.delete(f"stamps/{stage}", bucket)

    def stamped_buckets(self, stage: str) -> list[str]:
        return self.keys(f"stamps/{stage}")


class ParquetPublisher:
    """The published tables: one Parquet file per bucket of documents per table, plus the ledger."""

    LEDGER = ("sources", "sources.parquet")

    def __init__(self, location: str | Path | PublishLocation):
        self.location = location if isinstance(location, PublishLocation) else PublishLocation(location)

    def table_dir(self, table: str) -> str:
        return self.location.path(table)

    def table_uri(self, table: str) -> str:
        return self.location.display(table)

    def bucket_path(self, table: str, bucket: str) -> str:
        return self.location.path(table, f"{BUCKET_FILE_PREFIX}{bucket}.parquet")

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

    def write_bucket(self, table_name: str, bucket: str, table: pa.Table, metadata: dict[str, str]) -> str | None:
        """Replace a bucket's file (atomically); an empty table removes it. Returns the rows hash."""
        path = self.bucket_path(table_name, bucket)
        if table.num_rows == 0:
            self.location.delete(path)
            return None
        return self.write(path, table, metadata)

    def read_bucket(self, table_name: str, bucket: str, columns: list[str] | None = None) -> pa.Table | None:
        path = self.bucket_path(table_name, bucket)
        return self.read_file(path, columns=columns) if self.exists(path) else None

    def bucket_files(self, table_name: str) -> dict[str, str]:
        """{bucket: path} of the table's bucket files."""
        names = self.location.names(self.table_dir(table_name), ".parquet")
        return {n[len(BUCKET_FILE_PREFIX):-len(".parquet")]: self.location.path(table_name, n)
                for n in names if n.startswith(BUCKET_FILE_PREFIX)}

    def legacy_files(self, table_name: str) -> list[str]:
        """Files of the one-file-per-document layout of earlier versions (year folders or flat)."""
        base = self.table_dir(table_name)
        found = []
        for folder in [None, *self.location.folders(base)]:
            where = base if folder is None else self.location.path(table_name, folder)
            found += [f"{where}/{n}" for n in self.location.names(where, ".parquet") if not n.startswith(BUCKET_FILE_PREFIX)]
        return sorted(found)

    def doc_ids(self, table_name: str) -> set[str]:
        """Every document the table's files hold rows of."""
        out: set[str] = set()
        for path in self.bucket_files(table_name).values():
            out.update(self.read_file(path, columns=["doc_id"]).column("doc_id").unique().to_pylist())
        return out

    def relative(self, path: str) -> str:
        """A path inside the publish location, as people read it in messages (`tokens/part-03.parquet`)."""
        return path[len(self.location.base.rstrip("/")) + 1:]

    def read_file(self, path: str, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(path, columns=columns, filesystem=self.location.fs, partitioning=None)

    def read(self, table_name: str, columns: list[str] | None = None) -> pa.Table | None:
        """The whole table (every bucket's file, in bucket order), or None when nothing is published."""
        if table_name == "sources":
            return self.read_file(self.ledger_path(), columns=columns) if self.exists(self.ledger_path()) else None
        files = self.bucket_files(table_name)
        if not files:
            return None
        return pa.concat_tables([self.read_file(files[b], columns=columns) for b in sorted(files)])

    def row_count(self, table_name: str) -> int:
        """From the files' footers only (one per bucket)."""
        if table_name == "sources":
            paths = [self.ledger_path()] if self.exists(self.ledger_path()) else []
        else:
            paths = list(self.bucket_files(table_name).values())
        return sum(pq.read_metadata(path, filesystem=self.location.fs).num_rows for path in paths)
