"""Rows of the published tables built ahead, while the reading step waits on its workers, and
kept until the tables' steps take them: in memory while they pile up, then in files.

A run executed in one process (`seimei run`, the UI's default executor) would otherwise sit idle
through the reading and then build every table's rows after it. A table's step takes a
document's rows from here when they were built in the same run under the table's current
fingerprint, and builds them itself otherwise (another process, a document whose rows failed
here): the rows are the same either way, since the builders are pure functions of the stage
results.

A table's rows are gathered in memory until they reach VALIDATE_BYTES (or all the tables'
together reach $SEIMEI_ROWS_AHEAD_MB, default 64); then they are written as one batch, an
Arrow IPC file (lz4) in the run's folder, and that file is handed to the validation process
(pipeline/validation_service.py), so Great Expectations validates it while the reading goes
on. Memory stays bounded whatever the size of the run; the disk holds the run's rows once, in a
temporary folder removed as the steps take them (and by the next run, should this one be
killed). The steps take the documents in the order they were read (bucket by bucket), so each
batch is read back once. SEIMEI_ROWS_AHEAD_MB=0: nothing is built ahead. A batch that would
leave less than SEIMEI_ROWS_AHEAD_RESERVE_MB free on the temporary disk (1 GiB, at most a tenth
of the disk), or that cannot be written, stops the keeping for the rest of the run (`stopped`
says why): the tables' steps build those rows themselves, and the run goes on. No Dagster.
"""

from __future__ import annotations

import atexit
import errno
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from pipeline import validation_service
from pipeline.core.memory import give_back
from pipeline.core.process import NormalizedText
from pipeline.core.rows import DocumentInputs
from pipeline.core.sectors import TokenView, token_views
from pipeline.core.structure import Structure
from pipeline.versions import stage_fingerprint

DEFAULT_BUDGET_MB = 64
DEFAULT_RESERVE_MB = 1024  # free space a batch must leave on the temporary disk (at most a tenth of it)
COMPACT_EVERY = 64  # documents' row tables gathered loose before they are made one table
FOLDER_PREFIX = "seimei-rows-"  # then the run's pid, as the validation process's folders


_EVERY_STEP_HERE = False


@contextmanager
def every_step_runs_here():
    """Said by `seimei run` around its runs, which execute in its own process (execute_in_process)
    whatever SEIMEI_EXECUTOR says: that setting names the executor of the UI's and the daemon's
    runs. Only while the runs last: a process that goes on (a test, a notebook) is told nothing."""
    global _EVERY_STEP_HERE
    before, _EVERY_STEP_HERE = _EVERY_STEP_HERE, True
    try:
        yield
    finally:
        _EVERY_STEP_HERE = before


def budget_bytes() -> int:
    """0 where the tables' steps run in processes of their own (SEIMEI_EXECUTOR multiprocess or
    k8s): rows kept by this process would never reach them."""
    if not _EVERY_STEP_HERE and os.environ.get("SEIMEI_EXECUTOR", "in_process") != "in_process":
        return 0
    raw = os.environ.get("SEIMEI_ROWS_AHEAD_MB", "").strip()
    return int(float(raw) * 2**20) if raw else DEFAULT_BUDGET_MB * 2**20


