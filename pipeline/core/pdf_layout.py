"""Reading a PDF page by page with pdfplumber: horizontal and vertical (縦書き) text in reading order,
each line with its page, running headers/footers/page numbers dropped, unreadable pages accounted for.

Vertical text is found per character, not per page: pdfminer hands characters over in drawing
order, and a character whose neighbour in that order sits just below it (same x) belongs to a
vertical column. Those characters are read as columns, right to left, top to bottom, tier by tier
(官報 pages stack several tiers of columns); the rest is read as ordinary horizontal lines. So a
vertical letter with a horizontal page number, and a document with vertical and horizontal pages,
both read in order.

A running line sits in the top or bottom band of the page and either looks like a page number
(`- 3 -`, `3/7`, `３`, `一二七三`) or repeats, at the same height, on most pages.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from operator import itemgetter
from pathlib import Path

from pipeline.core.errors import RejectedInput
from pipeline.core.limits import Limits
from pipeline.core.lines import WRAP_FILL, ExtractedText, Line

# pdfminer logs warnings to stderr about fonts whose text it still reads ("Could not get FontBBox
# from font descriptor"): noise for the operator. What a font costs the text shows in the data
# (dropped_pages, (cid:N) glyphs); pdfminer's errors still print.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

BAND = 0.12  # share of the page height at top and bottom where running lines live
PAGE_NUMBER = re.compile(
    r"^[\s\-－–—ー‐(（\[]*(?:p\.?|page|ページ)?\s*"
    r"[0-9０-９〇◯一二三四五六七八九十百千]+(?:\s*[/／]\s*[0-9０-９]+)?\s*[\-－–—ー‐)）\]]*\s*$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"[0-9０-９]+")
_CID = re.compile(r"\(cid:\d+\)")
_WIDE = r"\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60"
# a space pdfplumber put between two Japanese characters is layout (justification, 文字ツメ), not
# text; so is one between Japanese and a Latin letter or digit (和欧間: `行動 14`, `2017 年`)
_SPACE_BETWEEN_WIDE = re.compile(
    rf"(?<=[{_WIDE}])[ \u3000]+(?=[{_WIDE}A-Za-z0-9])|(?<=[A-Za-z0-9])[ \u3000]+(?=[{_WIDE}])"
)
UNREADABLE_SHARE = 0.25  # a page whose text is at least this share of (cid:N)/U+FFFD/private-use is unreadable


@dataclass(frozen=True)
class PageLine:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    vertical: bool
    continues: bool = False


def unreadable_share(text: str) -> float:
    """Share of the non-space characters that are unmapped glyphs: `(cid:N)`, U+FFFD or private use."""
    cids = _CID.findall(text)
    rest = _CID.sub("", text)
    bad = len(cids) + sum(1 for ch in rest if ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff")
    total = len(cids) + sum(1 for ch in rest if not ch.isspace())
    return bad / total if total else 0.0


def _vertical_flags(chars: list[dict]) -> list[bool]:
    """True for characters that continue (or are continued by) a vertical step in drawing order."""
    steps = []
    for a, b in zip(chars, chars[1:]):
        size = max(a["size"], b["size"], 1.0)
        centre_shift = abs((b["x0"] + b["x1"]) - (a["x0"] + a["x1"])) / 2
        steps.append(centre_shift < 0.25 * size and 0 < b["top"] - a["top"] < 2.5 * size and b["top"] > a["bottom"] - 0.3 * size)
    flags = [False] * len(chars)
    for i, step in enumerate(steps):
        if step:
            flags[i] = flags[i + 1] = True
    return flags


def _absorb_upright_runs(chars: list[dict], flags: list[bool]) -> list[dict]:
    """Short horizontal runs set inside a vertical column (縦中横: `(a)`, `12`) become one
    character of that column, so they stay in place instead of splitting the column."""
    centres = sorted(((c["x0"] + c["x1"]) / 2, c["top"], c["size"]) for c, f in zip(chars, flags) if f)
    if not centres:
        return []
    runs: list[list[dict]] = []
    for c, f in zip(chars, flags):
        if f:
            continue
        if runs and abs(c["top"] - runs[-1][-1]["top"]) < 0.3 * c["size"] and -0.3 * c["size"] <= c["x0"] - runs[-1][-1]["x1"] < 0.5 * c["size"]:
            runs[-1].append(c)
        else:
            runs.append([c])
    absorbed = []
    for run in runs:
        x0, x1 = min(c["x0"] for c in run), max(c["x1"] for c in run)
        top, bottom = min(c["top"] for c in run), max(c["bottom"] for c in run)
        size = max(c["size"] for c in run)
        centre = (x0 + x1) / 2
        if x1 - x0 > 2 * size:
            continue
        if any(abs(cx - centre) < 0.3 * size and abs(ctop - top) < 3 * size for cx, ctop, _ in centres):
            absorbed.append({**run[0], "text": "".join(c["text"] for c in run), "x0": x0, "x1": x1,
                             "top": top, "bottom": bottom, "size": size, "_members": [id(c) for c in run]})
    return absorbed


def _columns(chars: list[dict]) -> list[PageLine]:
    """Vertical characters as column segments in reading order: tiers top to bottom, columns right
    to left within a tier, characters top to bottom within a column."""
    if not chars:
        return []
    size = sorted(c["size"] for c in chars)[len(chars) // 2] or 10.0
    groups: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: -(c["x0"] + c["x1"]) / 2):
        centre = (c["x0"] + c["x1"]) / 2
        if groups and abs(centre - groups[-1][-1]["_centre"]) < 0.5 * size:
            groups[-1].append({**c, "_centre": groups[-1][-1]["_centre"]})
        else:
            groups.append([{**c, "_centre": centre}])
    segments: list[list[dict]] = []
    for group in groups:
        group.sort(key=lambda c: c["top"])
        current = [group[0]]
        for c in group[1:]:
            if c["top"] - current[-1]["bottom"] > 1.5 * size:  # a gap between tiers
                segments.append(current)
                current = []
            current.append(c)
        segments.append(current)
    boxes = [
        PageLine(
            "".join(c["text"] for c in seg),
            min(c["x0"] for c in seg), max(c["x1"] for c in seg),
            min(c["top"] for c in seg), max(c["bottom"] for c in seg), True,
        )
        for seg in segments
    ]
    # tiers: segments whose vertical extents overlap, joined transitively
    boxes.sort(key=lambda b: b.top)
    tiers: list[list[PageLine]] = []
    tier_bottom = None
    for box in boxes:
        if tiers and box.top < tier_bottom:
            tiers[-1].append(box)
            tier_bottom = max(tier_bottom, box.bottom)
        else:
            tiers.append([box])
            tier_bottom = box.bottom
    ordered: list[PageLine] = []
    for tier in tiers:
        tier.sort(key=lambda b: -b.x1)
        top = min(b.top for b in tier)
        foot = _shared_foot([b.bottom for b in tier], size)
        for b in tier:
            wrapped = len(tier) > 1 and b.bottom - top >= WRAP_FILL * (foot - top)
            ordered.append(PageLine(b.text, b.x0, b.x1, b.top, b.bottom, True, wrapped))
    return ordered


def _shared_foot(bottoms: list[float], size: float) -> float:
    """The bottom margin of a block of columns: the lowest end that at least two columns share
    (within a character), so one long column does not set it; the lowest end if none is shared."""
    ordered = sorted(bottoms, reverse=True)
    for i, b in enumerate(ordered[:-1]):
        if b - ordered[i + 1] < size:
            return b
    return ordered[0]


def _rows(page, chars: list[dict]) -> list[PageLine]:
    """The page's horizontal characters as pdfplumber text lines, top to bottom; whether a line
    wraps is judged over the whole document (layout_pages)."""
    if not chars:
        return []
    from pdfplumber.utils import chars_to_textmap

    textmap = chars_to_textmap(chars, layout=False, layout_bbox=page.bbox, layout_width=page.width,
                               layout_height=page.height)
    lines = [ln for ln in textmap.extract_text_lines(strip=True, return_chars=False) if ln["text"].strip()]
    return [PageLine(ln["text"], ln["x0"], ln["x1"], ln["top"], ln["bottom"], False) for ln in lines]


def page_chars(page) -> list[dict]:
    """The page's characters as pdfplumber's char dicts hold them, with only the keys the layout
    and pdfplumber's text lines read (text, x0, x1, top, bottom, doctop, size, upright, fontname).
    Built from pdfminer's layout directly: pdfplumber's page.chars resolves and copies every
    attribute of every glyph (colours, colour spaces, marked content), which costs as much as
    parsing the page, and nothing here reads them. Same coordinates as page.chars: pdfminer's
    are relative to the MediaBox, and top/bottom count from the page's top."""
    from pdfminer.layout import LTChar, LTContainer

    mb_x0, mb_top = page.mediabox[0], page.mediabox[1]
    height, doctop = page.height, page.initial_doctop
    chars: list[dict] = []
    stack = [iter(page.layout)]
    while stack:
        for obj in stack[-1]:
            if isinstance(obj, LTChar):
                top = height - obj.y1 + mb_top
                chars.append({"text": obj.get_text(), "x0": obj.x0 + mb_x0, "x1": obj.x1 + mb_x0, "top": top,
                              "bottom": height - obj.y0 + mb_top, "doctop": doctop + top, "size": obj.size,
                              "upright": obj.upright, "fontname": obj.fontname})
            elif isinstance(obj, LTContainer):  # a figure's characters, in drawing order
                stack.append(iter(obj))
                break
        else:
            stack.pop()
    return chars


