"""Writes tests/fixtures/refusals/: the inputs the pipeline must refuse (or, for two of them, must
still read), each small and byte-for-byte reproducible (reportlab invariant mode), because doc ids
come from file bytes.

Refused: empty text and PDF files, white space only, binary bytes under a .txt name, bytes no
supported encoding decodes, a PDF cut in half, a PDF header followed by garbage, a PDF that needs
a user password, a scan (an image and shapes, no text layer), a PDF whose font has no Unicode map
(every glyph comes out as (cid:N)), and formats the pipeline does not read (.docx, .rtf).

Read: a PDF with only an owner password (the empty user password opens it) and a two-page PDF
whose second page is a scan (page 1 publishes, page 2 is listed in documents.dropped_pages).

The Japanese text is the opening of seed 000 (tests/fixtures/seeds), a statement that was a PDF.

usage: python scripts/make_refusal_fixtures.py [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import zlib
from pathlib import Path

from reportlab import rl_config

rl_config.invariant = 1  # before pdfencrypt is imported: it picks its "random" salts at import time

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.pdfencrypt import StandardEncryption  # noqa: E402
from reportlab.lib.utils import ImageReader  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase._cidfontdata import CIDFontInfo  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.pdfbase.pdfdoc import PDFString  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "refusals"
SEED = ROOT / "tests" / "fixtures" / "seeds" / "000_dfd32790290888e2.txt"
FONT = "HeiseiMin-W3"
SIZE, LEFT, TOP, GAP = 10.5, 56.0, 760.0, 17.0


def encryptable_cid_system_info() -> None:
    """reportlab writes the font's /CIDSystemInfo strings, (Adobe) and (Japan1), as raw text, so in
    an encrypted file they are left unencrypted and a conforming reader (pdfminer) decrypts them to
    garbage, losing the font's Unicode mapping. As PDFString objects they are encrypted like every
    other string; unencrypted output is byte-for-byte the same."""
    info = CIDFontInfo[FONT]["DescendantFonts"][0]["CIDSystemInfo"]
    info["Registry"], info["Ordering"] = PDFString("Adobe"), PDFString("Japan1")


def seed_lines(count: int, skip: int = 0) -> list[str]:
    """Non-blank lines of the seed, in order (they keep the original PDF's line breaks)."""
    lines = [ln.strip() for ln in SEED.read_text(encoding="utf-8").split("\n") if ln.strip()]
    return lines[skip:skip + count]


def new_canvas(target, title: str, encrypt=None) -> canvas.Canvas:
    c = canvas.Canvas(target, pagesize=A4, invariant=1, encrypt=encrypt)
    c.setTitle(title)
    c.setAuthor("seimei refusal fixtures")
    c.setCreator("seimei scripts/make_refusal_fixtures.py")
    return c


def text_page(c: canvas.Canvas, lines: list[str], font: str = FONT) -> None:
    c.setFont(font, SIZE)
    y = TOP
    for line in lines:
        c.drawString(LEFT, y, line)
        y -= GAP
    c.showPage()


def scan_page(c: canvas.Canvas) -> None:
    """What a scanner gives: a picture of a page (here a small grey gradient with 'lines' of dark
    pixels) and some drawn shapes, but no text layer."""
    from PIL import Image

    img = Image.new("L", (96, 128), 245)
    px = img.load()
    for y in range(12, 120, 8):  # rows of "ink" where lines of type would be
        for x in range(10, 86 - (y * 7) % 23):
            if (x * 31 + y * 17) % 5:
                px[x, y] = px[x, y + 1] = 40
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    buf.seek(0)
    width, height = A4
    c.drawImage(ImageReader(buf), 40, 60, width=width - 80, height=height - 120)
    c.setStrokeGray(0.3)
    c.rect(30, 50, width - 60, height - 100)
    c.circle(width - 90, height - 110, 28)  # a seal stamp
    c.showPage()


def pdf_bytes(build, title: str, encrypt=None) -> bytes:
    buf = io.BytesIO()
    c = new_canvas(buf, title, encrypt)
    build(c)
    c.save()
    return buf.getvalue()


def japanese_pdf(pages: int = 1, per_page: int = 14, title: str = "refusal fixture", encrypt=None) -> bytes:
    def build(c):
        for i in range(pages):
            text_page(c, seed_lines(per_page, skip=i * per_page))

    return pdf_bytes(build, title, encrypt)


def unmapped_glyphs_pdf() -> bytes:
    """Japanese text in a CID font whose glyphs have no way back to Unicode. reportlab's
    UnicodeCIDFont has no /ToUnicode; readers map its codes through the font's character collection
    (/Ordering (Japan1)). Renaming the collection (same length, so the xref stays valid) leaves
    nothing to map with: pdfminer reports every glyph as (cid:N), like a subset font without
    /ToUnicode in real files."""
    data = japanese_pdf(title="unmapped glyphs fixture")
    assert data.count(b"/Ordering (Japan1)") == 1, "reportlab changed how it writes the CID system info"
    return data.replace(b"/Ordering (Japan1)", b"/Ordering (Xapan1)")


def undecodable_bytes() -> bytes:
    """Japanese text in CP932 with one byte pair broken: 0x81 followed by a space. 0x81 is a CP932
    lead byte that needs a trail byte of 0x40-0xFC, a UTF-8 continuation byte with nothing to
    continue, and no EUC-JP byte at all; there is no BOM, NUL or ISO-2022-JP escape. (Python's
    CP932 codec maps the lone bytes 0x80, 0xA0 and 0xFD-0xFF to characters, so those are no use.)"""
    text = "\n".join(seed_lines(4)).encode("cp932")
    return text + b"\n\x81 \x81 \n" + "\n".join(seed_lines(2, skip=4)).encode("cp932") + b"\n"


def build(out: Path) -> dict[str, bytes]:
    encryptable_cid_system_info()
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    good = japanese_pdf(pages=3, title="truncated fixture")
    files: dict[str, bytes] = {
        "empty.txt": b"",
        "empty.pdf": b"",
        "whitespace.txt": b"  \n\t\r\n\xe3\x80\x80\n   \n",  # U+3000 counts too (it decodes to white space)
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + zlib.compress(bytes(range(256)) * 4, 9),
        "undecodable.txt": undecodable_bytes(),
        "truncated.pdf": good[: len(good) // 2],
        "corrupt.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes((i * 73 + 41) % 256 for i in range(2048)) + b"\n%%EOF\n",
        "encrypted.pdf": japanese_pdf(title="encrypted fixture", encrypt=StandardEncryption("secret", "owner-secret", strength=128)),
        "owner_only.pdf": japanese_pdf(title="owner password fixture", encrypt=StandardEncryption("", "owner-secret", canCopy=0, strength=128)),
        "scanned.pdf": pdf_bytes(scan_page, "scanned fixture"),
        "unmapped_glyphs.pdf": unmapped_glyphs_pdf(),
        "partly_readable.pdf": pdf_bytes(lambda c: (text_page(c, seed_lines(14)), scan_page(c)), "partly readable fixture"),
        "unsupported.docx": b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",
        "statement.rtf": "{\\rtf1\\ansi\\ansicpg932 {\\fonttbl\\f0 MS Mincho;}\\f0 日米韓 共同声明\\par}\n".encode("cp932"),
    }
    _check_undecodable(files["undecodable.txt"])
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    return files


def _check_undecodable(data: bytes) -> None:
    for encoding in ("utf-8", "cp932", "euc_jp", "iso2022_jp"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        raise AssertionError(f"undecodable.txt decodes as {encoding}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    for name, data in build(args.out).items():
        print(f"{len(data):>7}  {args.out / name}")


if __name__ == "__main__":
    main()
