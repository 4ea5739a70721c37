"""The character policy on real PDF artefacts: radicals folded, letter-spacing undone, words kept
apart, bullets and headings starting paragraphs, markup stripped from text files."""

from __future__ import annotations

import json

from pipeline.core.lines import Line
from pipeline.core.markup import plain_text
from pipeline.core.normalize import FOLDING_TABLE, join_lines, normalize_chars
from tests.conftest import load_script


def test_kangxi_radicals_and_compatibility_ideographs_fold_to_the_ordinary_kanji():
    assert normalize_chars("⽇⽶⾸脳会談") == "日米首脳会談"
    assert normalize_chars("構を⼀つの箱内に") == "構を一つの箱内に"
    assert normalize_chars("会議䛾成果") == "会議の成果"
    assert normalize_chars("神戸") == "神戸"  # U+FA19 compatibility ideograph
    assert normalize_chars("長﨑") == "長﨑"  # U+FA11 is a unified ideograph: kept


def test_the_folding_table_is_the_generated_reviewed_data():
    assert FOLDING_TABLE.read_text(encoding="utf-8") == load_script("build_cjk_folding").render(), "run python scripts/build_cjk_folding.py"
    table = json.loads(FOLDING_TABLE.read_text(encoding="utf-8"))
    assert table["_about"] and table["mappings"]["⼀"] == "一"
    assert all(len(k) == 1 and len(v) == 1 for k, v in table["mappings"].items())


def test_letter_spacing_is_undone_but_words_stay_apart():
    assert normalize_chars("官 報 第 一 号") == "官報第一号"
    assert normalize_chars("日 本 国 政 府") == "日本国政府"
    assert normalize_chars("外務大臣 林芳正") == "外務大臣 林芳正"
    assert normalize_chars("Joint  Statement　of the Ministers") == "Joint Statement of the Ministers"


def test_bullets_and_headings_start_paragraphs_even_after_a_wrapped_line():
    lines = [Line("次の事項に合意した。これらの措置は両国の", 1, True), Line("経済安全保障に資する", 1, True),
             Line("・半導体の供給網の強靱化", 1, True), Line("①重要鉱物", 1, True), Line("（２）人材交流", 1, True),
             Line("(a)日本国については", 1, True), Line("第二条", 1, True), Line("この条約は、次の租税に", 1, True),
             Line("ついて適用する。", 1, False)]
    assert join_lines(lines).text.split("\n") == [
        "次の事項に合意した。これらの措置は両国の経済安全保障に資する",
        "・半導体の供給網の強靱化", "①重要鉱物", "（2）人材交流", "(a)日本国については", "第二条",
        "この条約は、次の租税について適用する。",
    ]


def test_markdown_and_inline_html_are_not_text():
    md = ("---\ntitle: x\n---\n# 日本国憲法\n- [第一章](#c1)\n"
          "<td><span class=h>広島市原爆死没者</span>慰霊<span class=h>式並びに</span>平和祈念<br>内閣総理大臣挨拶</td>\n"
          "**重要** な &amp; 文\n")
    assert plain_text(md, ".md").split("\n") == ["日本国憲法", "第一章", "広島市原爆死没者慰霊式並びに平和祈念",
                                                 "内閣総理大臣挨拶", "", "重要 な & 文", ""]
    assert plain_text("---\ndoc_id: 1\n---\n本文。\n", ".txt") == "本文。\n"
    assert plain_text("本文 <b>そのまま</b>\n", ".txt") == "本文 <b>そのまま</b>\n"  # only Markdown files hold markup

