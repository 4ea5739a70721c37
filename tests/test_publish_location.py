"""The publish location is a URI: the whole pipeline publishes to a non-local filesystem (fsspec's
in-memory one stands in for s3:// or gs://) and nothing lands on the local disk."""

from __future__ import annotations

import os
import shutil

import dagster as dg
import fsspec
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from pipeline.runner import run
from pipeline.storage import PublishLocation
from pipeline.verify import verify
from tests.conftest import SAMPLE_INBOX


def test_a_run_publishes_to_a_uri_and_reads_back_through_pyarrow(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a stray local write would show up here
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE_INBOX, inbox)
    uri = "memory://seimei-test/published"
    with dg.instance_for_test() as instance:
        summary = run(str(inbox), uri, instance, echo=lambda *_: None)
    assert summary.statuses["published"] == 4
    assert summary.row_counts["tokens"] > 1000

    fs = pafs.PyFileSystem(pafs.FSSpecHandler(fsspec.filesystem("memory")))
    documents = pq.read_table("/seimei-test/published/documents", filesystem=fs)
    assert documents.num_rows == 4
    ledger = pq.read_table("/seimei-test/published/sources/sources.parquet", filesystem=fs).to_pylist()
    assert {r["status"] for r in ledger} == {"published"}
    assert PublishLocation(uri).names("/seimei-test/published/_work/normalized_text", ".json")
    assert verify(inbox, uri) == []
    assert sorted(os.listdir(tmp_path)) == ["inbox"]


def test_local_paths_and_file_uris_are_the_same_location(tmp_path):
    plain, uri = PublishLocation(str(tmp_path / "pub")), PublishLocation(f"file://{tmp_path}/pub")
    plain.write_bytes(plain.path("t", "a.json"), b"{}")
    assert uri.read_bytes(uri.path("t", "a.json")) == b"{}"
    assert plain.is_local and plain.display("t") == str(tmp_path / "pub" / "t")
    assert uri.names(uri.path("t"), ".json") == ["a.json"]
    assert plain.read_bytes(plain.path("t", "missing.json")) is None


def test_temporaries_left_by_a_killed_run_are_removed_once_stale(tmp_path):
    location = PublishLocation(str(tmp_path / "pub"))
    location.write_bytes(location.path("documents", "a.parquet"), b"x")
    old = tmp_path / "pub" / "documents" / ".a.parquet.0123456789abcdef.tmp"
    fresh = tmp_path / "pub" / "_work" / "tokens" / ".b.json.fedcba9876543210.tmp"
    for path in (old, fresh):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    os.utime(old, (1_600_000_000, 1_600_000_000))
    assert location.remove_stale_temporaries() == [str(old)]
    assert fresh.exists() and (tmp_path / "pub" / "documents" / "a.parquet").exists()
