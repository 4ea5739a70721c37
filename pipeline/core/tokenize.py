"""Tokenizing sentences with SudachiPy (split mode C) while keeping offsets into the document text.

One tokenizer per process (building one loads the dictionary; sharing one across threads is
unsafe). Sudachi refuses input over 49,149 bytes, so an over-long sentence is cut into chunks
below that size, at a space or 、 when there is one; offsets are shifted back per chunk.
White-space tokens are not kept: they carry no word and only pad the table.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

SUDACHI_MAX_BYTES = 49_149
CHUNK_BYTES = 40_000
_local = threading.local()


@dataclass(frozen=True)
class Token:
    sentence_idx: int
    token_idx: int
    surface: str
    normalized_form: str
    dictionary_form: str
    reading_form: str
    pos: str
    char_start: int
    char_end: int


def _tokenizer():
    tok = getattr(_local, "tokenizer", None)
    if tok is None or getattr(_local, "pid", None) != os.getpid():
        from sudachipy import Dictionary, SplitMode

        tok = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
        _local.tokenizer, _local.pid = tok, os.getpid()
    return tok


def chunks(text: str, limit: int = CHUNK_BYTES) -> list[tuple[int, str]]:
    """(offset, piece) pieces of text, each at most `limit` UTF-8 bytes."""
    if len(text.encode("utf-8")) <= limit:
        return [(0, text)] if text else []
    out: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end, size, cut = start, 0, -1
        while end < len(text) and size + len(text[end].encode("utf-8")) <= limit:
            size += len(text[end].encode("utf-8"))
            if text[end] in " 、,":
                cut = end + 1
            end += 1
        if end < len(text) and cut > start:
            end = cut
        out.append((start, text[start:end]))
        start = end
    return out


def tokenize_sentences(text: str, spans: list[tuple[int, int]]) -> list[Token]:
    tokenizer = _tokenizer()
    tokens: list[Token] = []
    for sentence_idx, (start, end) in enumerate(spans):
        token_idx = 0
        for offset, piece in chunks(text[start:end]):
            base = start + offset
            for m in tokenizer.tokenize(piece):
                surface = m.surface()
                if not surface.strip():
                    continue
                tokens.append(Token(
                    sentence_idx=sentence_idx,
                    token_idx=token_idx,
                    surface=surface,
                    normalized_form=m.normalized_form(),
                    dictionary_form=m.dictionary_form(),
                    reading_form=m.reading_form(),
                    pos=",".join(m.part_of_speech()),
                    char_start=base + m.begin(),
                    char_end=base + m.end(),
                ))
                token_idx += 1
    return tokens


@lru_cache(maxsize=1)
def sudachi_versions() -> dict[str, str]:
    """Package and dictionary versions (and the dictionary file's hash) for lineage."""
    import sudachidict_core

    dic = Path(sudachidict_core.__file__).parent / "resources" / "system.dic"
    digest = hashlib.sha256()
    with open(dic, "rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
    return {
        "sudachipy": metadata.version("sudachipy"),
        "sudachidict_core": metadata.version("sudachidict-core"),
        "sudachidict_core_sha256": digest.hexdigest(),
    }
