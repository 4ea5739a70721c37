"""One inbox file's bytes, read once, from inside the inbox only.

The scan saw a path and a sha256; by the time a reader opens the file it may have been re-copied,
grown, deleted, replaced by a folder, or swapped for a symbolic link to a file outside the inbox.
So the reader opens every component of the path relative to the inbox with O_NOFOLLOW (no link
is followed after the scan resolved the path), checks that it opened a regular file, reads the
bytes once, and hashes exactly those bytes: every verdict is about the bytes actually parsed.
A file whose bytes no longer hash to the scanned sha256 is a transient refusal: the next scan
sees the new bytes (or the old ones back) and the next run reads them.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat

from pipeline.core.errors import RejectedInput

_READ_CHUNK = 1 << 20


def _open_component(name: str, dir_fd: int, last: bool) -> int:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
    flags |= os.O_NONBLOCK if last else os.O_DIRECTORY  # a FIFO swapped in must not block the read
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP or (exc.errno == errno.ENOTDIR and not last):
            raise RejectedInput("became a symbolic link after the inbox was scanned: not followed", transient=True) from None
        if exc.errno == errno.ENOENT:
            raise RejectedInput("the file disappeared after the inbox was scanned", transient=True) from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise RejectedInput("cannot be read: permission denied", transient=True) from None
        raise RejectedInput(f"cannot be read: {exc.strerror}", transient=True) from None


def open_inside(inbox_real: str, target_real: str) -> int:
    """A read-only descriptor of target_real (a path the scan resolved), opened component by
    component from the inbox without following any link."""
    relative = os.path.relpath(target_real, inbox_real)
    parts = relative.split(os.sep)
    if relative.startswith("..") or os.path.isabs(relative) or not parts or parts == ["."]:
        raise RejectedInput("symbolic link leading outside the inbox: not followed")
    fd = os.open(inbox_real, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for i, part in enumerate(parts):
            child = _open_component(part, fd, last=i == len(parts) - 1)
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


def read_inside(inbox: str, target: str, expected_sha256: str | None, max_bytes: int) -> bytes:
    """The file's bytes, if it is still the regular file of at most max_bytes the scan hashed."""
    fd = open_inside(os.path.realpath(inbox), target)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise RejectedInput("replaced by a folder after the inbox was scanned", transient=True)
        if not stat.S_ISREG(st.st_mode):
            raise RejectedInput("not a regular file any more (replaced after the inbox was scanned)", transient=True)
        if st.st_size > max_bytes:
            raise RejectedInput(f"too large: {st.st_size:,} bytes is over the limit of {max_bytes:,} bytes for one statement")
        os.set_blocking(fd, True)
        chunks, total = [], 0
        while block := os.read(fd, _READ_CHUNK):
            total += len(block)
            if total > max_bytes:  # grew while being read
                raise RejectedInput(f"too large: over the limit of {max_bytes:,} bytes for one statement")
            chunks.append(block)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if expected_sha256 is not None and hashlib.sha256(data).hexdigest() != expected_sha256:
        raise RejectedInput("the file changed while the run was reading it (its bytes no longer match the scan); "
                            "it is read again on the next run", transient=True)
    return data
