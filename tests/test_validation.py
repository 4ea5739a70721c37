"""The GX suites: every entry loads, good rows pass, each kind of bad row fails by name."""

import datetime as dt
import json

import pyarrow as pa
import pytest

from pipeline.validation import EXPECTATIONS_DIR, load_suite, validate_table
from schemas.tables import DATES, DOCUMENTS, OFFICIALS, PUBLISHED_TABLES, SENTENCES, SOURCES, TOKENS
from tests.conftest import load_script

SHA, DOC = "a" * 64, "0123456789abcdef"


@pytest.fixture(scope="module", autouse=True)
def gx_warm():
    """Import GX and build the context once for the module (about two seconds)."""
    validate_table("sources", SOURCES.to_table([]))


def failed_types(report):
    return {f.expectation_type for f in report.failed}


def with_column(table: pa.Table, name: str, values: list) -> pa.Table:
    """Set a column past the contract check, as a bug upstream of validation would."""
    i = table.schema.get_field_index(name)
    return table.set_column(i, table.schema.field(i), pa.array(values, table.schema.field(i).type))


# --- the suite files -------------------------------------------------------------------------------

@pytest.mark.parametrize("table", sorted(PUBLISHED_TABLES))
def test_every_entry_of_every_suite_loads(table):
    raw = json.loads((EXPECTATIONS_DIR / f"{table}.json").read_text(encoding="utf-8"))
    suite = load_suite(table)
    assert suite.name == table
    assert [e.expectation_type for e in suite.expectations] == [x["type"] for x in raw["expectations"]]
    assert "schemas/tables.py" in raw["meta"]["note"]


def test_suite_files_match_their_generator():
    build = load_script("build_expectation_suites")
    for contract in PUBLISHED_TABLES.values():
        assert (EXPECTATIONS_DIR / f"{contract.name}.json").read_text(encoding="utf-8") == build.render(contract), (
            f"expectations/{contract.name}.json is stale: run python scripts/build_expectation_suites.py")


