"""The GX suites: every entry loads, good rows pass, each kind of bad row fails by name."""

import json

import pytest

from pipeline.validation import EXPECTATIONS_DIR, load_suite, validate_table
from schemas.tables import DOCUMENTS, PUBLISHED_TABLES, SENTENCES, SOURCES, TOKENS

SHA, DOC = "a" * 64, "a" * 16


@pytest.mark.parametrize("table", sorted(PUBLISHED_TABLES))
def test_every_entry_of_every_suite_loads(table):
    raw = json.loads((EXPECTATIONS_DIR / f"{table}.json").read_text(encoding="utf-8"))
    suite = load_suite(table)
    assert suite.name == table
    assert len(suite.expectations) == len(raw["expectations"]) > 5


def test_a_mistyped_expectation_is_an_error_not_a_silent_drop(tmp_path):
    raw = json.loads((EXPECTATIONS_DIR / "sources.json").read_text(encoding="utf-8"))
    raw["expectations"][0]["type"] = "expect_column_values_to_not_be_nul"
    (tmp_path / "sources.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(Exception, match="did not load|expect_column_values_to_not_be_nul"):
        load_suite("sources", tmp_path)


def source(**kw):
    return {"source_path": "a.txt", "source_sha256": SHA, "size_bytes": 10, "format": "text", "encoding": "utf-8",
            "status": "published", "doc_id": DOC, "reason": None, **kw}


def failed_types(report):
    return {f.expectation_type for f in report.failed}


def test_good_sources_pass_and_an_empty_table_passes():
    rows = [source(), source(source_path="b.txt", status="rejected", doc_id=None, reason="empty file")]
    report = validate_table("sources", SOURCES.to_table(rows))
    assert report.success and report.evaluated > 5 and not report.failed
    assert validate_table("tokens", TOKENS.to_table([])).success


def test_rejected_without_reason_and_unknown_status_fail():
    rows = [source(), source(source_path="b.txt", status="rejected", doc_id=None, reason=None)]
    report = validate_table("sources", SOURCES.to_table(rows))
    assert not report.success
    assert [f.column for f in report.failed] == ["reason"]
    bad = SOURCES.to_table([source()]).set_column(5, "status", __import__("pyarrow").array(["weird"]))
    assert "expect_column_values_to_be_in_set" in failed_types(validate_table("sources", bad))


def document(**kw):
    return {"doc_id": DOC, "source_path": "a.txt", "source_sha256": SHA, "title": "共同声明", "doc_type": "joint_statement",
            "is_provisional_translation": False, "page_count": None, "text": "我々は会合した。", "char_count": 8, **kw}


def test_duplicate_doc_ids_and_garbage_text_fail():
    report = validate_table("documents", DOCUMENTS.to_table([document(), document(text="(cid:12)(cid:13)(cid:14)の")]))
    assert failed_types(report) == {"expect_column_values_to_be_unique", "expect_column_values_to_not_match_regex"}
    garbage = next(f for f in report.failed if f.column == "text")
    assert garbage.unexpected_count == 1 and "(cid:12)" in garbage.examples[0]
    assert validate_table("documents", DOCUMENTS.to_table([document(text="⽇⽶⼀⼆の")])).success is False


def test_bad_offsets_and_duplicate_keys_fail():
    sentence = {"doc_id": DOC, "sentence_idx": 0, "text": "文。", "char_start": 5, "char_end": 5, "page": None}
    report = validate_table("sentences", SENTENCES.to_table([sentence, {**sentence, "char_end": 7}]))
    assert failed_types(report) == {"expect_column_pair_values_a_to_be_greater_than_b", "expect_compound_columns_to_be_unique"}
