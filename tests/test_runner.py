"""`seimei run` semantics: new work only, rejections recorded, duplicates, edits and deletions."""

from __future__ import annotations

import shutil
import urllib.parse
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest

from pipeline.runner import run
from tests.conftest import SAMPLE_INBOX, SEED_FIXTURES


def ledger(out):
    return {r["source_path"]: r for r in pq.read_table(out / "sources").to_pylist()}


@pytest.fixture()
def inbox(tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    shutil.copy(SEED_FIXTURES / "001_3d03689fe541bc5b.txt", box / "001.txt")
    shutil.copy(SEED_FIXTURES / "003_40687e4e43f7c743.txt", box / "003.txt")
    return box


def test_bad_files_are_rejected_with_reasons_and_the_rest_publish(tmp_path, inbox):
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    (inbox / "broken.pdf").write_bytes((SAMPLE_INBOX / "000_dfd32790290888e2.pdf").read_bytes()[:700])
    (inbox / "notes.docx").write_bytes(b"PK\x03\x04 not a statement")
    sub = inbox / "日本語 フォルダ"
    sub.mkdir()
    shutil.copy(inbox / "001.txt", sub / "001 copy.txt")
    out = tmp_path / "out"
    with dg.instance_for_test() as instance:
        summary = run(str(inbox), str(out), instance, echo=lambda *_: None)
    rows = ledger(out)
    assert set(rows) == {"001.txt", "003.txt", "empty.txt", "binary.txt", "broken.pdf", "notes.docx", "日本語 フォルダ/001 copy.txt"}
    assert rows["001.txt"]["status"] == rows["003.txt"]["status"] == "published"
    for name, words in [("empty.txt", "empty"), ("binary.txt", "binary"), ("broken.pdf", "PDF"), ("notes.docx", "unsupported format")]:
        assert rows[name]["status"] == "rejected" and rows[name]["doc_id"] is None
        assert words in rows[name]["reason"], rows[name]["reason"]
    dup = rows["日本語 フォルダ/001 copy.txt"]
    assert dup["status"] == "duplicate" and dup["doc_id"] == rows["001.txt"]["doc_id"] and "001.txt" in dup["reason"]
    assert summary.statuses == {"published": 2, "rejected": 4, "duplicate": 1}
    assert pq.read_table(out / "documents").num_rows == 2


def test_second_run_does_no_document_work_and_says_so(tmp_path, inbox):
    out = tmp_path / "out"
    said = []
    with dg.instance_for_test() as instance:
        first = run(str(inbox), str(out), instance, echo=said.append)
        second = run(str(inbox), str(out), instance, echo=said.append)
        assert len(instance.get_runs()) == 1
    assert first.documents_processed == 2 and second.documents_processed == 0 and second.runs == []
    assert "Nothing new" in said[-1]
    assert second.row_counts == first.row_counts


def test_only_the_new_document_is_processed_and_edits_replace_rows(tmp_path, inbox):
    out = tmp_path / "out"
    with dg.instance_for_test() as instance:
        run(str(inbox), str(out), instance, echo=lambda *_: None)
        shutil.copy(SEED_FIXTURES / "004_9cb1fc1b7e194a3c.txt", inbox / "004.txt")
        added = run(str(inbox), str(out), instance, echo=lambda *_: None)
        assert added.documents_processed == 1
        old_id = ledger(out)["001.txt"]["doc_id"]
        (inbox / "001.txt").write_text((inbox / "001.txt").read_text(encoding="utf-8") + "\n追記の一文。\n", encoding="utf-8")
        (inbox / "003.txt").unlink()
        edited = run(str(inbox), str(out), instance, echo=lambda *_: None)
    rows = ledger(out)
    assert set(rows) == {"001.txt", "004.txt"}
    assert edited.documents_processed == 1 and rows["001.txt"]["doc_id"] != old_id
    docs = pq.read_table(out / "documents").to_pylist()
    assert {d["doc_id"] for d in docs} == {rows["001.txt"]["doc_id"], rows["004.txt"]["doc_id"]}
    assert any("追記の一文。" in d["text"] for d in docs)
    for table in ("sentences", "tokens"):
        assert old_id not in set(pq.read_table(out / table).column("doc_id").to_pylist())


@pytest.mark.parametrize("chunk", [250, 1], ids=["one_chunk", "a_chunk_per_document"])
def test_a_document_failing_a_blocking_expectation_is_held_back_and_the_others_publish(tmp_path, inbox, chunk, monkeypatch):
    # chunk=1 publishes document by document, as a corpus bigger than PUBLISH_CHUNK streams through
    monkeypatch.setattr("assets.publishing.PUBLISH_CHUNK", chunk)
    monkeypatch.setattr("pipeline.validation_service.VALIDATE_BYTES", 1 if chunk == 1 else 32 * 1024 * 1024)
    # text as a PDF without a Unicode map extracts: readable enough to decode, garbage to publish
    (inbox / "cid.txt").write_text("日米共同声明\n" + "(cid:1234)(cid:87)(cid:3021)(cid:77)。" * 20 + "\n", encoding="utf-8")
    out = tmp_path / "out"
    with dg.instance_for_test() as instance:
        summary = run(str(inbox), str(out), instance, echo=lambda *_: None)
        check = instance.get_latest_asset_check_evaluation_record(dg.AssetCheckKey(dg.AssetKey("documents"), "gx_suite"))
    rows = ledger(out)
    assert rows["cid.txt"]["status"] == "rejected" and rows["cid.txt"]["doc_id"] is None
    assert "expect_column_values_to_not_match_regex on text" in rows["cid.txt"]["reason"]
    assert rows["001.txt"]["status"] == rows["003.txt"]["status"] == "published"
    assert summary.statuses == {"published": 2, "rejected": 1, "duplicate": 0}
    for table in ("documents", "sentences", "tokens", "dates", "officials", "sectors"):
        doc_ids = set(pq.read_table(out / table).column("doc_id").to_pylist())
        assert doc_ids <= {rows["001.txt"]["doc_id"], rows["003.txt"]["doc_id"]}, table
    assert check.event.asset_check_evaluation.passed is False
    # the check links GX's Data Docs: one page per validation (a page per document when each was
    # validated on its own, with an index of them), the failing one naming the held-back document
    docs = Path(urllib.parse.unquote(urllib.parse.urlparse(check.event.asset_check_evaluation.metadata["data_docs"].value).path))
    pages = sorted(docs.parent.glob("documents-*.html"))
    assert len(pages) == (3 if chunk == 1 else 0)
    failing = [p for p in pages or [docs] if "Expectation Validation Result" in p.read_text() and "cid:1234" in p.read_text()]
    assert len(failing) == 1
    if chunk == 1:
        index = docs.read_text()
        assert index.count("expectations failed</li>") == 3 and index.count(": failed, ") == 1


def test_buckets_split_into_runs_take_several_runs_and_only_the_last_writes_the_ledger(tmp_path, inbox, monkeypatch):
    """SEIMEI_BUCKETS_PER_RUN=1 (runs to spread over machines): one run per bucket with work, and
    only the last one rebuilds the ledger, once every bucket is done."""
    from pipeline.buckets import bucket_of
    from pipeline.core.inbox import scan

    monkeypatch.setenv("SEIMEI_BUCKETS_PER_RUN", "1")
    out = tmp_path / "out"
    buckets = sorted({bucket_of(f.doc_id) for f in scan(inbox)})
    assert len(buckets) == 2
    with dg.instance_for_test() as instance:
        summary = run(str(inbox), str(out), instance, echo=lambda *_: None)
        runs = instance.get_runs(limit=2)
    assert len(summary.runs) == 2 and summary.documents_processed == 2
    selections = [r.asset_selection for r in runs]  # newest first
    assert not selections[0] and selections[1] and dg.AssetKey("sources") not in selections[1]
    assert [r.tags["dagster/asset_partition_range_start"] for r in runs] == buckets[::-1]
    assert set(ledger(out)) == {"001.txt", "003.txt"}


IMPORT_THREADS = """
import sys, threading
off_main = set()
def hook(event, args):
    if event == "import" and threading.current_thread() is not threading.main_thread():
        off_main.add((threading.current_thread().name, args[0]))
if __name__ == "__main__":
    sys.addaudithook(hook)
    import dagster as dg
    from pipeline.runner import run
    with dg.instance_for_test() as instance:
        run(sys.argv[1], sys.argv[2], instance, echo=lambda *_: None)
    print(sorted(off_main))
"""


def test_a_run_imports_no_module_off_the_main_thread(tmp_path, inbox):
    """A module imported by a background thread is visible half-initialised to the main thread:
    GX imported in a warm-up thread once broke dagster-postgres's sqlalchemy mid-run ("partially
    initialized module 'sqlalchemy.orm.exc'"). Every import of a run happens on the main thread."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    script = tmp_path / "imports.py"
    script.write_text(IMPORT_THREADS, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(inbox), str(tmp_path / "out")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
