"""The publication as a whole: no empty or wrong inbox takes it back, a failed run leaves the
tables and the ledger agreeing, every inbox entry has one ledger row under a key of its own, and
broken reference data stops a run in one sentence before any document work."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest

from pipeline.core.reference import ReferenceData, ReferenceDataError, check_reference
from pipeline.project import REFERENCE_DIR
from pipeline.runner import RunFailed, run
from pipeline.storage import ParquetPublisher
from pipeline.verify import verify
from schemas.tables import DOC_TYPES
from tests.conftest import SAMPLE_INBOX, SEED_FIXTURES

SEIMEI = Path(sys.executable).parent / "seimei"


def seimei(*args, home: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run([str(SEIMEI), *args, "--no-progress"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DAGSTER_HOME": str(home), **env})


def ledger(out: Path) -> dict[str, dict]:
    return {r["source_path"]: r for r in pq.read_table(out / "sources").to_pylist()}


def published_files(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.glob("*/part-*.parquet"))


def published_documents(out: Path) -> set[str]:
    """Every document any per-document table holds rows of."""
    return {d for p in out.glob("*/part-*.parquet") for d in pq.read_table(p, columns=["doc_id"]).column("doc_id").to_pylist()}


def test_an_empty_inbox_does_not_take_the_publication_back(tmp_path):
    inbox, empty, out, home = tmp_path / "inbox", tmp_path / "empty", tmp_path / "out", tmp_path / "home"
    shutil.copytree(SAMPLE_INBOX, inbox)
    empty.mkdir()
    home.mkdir()
    assert seimei("run", "--raw", str(inbox), "--out", str(out), home=home).returncode == 0
    before = published_files(out)
    refused = seimei("run", "--raw", str(empty), "--out", str(out), home=home)
    assert refused.returncode == 3, refused.stderr
    assert "refusing to withdraw 4 of 4 published documents (100%" in refused.stderr
    assert "--allow-removal" in refused.stderr
    assert published_files(out) == before and verify(inbox, out) == []
    # one file gone of four is an ordinary deletion: no guard
    victim = sorted(inbox.iterdir())[0]
    victim.unlink()
    assert seimei("run", "--raw", str(inbox), "--out", str(out), home=home).returncode == 0
    assert victim.name not in ledger(out) and verify(inbox, out) == []
    # told to go ahead, it withdraws
    allowed = seimei("run", "--raw", str(empty), "--out", str(out), "--allow-removal", home=home)
    assert allowed.returncode == 0, allowed.stderr
    assert published_files(out) == [] and ledger(out) == {}


def test_a_run_that_fails_mid_publish_leaves_tables_and_ledger_agreeing(tmp_path, monkeypatch):
    """The disk fills up as the ledger is written: the run fails, the documents it wrote that the
    ledger does not list are withdrawn, and verify passes; the next run publishes them."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    texts = sorted(SAMPLE_INBOX.glob("*.txt"))
    shutil.copy(texts[0], inbox)
    with dg.instance_for_test() as instance:
        run(str(inbox), str(out), instance, echo=lambda *_: None)
        for p in texts[1:]:
            shutil.copy(p, inbox)
        shutil.copy(next(SAMPLE_INBOX.glob("*.pdf")), inbox)
        real_write = ParquetPublisher.write

        def full_disk(self, path, table, metadata):
            if path == self.ledger_path():
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_write(self, path, table, metadata)

        monkeypatch.setattr(ParquetPublisher, "write", full_disk)
        with pytest.raises(RunFailed, match="No space left"):
            run(str(inbox), str(out), instance, echo=lambda *_: None)
        monkeypatch.undo()
        listed = {r["doc_id"] for r in ledger(out).values() if r["status"] == "published"}
        assert published_documents(out) == listed  # nothing unlisted is left
        problems = [p for p in verify(inbox, out) if not p.startswith("unaccounted")]
        assert problems == []  # the new files await the next run; nothing published disagrees
        run(str(inbox), str(out), instance, echo=lambda *_: None)
    assert {r["status"] for r in ledger(out).values()} == {"published"} and len(ledger(out)) == len(texts) + 1
    assert verify(inbox, out) == []


