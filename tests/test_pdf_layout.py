"""Running headers, footers and page numbers out; body lines, their pages and wraps kept."""

import pytest

from pipeline.core.errors import RejectedInput
from pipeline.core.pdf_layout import PAGE_NUMBER, PageLine, layout_pages

H = 842.0


def line(text, top, x1=500.0, size=10.0):
    return PageLine(text, 60.0, x1, top, top + size, vertical=False)


def page(n, body):
    return (n, H, [line("日米韓外相会合（仮訳）", 30, x1=300), *body, line(f"- {n} -", 800, x1=310)])


def test_repeated_header_and_page_numbers_are_dropped_and_the_title_kept():
    pages = [
        page(1, [line("日米韓外相会合（仮訳）", 90, x1=300), line("本文の一行目で、右端まで続く文", 150), line("おわり。", 170, x1=200)]),
        page(2, [line("二ページ目の本文が右端まで続い", 120), line("て終わる。", 140, x1=200)]),
        page(3, [line("三ページ目。", 120, x1=200)]),
    ]
    out = layout_pages(pages)
    texts = [ln.text for ln in out.lines]
    assert texts[0] == "日米韓外相会合（仮訳）"  # same words as the header, but not at the header's height
    assert not any(t.startswith("- ") for t in texts)
    assert texts.count("日米韓外相会合（仮訳）") == 1
    assert out.running_lines == ["日米韓外相会合（仮訳）"]
    assert [ln.page for ln in out.lines] == [1, 1, 1, 2, 2, 3]
    assert [ln.continues for ln in out.lines] == [False, True, False, True, False, False]
    assert out.page_count == 3


@pytest.mark.parametrize("text", ["- 3 -", "－３－", "3/12", "３", "p. 4", "十二", "(5)"])
def test_page_number_shapes(text):
    assert PAGE_NUMBER.match(text)


@pytest.mark.parametrize("text", ["2024年6月26日", "第2回", "共同声明"])
def test_not_page_numbers(text):
    assert not PAGE_NUMBER.match(text)


def test_a_pdf_without_text_is_rejected_as_needing_ocr():
    with pytest.raises(RejectedInput, match="OCR"):
        layout_pages([(1, H, []), (2, H, [])])


def test_a_page_number_alone_in_the_body_of_a_one_page_pdf_is_not_everything_lost():
    out = layout_pages([(1, H, [line("声明の本文。", 300), line("1", 810, x1=300)])])
    assert [ln.text for ln in out.lines] == ["声明の本文。"]


# --- the page's characters, read from pdfminer's layout as pdfplumber would give them ---

LEAN_KEYS = ("text", "x0", "x1", "top", "bottom", "doctop", "size", "upright", "fontname")


def _realworld_pdfs():
    from tests.conftest import SHARED

    return sorted((SHARED / "realworld" / "files").glob("*.pdf"))


@pytest.mark.parametrize("path", _realworld_pdfs(), ids=lambda p: p.name)
def test_page_chars_are_pdfplumbers_chars_with_the_keys_the_layout_reads(path):
    """Every glyph of every page (vertical, (cid:N), figures, SJIS fonts), in the same order, with
    the same values as pdfplumber's page.chars: the layout reads nothing else."""
    import pdfplumber

    from pipeline.core.pdf_layout import page_chars

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages[:8]:
            try:
                theirs = [{k: c[k] for k in LEAN_KEYS} for c in page.chars]
            except Exception:  # a page pdfminer cannot interpret fails the same way for both
                with pytest.raises(Exception):
                    page_chars(page)
                continue
            assert page_chars(page) == theirs, f"page {page.page_number}"


def _overprinted_pages():
    import io

    import pdfplumber

    from tests.conftest import load_script

    crowded = load_script("make_hostile_files").crowded_page_pdf(3000)
    switzerland = next(p for p in _realworld_pdfs() if p.name == "mof_switzerland2012_en_jp_en.pdf")
    return [pdfplumber.open(io.BytesIO(crowded)).pages[0], pdfplumber.open(switzerland).pages[0]]


def test_overprinted_glyphs_are_deduplicated_as_pdfplumber_does_in_one_pass():
    """Fake bold (the same glyph drawn twice at one place): the glyphs kept and their order are
    pdfplumber's dedupe_chars exactly, on a real overprinted page and on 3,000 glyphs drawn twice."""
    from pdfplumber.utils import dedupe_chars

    from pipeline.core.pdf_layout import _deduped, _has_overprint, page_chars

    for page in _overprinted_pages():
        chars = page_chars(page)
        assert _has_overprint(chars)
        kept = _deduped(chars)
        assert len(kept) < len(chars)
        assert [id(c) for c in kept] == [id(c) for c in dedupe_chars(chars)]
