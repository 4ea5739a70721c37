"""Vertical (縦書き) pages read in reading order, on a committed fixture rendered by
scripts/render_layout_fixtures.py (the real-world corpus tests repeat this on government PDFs)."""

from __future__ import annotations

from pipeline.core.process import normalize, read_source
from tests.conftest import FIXTURES, load_script

LETTER = FIXTURES / "layout" / "vertical_letter.pdf"


def test_the_fixture_is_what_the_script_renders(tmp_path):
    load_script("render_layout_fixtures").render(tmp_path / "letter.pdf")
    assert (tmp_path / "letter.pdf").read_bytes() == LETTER.read_bytes()


def test_columns_read_right_to_left_with_paragraphs_and_tate_chu_yoko_in_place():
    extracted = read_source(LETTER, "pdf")
    text = normalize(extracted).text
    assert text.split("\n")[:4] == [
        "（日本側書簡）",
        "書簡をもって啓上いたします。本使は、二千二十一年十一月五日に東京で署名された両国間の協定に言及するとともに、"
        "次の提案を行う光栄を有します。",  # one paragraph, run from one column into the next
        "協定第三条1(a)に規定する日は、貴官の返簡の日とする。",  # (a) set horizontally inside the column
        "本使は、ここに貴官に向かって敬意を表します。",
    ]


def test_a_horizontal_page_after_a_vertical_one_and_bullets_start_paragraphs():
    extracted = read_source(LETTER, "pdf")
    norm = normalize(extracted)
    assert norm.text.split("\n")[4:] == [
        "本協定の主な内容は次のとおりである。", "・二重課税の除去", "・脱税及び租税回避の防止", "（1）情報交換の拡充",
    ]
    assert norm.joined().page_at(norm.text.index("本協定")) == 2
    assert norm.joined().page_at(norm.text.index("書簡をもって")) == 1


def test_horizontal_header_and_page_numbers_on_vertical_pages_are_running_lines():
    extracted = read_source(LETTER, "pdf")
    assert extracted.running_lines == ["交換公文（仮訳）"]
    text = normalize(extracted).text
    assert "- 1 -" not in text and "交換公文" not in text
