"""Renders seeds 000 and 004 into the sample PDFs of data/raw/.

Both statements were PDFs originally; their seed texts keep the PDF's line breaks. Rendering them
back to PDF, one source line per PDF line, with a running header, page numbers in the footer and
page breaks that fall mid-sentence, gives the pipeline real PDFs with the properties that matter
(wrapped words, repeated header, page numbers) and a ground truth to compare with (the seed
text). Output is byte-for-byte reproducible (reportlab invariant mode), because doc ids come
from file bytes.

usage: python scripts/render_sample_pdfs.py [--seeds DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parents[1]
FONT = "HeiseiMin-W3"
# Running headers: short, the same on every page, and not a copy of any whole body line.
SAMPLES = {
    "000_dfd32790290888e2": "日米韓商務・産業大臣会合 共同声明",
    "004_9cb1fc1b7e194a3c": "日米韓外相会合（仮訳）",
}
LINES_PER_PAGE = 28
BODY_SIZE, HEADER_SIZE = 10.5, 8.0
LEFT, TOP, BOTTOM, LINE_GAP, BLANK_GAP = 56.0, 790.0, 80.0, 17.0, 6.0


def render(seed: Path, header: str, out: Path) -> None:
    rl_config.invariant = 1
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    width, height = A4
    c = canvas.Canvas(str(out), pagesize=A4, invariant=1)
    c.setTitle(header)
    c.setAuthor("seimei sample renderer")
    c.setCreator("seimei scripts/render_sample_pdfs.py")
    page, y, count = 1, TOP - 30, 0

    def furniture():
        c.setFont(FONT, HEADER_SIZE)
        c.drawString(LEFT, height - 36, header)
        c.drawCentredString(width / 2, 30, f"- {page} -")

    furniture()
    for raw in seed.read_text(encoding="utf-8").split("\n"):
        text = raw.rstrip()
        if not text.strip():
            y -= BLANK_GAP
            continue
        if count == LINES_PER_PAGE or y < BOTTOM:
            c.showPage()
            page, y, count = page + 1, TOP - 30, 0
            furniture()
        c.setFont(FONT, BODY_SIZE)
        c.drawString(LEFT, y, text)
        y -= LINE_GAP
        count += 1
    c.showPage()
    c.save()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=ROOT / "tests" / "fixtures" / "seeds")  # the seed texts, committed
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "raw")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for stem, header in SAMPLES.items():
        target = args.out / f"{stem}.pdf"
        render(args.seeds / f"{stem}.txt", header, target)
        print(target)


if __name__ == "__main__":
    main()
