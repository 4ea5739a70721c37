"""Inbox entries the pipeline must not read, and names it must survive: every one ends in the ledger."""

from __future__ import annotations

import os
import shutil
import socket

import dagster as dg
import pyarrow.parquet as pq
import pytest

from pipeline.core.inbox import display_path, fingerprint, list_entries, scan
from pipeline.runner import run
from tests.conftest import SEED_FIXTURES

SAMPLE = SEED_FIXTURES / "001_3d03689fe541bc5b.txt"
OTHER = SEED_FIXTURES / "003_40687e4e43f7c743.txt"
ODD_NAME = os.fsdecode(b"odd \xff\xfe name.txt")  # bytes that are not UTF-8 in a file name


@pytest.fixture
def awkward_inbox(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    outside = tmp_path / "outside.txt"
    shutil.copy(OTHER, outside)
    shutil.copy(SAMPLE, inbox / "日米韓 声明 (仮訳).txt")  # spaces, Japanese and brackets
    shutil.copy(SAMPLE, inbox / ODD_NAME)  # same bytes: a duplicate
    (inbox / "inside_link.txt").symlink_to(inbox / "日米韓 声明 (仮訳).txt")  # a link inside: followed
    (inbox / "outside_link.txt").symlink_to(outside)
    (inbox / "broken_link.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "elsewhere").mkdir()
    (inbox / "linked_folder").symlink_to(tmp_path / "elsewhere")
    os.mkfifo(inbox / "pipe.txt")  # reading it would block for ever
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(inbox / "daemon.sock"))
    yield inbox
    sock.close()


def test_scan_never_opens_what_is_not_a_regular_file(awkward_inbox):
    entries = {f.source_path: f for f in scan(awkward_inbox)}
    assert entries["pipe.txt"].skipped == "not a regular file: the entry is a named pipe (FIFO)"
    assert entries["daemon.sock"].skipped == "not a regular file: the entry is a socket"
    assert entries["outside_link.txt"].skipped.startswith("symbolic link leading outside the inbox")
    assert entries["broken_link.txt"].skipped.startswith("broken symbolic link")
    assert entries["linked_folder"].skipped.startswith("symbolic link leading outside the inbox")
    assert entries["inside_link.txt"].skipped is None
    assert entries[display_path(ODD_NAME)].source_path == "odd \\xff\\xfe name.txt"
    assert all(f.source_sha256 is None for f in entries.values() if f.skipped)


def test_the_scans_shortcut_for_plain_files_finds_what_the_full_checks_find(tmp_path, awkward_inbox, monkeypatch):
    """scan takes a plain regular file's real path from the inbox's and stats it once; every
    entry must come out as the full checks (links, kinds, resolve) make it, whether the inbox
    is named through a link, relatively, or holds sub-folders."""
    (awkward_inbox / "2024" / "05").mkdir(parents=True)
    shutil.copy(OTHER, awkward_inbox / "2024" / "05" / "会談.txt")
    (awkward_inbox / "2024" / "link_up.txt").symlink_to(awkward_inbox / "2024" / "05" / "会談.txt")
    (tmp_path / "via").symlink_to(awkward_inbox)
    monkeypatch.chdir(tmp_path)
    for inbox in (awkward_inbox, tmp_path / "via", awkward_inbox.relative_to(tmp_path)):
        full = [fingerprint(inbox, path, reason) for path, reason in list_entries(inbox)]
        assert scan(inbox) == full
        assert scan(inbox, full) == full  # with the last scan's sha256 reused
        plain = [f for f in full if f.skipped is None and not f.is_link]
        assert len(plain) >= 3 and all(f.absolute_path.startswith(str(awkward_inbox.resolve())) for f in plain)


def test_every_entry_is_in_the_ledger_and_the_run_goes_on(tmp_path, awkward_inbox):
    out = tmp_path / "out"
    with dg.instance_for_test() as instance:
        summary = run(str(awkward_inbox), str(out), instance, echo=lambda *_: None)
    assert summary.documents_processed == 1
    ledger = {r["source_path"]: r for r in pq.read_table(out / "sources").to_pylist()}
    assert set(ledger) == {"日米韓 声明 (仮訳).txt", "odd \\xff\\xfe name.txt", "inside_link.txt", "outside_link.txt",
                           "broken_link.txt", "linked_folder", "pipe.txt", "daemon.sock"}
    assert ledger["odd \\xff\\xfe name.txt"]["status"] == "published"  # the first regular file by path
    assert ledger["日米韓 声明 (仮訳).txt"]["status"] == "duplicate"
    published = [p for p, r in ledger.items() if r["status"] == "published"]
    assert len(published) == 1
    assert ledger["inside_link.txt"]["status"] == "duplicate"
    for name in ("outside_link.txt", "broken_link.txt", "linked_folder", "pipe.txt", "daemon.sock"):
        assert ledger[name]["status"] == "rejected" and ledger[name]["reason"], name
        assert ledger[name]["doc_id"] is None and ledger[name]["source_sha256"] is None
    documents = pq.read_table(out / "documents").to_pylist()
    assert [d["source_path"] for d in documents] == published
