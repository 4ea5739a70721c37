"""Hostile inputs (made by scripts/make_hostile_files.py) and races against the reader: each bad
document ends rejected with its reason, every other document publishes, and `seimei verify`
passes. Real pdfplumber, real worker processes, real Dagster runs."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest

from pipeline.core.inbox import detect_format
from pipeline.core.limits import Limits
from pipeline.core.process import ReadJob, read_job
from pipeline.runner import run
from pipeline.verify import verify
from tests.conftest import SAMPLE_INBOX, load_script

GOOD = "003_40687e4e43f7c743.txt"
# small enough to keep the test short, large enough for every sample to read
TEST_LIMITS = {"SEIMEI_MAX_READ_SECONDS": "8", "SEIMEI_MAX_MEMORY_MB": "768"}


def ledger(out: Path) -> dict[str, dict]:
    return {r["source_path"]: r for r in pq.read_table(out / "sources").to_pylist()}


def quiet_run(inbox: Path, out: Path, instance):
    return run(str(inbox), str(out), instance, echo=lambda *_: None)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    inbox, out = root / "inbox", root / "out"
    load_script("make_hostile_files").build(inbox)
    shutil.copy(SAMPLE_INBOX / GOOD, inbox / "good.txt")
    shutil.copy(next(SAMPLE_INBOX.glob("*.pdf")), inbox / "good.pdf")
    saved = {k: os.environ.get(k) for k in TEST_LIMITS}
    os.environ.update(TEST_LIMITS)
    try:
        with dg.instance_for_test() as instance:
            summary = quiet_run(inbox, out, instance)  # RunFailed would fail the test
    finally:
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    return inbox, out, summary


@pytest.mark.parametrize("name, reason", [
    ("inflate_bomb.pdf", "too much memory to read"),
    ("busy_page.pdf", "too slow to read: still not done after 8 s"),
    ("long_line.txt", "too much text: 1,200,000 characters"),
    ("full_stops.txt", "too much text: 1,200,000 characters"),
    ("mentions.txt", "too many date expressions: 25,000 found"),
])
def test_each_hostile_file_is_rejected_with_its_reason(hostile_run, name, reason):
    _, out, _ = hostile_run
    row = ledger(out)[name]
    assert row["status"] == "rejected" and reason in row["reason"], row
    assert "/" not in row["reason"].replace("(cid:N)", ""), f"a server path in the reason: {row['reason']}"


def test_the_other_documents_publish_and_verify_passes(hostile_run):
    inbox, out, _ = hostile_run
    rows = ledger(out)
    for name in ("good.txt", "good.pdf", "surrogate_tounicode.pdf", "pdf_header_in_text.txt", "crowded_page.pdf"):
        assert rows[name]["status"] == "published", rows[name]
    assert verify(inbox, out) == []


def test_a_lone_surrogate_from_a_font_map_becomes_the_unmapped_glyph_mark(hostile_run):
    _, out, _ = hostile_run
    doc_id = ledger(out)["surrogate_tounicode.pdf"]["doc_id"]
    text = pq.read_table(out / "documents", filters=[("doc_id", "=", doc_id)]).column("text")[0].as_py()
    assert "\ufffd" in text and "経済安全保障" in text
    text.encode("utf-8")  # no surrogate left


def test_a_text_that_quotes_a_pdf_header_is_a_text(hostile_run):
    _, out, _ = hostile_run
    assert ledger(out)["pdf_header_in_text.txt"]["format"] == "text"


def job_for(path: Path, inbox: Path, sha: str | None = None) -> ReadJob:
    return ReadJob(str(inbox), str(path.resolve()), sha or hashlib.sha256(path.read_bytes()).hexdigest(),
                   detect_format(path), path.suffix, Limits())


def test_bytes_changed_after_the_scan_are_a_transient_refusal(tmp_path):
    path = tmp_path / "a.txt"
    shutil.copy(SAMPLE_INBOX / GOOD, path)
    job = job_for(path, tmp_path)
    with open(path, "ab") as fh:
        fh.write("追記。\n".encode())  # the file grows between the scan and the read
    extracted, reason, transient = read_job(job)
    assert extracted is None and "changed while the run was reading it" in reason and transient


def test_a_file_gone_or_replaced_by_a_folder_after_the_scan_is_a_transient_refusal(tmp_path):
    path = tmp_path / "a.txt"
    shutil.copy(SAMPLE_INBOX / GOOD, path)
    job = job_for(path, tmp_path)
    path.unlink()
    assert read_job(job)[1:] == ("the file disappeared after the inbox was scanned", True)
    path.mkdir()
    _, reason, transient = read_job(job)
    assert "replaced by a folder" in reason and transient


def test_a_file_swapped_for_a_link_outside_the_inbox_is_never_read(tmp_path):
    inbox, secret = tmp_path / "inbox", tmp_path / "secret.txt"
    inbox.mkdir()
    secret.write_text("秘密の文書。\n", encoding="utf-8")
    path = inbox / "a.txt"
    shutil.copy(SAMPLE_INBOX / GOOD, path)
    job = job_for(path, inbox)
    path.unlink()
    path.symlink_to(secret)  # swapped after the scan
    extracted, reason, transient = read_job(job)
    assert extracted is None and "symbolic link" in reason
    # and a link in a folder on the way
    (inbox / "sub").mkdir()
    inner = inbox / "sub" / "b.txt"
    shutil.copy(SAMPLE_INBOX / GOOD, inner)
    job = job_for(inner, inbox)
    shutil.rmtree(inbox / "sub")
    (inbox / "sub").symlink_to(tmp_path)
    (tmp_path / "b.txt").write_text("秘密の文書。\n", encoding="utf-8")
    extracted, reason, _ = read_job(job)
    assert extracted is None and "symbolic link" in reason


def test_a_document_changed_mid_run_is_not_rejected_for_ever(tmp_path):
    """The scan hashes the file, then it is re-copied (cut short) before the reader gets to it:
    that run records it as changed, and once the same bytes are back the next run publishes it."""
    from pipeline.definitions import ASSETS, run_resources
    from pipeline.automation import RANGE_END, RANGE_START
    from pipeline.buckets import bucket_keys
    from pipeline.resources import SeimeiSettings

    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    pdf = next(SAMPLE_INBOX.glob("*.pdf"))
    target = inbox / "statement.pdf"
    shutil.copy(pdf, target)
    resources = run_resources(SeimeiSettings(inbox_dir=str(inbox), publish_dir=str(out)))
    with dg.instance_for_test() as instance:
        assert dg.materialize([a for a in ASSETS if a.key.path == ["inbox_files"]], instance=instance,
                              resources=resources).success
        target.write_bytes(pdf.read_bytes()[:2000])  # the copy is being redone
        keys = bucket_keys()
        rest = [a for a in ASSETS if a.key.path != ["inbox_files"]]
        assert dg.materialize(ASSETS, selection=rest, instance=instance, resources=resources,
                              tags={RANGE_START: keys[0], RANGE_END: keys[-1]}).success
        row = ledger(out)["statement.pdf"]
        assert row["status"] == "rejected" and "changed while the run was reading it" in row["reason"]
        shutil.copy(pdf, target)  # the same bytes are back
        quiet_run(inbox, out, instance)
        assert ledger(out)["statement.pdf"]["status"] == "published"
        assert verify(inbox, out) == []


# --- any exception inside one document's work is that document's rejection -------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

SAMPLES = sorted(SAMPLE_INBOX.iterdir())
ERRORS = [ValueError("bad value"), KeyError("missing"), ZeroDivisionError("division by zero"), RecursionError("deep"),
          MemoryError(), AttributeError("no attribute"), UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"),
          RuntimeError("/srv/secret/path/inbox/x.pdf broke")]
# (module, function, how its arguments name the document: "doc_id" first, or by the text).
# normalize and token_columns run in the reading workers too (read_ahead_job), where a function
# patched here is not: for those the run is told to keep the workers to reading
# (SEIMEI_ROWS_AHEAD_MB=0), so the stage runs where the fault is.
IN_READING_WORKERS = {"normalize", "token_columns"}
STAGES = [("pipeline.core.process", "normalize", "result"), ("assets.document_stages", "extract_structure", "norm"),
          ("pipeline.core.rows", "document_row", "doc_id"), ("pipeline.core.rows", "sentence_rows", "doc_id"),
          ("pipeline.core.process", "token_columns", "doc_id")]


def _victim_text(path: Path) -> str:
    from pipeline.core.process import normalize, read_source

    return normalize(read_source(path, detect_format(path))).text[:60]


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))  # the same 8 every run
@given(stage=st.sampled_from(STAGES), error=st.sampled_from(ERRORS), victim=st.sampled_from(SAMPLES))
def test_an_exception_in_one_documents_work_rejects_that_document_only(tmp_path_factory, stage, error, victim):
    """A fault injected into one stage for one document (the real stage runs, then raises)."""
    import importlib

    from pipeline.automation import RANGE_END, RANGE_START
    from pipeline.definitions import ASSETS, run_resources
    from pipeline.buckets import bucket_keys
    from pipeline.resources import SeimeiSettings

    module_name, function, identify = stage
    module = importlib.import_module(module_name)
    original = getattr(module, function)
    victim_id = hashlib.sha256(victim.read_bytes()).hexdigest()[:16]
    victim_text = _victim_text(victim)

    def failing(*args, **kwargs):
        result = original(*args, **kwargs)
        text = result.text if identify == "result" else args[0].text if identify == "norm" else None
        if (identify == "doc_id" and args[0] == victim_id) or (text is not None and text[:60] == victim_text):
            raise error
        return result

    root = tmp_path_factory.mktemp("fault")
    inbox, out = root / "inbox", root / "out"
    shutil.copytree(SAMPLE_INBOX, inbox)
    resources = run_resources(SeimeiSettings(inbox_dir=str(inbox), publish_dir=str(out), workers=1))
    setattr(module, function, failing)
    saved_budget = os.environ.get("SEIMEI_ROWS_AHEAD_MB")
    if function in IN_READING_WORKERS:
        os.environ["SEIMEI_ROWS_AHEAD_MB"] = "0"
    try:
        with dg.instance_for_test() as instance:
            assert dg.materialize([a for a in ASSETS if a.key.path == ["inbox_files"]], instance=instance,
                                  resources=resources).success
            keys = bucket_keys()
            result = dg.materialize(ASSETS, instance=instance, resources=resources, raise_on_error=False,
                                    tags={RANGE_START: keys[0], RANGE_END: keys[-1]})
    finally:
        setattr(module, function, original)
        if saved_budget is None:
            os.environ.pop("SEIMEI_ROWS_AHEAD_MB", None)
        else:
            os.environ["SEIMEI_ROWS_AHEAD_MB"] = saved_budget
    assert result.success, f"{module_name}.{function} raising {error!r} failed the run"
    rows = ledger(out)
    assert rows[victim.name]["status"] == "rejected", rows[victim.name]
    reason = rows[victim.name]["reason"]
    assert ("out of memory" in reason) if isinstance(error, MemoryError) else type(error).__name__ in reason, reason
    assert "/srv/secret" not in reason
    assert all(r["status"] == "published" for name, r in rows.items() if name != victim.name), rows
    assert verify(inbox, out) == []


@pytest.mark.parametrize("breakage, column", [({"doc_type": "press_release"}, "doc_type"), ({"doc_id": None}, "doc_id")])
def test_a_row_that_breaks_its_tables_contract_rejects_that_document_only(tmp_path, monkeypatch, breakage, column):
    import pipeline.core.rows as documents_asset

    victim = sorted(SAMPLE_INBOX.glob("*.txt"))[0]
    victim_id = hashlib.sha256(victim.read_bytes()).hexdigest()[:16]
    original = documents_asset.document_row

    def broken_row(doc_id, *args, **kwargs):
        row = original(doc_id, *args, **kwargs)
        return {**row, **breakage} if doc_id == victim_id else row

    monkeypatch.setattr(documents_asset, "document_row", broken_row)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    shutil.copytree(SAMPLE_INBOX, inbox)
    with dg.instance_for_test() as instance:
        quiet_run(inbox, out, instance)
    rows = ledger(out)
    assert rows[victim.name]["status"] == "rejected" and column in rows[victim.name]["reason"], rows[victim.name]
    assert all(r["status"] == "published" for name, r in rows.items() if name != victim.name)
    assert verify(inbox, out) == []
