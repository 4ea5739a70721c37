"""Reading a PDF page by page with pdfplumber, keeping each line's page and dropping running
headers, footers and page numbers.

A running line is one that sits in the top or bottom band of the page and either looks like a page
number (`- 3 -`, `3/7`, `３`, `三`) or repeats, at the same height, on most pages.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from pipeline.core.errors import RejectedInput
from pipeline.core.lines import WRAP_FILL, ExtractedText, Line

BAND = 0.12  # share of the page height at top and bottom where running lines live
PAGE_NUMBER = re.compile(
    r"^[\s\-－–—ー‐(（\[]*(?:p\.?|page|ページ)?\s*"
    r"[0-9０-９〇一二三四五六七八九十百]+(?:\s*[/／]\s*[0-9０-９]+)?\s*[\-－–—ー‐)）\]]*\s*$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"[0-9０-９]+")


def _mask(text: str) -> str:
    return _DIGITS.sub("#", re.sub(r"\s+", "", text))


def _page_lines(page) -> list[dict]:
    return [ln for ln in page.extract_text_lines(layout=False, strip=True, return_chars=False) if ln["text"].strip()]


def read_pdf(path: Path) -> ExtractedText:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(path, password="")
    except PDFSyntaxError as exc:
        raise RejectedInput(f"not a readable PDF: the file is truncated or corrupt ({exc})") from None
    except Exception as exc:  # pdfminer raises many kinds for broken files
        raise RejectedInput(f"not a readable PDF: {type(exc).__name__}: {exc}".rstrip(": ")) from None
    with pdf:
        try:
            pages = [(p.page_number, float(p.height), _page_lines(p)) for p in pdf.pages]
        except Exception as exc:
            raise RejectedInput(f"not a readable PDF: pdfplumber failed while reading its pages ({type(exc).__name__}: {exc})") from None
    return layout_pages(pages)


def layout_pages(pages: list[tuple[int, float, list[dict]]]) -> ExtractedText:
    """(page number, page height, pdfplumber text lines) per page -> body lines with pages."""
    page_count = len(pages)
    if page_count == 0:
        raise RejectedInput("the PDF has no pages")
    if not any(lines for _, _, lines in pages):
        raise RejectedInput("no text layer: the PDF's pages hold no extractable text (a scan? OCR would be needed)")

    def in_band(ln: dict, height: float) -> bool:
        return ln["top"] < BAND * height or ln["bottom"] > (1 - BAND) * height

    repeats = Counter(
        (_mask(ln["text"]), round(ln["top"] / 4))
        for _, height, lines in pages
        for ln in {(_mask(x["text"]), round(x["top"] / 4)): x for x in lines if in_band(x, height)}.values()
    )
    needed = max(2, (page_count + 1) // 2)
    running: list[str] = []
    body: list[tuple[int, dict]] = []
    dropped: dict[int, str] = {}
    for number, height, lines in pages:
        kept = []
        for ln in lines:
            if in_band(ln, height) and (
                PAGE_NUMBER.match(ln["text"]) or (page_count > 1 and repeats[(_mask(ln["text"]), round(ln["top"] / 4))] >= needed)
            ):
                if ln["text"] not in running and not PAGE_NUMBER.match(ln["text"]):
                    running.append(ln["text"])
                continue
            kept.append(ln)
        if not kept:
            dropped[number] = "no body text on the page" if lines else "no text layer on the page"
        body.extend((number, ln) for ln in kept)

    # A wrapped line reaches (nearly) the text block's right edge: the 90th percentile of line ends.
    right = sorted(ln["x1"] for _, ln in body)
    margin = right[int(0.9 * (len(right) - 1))] if right else 0.0
    left = min((ln["x0"] for _, ln in body), default=0.0)
    out = [Line(ln["text"], number, ln["x1"] - left >= WRAP_FILL * (margin - left)) for number, ln in body]
    return ExtractedText(lines=out, page_count=page_count, running_lines=running, dropped_pages=dropped)
