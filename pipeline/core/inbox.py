"""Finding and fingerprinting the files in an inbox folder.

A document is identified by its bytes: the doc id is the first 16 hex digits of the sha256, so the
same statement under two names is one document and a renamed file keeps its id.
"""

from __future__ import annotations

import hashlib
import os
import re
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
    mtime_ns: int = 0  # with size and inode: unchanged means the sha256 of the last scan still holds
    inode: int = 0

    @property
    def doc_id(self) -> str | None:
        return doc_id_for(self.source_sha256) if self.source_sha256 else None


def doc_id_for(sha256_hex: str) -> str:
    return sha256_hex[:DOC_ID_LENGTH]


def display_path(relative: str) -> str:
    """A relative path as text every reader can store, one to one: bytes that are not UTF-8
    become \\xNN and a backslash in the name itself becomes \\\\, so a name with a real 0xFF
    byte and one spelled with the four characters `\\xff` are two keys of the ledger."""
    return os.fsencode(relative).replace(b"\\", b"\\\\").decode("utf-8", "backslashreplace")


_ESCAPE = re.compile(r"\\(\\|x[0-9a-f]{2})")


def path_from_display(shown: str) -> str:
    """display_path's inverse: the relative path as the OS names it (surrogate-escaped str)."""
    def byte(m: re.Match) -> bytes:
        return b"\\" if m.group(1) == "\\" else bytes([int(m.group(1)[1:], 16)])

    data, last = bytearray(), 0
    for m in _ESCAPE.finditer(shown):
        data += shown[last:m.start()].encode("utf-8") + byte(m)
        last = m.end()
    data += shown[last:].encode("utf-8")
    return os.fsdecode(bytes(data))


def _open_regular(path: Path) -> int:
    """A descriptor of the file, opened non-blocking and checked to be a regular file, so an entry
    swapped for a FIFO after the listing cannot hang the scan."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(0, "not a regular file any more")
    os.set_blocking(fd, True)
    return fd


def sha256_and_head(path: Path, chunk: int = 1 << 20, head_bytes: int = 1024) -> tuple[str, bytes]:
    """The file's sha256 and its first bytes (what detect_format looks at), in one read."""
    fd = _open_regular(path)
    try:
        digest, head = hashlib.sha256(), b""
        while block := os.read(fd, chunk):
            if not head:
                head = block[:head_bytes]
            digest.update(block)
        return digest.hexdigest(), head
    finally:
        os.close(fd)


def sha256_of(path: Path) -> str:
    return sha256_and_head(path)[0]


def detect_format(path: Path) -> str:
    fd = _open_regular(path)
    try:
        return format_of(path, os.read(fd, 1024))
    finally:
        os.close(fd)


def format_of(path: Path, head: bytes) -> str:
    """pdf when the name says .pdf or the file starts as a PDF does (%PDF-, after at most some
    white space); text for text suffixes; else pdf when a PDF header sits in the first KB (PDF
    readers accept leading junk), or unknown. A text that quotes `%PDF-` stays a text."""
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES or head.lstrip().startswith(b"%PDF-"):
        return "pdf"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return "pdf" if b"%PDF-" in head else "unknown"


