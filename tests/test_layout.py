"""The bucket layout: a bounded number of files, work only where something changed, and earlier
layouts (one file per document) or another bucket count laid out anew with every row kept."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import dagster as dg
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from pipeline.buckets import bucket_of
from pipeline.planning import PER_DOCUMENT_TABLES
from pipeline.runner import run
from pipeline.storage import StageStore
from pipeline.verify import verify
from pipeline.versions import pipeline_fingerprint
from tests.conftest import SAMPLE_INBOX, SEED_FIXTURES


def rows(out: Path) -> dict[str, list[str]]:
    return {t: sorted(json.dumps(r, default=str, ensure_ascii=False, sort_keys=True)
                      for r in pq.read_table(out / t).to_pylist()) for t in PER_DOCUMENT_TABLES}


def quiet(inbox: Path, out: Path, instance) -> list[str]:
    lines: list[str] = []
    run(str(inbox), str(out), instance, echo=lines.append)
    return lines


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("layout")
    inbox, out = root / "inbox", root / "out"
    shutil.copytree(SAMPLE_INBOX, inbox)
    with dg.instance_for_test() as instance:
        quiet(inbox, out, instance)
    return inbox, out, rows(out)


def copy_of(published, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the published corpus (inbox and publish folder) to change."""
    inbox_before, out_before, _ = published
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    shutil.copytree(inbox_before, inbox)
    shutil.copytree(out_before, out)
    return inbox, out


def doc_id_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def to_legacy_layout(out: Path, dst: Path) -> Path:
    """The publication as an earlier version wrote it: one file per document in meeting-year
    folders, a done-stamp per document and table, no bucket stamps."""
    shutil.copytree(out, dst)
    years = {d["doc_id"]: d["meeting_date"].year if d["meeting_date"] else None
             for d in pq.read_table(dst / "documents", columns=["doc_id", "meeting_date"]).to_pylist()}
    store = StageStore(dst)
    for table in PER_DOCUMENT_TABLES:
        data = pq.read_table(dst / table)
        for f in (dst / table).glob("part-*.parquet"):
            f.unlink()
        for doc_id, year in years.items():
            part = data.filter(pc.equal(data.column("doc_id"), doc_id))
            folder = dst / table / f"meeting_year={year}"  # every document had a file, rows or none
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(part, folder / f"{doc_id}.parquet")
            store.write(table, doc_id, {"fingerprint": pipeline_fingerprint(), "rows": part.num_rows})
    shutil.rmtree(dst / "_work" / "stamps")
    shutil.rmtree(dst / "_work" / "layout")
    return dst


def test_an_earlier_layout_is_migrated_on_the_first_run_with_nothing_lost_or_redone(published, tmp_path):
    inbox, out, before = published
    legacy = to_legacy_layout(out, tmp_path / "legacy")
    assert any(legacy.glob("documents/meeting_year=*/*.parquet"))
    assert any("not migrated" in p for p in verify(inbox, legacy))
    with dg.instance_for_test() as instance:
        lines = quiet(inbox, legacy, instance)
    assert any(line.startswith("Nothing new") for line in lines), lines  # done documents stay done
    assert rows(legacy) == before
    assert not list(legacy.glob("*/meeting_year=*"))
    assert {p.name for p in legacy.glob("documents/*.parquet")} == {p.name for p in out.glob("documents/*.parquet")}
    assert verify(inbox, legacy) == []


def test_another_bucket_count_lays_the_publication_out_anew(published, tmp_path, monkeypatch):
    inbox, out, before = published
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    monkeypatch.setenv("SEIMEI_BUCKETS", "3")
    with dg.instance_for_test() as instance:
        quiet(inbox, copy, instance)
    assert rows(copy) == before
    for table in PER_DOCUMENT_TABLES:
        names = {p.name for p in (copy / table).glob("*.parquet")}
        assert names <= {"part-00.parquet", "part-01.parquet", "part-02.parquet"}, names
    for f in (copy / "tokens").glob("*.parquet"):
        assert {bucket_of(d, 3) for d in pq.read_table(f, columns=["doc_id"]).column("doc_id").to_pylist()} == \
            {f.stem[len("part-"):]}
    assert verify(inbox, copy) == []


def test_one_new_file_is_the_only_document_read_and_only_its_bucket_is_rewritten(published, tmp_path):
    inbox, out = copy_of(published, tmp_path)
    new = inbox / "zz_new.txt"
    shutil.copy(SEED_FIXTURES / "000_dfd32790290888e2.txt", new)
    new_bucket = bucket_of(doc_id_of(new))
    mtimes = {p: p.stat().st_mtime_ns for p in out.glob("*/part-*.parquet")}
    with dg.instance_for_test() as instance:
        lines = quiet(inbox, out, instance)
        extracted = instance.get_latest_materialization_event(dg.AssetKey("extracted_text")).asset_materialization.metadata
        tokens = instance.get_latest_materialization_event(dg.AssetKey("tokens")).asset_materialization.metadata
    assert any("1 documents (bucket " in line for line in lines), lines
    assert extracted["documents_read"].value == 1
    assert tokens["documents_written_in_run"].value == 1 and tokens["bucket_files_written"].value == 1
    rewritten = {p.relative_to(out).as_posix() for p in out.glob("*/part-*.parquet")
                 if mtimes.get(p) != p.stat().st_mtime_ns}
    assert rewritten and all(name.endswith(f"/part-{new_bucket}.parquet") for name in rewritten), rewritten
    assert verify(inbox, out) == []


def test_a_deleted_file_leaves_its_bucket_and_only_that_bucket_is_run(published, tmp_path):
    inbox, out = copy_of(published, tmp_path)
    gone = sorted(inbox.glob("*.txt"))[0]
    doc_id = doc_id_of(gone)
    gone.unlink()
    with dg.instance_for_test() as instance:
        lines = quiet(inbox, out, instance)
    assert any(f"0 documents (bucket {bucket_of(doc_id)})" in line for line in lines), lines
    for table in PER_DOCUMENT_TABLES:
        assert doc_id not in pq.read_table(out / table, columns=["doc_id"]).column("doc_id").to_pylist(), table
    assert verify(inbox, out) == []
