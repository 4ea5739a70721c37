"""Finding and fingerprinting the files in an inbox folder.

A document is identified by its bytes: the doc id is the first 16 hex digits of the sha256, so the
same statement under two names is one document and a renamed file keeps its id.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
PDF_SUFFIXES = frozenset({".pdf"})
DOC_ID_LENGTH = 16


@dataclass(frozen=True)
class InboxFile:
    source_path: str  # relative to the inbox, "/" separators; odd bytes in names shown as \xNN
    absolute_path: str
    source_sha256: str | None  # None when the entry was not read (see `skipped`)
    size_bytes: int
    mtime: float
    format: str  # pdf | text | unknown
    skipped: str | None = None  # why the entry is not a file the pipeline reads (socket, outside link, ...)
    is_link: bool = False  # a symbolic link (inside the inbox) to the bytes

    @property
    def doc_id(self) -> str | None:
        return doc_id_for(self.source_sha256) if self.source_sha256 else None


def doc_id_for(sha256_hex: str) -> str:
    return sha256_hex[:DOC_ID_LENGTH]


def display_path(relative: str) -> str:
    """A relative path as text every reader can store: bytes that are not UTF-8 become \\xNN."""
    return os.fsencode(relative).decode("utf-8", "backslashreplace")


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


_KINDS = ((stat.S_ISSOCK, "a socket"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder"))


def why_not_readable(inbox: Path, path: Path) -> str | None:
    """None for a regular file the pipeline may read; otherwise why it is skipped. Never opens the
    entry, so a FIFO cannot block the scan."""
    if path.is_symlink():
        target = os.path.realpath(path)
        if not os.path.exists(target):
            return f"broken symbolic link (to {display_path(os.readlink(path))}): nothing to read"
        if os.path.commonpath([os.path.realpath(inbox), target]) != os.path.realpath(inbox):
            return f"symbolic link leading outside the inbox (to {display_path(target)}): not followed"
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        if kind == "a folder":
            return "symbolic link to a folder: not followed (put the files in the inbox itself)"
        return f"not a regular file: the entry is {kind}"
    if not os.access(path, os.R_OK):
        return "cannot be read: permission denied"
    return None


def list_files(inbox: Path) -> list[Path]:
    """Every entry under the inbox that is not a folder, recursively, in a stable order: regular
    files, links, sockets and pipes alike (scan says which are read). Hidden names are skipped:
    editors and copy tools write their temporary files under them."""
    found = []
    for root, dirs, files in os.walk(inbox):
        linked = [d for d in dirs if os.path.islink(os.path.join(root, d))]
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in linked)
        for name in sorted([*files, *linked]):
            if not name.startswith("."):
                found.append(Path(root) / name)
    return sorted(found, key=lambda p: os.fsencode(p.relative_to(inbox).as_posix()))


def fingerprint(inbox: Path, path: Path) -> InboxFile:
    relative = display_path(path.relative_to(inbox).as_posix())
    skipped = why_not_readable(inbox, path)
    if skipped is not None:
        try:
            st = path.lstat()
            size, mtime = st.st_size, st.st_mtime
        except OSError:
            size, mtime = 0, 0.0
        return InboxFile(relative, str(path), None, size, mtime, "unknown", skipped)
    st = path.stat()
    try:
        sha = sha256_of(path)
        fmt = detect_format(path)
    except OSError as exc:
        return InboxFile(relative, str(path), None, st.st_size, st.st_mtime, "unknown", f"cannot be read: {exc.strerror}")
    return InboxFile(
        source_path=relative,
        absolute_path=str(path.resolve()),
        source_sha256=sha,
        size_bytes=st.st_size,
        mtime=st.st_mtime,
        format=fmt,
        is_link=path.is_symlink(),
    )


def scan(inbox: Path) -> list[InboxFile]:
    """Every entry in the inbox, fingerprinted (or marked skipped with the reason), by relative path."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise FileNotFoundError(f"inbox folder {inbox} does not exist")
    return [fingerprint(inbox, p) for p in list_files(inbox)]


def first_of_each_document(files: list[InboxFile]) -> dict[str, InboxFile]:
    """doc_id -> the file that stands for it: the first by path; later ones with the same bytes are
    duplicates, and a real file is preferred to a link to it. Skipped entries are no document."""
    chosen: dict[str, InboxFile] = {}
    for f in sorted(files, key=lambda f: (f.is_link, f.source_path)):
        if f.doc_id is not None:
            chosen.setdefault(f.doc_id, f)
    return chosen