_KINDS = ((stat.S_ISSOCK, "a socket"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder"))


def why_not_readable(inbox: Path, path: Path) -> str | None:
    """None for a regular file the pipeline may read; otherwise why it is skipped. Never opens the
    entry, so a FIFO cannot block the scan."""
    if path.is_symlink():
        target = os.path.realpath(path)
        if not os.path.exists(target):
            return "broken symbolic link: nothing to read"
        if os.path.commonpath([os.path.realpath(inbox), target]) != os.path.realpath(inbox):
            return "symbolic link leading outside the inbox: not followed"
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


HIDDEN_FILE = ("hidden name: not read (editors and copy tools write their temporary files under names "
               "starting with '.'); rename it to publish it")
HIDDEN_FOLDER = "hidden folder: its contents are not read (names starting with '.' are not statements)"


def list_entries(inbox: Path) -> list[tuple[Path, str | None]]:
    """Every entry under the inbox that is not a folder, recursively, in a stable order, each with
    why it is not read when the listing already knows: regular files, links, sockets and pipes
    alike (scan says which are read), and also what is not descended into, so nothing goes
    unaccounted: a hidden file or folder (one entry for the folder), a folder that cannot be
    listed (one entry, with the OS's reason)."""
    found: list[tuple[Path, str | None]] = []

    def unreadable(exc: OSError) -> None:
        if exc.filename and os.fspath(exc.filename) != os.fspath(inbox):
            found.append((Path(exc.filename), f"folder cannot be read: {exc.strerror}; its contents are not accounted for"))
        else:
            raise exc

    for root, dirs, files in os.walk(inbox, onerror=unreadable):
        linked = [d for d in dirs if os.path.islink(os.path.join(root, d))]
        for d in dirs:
            if d.startswith(".") and d not in linked:
                found.append((Path(root) / d, HIDDEN_FOLDER))
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in linked)
        for name in sorted([*files, *linked]):
            found.append((Path(root) / name, HIDDEN_FILE if name.startswith(".") else None))
    return sorted(found, key=lambda e: os.fsencode(e[0].relative_to(inbox).as_posix()))


def list_files(inbox: Path) -> list[Path]:
    """The entries the pipeline may read (hidden and unlistable ones left out): what the sensor
    watches for changes."""
    return [path for path, reason in list_entries(inbox) if reason is None]


def fingerprint(inbox: Path, path: Path, known_reason: str | None = None,
                previous: dict[str, InboxFile] | None = None, inbox_real: str | None = None) -> InboxFile:
    """The entry with its sha256, read from the file, or taken from the previous scan when the
    file's size, mtime (ns) and inode are what that scan saw. inbox_real: the inbox's real path,
    which scan passes so that the common case, a regular file that is no link, costs one lstat
    and an access check (a scan of 100,000 files runs on every sensor tick)."""
    relative = display_path(path.relative_to(inbox).as_posix())
    if inbox_real is not None and known_reason is None:
        regular = _regular_file(inbox_real, inbox, path, relative, previous)
        if regular is not None:
            return regular
    skipped = known_reason or why_not_readable(inbox, path)
    if skipped is not None:
        try:
            st = path.lstat()
            size, mtime = (0 if stat.S_ISDIR(st.st_mode) else st.st_size), st.st_mtime
        except OSError:
            size, mtime = 0, 0.0
        return InboxFile(relative, str(path), None, size, mtime, "unknown", skipped)
    try:
        st = path.stat()
        sha, fmt = _sha256_and_format(path, relative, st, previous)
    except OSError as exc:  # vanished or changed kind since the listing: recorded, never a crash
        return InboxFile(relative, str(path), None, 0, 0.0, "unknown", f"cannot be read: {exc.strerror}")
    return _read_entry(relative, str(path.resolve()), sha, fmt, st, is_link=path.is_symlink())


def _sha256_and_format(path: Path, relative: str, st: os.stat_result,
                       previous: dict[str, InboxFile] | None) -> tuple[str, str]:
    """The file's sha256 and format: the previous scan's when its size, mtime (ns) and inode are
    what that scan saw, else read from its bytes (OSError when it cannot be read)."""
    before = (previous or {}).get(relative)
    if before is not None and before.source_sha256 and before.mtime_ns and before.skipped is None and \
            (before.size_bytes, before.mtime_ns, before.inode) == (st.st_size, st.st_mtime_ns, st.st_ino):
        return before.source_sha256, before.format
    sha, head = sha256_and_head(path)
    return sha, format_of(path, head)


def _read_entry(relative: str, absolute_path: str, sha: str, fmt: str, st: os.stat_result, is_link: bool) -> InboxFile:
    return InboxFile(
        source_path=relative,
        absolute_path=absolute_path,
        source_sha256=sha,
        size_bytes=st.st_size,
        mtime=st.st_mtime,
        format=fmt,
        is_link=is_link,
        mtime_ns=st.st_mtime_ns,
        inode=st.st_ino,
    )


def _regular_file(inbox_real: str, inbox: Path, path: Path, relative: str,
                  previous: dict[str, InboxFile] | None) -> InboxFile | None:
    """fingerprint for a readable regular file that is no symbolic link; None for any other
    entry (links, folders, FIFOs, unreadable or vanished ones), which takes the full checks.
    Its real path is the inbox's joined with its relative one: the listing descends into no
    linked folder, so no link stands between the inbox and the file."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or not os.access(path, os.R_OK):
        return None
    try:
        sha, fmt = _sha256_and_format(path, relative, st, previous)
    except OSError:
        return None  # vanished or changed since the listing: the full checks say what it is now
    return _read_entry(relative, os.path.join(inbox_real, os.fspath(path.relative_to(inbox))), sha, fmt, st, is_link=False)


def scan(inbox: Path, previous: list[InboxFile] = ()) -> list[InboxFile]:
    """Every entry in the inbox, fingerprinted (or marked skipped with the reason), by relative
    path. previous: the last scan's entries, whose sha256 is reused for a file whose size, mtime
    and inode are unchanged, so a rescan reads only new and changed files (the reader hashes the
    bytes it parses again, so a file changed behind an unchanged mtime is still caught)."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise FileNotFoundError(f"inbox folder {inbox} does not exist")
    known = {f.source_path: f for f in previous}
    inbox_real = os.path.realpath(inbox)
    return [fingerprint(inbox, p, reason, known, inbox_real) for p, reason in list_entries(inbox)]


def first_of_each_document(files: list[InboxFile]) -> dict[str, InboxFile]:
    """doc_id -> the file that stands for it: the first by path; later ones with the same bytes are
    duplicates, and a real file is preferred to a link to it. Skipped entries are no document."""
    chosen: dict[str, InboxFile] = {}
    for f in sorted(files, key=lambda f: (f.is_link, f.source_path)):
        if f.doc_id is not None:
            chosen.setdefault(f.doc_id, f)
    return chosen