def test_ledger_keys_are_unique_whatever_the_bytes_of_the_names(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    seeds = sorted(SEED_FIXTURES.glob("*.txt"))
    shutil.copy(seeds[0], inbox / os.fsdecode(b"a\xffb.txt"))  # a real 0xFF byte
    shutil.copy(seeds[1], inbox / "a\\xffb.txt")  # the four characters \xff
    with dg.instance_for_test() as instance:
        run(str(inbox), str(out), instance, echo=lambda *_: None)
    rows = ledger(out)
    assert set(rows) == {"a\\xffb.txt", "a\\\\xffb.txt"}
    assert {r["status"] for r in rows.values()} == {"published"}
    assert verify(inbox, out) == []


def test_hidden_entries_are_accounted_for_and_verify_checks_every_entry(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    (inbox / ".git").mkdir(parents=True)
    (inbox / ".git" / "config").write_text("x")
    shutil.copy(sorted(SEED_FIXTURES.glob("*.txt"))[0], inbox / "statement.txt")
    (inbox / ".statement.txt.swp").write_bytes(b"vim")
    with dg.instance_for_test() as instance:
        run(str(inbox), str(out), instance, echo=lambda *_: None)
    rows = ledger(out)
    assert rows[".git"]["status"] == "rejected" and rows[".git"]["reason"].startswith("hidden folder")
    assert rows[".statement.txt.swp"]["status"] == "rejected" and rows[".statement.txt.swp"]["reason"].startswith("hidden name")
    assert rows["statement.txt"]["status"] == "published"
    assert verify(inbox, out) == []
    (inbox / "later.txt").write_text("後から来た文書。\n", encoding="utf-8")
    assert verify(inbox, out) == ["unaccounted: later.txt is in the inbox but not in the ledger; run `seimei run`"]


def copy_reference(tmp_path: Path) -> Path:
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    return folder


def test_a_truncated_reference_file_is_one_sentence_naming_it(tmp_path):
    folder = copy_reference(tmp_path)
    data = (folder / "officials.json").read_bytes()
    text = data.decode("utf-8")
    (folder / "officials.json").write_bytes(text[: len(text) // 2].encode("utf-8"))  # cut at a character
    with pytest.raises(ReferenceDataError, match=r"^reference data officials.json is not valid JSON: .* at line \d+"):
        ReferenceData.load(folder)
    (folder / "officials.json").write_bytes(data[:-1] + b"\xe6")  # a cut inside a character: not UTF-8
    with pytest.raises(ReferenceDataError, match=r"^reference data officials.json is not UTF-8"):
        ReferenceData.load(folder)
    (folder / "officials.json").write_bytes(data)
    (folder / "places.json").write_text(json.dumps({"not_places": []}), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="does not have the expected shape: KeyError 'places'"):
        ReferenceData.load(folder)


def test_a_junk_sector_term_or_an_unknown_document_type_is_refused(tmp_path):
    from pipeline.core.reference_loaders import _parts_of_speech

    folder = copy_reference(tmp_path)
    ReferenceData.load(folder)  # the reviewed data passes
    check_reference(ReferenceData.load(folder), frozenset(DOC_TYPES), _parts_of_speech)
    sectors = json.loads((folder / "sectors.json").read_text(encoding="utf-8"))
    for junk in ("の", "について", "、"):
        broken = json.loads(json.dumps(sectors))
        broken["sectors"][0]["terms"].append(junk)
        (folder / "sectors.json").write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(ReferenceDataError, match="would match nearly every document"):
            check_reference(ReferenceData.load(folder), frozenset(DOC_TYPES), _parts_of_speech)
    (folder / "sectors.json").write_text(json.dumps(sectors, ensure_ascii=False), encoding="utf-8")
    types = json.loads((folder / "document_types.json").read_text(encoding="utf-8"))
    types["title_markers"].append({"doc_type": "press_release", "markers": ["報道発表"]})
    (folder / "document_types.json").write_text(json.dumps(types, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="does not allow: press_release"):
        check_reference(ReferenceData.load(folder), frozenset(DOC_TYPES))


def test_raising_a_limit_retries_what_it_rejected_and_nothing_else(tmp_path, monkeypatch):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    shutil.copytree(SAMPLE_INBOX, inbox)
    with dg.instance_for_test() as instance:
        monkeypatch.setenv("SEIMEI_MAX_TEXT_CHARS", "2700")
        run(str(inbox), str(out), instance, echo=lambda *_: None)
        first = ledger(out)
        rejected = {k for k, r in first.items() if r["status"] == "rejected"}
        assert rejected and all("too much text" in first[k]["reason"] for k in rejected)
        assert len(rejected) < len(first)  # the short ones publish
        again = run(str(inbox), str(out), instance, echo=lambda *_: None)
        assert again.documents_processed == 0  # the same limits: the rejection stands
        monkeypatch.delenv("SEIMEI_MAX_TEXT_CHARS")
        raised = run(str(inbox), str(out), instance, echo=lambda *_: None)
    assert raised.documents_processed == len(rejected)  # only what the limit had rejected
    assert {r["status"] for r in ledger(out).values()} == {"published"}
    assert verify(inbox, out) == []


def test_a_folder_that_cannot_be_listed_is_one_ledger_row_with_the_reason():
    """Needs a user the folder denies: as root (CI), the scan runs as `nobody` through setpriv."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="seimei-unlistable-"))
    try:
        inbox = root / "inbox"
        (inbox / "locked").mkdir(parents=True)
        (inbox / "open").mkdir()
        (inbox / "open" / "a.txt").write_text("日米首脳会談の概要。\n", encoding="utf-8")
        (inbox / "locked" / "b.txt").write_text("見えない文書。\n", encoding="utf-8")
        for path in (root, inbox, inbox / "open"):
            path.chmod(0o755)
        (inbox / "open" / "a.txt").chmod(0o644)
        (inbox / "locked").chmod(0o000)
        script = ("import json, sys; sys.path.insert(0, sys.argv[2]); from pipeline.core.inbox import scan; "
                  "print(json.dumps({f.source_path: f.skipped for f in scan(sys.argv[1])}))")
        command = [sys.executable, "-c", script, str(inbox), str(Path(__file__).resolve().parents[1])]
        if os.geteuid() == 0:
            if shutil.which("setpriv") is None:
                pytest.skip("running as root without setpriv: no user the folder could deny")
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        entries = json.loads(result.stdout)
        assert entries == {"locked": "folder cannot be read: Permission denied; its contents are not accounted for",
                           "open/a.txt": None}
    finally:
        (root / "inbox" / "locked").chmod(0o755)
        shutil.rmtree(root, ignore_errors=True)


def test_a_document_held_back_by_one_table_leaves_no_file_in_any_table(tmp_path):
    """The documents table holds a document back (its text is (cid:N) garbage, a critical
    expectation); sentences and tokens have already written it. The ledger step withdraws every
    table's rows of it; no table step touches another's files (they may run at once)."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    shutil.copytree(SAMPLE_INBOX, inbox)
    (inbox / "garbage.txt").write_text("前文 (cid:3) (cid:4)\n(cid:5) 後文。\n", encoding="utf-8")
    with dg.instance_for_test() as instance:
        run(str(inbox), str(out), instance, echo=lambda *_: None)
    row = ledger(out)["garbage.txt"]
    assert row["status"] == "rejected" and "failed validation of table documents" in row["reason"]
    doc_id = __import__("hashlib").sha256((inbox / "garbage.txt").read_bytes()).hexdigest()[:16]
    assert doc_id not in published_documents(out)
    assert verify(inbox, out) == []