@pytest.mark.parametrize("breakage", ["mistyped type", "unknown kwarg", "missing kwarg"])
def test_an_entry_that_does_not_load_is_an_error_not_a_silent_drop(tmp_path, breakage):
    raw = json.loads((EXPECTATIONS_DIR / "sources.json").read_text(encoding="utf-8"))
    entry = raw["expectations"][0]
    if breakage == "mistyped type":
        entry["type"] = "expect_column_values_to_not_be_nul"
    elif breakage == "unknown kwarg":
        entry["kwargs"]["colum"] = "status"
    else:
        del entry["kwargs"]["column"]
    (tmp_path / "sources.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="entry 0"):
        load_suite("sources", tmp_path)


# --- good tables pass ------------------------------------------------------------------------------

def source(**kw):
    return {"source_path": "a.txt", "source_sha256": SHA, "size_bytes": 10, "format": "text", "encoding": "utf-8",
            "status": "published", "doc_id": DOC, "reason": None, **kw}


def document(**kw):
    return {"doc_id": DOC, "source_path": "a.txt", "source_sha256": SHA, "title": "共同声明", "doc_type": "joint_statement",
            "is_provisional_translation": False, "page_count": 2, "text": "我々は会合した。", "char_count": 8,
            "meeting_date": dt.date(2024, 6, 26), "place": "ワシントン", "countries": ["JP", "US"], "running_lines": ["仮訳"], "dropped_pages": [{"page": 3, "reason": "no text layer on the page"}],
            "next_meeting_date": None, **kw}


def sentence(**kw):
    return {"doc_id": DOC, "source_sha256": SHA, "sentence_idx": 0, "text": "我々は会合した。", "char_start": 0, "char_end": 8, "page": 1, **kw}


def token(**kw):
    return {"doc_id": DOC, "source_sha256": SHA, "sentence_idx": 0, "token_idx": 0, "surface": "我々", "normalized_form": "我々",
            "dictionary_form": "我々", "reading_form": "ワレワレ", "pos": "代名詞,*,*,*,*,*", "char_start": 0, "char_end": 2, **kw}


GOOD = {
    "sources": [source(), source(source_path="b.txt", status="rejected", doc_id=None, reason="empty file: it holds no text"),
                source(source_path="c.txt", status="duplicate", reason="same bytes as a.txt")],
    "documents": [document(), document(doc_id="fedcba9876543210", page_count=None, title=None, doc_type="other")],
    "sentences": [sentence(), sentence(sentence_idx=1, text="以上。", char_start=8, char_end=11, page=None)],
    "tokens": [token(), token(token_idx=1, surface="は", pos="助詞,係助詞,*,*,*,*", char_start=2, char_end=3),
               token(sentence_idx=1, char_start=8, char_end=10)],
    "dates": [{"doc_id": DOC, "source_sha256": SHA, "date": dt.date(2024, 6, 26), "precision": "day", "surface": "2024年6月26日",
               "year_inferred": False, "char_start": 0, "char_end": 10, "page": 1}],
    "officials": [{"doc_id": DOC, "source_sha256": SHA, "person_id": "jp-saito-ken", "name": "齋藤健", "surface": "齋藤健経済産業大臣",
                   "office": "経済産業大臣", "country": "JP", "char_start": 3, "char_end": 12, "page": None,
                   "office_held_on_meeting_date": True},
                  {"doc_id": DOC, "source_sha256": SHA, "person_id": None, "name": "山田太郎", "surface": "山田太郎審議官",
                   "office": "審議官", "country": "JP", "char_start": 20, "char_end": 27, "page": None,
                   "office_held_on_meeting_date": None}],
    "sectors": [{"doc_id": DOC, "source_sha256": SHA, "sector_id": "semiconductors", "label_ja": "半導体", "mentions": 3,
                 "first_char_start": 40, "page": 2}],
}


@pytest.mark.parametrize("table", sorted(PUBLISHED_TABLES))
def test_good_rows_and_empty_tables_pass(table):
    contract = PUBLISHED_TABLES[table]
    report = validate_table(table, contract.to_table(GOOD[table]))
    assert report.success, report.failed
    assert report.evaluated == len(load_suite(table).expectations) and not report.failed
    json.dumps(report.result_json)
    assert validate_table(table, contract.to_table([])).success


def test_no_progress_bar_is_drawn(capfd):
    validate_table("tokens", TOKENS.to_table(GOOD["tokens"]))
    out, err = capfd.readouterr()
    assert "Calculating Metrics" not in out + err and "it/s" not in err


# --- each kind of bad row fails, by name -----------------------------------------------------------

def test_ledger_rules():
    rows = [source(), source(source_path="b.txt", status="rejected", doc_id=None, reason=None)]
    report = validate_table("sources", SOURCES.to_table(rows))
    assert not report.success
    [failure] = report.failed
    assert (failure.expectation_type, failure.column) == ("expect_column_values_to_not_be_null", "reason")
    assert failure.kwargs["row_condition"]["operator"] == "!=" and failure.unexpected_count == 1

    unpublished = validate_table("sources", SOURCES.to_table([source(doc_id=None)]))
    assert [(f.expectation_type, f.column) for f in unpublished.failed] == [("expect_column_values_to_not_be_null", "doc_id")]

    weird = validate_table("sources", with_column(SOURCES.to_table([source()]), "status", ["weird"]))
    [in_set] = [f for f in weird.failed if f.expectation_type == "expect_column_values_to_be_in_set"]
    assert in_set.column == "status" and in_set.examples == ["weird"]

    twice = validate_table("sources", SOURCES.to_table([source(), source(source_sha256="B" * 64)]))
    assert failed_types(twice) == {"expect_column_values_to_be_unique", "expect_column_values_to_match_regex"}


def test_duplicate_doc_ids_fail():
    report = validate_table("documents", DOCUMENTS.to_table([document(), document(source_path="b.txt")]))
    [failure] = report.failed
    assert (failure.expectation_type, failure.column, failure.unexpected_count) == ("expect_column_values_to_be_unique", "doc_id", 2)


@pytest.mark.parametrize("text", ["(cid:12)(cid:13)(cid:14)", "前文 (cid:3) (cid:4)\n(cid:5) 後文", "\ufffd\ufffd\ufffd", "⽇⽶⼀⼆の"])
def test_garbage_text_fails(text):
    report = validate_table("documents", DOCUMENTS.to_table([document(), document(doc_id="fedcba9876543210", text=text)]))
    [failure] = report.failed
    assert (failure.expectation_type, failure.column, failure.unexpected_count) == ("expect_column_values_to_not_match_regex", "text", 1)
    assert failure.examples == [text]


def test_a_few_stray_symbols_are_not_garbage():
    text = "(cid:12) が一つ、\ufffd\ufffd が二つ、⽇⽶ が二つ。"
    assert validate_table("documents", DOCUMENTS.to_table([document(text=text)])).success


def test_doc_id_with_a_trailing_newline_fails():
    report = validate_table("documents", DOCUMENTS.to_table([document(doc_id=DOC + "\n")]))
    assert [(f.expectation_type, f.column) for f in report.failed] == [("expect_column_values_to_match_regex", "doc_id")]


def test_bad_offsets_and_duplicate_keys_fail():
    rows = [sentence(char_start=5, char_end=5), sentence(char_end=7)]
    report = validate_table("sentences", SENTENCES.to_table(rows))
    assert failed_types(report) == {"expect_column_pair_values_a_to_be_greater_than_b", "expect_compound_columns_to_be_unique"}
    compound = next(f for f in report.failed if f.expectation_type == "expect_compound_columns_to_be_unique")
    assert compound.columns == ["doc_id", "sentence_idx"] and compound.unexpected_count == 2


def test_bad_tokens_fail():
    rows = [token(), token(surface=""), token(token_idx=1, pos="", char_start=-1, char_end=0)]
    report = validate_table("tokens", TOKENS.to_table(rows))
    by_name = {(f.expectation_type, f.column) for f in report.failed}
    assert by_name == {
        ("expect_compound_columns_to_be_unique", "doc_id, sentence_idx, token_idx"),
        ("expect_column_value_lengths_to_be_between", "surface"),
        ("expect_column_value_lengths_to_be_between", "pos"),
        ("expect_column_values_to_be_between", "char_start"),
    }


def test_cross_field_and_date_rules():
    late = dt.date.today().replace(year=dt.date.today().year + 2)
    dates = validate_table("dates", DATES.to_table([{**GOOD["dates"][0], "date": late}]))
    assert [(f.describe(), f.blocking) for f in dates.failed] == [("expect_column_values_to_be_between on date", False)]
    unmet = validate_table("documents", DOCUMENTS.to_table([document(meeting_date=None)]))
    assert [f.describe() for f in unmet.failed] == ["expect_column_values_to_not_be_null on meeting_date"]
    assert validate_table("documents", DOCUMENTS.to_table([document(meeting_date=None, doc_type="other")])).success
    wrong_office = validate_table("officials", OFFICIALS.to_table([{**GOOD["officials"][0], "office_held_on_meeting_date": False}]))
    assert [(f.describe(), f.blocking) for f in wrong_office.failed] == [
        ("expect_column_values_to_be_in_set on office_held_on_meeting_date", False)]


def test_offsets_beyond_the_document_text_fail():
    sentence_rows = SENTENCES.to_table(GOOD["sentences"])
    assert validate_table("sentences", sentence_rows, text_lengths={DOC: 11}).success
    report = validate_table("sentences", sentence_rows, text_lengths={DOC: 9})
    assert [f.describe() for f in report.failed] == ["expect_column_pair_values_a_to_be_greater_than_b on doc_char_count, char_end"]
    assert report.failed[0].doc_ids == [DOC]


def test_a_meeting_after_the_next_meeting_it_announces_is_a_warning():
    report = validate_table("documents", DOCUMENTS.to_table([document(next_meeting_date=dt.date(2024, 1, 1))]))
    assert [(f.describe(), f.blocking) for f in report.failed] == [
        ("expect_column_pair_values_a_to_be_greater_than_b on next_meeting_date, meeting_date", False)]


def test_a_paragraph_long_title_and_mojibake_are_warnings_that_name_the_document():
    """Published anyway (warning severity), but the gx_suite check warns and names the document."""
    long_title = validate_table("documents", DOCUMENTS.to_table([document(title="日米" * 150)]))
    assert [(f.describe(), f.blocking, f.doc_ids) for f in long_title.failed] == [
        ("expect_column_value_lengths_to_be_between on title", False, [DOC])]
    garbled = validate_table("documents", DOCUMENTS.to_table([document(title="平成™—年›月の共同声明")]))
    assert [(f.describe(), f.blocking) for f in garbled.failed] == [("expect_column_values_to_not_match_regex on title", False)]
    fine = validate_table("documents", DOCUMENTS.to_table([document(title="Windows™ と — 共同声明 “仮訳”", text="半導体…― 以上。")]))
    assert fine.success  # one such sign, dashes, quotes and ellipses are not mojibake


def test_country_lists_hold_iso_codes_only():
    assert validate_table("documents", DOCUMENTS.to_table([document(countries=[])])).success
    report = validate_table("documents", DOCUMENTS.to_table([document(countries=["JP", "XX"])]))
    assert [f.describe() for f in report.failed] == ["expect_column_values_to_match_regex on countries_joined"]


def test_reports_of_chunks_merge_into_one():
    from pipeline.validation import merge_reports

    good = validate_table("documents", DOCUMENTS.to_table([document()]))
    bad_a = validate_table("documents", DOCUMENTS.to_table([document(countries=["JP", "XX"])]))
    bad_b = validate_table("documents", DOCUMENTS.to_table([document(doc_id="0123456789abcdef", countries=["XX"])]))
    merged = merge_reports([good, bad_a, bad_b])
    assert not merged.success and merged.evaluated == good.evaluated
    (failure,) = merged.failed
    assert failure.unexpected_count == 2 and failure.doc_ids == sorted({DOC, "0123456789abcdef"})
    assert merge_reports([good]) is good and len(merged.result_json["chunks"]) == 3


def test_the_kept_result_names_failing_documents_without_their_text():
    """A held-back document's text (here 50,000 characters of (cid:N) garbage) is not written into
    the run's _validation file: the summary keeps counts, doc_ids and short examples."""
    garbage = "(cid:12)" * 6250
    report = validate_table("documents", DOCUMENTS.to_table([document(), document(doc_id="fedcba9876543210", text=garbage)]))
    kept = json.dumps(report.result_json, ensure_ascii=False)
    assert len(kept) < 20_000 and garbage not in kept
    [failed] = [r for r in report.result_json["results"] if not r["success"]]
    assert failed["doc_ids"] == ["fedcba9876543210"] and failed["unexpected_count"] == 1
    assert report.result_json["evaluated"] == report.evaluated and report.result_json["failed"] == 1


def test_a_failure_is_said_in_words_with_the_failing_rows_and_a_data_docs_page():
    """What an operator reads in the check and on GX's Data Docs page: the expectation as GX says
    it, and the failing row's doc_id, name and office, not a bare `XX`; the page holds no long text."""
    bad = {**GOOD["officials"][0], "country": "XX"}
    report = validate_table("officials", OFFICIALS.to_table([GOOD["officials"][1], bad]))
    [failure] = report.failed
    assert failure.words.startswith("country values must belong to this set: ")
    [row] = failure.failing_rows  # the value, the key (doc_id, char_start) and the name and office
    assert {k: row[k] for k in ("country", "doc_id", "name", "office")} == {
        "country": "XX", "doc_id": DOC, "name": "齋藤健", "office": "経済産業大臣"} and "char_start" in row
    [page] = report.pages
    assert page.lstrip().lower().startswith("<!doctype html") and "Expectation Validation Result" in page
    assert "values must belong to this set" in page and "1 unexpected values found" in page
    assert DOC in page and "齋藤健" in page and "経済産業大臣" in page

    garbage = "(cid:12)" * 6250
    documents = validate_table("documents", DOCUMENTS.to_table([document(), document(doc_id="fedcba9876543210", text=garbage)]))
    assert garbage not in documents.pages[0] and "fedcba9876543210" in documents.pages[0]


def test_every_failing_row_names_its_document_and_the_first_few_show_their_columns():
    """Failing rows are named from their positions (pipeline/validation.py _named_rows), not by
    GX cell by cell: every failing document is named, also where the expectation's row_condition
    (joint statements only) leaves other rows out in between, and a few failing rows show the
    checked value with the columns that name the row."""
    docs = [document(doc_id=f"{i:016x}", doc_type="other" if i % 3 else "joint_statement",
                     meeting_date=None if i % 2 else dt.date(2024, 6, 26)) for i in range(60)]
    report = validate_table("documents", DOCUMENTS.to_table(docs))
    [failure] = report.failed  # meeting_date is null on the joint statements of odd i: i % 6 == 3
    expected = sorted(f"{i:016x}" for i in range(60) if i % 6 == 3)
    assert failure.describe() == "expect_column_values_to_not_be_null on meeting_date"
    assert failure.doc_ids == expected and failure.unexpected_count == len(expected) == 10
    assert [row["doc_id"] for row in failure.failing_rows] == expected[:5]
    assert all(row["meeting_date"] is None for row in failure.failing_rows)

    officials = [{**GOOD["officials"][0], "doc_id": f"{i // 4:016x}", "char_start": 3 + 20 * i, "char_end": 12 + 20 * i,
                  "office_held_on_meeting_date": i % 2 == 0} for i in range(400)]
    [outside] = validate_table("officials", OFFICIALS.to_table(officials)).failed
    assert outside.unexpected_count == 200 and outside.doc_ids == sorted(f"{i:016x}" for i in range(100))
    assert [(r["doc_id"], r["char_start"], r["name"], r["office_held_on_meeting_date"]) for r in outside.failing_rows] == [
        (f"{i // 4:016x}", 3 + 20 * i, "齋藤健", False) for i in (1, 3, 5, 7, 9)]


def test_gx_leaves_out_the_batch_fingerprint():
    """GX would hash (for list columns: pickle) every frame it loads, twice per validation; the
    module global that stops it is still read by the GX we pin."""
    from great_expectations.execution_engine import pandas_execution_engine

    from pipeline.validation import _batch_definition

    validate_table("documents", DOCUMENTS.to_table(GOOD["documents"]))
    assert pandas_execution_engine.HASH_THRESHOLD == 0
    frame = DOCUMENTS.to_table(GOOD["documents"]).to_pandas()
    batch = _batch_definition("documents").get_batch(batch_parameters={"dataframe": frame})
    assert "ge_load_time" in batch.batch_markers and "pandas_data_fingerprint" not in batch.batch_markers
