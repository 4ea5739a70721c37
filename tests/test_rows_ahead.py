"""Rows built while reading (pipeline/rows_ahead.py): gathered in memory up to the budget, then
written in batches that the validation process validates and the tables' steps read back."""

import hashlib

from pipeline import rows_ahead, validation_service
from pipeline.core.process import normalize, read_source
from pipeline.core.rows import DocumentInputs
from pipeline.rows_ahead import RowsAhead
from schemas.tables import SENTENCES
from tests.conftest import SEED_FIXTURES


def sentence_tables() -> dict[str, tuple]:
    tables = {}
    for path in sorted(SEED_FIXTURES.glob("*.txt")):
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        norm = normalize(read_source(path, "text"))
        rows = SENTENCES.row_builder()(DocumentInputs(sha[:16], path.name, sha, norm))
        tables[sha[:16]] = (SENTENCES.to_table([{**r, "source_sha256": sha} for r in rows]), len(norm.text))
    return tables


def test_rows_over_the_budget_go_to_files_and_come_back_the_same(monkeypatch):
    monkeypatch.setenv("SEIMEI_ROWS_AHEAD_MB", "0.001")  # 1 KB: every document's rows are written at once
    tables = sentence_tables()
    assert len(tables) >= 3
    ahead = RowsAhead()
    ahead.start("run-1")
    for doc_id, (table, length) in tables.items():
        assert ahead.offer("run-1", "sentences", doc_id, table, length)
    batches = sorted(ahead.folder.iterdir())
    assert len(batches) == len(tables), batches  # none kept in memory past the budget
    reports = {}
    for doc_id, (table, length) in tables.items():
        rows, text_length, handle = ahead.take("run-1", "sentences", doc_id)
        assert rows.equals(table) and text_length == length
        if handle not in reports:
            reports[handle] = validation_service.result(handle)
            ahead.validated(handle)
    assert len(reports) == len(tables) and all(r.success for r in reports.values())
    assert list(ahead.folder.iterdir()) == []  # each batch removed once taken and validated
    assert ahead.take("run-1", "sentences", next(iter(tables))) is None  # taken once
    folder = ahead.folder
    ahead.close()
    assert not folder.exists()


def test_rows_within_the_budget_stay_in_memory_until_the_reading_ends(monkeypatch):
    monkeypatch.setenv("SEIMEI_ROWS_AHEAD_MB", "64")
    tables = sentence_tables()
    ahead = RowsAhead()
    ahead.start("run-2")
    for doc_id, (table, length) in tables.items():
        ahead.offer("run-2", "sentences", doc_id, table, length)
    assert ahead.folder is None  # nothing written yet
    ahead.submit_all()
    assert len(list(ahead.folder.iterdir())) == 1  # one batch, one validation
    handles = {ahead.take("run-2", "sentences", d)[2] for d in tables}
    assert len(handles) == 1 and validation_service.result(handles.pop()).success
    ahead.start("run-3")  # a new run drops what the last one left
    assert ahead.folder is None and ahead.take("run-3", "sentences", next(iter(tables))) is None
    ahead.close()


def test_documents_gathered_in_memory_are_compacted_and_come_back_the_same(monkeypatch):
    """A document's few rows are one small table each; held loose, their bookkeeping outweighed
    the rows (~35 KB per document read in the run's process). Every COMPACT_EVERY documents they
    become one table, and each document's rows still come back exactly, in order."""
    monkeypatch.setenv("SEIMEI_ROWS_AHEAD_MB", "64")
    monkeypatch.setattr(rows_ahead, "COMPACT_EVERY", 4)
    seeds = list(sentence_tables().values())
    docs = {f"{i:016x}": seeds[i % len(seeds)] for i in range(11)}  # 11 documents: two compactions and 3 loose
    ahead = RowsAhead()
    ahead.start("run-c")
    for doc_id, (table, length) in docs.items():
        assert ahead.offer("run-c", "sentences", doc_id, table, length)
    gathering = ahead._gathering["sentences"]
    assert [p.num_rows for p in gathering.parts[:2]] == [sum(docs[d][0].num_rows for d in list(docs)[k:k + 4])
                                                         for k in (0, 4)]
    assert len(gathering.parts) == 2 + 3 and all(p.column(0).num_chunks == 1 for p in gathering.parts[:2])
    assert gathering.nbytes == sum(t.nbytes for t, _ in docs.values())
    handles = set()
    for doc_id, (table, length) in docs.items():  # the first take writes the batch
        rows, text_length, handle = ahead.take("run-c", "sentences", doc_id)
        assert rows.equals(table) and text_length == length
        handles.add(handle)
    assert len(handles) == 1  # one batch (its seeds repeat, so its validation fails on duplicate keys)
    validation_service.result(handles.pop())
    ahead.close()


def test_a_run_in_processes_of_its_own_keeps_no_rows(monkeypatch):
    monkeypatch.setenv("SEIMEI_EXECUTOR", "multiprocess")
    ahead = RowsAhead()
    ahead.start("run-4")
    table, length = next(iter(sentence_tables().values()))
    assert ahead.full() and not ahead.offer("run-4", "sentences", "x", table, length)


def test_seimei_run_keeps_rows_whatever_executor_the_ui_is_set_to(monkeypatch):
    """SEIMEI_EXECUTOR names the executor of the UI's and the daemon's runs; `seimei run` runs
    every step in its own process and says so around its runs (pipeline/runner.py): rows are
    kept then, and only then."""
    from pipeline.rows_ahead import every_step_runs_here

    monkeypatch.setenv("SEIMEI_EXECUTOR", "multiprocess")
    ahead = RowsAhead()
    table, length = next(iter(sentence_tables().values()))
    with every_step_runs_here():
        ahead.start("run-5")
        assert not ahead.full() and ahead.offer("run-5", "sentences", "x", table, length)
    ahead.start("run-6")
    assert ahead.full()
    ahead.close()


def test_a_batch_that_would_fill_the_temporary_disk_stops_the_keeping_not_the_run(monkeypatch):
    """Past SEIMEI_ROWS_AHEAD_RESERVE_MB of free space (here more than any disk has), no batch is
    written: the rows not written are forgotten, so their steps build them, and the reason is kept."""
    monkeypatch.setenv("SEIMEI_ROWS_AHEAD_MB", "0.001")
    monkeypatch.setenv("SEIMEI_ROWS_AHEAD_RESERVE_MB", str(2**40))
    ahead = RowsAhead()
    ahead.start("run-7")
    (doc_id, (table, length)), *_ = sentence_tables().items()
    assert not ahead.offer("run-7", "sentences", doc_id, table, length)
    assert ahead.full() and "SEIMEI_ROWS_AHEAD_RESERVE_MB" in ahead.stopped
    assert ahead.take("run-7", "sentences", doc_id) is None
    assert ahead.folder is None or not any(ahead.folder.iterdir())
    ahead.start("run-8")  # the next run tries again
    assert ahead.stopped is None
    ahead.close()
