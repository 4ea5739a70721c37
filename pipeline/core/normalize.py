"""The character policy and the joining of wrapped lines into paragraphs.

Character policy (one place, applied to every source):
- look-alike characters (Kangxi radicals ⽇⽶, CJK compatibility ideographs, 䛾 for の) become the
  ordinary ideograph, by the reviewed table data/reference/cjk_folding.json;
- full-width ASCII letters and digits (Ａ-Ｚ, ａ-ｚ, ０-９) become half-width;
- the ideographic space (U+3000) and every run of white space inside a line become one space;
- letter-spaced Japanese (`官 報`, `日 本 国`: single characters each set apart) loses its spaces;
  spaces between words (`外務大臣 林芳正`, `Joint Statement`) are kept;
- half-width katakana and half-width Japanese punctuation (ｶﾞ, ｡, ｢) become full-width (ガ, 。, 「);
- everything else, Japanese punctuation and full-width symbols (、。「」・（）／：) included, is kept.

Line joining: a line that ran to the margin continues into the next one, unless the next one
starts with a bullet or list marker (・, ○, （１）, ①, (a), ａ) or is a heading (第二条). Japanese has no spaces
between words, so the two are joined with nothing between them (キャンプデー + ビッド); a space is put
back only between two ASCII (Latin) characters. Every other break is a paragraph break (\n).
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.core.lines import Line

FOLDING_TABLE = Path(__file__).resolve().parents[2] / "data" / "reference" / "cjk_folding.json"

_FULLWIDTH_ALNUM = {
    **{0xFF10 + i: 0x30 + i for i in range(10)},
    **{0xFF21 + i: 0x41 + i for i in range(26)},
    **{0xFF41 + i: 0x61 + i for i in range(26)},
}
_HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]+")
_SPACES = re.compile(r"\s+")
_ASCII_WORD = re.compile(r"[\x21-\x7e]")
_JA = r"\u3005-\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f"
# three or more single Japanese characters, each set apart by spaces: letter-spacing, not words
_LETTER_SPACED = re.compile(rf"(?<![^\s])[{_JA}](?: [{_JA}]){{2,}}(?![^\s])")
_BULLET = re.compile(
    r"^(?:[・○◯●◎■□◆◇▪▫※＊\*•‣◦]|[①-⑳㉑-㉟⑴-⒇⒈-⒛]|[(（][0-9a-zA-Zivxⅰ-ⅻ一二三四五六七八九十]{1,4}[)）]"
    r"|[a-z](?:[.)．）]|\s?(?=[\u3040-\u9fff]))|[0-9]{1,2}[.．](?![0-9]))"
)
_HEADING = re.compile(r"^(?:第[0-9一二三四五六七八九十百〇]+[条章節款項部編]|記|以上|前文|附則|別紙[0-9一二三四五六七八九十]*)$")


@lru_cache(maxsize=4)
def folding_table(path: Path = FOLDING_TABLE) -> dict[int, str]:
    mappings = json.loads(Path(path).read_text(encoding="utf-8"))["mappings"]
    return {ord(k): v for k, v in mappings.items()}


def _unspace(match: re.Match) -> str:
    return match.group().replace(" ", "")


def normalize_chars(text: str) -> str:
    """Apply the character policy to one line."""
    text = text.translate(folding_table())
    text = text.translate(_FULLWIDTH_ALNUM)
    text = _HALFWIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = _SPACES.sub(" ", text).strip()
    return _LETTER_SPACED.sub(_unspace, text)


def starts_paragraph(text: str) -> bool:
    """A bullet, list marker or heading begins a paragraph even after a line that ran to the margin."""
    return bool(_BULLET.match(text) or _HEADING.match(text))


@dataclass(frozen=True)
class JoinedText:
    text: str
    page_starts: tuple[int, ...]  # offsets where a new page's text begins ...
    page_numbers: tuple[int | None, ...]  # ... and that page's number

    def page_at(self, offset: int) -> int | None:
        if not self.page_starts:
            return None
        i = bisect.bisect_right(self.page_starts, offset) - 1
        return self.page_numbers[max(i, 0)]


def join_lines(lines: list[Line]) -> JoinedText:
    parts: list[str] = []
    length = 0
    starts: list[int] = []
    numbers: list[int | None] = []
    previous: Line | None = None
    for line in lines:
        text = normalize_chars(line.text)
        if not text:
            continue
        if previous is not None:
            if previous.continues and not starts_paragraph(text) and not _HEADING.match(parts[-1]):
                sep = " " if _ASCII_WORD.match(parts[-1][-1]) and _ASCII_WORD.match(text[0]) else ""
            else:
                sep = "\n"
            parts.append(sep)
            length += len(sep)
        if not numbers or numbers[-1] != line.page:
            starts.append(length)
            numbers.append(line.page)
        parts.append(text)
        length += len(text)
        previous = line
    return JoinedText("".join(parts), tuple(starts), tuple(numbers))
