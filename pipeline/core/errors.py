"""The one exception the core raises for input it refuses, and how any other failure of one
document's work is told in the ledger: class and message, no file contents, no server paths."""

from __future__ import annotations

import re

from pipeline.core.shorten import shorten

MAX_MESSAGE_CHARS = 300


class RejectedInput(Exception):
    """Input that cannot become a document. str(exc) is a sentence a person understands.

    transient: the verdict belongs to the moment, not to the bytes (the file changed or vanished
    while it was read); the document is tried again on the next run instead of being stamped
    rejected for as long as its bytes stay the same."""

    def __init__(self, reason: str, transient: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


# an absolute path (two or more components): shown by its last component only
_ABSOLUTE_PATH = re.compile(r"(?<![\w.~-])/(?:[^\s'\"/:,;()\[\]]+/)+([^\s'\"/:,;()\[\]]*)")


def without_paths(text: str) -> str:
    """Messages of libraries and the OS name files by absolute path (`/srv/inbox/a.pdf`); the
    ledger is read by people who need not know the server's folders."""
    return _ABSOLUTE_PATH.sub(lambda m: f"…/{m.group(1)}" if m.group(1) else "…/", text)


def failure_reason(stage: str, exc: BaseException) -> str:
    """The ledger's reason for an unexpected error in one document's work."""
    if isinstance(exc, RejectedInput):
        return exc.reason
    if isinstance(exc, MemoryError):
        return f"{stage} ran out of memory on this document (the limit for one document's work)"
    return error_reason(stage, type(exc).__name__, str(exc))


def error_reason(stage: str, error_class: str, message: str) -> str:
    """`<stage> failed on this document: <class>: <message>`, the message short and without paths
    (also for an error that arrives as class and text from a worker process)."""
    message = shorten(without_paths(message).strip().replace("\n", " "), MAX_MESSAGE_CHARS)
    return f"{stage} failed on this document: {error_class}" + (f": {message}" if message else "")
