"""Renders tests/fixtures/layout/vertical_letter.pdf: a small treaty-style letter with the layout
cases of real government PDFs, and a known reading order to check against.

Page 1 is vertical (縦書き): columns right to left, a paragraph that runs down one column into the
next, an `(a)` set horizontally inside a column (縦中横), a horizontal running header and a
horizontal page number. Page 2 is horizontal with a bullet list. Byte-reproducible (invariant
mode), like the sample PDFs.

usage: python scripts/render_layout_fixtures.py
"""

from __future__ import annotations

from pathlib import Path

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "layout" / "vertical_letter.pdf"
VERTICAL, HORIZONTAL = "HeiseiMin-W3", "HeiseiKakuGo-W5"
SIZE, COLUMN_STEP, TOP, CHARS_PER_COLUMN = 14.0, 24.0, 760.0, 40
HEADER = "交換公文（仮訳）"

# (text, paragraph?) in reading order; "{a}" marks where the horizontal (a) sits in its column
PAGE_1 = [
    "（日本側書簡）",
    "書簡をもって啓上いたします。本使は、二千二十一年十一月五日に東京で署名された両国間の協定に言及するとともに、次の提案を行う光栄を有します。",
    "協定第三条1{a}に規定する日は、貴官の返簡の日とする。",
    "本使は、ここに貴官に向かって敬意を表します。",
]
PAGE_2 = [
    "本協定の主な内容は次のとおりである。",
    "・二重課税の除去",
    "・脱税及び租税回避の防止",
    "（１）情報交換の拡充",
]


def _furniture(c: canvas.Canvas, page: int) -> None:
    width, height = A4
    c.setFont(HORIZONTAL, 9)
    c.drawCentredString(width / 2, height - 40, HEADER)
    c.drawCentredString(width / 2, 30, f"- {page} -")


def render(out: Path = OUT) -> None:
    rl_config.invariant = 1
    pdfmetrics.registerFont(UnicodeCIDFont(VERTICAL, isVertical=True))
    pdfmetrics.registerFont(UnicodeCIDFont(HORIZONTAL))
    out.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(out), pagesize=A4, invariant=1)
    c.setTitle("vertical letter fixture")
    c.setCreator("seimei scripts/render_layout_fixtures.py")
    _furniture(c, 1)
    x = 520.0
    for paragraph in PAGE_1:
        chunks = [paragraph[i:i + CHARS_PER_COLUMN] for i in range(0, len(paragraph), CHARS_PER_COLUMN)]
        for chunk in chunks:
            y = TOP
            before, _, after = chunk.partition("{a}")
            c.setFont(VERTICAL, SIZE)
            c.drawString(x, y, before)
            y -= SIZE * len(before)
            if "{a}" in chunk:  # 縦中横: (a) set horizontally, centred on the column
                c.setFont(HORIZONTAL, 7)
                label_width = pdfmetrics.stringWidth("(a)", HORIZONTAL, 7)
                c.drawString(x - label_width / 2, y - 10, "(a)")
                y -= SIZE
                c.setFont(VERTICAL, SIZE)
                c.drawString(x, y, after)
            x -= COLUMN_STEP
    c.showPage()
    _furniture(c, 2)
    c.setFont(HORIZONTAL, 11)
    y = 760.0
    for line in PAGE_2:
        c.drawString(60, y, line)
        y -= 20
    c.showPage()
    c.save()


if __name__ == "__main__":
    render()
    print(f"wrote {OUT}")
