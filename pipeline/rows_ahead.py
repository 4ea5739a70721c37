"""Rows of the published tables built ahead, while the reading step waits on its workers, and
kept in this process's memory until the tables' steps take them.

A run executed in one process (`seimei run`, the UI's default executor) would otherwise sit idle
through the reading and then build every table's rows after it. A table's step takes a
document's rows from here when they were built in the same run under the table's current
fingerprint, and builds them itself otherwise (another process, a document that did not fit):
the rows are the same either way, since the builders are pure functions of the stage results.
Rows are taken out as they are used, and what is kept is bounded ($SEIMEI_ROWS_AHEAD_MB,
default 128), so a corpus that does not fit is built by the steps as before.

The rows kept are also handed to the validation process as they pile up (pipeline/
validation_service.py, VALIDATE_BYTES at a time), so Great Expectations validates them while
the reading goes on; the table's step collects the report with the rows. No Dagster.
"""

from __future__ import annotations

import os
import threading

import pyarrow as pa

from pipeline import validation_service
from pipeline.core.process import NormalizedText
from pipeline.core.rows import DocumentInputs
from pipeline.core.sectors import TokenView
from pipeline.versions import stage_fingerprint

DEFAULT_BUDGET_MB = 128


def budget_bytes() -> int:
    """0 where the tables' steps run in processes of their own (SEIMEI_EXECUTOR multiprocess or
    k8s): rows kept in this process's memory would never reach them."""
    if os.environ.get("SEIMEI_EXECUTOR", "in_process") != "in_process":
        return 0
    raw = os.environ.get("SEIMEI_ROWS_AHEAD_MB", "").strip()
    return int(float(raw) * 2**20) if raw else DEFAULT_BUDGET_MB * 2**20


class RowsAhead:
    """{(table, doc_id): rows, the document's text length and the validation they are in}, for
    one run at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._run: str | None = None
        self._rows: dict[tuple[str, str], list] = {}  # [fingerprint, rows, text length, validation handle]
        self._unsent: dict[str, list[str]] = {}  # table -> doc_ids not handed to validation yet
        self._unsent_bytes: dict[str, int] = {}
        self._bytes = 0
        self.budget = budget_bytes()

    def start(self, run_id: str) -> None:
        """A new run: what an earlier run left is dropped."""
        with self._lock:
            if run_id != self._run:
                self._rows.clear()
                self._unsent.clear()
                self._unsent_bytes.clear()
                self._bytes, self._run, self.budget = 0, run_id, budget_bytes()

    def full(self) -> bool:
        return self._bytes >= self.budget

    def offer(self, run_id: str, table: str, doc_id: str, rows: pa.Table, text_length: int) -> bool:
        with self._lock:
            if run_id != self._run or self._bytes + rows.nbytes > self.budget:
                return False
            self._rows[(table, doc_id)] = [stage_fingerprint(table), rows, text_length, None]
            self._bytes += rows.nbytes
            self._unsent.setdefault(table, []).append(doc_id)
            self._unsent_bytes[table] = self._unsent_bytes.get(table, 0) + rows.nbytes
            if self._unsent_bytes[table] >= validation_service.VALIDATE_BYTES:
                self._submit(table)
            return True

    def submit_all(self) -> None:
        """Every table's rows not yet handed to validation, handed over (the reading is done)."""
        with self._lock:
            for table in list(self._unsent):
                self._submit(table)

    def _submit(self, table: str) -> None:
        doc_ids = self._unsent.pop(table, [])
        self._unsent_bytes.pop(table, None)
        entries = {d: self._rows[(table, d)] for d in doc_ids if (table, d) in self._rows}
        if not entries:
            return
        handle = validation_service.submit(table, pa.concat_tables([e[1] for e in entries.values()]),
                                           {d: e[2] for d, e in entries.items()})
        for entry in entries.values():
            entry[3] = handle

    def take(self, run_id: str, table: str, doc_id: str) -> tuple[pa.Table, int, object] | None:
        """(rows, text length, validation handle or None) built ahead, removed from here; None when
        there are none for this run under the table's current fingerprint."""
        with self._lock:
            if run_id != self._run:
                return None
            entry = self._rows.pop((table, doc_id), None)
            if entry is None:
                return None
            fingerprint, rows, text_length, handle = entry
            self._bytes -= rows.nbytes
            return (rows, text_length, handle) if fingerprint == stage_fingerprint(table) else None

    def __len__(self) -> int:
        return len(self._rows)


ROWS_AHEAD = RowsAhead()


def build_ahead(run_id: str, doc_id: str, source_path: str, source_sha256: str, norm: NormalizedText,
                structure: dict, built: dict[str, pa.Table]) -> None:
    """Every per-document table's rows of one document, in the tables' order (tokens before the
    sectors matched on them), each kept while the budget lasts. A table whose rows fail here is
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


def token_views(tokens: pa.Table) -> tuple[TokenView, ...]:
    """A document's tokens table as the sector matcher reads it (as published: in key order)."""
    columns = (tokens.column(name).to_pylist() for name in ("sentence_idx", "normalized_form", "char_start"))
    return tuple(map(TokenView, *columns))
