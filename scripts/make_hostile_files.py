"""Writes hostile inputs: files made to stop, hang or exhaust a reader, each the smallest of its
kind and byte-for-byte reproducible. tests/test_hostile_inputs.py makes them in a temporary
folder (nothing is committed) and checks that each is rejected with its reason (or, for those a
reader must survive, published) while the other documents publish.

- surrogate_tounicode.pdf: a font whose ToUnicode map sends a code to U+D800, a lone surrogate
  no UTF-8 writer accepts (the rest of the page is ordinary Japanese);
- inflate_bomb.pdf: a page whose content stream is deflated twice and inflates to 1 GiB;
- crowded_page.pdf: a page of 100,000 glyphs, each drawn twice (overprinted: pdfplumber's
  de-duplication is quadratic; ours is one pass, so this one reads and publishes);
- busy_page.pdf: a page of 1,500,000 path operators that draw nothing, a few KB deflated: every
  one is parsed and interpreted, so its read outlasts any deadline while its memory stays small;
- long_line.txt / full_stops.txt: a text over the character limit on one line, and one made of
  full stops (「。」) only;
- mentions.txt: a text of 25,000 dates (over the mentions limit);
- pdf_header_in_text.txt: a text that quotes `%PDF-` in its first KB (a text, not a PDF).

usage: python scripts/make_hostile_files.py OUT_DIR
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

JAPANESE = "日米両国は、経済安全保障の分野における協力を一層強化することで一致した。"


def pdf_document(objects: list[bytes]) -> bytes:
    """A PDF of the given objects (object i+1 is objects[i]) with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def stream(data: bytes, extra: str = "") -> bytes:
    return f"<< /Length {len(data)} {extra}>>\nstream\n".encode() + data + b"\nendstream"


def one_page_pdf(content: bytes, font: bytes, extra_objects: list[bytes] = (), content_extra: str = "") -> bytes:
    """Catalog, pages, one A4 page with font F1 (object 4) and the content stream (object 5);
    extra objects are numbered from 6."""
    return pdf_document([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        font,
        stream(content, content_extra),
        *extra_objects,
    ])


def to_unicode_cmap(mapping: dict[int, str], numeric: dict[int, int]) -> bytes:
    """A ToUnicode CMap for one-byte codes: `mapping` as UTF-16BE hex (bfchar), `numeric` as a
    bfrange whose target is a number, which a reader turns into a code point as it stands (the
    attack: 55296 is U+D800, a lone surrogate)."""
    chars = [f"<{code:02X}> <{''.join(f'{ord(ch):04X}' for ch in text)}>" for code, text in sorted(mapping.items())]
    ranges = [f"<{code:02X}> <{code:02X}> [{value}]" for code, value in sorted(numeric.items())]
    return ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CMapName /Hostile def /CMapType 2 def\n"
            "1 begincodespacerange <00> <FF> endcodespacerange\n"
            f"{len(chars)} beginbfchar\n" + "\n".join(chars) + "\nendbfchar\n"
            f"{len(ranges)} beginbfrange\n" + "\n".join(ranges) + "\nendbfrange\n"
            "endcmap CMapName currentdict /CMap defineresource pop end end\n").encode()


def surrogate_tounicode_pdf() -> bytes:
    """Codes 0xA1.. map to the characters of JAPANESE; code 0x21 (!) maps to U+D800."""
    chars = sorted(set(JAPANESE))
    mapping = {0xA1 + i: ch for i, ch in enumerate(chars)}  # high codes: none is a string delimiter
    codes = {ch: 0xA1 + i for i, ch in enumerate(chars)}
    line = bytes(codes[ch] for ch in JAPANESE)
    shown = b"".join(b"(" + line[:12] + b"!" + line[12:] + b") Tj 0 -16 Td " for _ in range(12))
    content = b"BT /F1 10 Tf 72 760 Td " + shown + b"ET"
    # every glyph 1000 units wide, as a Japanese font's are: the characters stay in their order
    font = (b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 33 /LastChar 255 "
            b"/Widths [" + b" 1000" * 223 + b"] /ToUnicode 6 0 R >>")
    return one_page_pdf(content, font, [stream(to_unicode_cmap(mapping, {0x21: 0xD800}))])


def inflate_bomb_pdf(inflated_bytes: int = 1 << 30) -> bytes:
    """Content that inflates to inflated_bytes of spaces, deflated twice (zlib's best ratio is
    about 1000:1 per pass, so two passes make a few KB of it)."""
    once = zlib.compressobj(9)
    chunk = b" " * (1 << 24)
    parts = [once.compress(chunk) for _ in range(inflated_bytes // len(chunk))]
    parts.append(once.flush())
    twice = zlib.compress(b"".join(parts), 9)
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    return one_page_pdf(twice, font, content_extra="/Filter [/FlateDecode /FlateDecode] ")


def crowded_page_pdf(glyphs: int = 100_000) -> bytes:
    """glyphs characters in rows of 100, each row drawn twice at the same place (fake bold)."""
    rows = []
    for r in range(glyphs // 100):
        y = 800 - (r % 790)
        row = f"1 0 0 1 20 {y} Tm ({'AB' * 50}) Tj ".encode()
        rows.append(row + row)
    content = zlib.compress(b"BT /F1 1 Tf " + b"".join(rows) + b"ET", 9)
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    return one_page_pdf(content, font, content_extra="/Filter /FlateDecode ")


def busy_page_pdf(operators: int = 1_500_000) -> bytes:
    """One glyph, then operators moves and lines ended without painting (`0 0 m 1 1 l n`)."""
    content = zlib.compress(b"BT /F1 10 Tf 72 760 Td (A) Tj ET " + b"0 0 m 1 1 l n " * operators, 9)
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    return one_page_pdf(content, font, content_extra="/Filter /FlateDecode ")


def long_line_text(chars: int = 1_200_000) -> bytes:
    return (JAPANESE * (chars // len(JAPANESE) + 1))[:chars].encode("utf-8")


def full_stops_text(count: int = 1_200_000) -> bytes:
    return ("。" * count).encode("utf-8")


def mentions_text(count: int = 25_000) -> bytes:
    lines = [f"{2000 + i % 25}年{1 + i % 12}月{1 + i % 28}日、会合が開かれた。" for i in range(count)]
    return "\n".join(lines).encode("utf-8")


def pdf_header_in_text() -> bytes:
    return ("PDF の先頭は次の五文字で始まる。\n%PDF-1.7\n" + JAPANESE + "\n").encode("utf-8")


HOSTILE = {
    "surrogate_tounicode.pdf": surrogate_tounicode_pdf,
    "inflate_bomb.pdf": inflate_bomb_pdf,
    "crowded_page.pdf": crowded_page_pdf,
    "busy_page.pdf": busy_page_pdf,
    "long_line.txt": long_line_text,
    "full_stops.txt": full_stops_text,
    "mentions.txt": mentions_text,
    "pdf_header_in_text.txt": pdf_header_in_text,
}


def build(out: Path, names=None) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, make in HOSTILE.items():
        if names is None or name in names:
            (out / name).write_bytes(make())
            written[name] = out / name
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for path in build(Path(sys.argv[1])).values():
        print(f"{path} ({path.stat().st_size:,} bytes)")
