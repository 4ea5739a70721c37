"""Decoding text files whose encoding nobody declared.

Japanese government texts arrive as UTF-8 (with or without BOM), UTF-16 with BOM, Shift_JIS/CP932,
EUC-JP or ISO-2022-JP. Strict decoding rules most out; when CP932 and EUC-JP both decode, the
candidate with more ordinary Japanese characters wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.core.errors import RejectedInput

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# C1 controls and private-use code points: what CP932 makes of stray bytes (0x80, 0xA0, 0xFD-0xFF)
_STRAY = re.compile(r"[\x80-\x9f\ue000-\uf8ff]")


@dataclass(frozen=True)
class DecodedText:
    text: str  # line ends folded to \n
    encoding: str


def _japanese_share(text: str) -> float:
    return len(_JAPANESE.findall(text)) / max(1, len(text))


def fold_line_ends(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_text(data: bytes) -> DecodedText:
    """Bytes of a text file to text, or RejectedInput with the reason."""
    if not data.strip():
        raise RejectedInput("empty file: it holds no text" if not data else "the file holds only white space")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise RejectedInput(f"the file starts with a {encoding} byte-order mark but does not decode as {encoding} ({exc.reason})") from None
            return _checked(text, "utf-16" if encoding == "utf-16" else encoding)
    if b"\x00" in data:
        raise RejectedInput("binary content: the file holds NUL bytes and has no UTF-16 byte-order mark")
    if b"\x1b$" in data or b"\x1b(" in data:
        try:
            return _checked(data.decode("iso2022_jp"), "iso-2022-jp")
        except UnicodeDecodeError:
            pass
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in ("cp932", "euc_jp"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_japanese_share(text), encoding, text))
    if not candidates:
        raise RejectedInput("undecodable text: the bytes are not valid UTF-8, UTF-16, Shift_JIS (CP932), EUC-JP or ISO-2022-JP")
    share, encoding, text = max(candidates)
    return _checked(text, {"cp932": "cp932", "euc_jp": "euc-jp"}[encoding])


def _checked(text: str, encoding: str) -> DecodedText:
    text = fold_line_ends(text)
    controls = len(_CONTROL.findall(text))
    if controls > max(3, len(text) // 100):
        raise RejectedInput(f"binary content: decoding as {encoding} gives {controls} control characters")
    stray = len(_STRAY.findall(text))
    if stray > max(3, len(text) // 100):
        raise RejectedInput(
            f"undecodable text: decoding as {encoding} gives {stray} C1 control or private-use characters, "
            "so the bytes are not really in that encoding"
        )
    if not text.strip():
        raise RejectedInput("the file holds only white space")
    return DecodedText(text=text, encoding=encoding)