def reserve_bytes(disk_bytes: int) -> int:
    """The free space a batch must leave: $SEIMEI_ROWS_AHEAD_RESERVE_MB, or 1 GiB but no more
    than a tenth of a small disk."""
    raw = os.environ.get("SEIMEI_ROWS_AHEAD_RESERVE_MB", "").strip()
    return int(float(raw) * 2**20) if raw else min(DEFAULT_RESERVE_MB * 2**20, disk_bytes // 10)


@dataclass
class Batch:
    """One file of a table's rows: where each document's rows are in it, how many of them are
    still to be taken, and the validation it is in."""
    path: Path
    where: dict[str, tuple[int, int]]  # doc_id -> (offset, length)
    left: int
    handle: object  # the validation it is in (pipeline/validation_service.py submit_file)
    validated: bool = False  # its report collected: the validation process is done with the file


@dataclass
class Gathering:
    """A table's rows not written yet, in the order built: (doc_id, row count) per document and
    the rows themselves. A document's rows arrive as a table of a few rows, whose Arrow and C++
    bookkeeping (schema, arrays, 64-byte buffers) weighs more than its data: the dates, officials
    and sectors of 10,000 documents kept that way took 300 MiB of the run's process for a few
    MiB of rows. Every COMPACT_EVERY documents the loose tables become one."""

    docs: list[tuple[str, int]] = field(default_factory=list)
    parts: list[pa.Table] = field(default_factory=list)  # compacted tables, then the loose ones
    loose: int = 0
    nbytes: int = 0

    def add(self, doc_id: str, rows: pa.Table) -> None:
        self.docs.append((doc_id, rows.num_rows))
        self.parts.append(rows)
        self.nbytes += rows.nbytes
        self.loose += 1
        if self.loose >= COMPACT_EVERY:
            loose = self.parts[-self.loose:]
            del self.parts[-self.loose:]
            self.parts.append(pa.concat_tables(loose).combine_chunks())
            self.loose = 0

    def rows(self) -> pa.Table:
        return pa.concat_tables(self.parts)


class RowsAhead:
    """{(table, doc_id): the table's fingerprint, the document's text length and its batch (or
    None while in memory)}, for one run at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._run: str | None = None
        self._folder: Path | None = None
        self._entries: dict[tuple[str, str], list] = {}  # [fingerprint, text length, batch or None]
        self._gathering: dict[str, Gathering] = {}
        self._gathered = 0
        self._loaded: dict[str, tuple[Batch, pa.Table]] = {}  # table -> the batch read back last
        self._by_handle: dict[object, Batch] = {}
        self._batches = 0
        self.budget = budget_bytes()
        self.stopped: str | None = None  # why this run keeps no more rows (a full disk)

    def start(self, run_id: str) -> None:
        """A new run: what an earlier run left is dropped."""
        with self._lock:
            if run_id != self._run:
                self._drop()
                self._run, self.budget, self.stopped = run_id, budget_bytes(), None

    def _drop(self) -> None:
        self._entries.clear()
        self._gathering.clear()
        self._loaded.clear()
        self._by_handle.clear()
        self._gathered = 0
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def close(self) -> None:
        with self._lock:
            self._drop()
            self._run, self.stopped = None, None

    def full(self) -> bool:
        return self.budget <= 0

    @property
    def folder(self) -> Path | None:
        """Where this run's batches are (None before the first is written)."""
        return self._folder

    def offer(self, run_id: str, table: str, doc_id: str, rows: pa.Table, text_length: int) -> bool:
        with self._lock:
            if run_id != self._run or self.full():
                return False
            self._entries[(table, doc_id)] = [stage_fingerprint(table), text_length, None]
            gathering = self._gathering.setdefault(table, Gathering())
            gathering.add(doc_id, rows)
            self._gathered += rows.nbytes
            if gathering.nbytes >= validation_service.VALIDATE_BYTES:
                self._write(table)
            while self._gathered >= self.budget and self._gathering:
                self._write(max(self._gathering, key=lambda t: self._gathering[t].nbytes))
            return (table, doc_id) in self._entries

    def submit_all(self) -> None:
        """Every table's rows still in memory written and handed to validation (the reading is done)."""
        with self._lock:
            for table in list(self._gathering):
                self._write(table)

    def _write(self, table: str) -> None:
        gathering = self._gathering.pop(table, None)
        if gathering is None:
            return
        self._gathered -= gathering.nbytes
        if not gathering.docs:
            return
        docs = [d for d, _ in gathering.docs]
        path = None
        try:
            if self._folder is None:
                validation_service.remove_abandoned_folders(FOLDER_PREFIX)
                self._folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
            rows = gathering.rows()
            disk = shutil.disk_usage(self._folder)
            free, reserve = disk.free, reserve_bytes(disk.total)
            if free - rows.nbytes < reserve:  # nbytes: the batch before compression, an upper bound
                raise OSError(errno.ENOSPC, f"{free >> 20} MiB free; a batch of {rows.nbytes / 2**20:.1f} MiB would "
                              f"leave less than the reserve, SEIMEI_ROWS_AHEAD_RESERVE_MB={reserve >> 20}")
            self._batches += 1
            path = self._folder / f"{table}-{self._batches}.arrow"
            lengths = {d: self._entries[(table, d)][1] for d in docs}
            validation_service.write_table_file(path, rows, lengths, compression="lz4")
        except OSError as exc:
            if path is not None:
                path.unlink(missing_ok=True)
            self._stop(f"the temporary disk ({self._folder or tempfile.gettempdir()}): {exc.strerror or exc}", docs, table)
            return
        where, offset = {}, 0
        for doc_id, count in gathering.docs:
            where[doc_id] = (offset, count)
            offset += count
        gathering.parts.clear()
        del rows
        give_back()  # the rows and their concatenation, written
        batch = Batch(path, where, len(where), validation_service.submit_file(table, path))
        self._by_handle[batch.handle] = batch
        for doc_id in docs:
            self._entries[(table, doc_id)][2] = batch

    def _stop(self, reason: str, docs: list[str], table: str) -> None:
        """No more rows kept in this run: those not written are forgotten (their steps build
        them); the batches written stay good."""
        self.stopped, self.budget = reason, 0
        for doc_id in docs:
            self._entries.pop((table, doc_id), None)
        for other, gathering in self._gathering.items():
            for doc_id, _ in gathering.docs:
                self._entries.pop((other, doc_id), None)
        self._gathering.clear()
        self._gathered = 0

    def take(self, run_id: str, table: str, doc_id: str) -> tuple[pa.Table, int, object] | None:
        """(rows, text length, validation handle) built ahead, removed from here; None when there
        are none for this run under the table's current fingerprint."""
        with self._lock:
            if run_id != self._run:
                return None
            entry = self._entries.get((table, doc_id))
            if entry is None:
                return None
            if entry[2] is None:  # still in memory (taken before submit_all): written first
                self._write(table)
            self._entries.pop((table, doc_id), None)
            fingerprint, text_length, batch = entry
            if batch is None:  # could not be written: the step builds them
                return None
            loaded = self._loaded.get(table)
            if loaded is None or loaded[0] is not batch:
                try:
                    rows_of_batch = validation_service.read_table_file(batch.path)[0]
                except OSError:  # removed under the run: the step builds them
                    return None
                self._loaded[table] = loaded = (batch, rows_of_batch)
            offset, length = batch.where[doc_id]
            rows = loaded[1].slice(offset, length)
            batch.left -= 1
            if batch.left == 0:
                self._loaded.pop(table, None)
                if batch.validated:
                    batch.path.unlink(missing_ok=True)
            return (rows, text_length, batch.handle) if fingerprint == stage_fingerprint(table) else None

    def validated(self, handle: object) -> None:
        """The report of a batch's validation was collected: once its rows are all taken too,
        its file goes."""
        with self._lock:
            batch = self._by_handle.pop(handle, None)
            if batch is not None:
                batch.validated = True
                if batch.left == 0:
                    batch.path.unlink(missing_ok=True)


ROWS_AHEAD = RowsAhead()
atexit.register(ROWS_AHEAD.close)


def build_ahead(run_id: str, doc_id: str, source_path: str, source_sha256: str, norm: NormalizedText,
                structure: Structure, built: dict[str, pa.Table]) -> None:
    """Every per-document table's rows of one document, in the tables' order (tokens before the
    sectors matched on them), each kept for its step. A table whose rows fail here is
    left to its step, which builds them again and rejects the document with the reason.
    built: rows a reading worker built already. A table its spec builds in worker processes
    (tokens) is never built here, one document at a time: its step builds them in parallel."""
    from schemas.tables import PUBLISHED_TABLES

    tokens: tuple[TokenView, ...] | None = None
    for contract in PUBLISHED_TABLES.values():
        if not contract.per_document or ROWS_AHEAD.full():
            continue
        try:
            if contract.name in built:
                rows = built[contract.name]
            elif contract.worker_builder() is not None:
                continue
            else:
                if "tokens" in contract.upstream and tokens is None:
                    continue
                inputs = DocumentInputs(doc_id, source_path, source_sha256, norm, structure,
                                        tokens if "tokens" in contract.upstream else None)
                rows = contract.to_table([{**row, "source_sha256": source_sha256}
                                          for row in contract.row_builder()(inputs)])
        except Exception:  # noqa: BLE001 - the step says why, as it always has
            continue
        if contract.name == "tokens":
            tokens = token_views(rows)
        ROWS_AHEAD.offer(run_id, contract.name, doc_id, rows, len(norm.text))

