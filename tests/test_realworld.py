"""The real-world corpus (../shared/realworld/files, see its MANIFEST.tsv): every file through the
real pipeline, each either published with readable Japanese in reading order or rejected with the
right kind of reason. Skipped when the folder is absent (it is not ours to copy into the project)."""

from __future__ import annotations

import csv
import unicodedata

import dagster as dg
import pyarrow.parquet as pq
import pytest

from pipeline.runner import run
from tests.conftest import SHARED

REALWORLD = SHARED / "realworld" / "files"
pytestmark = pytest.mark.skipif(not REALWORLD.is_dir(), reason="../shared/realworld/files is not here")

# file -> phrases that must appear, in this order, in the published text (reading order)
PUBLISHED = {
    # vertical treaty letter (縦書き, Identity-V): columns right to left, 縦中横 (b)(a)(i) in place
    "mof_denmark_20211105dk_j.pdf": ["日本国とデンマーク王国との間の条約に関する交換公文", "（日本側書簡）",
                                     "書簡をもって啓上いたします。", "条約第三十条3(b)の規定に関し、同条3(a)(i)に規定する日は"],
    # 45-page vertical treaty, rotated (a)(i) sub-items, kanji article numbers
    "mof_uae_250502ae_a.pdf": ["日本国及びアラブ首長国連邦は、", "第一条", "この条約は、一方又は双方の締約国の居住者である者に適用する。",
                               "第二条", "(a)日本国については、", "(i)所得税", "(ii)法人税"],
    # vertical 条約集 page: kanji-numeral era date, ◯ as zero
    "mof_vietnam2014_en_jp_en.pdf": ["ベトナムとの租税（所得）協定に関する取極", "平成二十六年四月十五日", "外務省告示第一五◯号"],
    # horizontal treaty text, 25 pages, a sentence wrapped mid-word (実施するた/めの)
    "mof_korea_200710kor_j.pdf": ["租税条約関連措置を実施するための多数国間条約", "日本国と大韓民国との間の条約」に係る統合条文"],
    "nta_beps_a14_peer_review_monitoring_kariyaku.pdf": ["税源浸食と利益移転（BEPS）行動14ピアレビュー及びモニタリング"],
    "pdfjs_90ms_rksj_h_sample.pdf": ["日本語テスト"],
    "pdfjs_noembed-sjis.pdf": ["あいうえお"],
    "pdfjs_noembed-eucjp.pdf": ["あいうえお"],
    "pdfjs_noembed-jis7.pdf": ["あいうえお"],
    "pdfjs_issue13343.pdf": ["【要約】", "指定国・地域"],
    "pdfjs_issue5202.pdf": ["𠮟る、𩸽、𠀋。"],
    "pdfjs_issue6387.pdf": ["あのイーハトーヴォのすきとおった風"],
    "pdfjs_issue15340.pdf": ["構を一つの箱内に収めたもの"],  # Kangxi ⼀ folded to 一
    "pdfjs_issue15759.pdf": ["電磁振動器（ソレノイドを含む。）"],  # no space inside ソレノイド
    "pdfjs_issue16063.pdf": ["電線接続端子部が次のいずれにも該当しないとき。", "ねじ止め端子であること。"],
    "pdfjs_vertical.pdf": ["あいうえお", "日本語"],  # right column first
    "pdfminer_jo.pdf": ["わたくしといふ現象は", "假定された有機交流電燈の", "ひとつの青い照明です"],
    "pdfminer_simple3.pdf": ["あいうえお"],
    "pdfminer_kampo.pdf": ["道路交通法施行令の一部を改正する政令"],
    "pypdf_includeSJISfontname.pdf": ["発表者名", "配信カメラの方向は正しいか"],
    "constitution_of_japan_S21.md": ["日本国憲法", "日本国民は、正当に選挙された国会における代表者を通じて行動し"],
    # <span> diff marks split words in the source HTML table
    "pm_hiroshima_nagasaki_speeches_H13-R2.md": ["広島市原爆死没者慰霊式並びに平和祈念式", "内閣総理大臣挨拶"],
    "mof_denmark_20211105dk_j.jplawdb_extracted.txt": ["書簡をもって啓上いたします。"],
}
REJECTED = {
    "mof_brazil1976_am_jp_en_scanned.pdf": ("no text layer", "OCR"),
    "mof_switzerland2012_en_jp_en.pdf": ("unmapped glyphs", "(cid:N)", "OCR"),
}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    out = tmp_path_factory.mktemp("realworld")
    with dg.instance_for_test() as instance:
        summary = run(str(REALWORLD), str(out), instance, echo=lambda *_: None)
    ledger = {r["source_path"]: r for r in pq.read_table(out / "sources").to_pylist()}
    documents = {r["source_path"]: r for r in pq.read_table(out / "documents").to_pylist()}
    return summary, ledger, documents


def test_every_file_is_in_the_ledger_and_the_outcomes_are_known(published):
    _, ledger, _ = published
    on_disk = {p.name for p in REALWORLD.iterdir()}
    assert set(ledger) == on_disk
    with open(REALWORLD.parent / "MANIFEST.tsv", encoding="utf-8") as fh:
        manifest = {row["filename"] for row in csv.DictReader(fh, delimiter="\t")}
    assert manifest <= on_disk
    # this test names an outcome for every file: a new file in the corpus needs a decision here
    assert set(PUBLISHED) | set(REJECTED) == on_disk


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_readable_files_publish_their_text_in_reading_order(published, name):
    _, ledger, documents = published
    assert ledger[name]["status"] == "published", ledger[name]["reason"]
    text = documents[name]["text"]
    position = 0
    for phrase in PUBLISHED[name]:
        found = text.find(phrase, position)
        if found < 0:
            found = unicodedata.normalize("NFKC", text).find(unicodedata.normalize("NFKC", phrase), position)
        assert found >= position, f"{phrase!r} not found after offset {position} in {text[:300]!r}"
        position = found + 1
    assert "(cid:" not in text
    assert not any("\u2f00" <= ch <= "\u2fdf" for ch in text), "a Kangxi radical was not folded"


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_unreadable_files_are_rejected_with_a_reason_that_says_why(published, name):
    _, ledger, _ = published
    assert ledger[name]["status"] == "rejected"
    for words in REJECTED[name]:
        assert words in ledger[name]["reason"]


def test_the_provisional_translation_header_is_metadata(published):
    _, _, documents = published
    beps = documents["nta_beps_a14_peer_review_monitoring_kariyaku.pdf"]
    assert beps["is_provisional_translation"] is True


def test_running_lines_are_out_of_the_body_and_kept_as_metadata(published):
    _, _, documents = published
    vietnam = documents["mof_vietnam2014_en_jp_en.pdf"]
    assert any(line.startswith("VIETN_3.indd") for line in vietnam["running_lines"])
    assert "VIETN_3.indd" not in vietnam["text"]
    checklist = documents["pypdf_includeSJISfontname.pdf"]
    assert "勉強会チェックリスト Ver1.0" in checklist["running_lines"]


def test_pages_without_text_are_recorded_not_silently_lost(published):
    _, _, documents = published
    vertical = documents["pdfjs_vertical.pdf"]
    assert vertical["page_count"] == 3
    assert [p["page"] for p in vertical["dropped_pages"]] == [2, 3]
    assert all("no text layer" in p["reason"] for p in vertical["dropped_pages"])
