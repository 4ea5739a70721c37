"""Inputs the pipeline must refuse, each with a reason a person understands, and two awkward ones it
must still read. Fixtures: tests/fixtures/refusals/, made by scripts/make_refusal_fixtures.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest

from pipeline.core.errors import RejectedInput
from pipeline.core.inbox import detect_format
from pipeline.core.limits import Limits
from pipeline.core.pdf_layout import PageLine, layout_pages
from pipeline.core.process import normalize, read_source
from pipeline.runner import run
from tests.conftest import FIXTURES, SAMPLE_INBOX

REFUSALS = FIXTURES / "refusals"
GOOD_TEXT = SAMPLE_INBOX / "001_3d03689fe541bc5b.txt"

# fixture -> words its rejection reason must contain (all of them, case-insensitive)
REFUSED = {
    "empty.txt": ["empty"],
    "empty.pdf": ["empty"],
    "whitespace.txt": ["white space"],
    "binary.txt": ["binary"],
    "undecodable.txt": ["undecodable"],
    "truncated.pdf": ["truncated or corrupt"],
    "corrupt.pdf": ["truncated or corrupt"],
    "encrypted.pdf": ["encrypted"],
    "scanned.pdf": ["no text layer", "OCR"],
    "unmapped_glyphs.pdf": ["unmapped glyphs", "(cid:N)", "OCR"],
    "unsupported.docx": ["unsupported format", ".docx"],
    "statement.rtf": ["unsupported format", ".rtf"],
}
# read, not refused: the phrase must be in the normalized text
READ = {
    "owner_only.pdf": "日米韓商務・産業大臣会合",
    "partly_readable.pdf": "齋藤健日本国経済産業大臣",
}


def read(name: str, limits: Limits = Limits()):
    path = REFUSALS / name
    return read_source(path, detect_format(path), limits)


def test_every_fixture_is_covered():
    assert {p.name for p in REFUSALS.iterdir()} == set(REFUSED) | set(READ)


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_refused_file_is_rejected_with_a_reason_that_says_why(name):
    with pytest.raises(RejectedInput) as caught:
        normalize(read(name))  # normalize too: a reader that lets nothing through must not pass it on
    reason = caught.value.reason
    assert reason == str(caught.value)
    for word in REFUSED[name]:
        assert word.lower() in reason.lower(), reason


def test_the_encrypted_fixture_really_is_a_password_protected_pdf_and_is_rejected():
    """Whatever the wording, it is rejected, and it opens with the right password."""
    import pdfplumber

    with pytest.raises(RejectedInput):
        read("encrypted.pdf")
    with pdfplumber.open(REFUSALS / "encrypted.pdf", password="secret") as pdf:
        assert "日米韓商務・産業大臣会合" in pdf.pages[0].extract_text()


@pytest.mark.parametrize("name", sorted(READ))
def test_an_awkward_but_readable_pdf_is_read(name):
    extracted = read(name)
    norm = normalize(extracted)
    assert READ[name] in norm.text


def test_an_owner_password_alone_does_not_stop_reading():
    extracted = read("owner_only.pdf")
    assert extracted.page_count == 1 and not extracted.dropped_pages


def test_a_scanned_page_is_dropped_with_its_reason_and_the_text_page_kept():
    extracted = read("partly_readable.pdf")
    assert extracted.page_count == 2
    assert {ln.page for ln in extracted.lines} == {1}
    assert set(extracted.dropped_pages) == {2}
    assert "no text layer" in extracted.dropped_pages[2] and "OCR" in extracted.dropped_pages[2]
    norm = normalize(extracted)
    assert norm.dropped_pages == {"2": extracted.dropped_pages[2]}


def test_a_page_of_unmapped_glyphs_is_dropped_and_a_document_of_them_rejected():
    cids = "".join(f"(cid:{n})" for n in (123, 456, 789, 1011, 1213, 1415))
    readable = [PageLine("日米韓首脳会合の共同声明を発表した。", 56, 500, 100, 112, False)]
    unmapped = [PageLine(cids, 56, 500, 100, 112, False), PageLine(cids + "声明", 56, 500, 120, 132, False)]
    extracted = layout_pages([(1, 842.0, readable), (2, 842.0, unmapped)])
    assert {ln.page for ln in extracted.lines} == {1}
    assert "unmapped glyphs" in extracted.dropped_pages[2] and "OCR" in extracted.dropped_pages[2]
    with pytest.raises(RejectedInput, match=r"unmapped glyphs.*OCR"):
        layout_pages([(1, 842.0, unmapped), (2, 842.0, [])])
    # a stray unmapped glyph on a readable page stays, as U+FFFD
    stray = [PageLine("日米韓首脳会合の共同声明(cid:99)を発表した。", 56, 500, 100, 112, False)]
    assert layout_pages([(1, 842.0, stray)]).lines[0].text == "日米韓首脳会合の共同声明\ufffdを発表した。"


@pytest.mark.parametrize("name", ["partly_readable.pdf", "owner_only.pdf"])
def test_a_pdf_over_the_size_limit_is_rejected_before_reading(name):
    with pytest.raises(RejectedInput, match="too large"):
        read(name, Limits(max_bytes=10))


def test_a_text_over_the_size_limit_is_rejected():
    with pytest.raises(RejectedInput, match="too large"):
        read_source(GOOD_TEXT, detect_format(GOOD_TEXT), Limits(max_bytes=10))


def test_a_pdf_over_the_page_limit_is_rejected():
    with pytest.raises(RejectedInput, match="too many pages: 2 pages is over the limit of 1"):
        read("partly_readable.pdf", Limits(max_pages=1))
    assert read("owner_only.pdf", Limits(max_pages=1)).page_count == 1  # at the limit is fine


def test_the_pipeline_records_every_refusal_and_publishes_the_rest(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    shutil.copytree(REFUSALS, inbox)
    shutil.copy(GOOD_TEXT, inbox / "good.txt")
    with dg.instance_for_test() as instance:
        summary = run(str(inbox), str(out), instance, echo=lambda *_: None)

    rows = pq.read_table(out / "sources").to_pylist()
    paths = [r["source_path"] for r in rows]
    assert sorted(paths) == sorted(p.name for p in inbox.iterdir())  # every file, exactly once
    ledger = {r["source_path"]: r for r in rows}
    for name, words in REFUSED.items():
        row = ledger[name]
        if name == "empty.txt" and row["status"] == "duplicate":  # the same (no) bytes as empty.pdf
            assert "same bytes as empty.pdf, which was rejected: empty file" in row["reason"]
            assert ledger["empty.pdf"]["status"] == "rejected"
            continue
        assert row["status"] == "rejected", row
        assert row["reason"] and row["doc_id"] is None, row
        assert all(w.lower() in row["reason"].lower() for w in words), row["reason"]
    for name in ["good.txt", *READ]:
        assert ledger[name]["status"] == "published" and ledger[name]["doc_id"], ledger[name]
    assert summary.statuses["published"] == 1 + len(READ)

    documents = {d["source_path"]: d for d in pq.read_table(out / "documents").to_pylist()}
    assert set(documents) == {"good.txt", *READ}
    for name, phrase in READ.items():
        assert phrase in documents[name]["text"]
    partly = documents["partly_readable.pdf"]
    assert partly["page_count"] == 2
    assert [d["page"] for d in partly["dropped_pages"]] == [2]
    assert "no text layer" in partly["dropped_pages"][0]["reason"]
    assert documents["owner_only.pdf"]["dropped_pages"] == []
    sentence_pages = {r["page"] for r in pq.read_table(out / "sentences").to_pylist() if r["doc_id"] == partly["doc_id"]}
    assert sentence_pages == {1}


def test_stray_bytes_that_cp932_maps_to_private_use_are_not_text():
    from pipeline.core.decoding import decode_text

    with pytest.raises(RejectedInput, match="private-use"):
        decode_text(bytes([0x82, 0xA0]) + bytes([0xFD, 0xFE, 0xFF, 0x80, 0xA0]) * 20)
