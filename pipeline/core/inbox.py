"""Finding and fingerprinting the files in an inbox folder.

A document is identified by its bytes: the doc id is the first 16 hex digits of the sha256, so the
same statement under two names is one document and a renamed file keeps its id.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
PDF_SUFFIXES = frozenset({".pdf"})
DOC_ID_LENGTH = 16


@dataclass(frozen=True)
class InboxFile:
    source_path: str  # relative to the inbox, "/" separators
    absolute_path: str
    source_sha256: str
    size_bytes: int
    mtime: float
    format: str  # pdf | text | unknown

    @property
    def doc_id(self) -> str:
        return doc_id_for(self.source_sha256)


def doc_id_for(sha256_hex: str) -> str:
    return sha256_hex[:DOC_ID_LENGTH]


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def detect_format(path: Path) -> str:
    """pdf when the bytes say %PDF (or the name says .pdf), text for text suffixes, else unknown."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" in head or path.suffix.lower() in PDF_SUFFIXES:
        return "pdf"
    if path.suffix.lower() in TEXT_SUFFIXES:
        return "text"
    return "unknown"


def list_files(inbox: Path) -> list[Path]:
    """Regular files under the inbox, recursively, in a stable order; hidden files are skipped."""
    found = []
    for root, dirs, files in os.walk(inbox):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root) / name
            if path.is_file():
                found.append(path)
    return sorted(found, key=lambda p: p.relative_to(inbox).as_posix())


def fingerprint(inbox: Path, path: Path) -> InboxFile:
    stat = path.stat()
    return InboxFile(
        source_path=path.relative_to(inbox).as_posix(),
        absolute_path=str(path.resolve()),
        source_sha256=sha256_of(path),
        size_bytes=stat.st_size,
        mtime=stat.st_mtime,
        format=detect_format(path),
    )


def scan(inbox: Path) -> list[InboxFile]:
    """Every file in the inbox, fingerprinted, ordered by relative path."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise FileNotFoundError(f"inbox folder {inbox} does not exist")
    return [fingerprint(inbox, p) for p in list_files(inbox)]


def first_of_each_document(files: list[InboxFile]) -> dict[str, InboxFile]:
    """doc_id -> the file that stands for it: the first by path; later ones with the same bytes are duplicates."""
    chosen: dict[str, InboxFile] = {}
    for f in sorted(files, key=lambda f: f.source_path):
        chosen.setdefault(f.doc_id, f)
    return chosen
