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


TOKEN_COLUMNS = ("sentence_idx", "token_idx", "surface", "normalized_form", "dictionary_form", "reading_form", "pos",
                 "char_start", "char_end")


def tokenize_columns(text: str, spans: list[tuple[int, int]]) -> dict[str, list]:
    """The sentences' tokens column by column (TOKEN_COLUMNS), as the tokens table stores them:
    no object per token, and each part of speech joined once per process, not once per token."""
    tokenizer = _tokenizer()
    pos_names = _pos_names()
    columns: dict[str, list] = {name: [] for name in TOKEN_COLUMNS}
    sentence_col, index_col, surface_col = columns["sentence_idx"], columns["token_idx"], columns["surface"]
    normalized_col, dictionary_col, reading_col = columns["normalized_form"], columns["dictionary_form"], columns["reading_form"]
    pos_col, start_col, end_col = columns["pos"], columns["char_start"], columns["char_end"]
    for sentence_idx, (start, end) in enumerate(spans):
        token_idx = 0
        for offset, piece in chunks(text[start:end]):
            base = start + offset
            for m in tokenizer.tokenize(piece):
                surface = m.surface()
                if not surface.strip():
                    continue
                pos_id = m.part_of_speech_id()
                pos = pos_names.get(pos_id)
                if pos is None:
                    pos = pos_names[pos_id] = ",".join(m.part_of_speech())
                sentence_col.append(sentence_idx)
                index_col.append(token_idx)
                surface_col.append(surface)
                normalized_col.append(m.normalized_form())
                dictionary_col.append(m.dictionary_form())
                reading_col.append(m.reading_form())
                pos_col.append(pos)
                start_col.append(base + m.begin())
                end_col.append(base + m.end())
                token_idx += 1
    return columns


def _pos_names() -> dict[int, str]:
    names = getattr(_local, "pos_names", None)
    if names is None or getattr(_local, "pos_pid", None) != os.getpid():
        names = _local.pos_names = {}
        _local.pos_pid = os.getpid()
    return names


def tokenize_sentences(text: str, spans: list[tuple[int, int]]) -> list[Token]:
    """The same tokens as objects, for callers that look at a few (reference terms, names)."""
    columns = tokenize_columns(text, spans)
    return [Token(*values) for values in zip(*(columns[name] for name in TOKEN_COLUMNS))]


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