def _has_overprint(chars: list[dict]) -> bool:
    """Whether any glyph is drawn twice at (nearly) one place: a cheap look before _deduped,
    which costs more than reading the page."""
    seen = set()
    for c in chars:
        x, y = int(c["x0"]), int(c["top"])
        if any((c["text"], x + dx, y + dy) in seen for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
            return True
        seen.add((c["text"], x, y))
    return False


def _deduped(chars: list[dict], tolerance: float = 1) -> list[dict]:
    """pdfplumber's dedupe_chars (the same glyph, font and size within tolerance of one place:
    the first by position stays), in the page's drawing order. pdfplumber restores that order
    with list.index per glyph kept, quadratic in the page's glyphs (100,000 overprinted glyphs
    took longer than the read deadline); a map of positions makes it one pass."""
    from pdfplumber.utils import cluster_objects

    def group(c: dict) -> tuple:
        return c["upright"], c["text"], c["fontname"], c["size"]

    position = {id(c): i for i, c in enumerate(chars)}
    kept = []
    groups: dict[tuple, list[dict]] = {}
    for c in chars:  # each group in drawing order, as a stable sort by group leaves it
        groups.setdefault(group(c), []).append(c)
    for members in groups.values():
        for row in cluster_objects(members, itemgetter("doctop"), tolerance):
            for same in cluster_objects(row, itemgetter("x0"), tolerance):
                kept.append(min(same, key=itemgetter("doctop", "x0")))
    return sorted(kept, key=lambda c: position[id(c)])


def page_lines(page) -> list[PageLine]:
    """One page's lines in reading order (horizontal lines above the vertical block first, then the
    columns, then the horizontal lines below or beside them)."""
    chars = page_chars(page)
    if _has_overprint(chars):
        chars = _deduped(chars)  # fake bold: the same glyph drawn twice at (nearly) one place
    chars = [c for c in chars if c["text"].strip()]
    flags = _vertical_flags(chars)
    absorbed = _absorb_upright_runs(chars, flags)
    taken = {m for a in absorbed for m in a["_members"]}
    vertical = [c for c, f in zip(chars, flags) if f] + absorbed
    columns = _columns(vertical)
    rows = _rows(page, [c for c, f in zip(chars, flags) if not f and id(c) not in taken])
    if not columns or not rows:
        return columns or rows
    block_top = min(c.top for c in columns)
    above = [r for r in rows if r.bottom <= block_top + 1]
    rest = [r for r in rows if r.bottom > block_top + 1]
    return [*above, *columns, *rest]


def read_pdf(source: Path | bytes, limits: Limits = Limits()) -> ExtractedText:
    """A PDF's readable lines; source is a path or the file's bytes (read once by the caller)."""
    import io

    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    limits.check_size(len(source) if isinstance(source, bytes) else Path(source).stat().st_size)
    try:
        try:
            pdf = pdfplumber.open(io.BytesIO(source) if isinstance(source, bytes) else source, password="")
            pdf.pages  # noqa: B018  (parses the page tree: broken files fail here)
        except Exception as exc:  # pdfplumber wraps pdfminer's errors in PdfminerException(original)
            inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
            if inner is not None:
                raise inner from None
            raise
    except Exception as exc:
        if _out_of_memory(exc):
            raise MemoryError from None
        raise _unopenable(exc, PDFPasswordIncorrect, PDFEncryptionError, PDFSyntaxError) from None
    with pdf:
        limits.check_pages(len(pdf.pages))
        pages = []
        for p in pdf.pages:
            try:
                pages.append((p.page_number, float(p.height), page_lines(p)))
            except Exception as exc:
                if _out_of_memory(exc):  # not the page's fault alone: the whole read is over its cap
                    raise MemoryError from None
                pages.append((p.page_number, float(p.height), f"pdfplumber failed on the page ({type(exc).__name__})"))
    return layout_pages(pages)


def _out_of_memory(exc: BaseException) -> bool:
    """A MemoryError, or one that pdfplumber wrapped (PdfminerException(MemoryError(...)))."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, MemoryError):
            return True
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc, seen = inner or exc.__cause__ or exc.__context__, seen + 1
    return False


def _unopenable(exc: BaseException, password_incorrect, encryption_error, syntax_error) -> RejectedInput:
    """Why a PDF that pdfplumber could not open is refused."""
    if isinstance(exc, password_incorrect):
        return RejectedInput("encrypted PDF: it needs a password to open (the empty user password was tried)")
    if isinstance(exc, encryption_error):
        return RejectedInput(f"encrypted PDF: its encryption is not supported ({exc})")
    if isinstance(exc, syntax_error):
        return RejectedInput(f"not a readable PDF: the file is truncated or corrupt ({exc})")
    message = f"{type(exc).__name__}: {exc}".rstrip(": ")  # pdfminer raises many kinds for broken files
    if "password" in message.lower() or "encrypt" in message.lower():
        return RejectedInput(f"encrypted PDF: it cannot be opened without a password ({message})")
    return RejectedInput(f"not a readable PDF: the file is truncated or corrupt ({message})")


def layout_pages(pages: list[tuple[int, float, list[PageLine] | str]]) -> ExtractedText:
    """(page number, page height, lines or why the page failed) per page -> body lines with pages.

    Pages with no text, or whose text is mostly unmapped glyphs, are dropped and recorded; if no
    page is left the document is rejected with the reason of its pages."""
    page_count = len(pages)
    if page_count == 0:
        raise RejectedInput("the PDF has no pages")
    dropped: dict[int, str] = {}
    readable: list[tuple[int, float, list[PageLine]]] = []
    for number, height, lines in pages:
        if not isinstance(lines, str):
            lines = [_cleaned(ln) for ln in lines]
        if isinstance(lines, str):
            dropped[number] = lines
        elif not lines:
            dropped[number] = "no text layer on the page (a scan? OCR would be needed)"
        elif (share := unreadable_share(" ".join(ln.text for ln in lines))) >= UNREADABLE_SHARE:
            dropped[number] = (
                f"unmapped glyphs: {share:.0%} of the page's characters are (cid:N) codes or replacement "
                "characters (its fonts have no Unicode map; OCR would be needed)"
            )
        else:
            readable.append((number, height, lines))
    if not readable:
        reasons = Counter(dropped.values())
        if all("no text layer" in r for r in reasons):
            raise RejectedInput("no text layer: the PDF's pages hold no extractable text (a scan? OCR would be needed)")
        if all("no text layer" in r or "unmapped glyphs" in r for r in reasons):
            raise RejectedInput(
                "unmapped glyphs: the PDF's text is mostly (cid:N) codes or replacement characters "
                "(its fonts have no Unicode map; OCR would be needed)"
            )
        raise RejectedInput("no readable page: " + "; ".join(f"page {n}: {r}" for n, r in sorted(dropped.items())))

    def in_band(ln: PageLine, height: float) -> bool:
        return ln.top < BAND * height or ln.bottom > (1 - BAND) * height

    def key(ln: PageLine) -> tuple[str, int]:
        return _mask(ln.text), round(ln.top / 4)

    repeats = Counter(k for _, height, lines in readable for k in {key(x) for x in lines if in_band(x, height)})
    needed = max(2, (len(readable) + 1) // 2)
    running: list[str] = []
    body: list[tuple[int, PageLine]] = []
    for number, height, lines in readable:
        kept = []
        for ln in lines:
            if in_band(ln, height) and not ln.vertical and (
                PAGE_NUMBER.match(ln.text) or (len(readable) > 1 and repeats[key(ln)] >= needed)
            ):
                if ln.text not in running and not PAGE_NUMBER.match(ln.text):
                    running.append(ln.text)
                continue
            kept.append(ln)
        if not kept:
            dropped[number] = "only running headers, footers or page numbers on the page"
        body.extend((number, ln) for ln in kept)

    # A wrapped horizontal line reaches (nearly) the text block's right edge: the 90th percentile of line ends.
    rows = [ln for _, ln in body if not ln.vertical]
    right = sorted(ln.x1 for ln in rows)
    margin = right[int(0.9 * (len(right) - 1))] if right else 0.0
    left = min((ln.x0 for ln in rows), default=0.0)
    out = [
        Line(_layout_spaces(ln.text), number, ln.continues if ln.vertical else ln.x1 - left >= WRAP_FILL * (margin - left))
        for number, ln in body
    ]
    return ExtractedText(lines=out, page_count=page_count, running_lines=running, dropped_pages=dict(sorted(dropped.items())))


# what a font's ToUnicode map can yield that is no text: lone surrogates (which no UTF-8 writer
# accepts), noncharacters, and C0/C1 controls
_NOT_TEXT = re.compile("[\ud800-\udfff\ufffe\uffff\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean_text_layer(text: str) -> str:
    """Code points that are no text become U+FFFD, the unmapped-glyph mark the rest of the
    reader already counts (a page made mostly of them is dropped as unreadable)."""
    return _NOT_TEXT.sub("\ufffd", text)


def _cleaned(line: PageLine) -> PageLine:
    text = _clean_text_layer(line.text)
    return line if text == line.text else replace(line, text=text)


def _layout_spaces(text: str) -> str:
    """Layout spaces between Japanese characters out; a stray unmapped glyph on a readable page
    becomes U+FFFD, the character that says "something was here that could not be read"."""
    return _SPACE_BETWEEN_WIDE.sub("", _CID.sub("\ufffd", text))


def _mask(text: str) -> str:
    return _DIGITS.sub("#", re.sub(r"\s+", "", text))
