"""What a reader refuses before doing the work: files too big or too long to be one statement.

Defaults are sized for statements (the longest treaty texts run to a few hundred pages); a file
over a limit is rejected with the figures, not read half-way.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from pipeline.core.errors import RejectedInput

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_PAGES = 500
DEFAULT_MAX_READ_SECONDS = 300  # a statement reads in about a second; a PDF that takes minutes is pathological


@dataclass(frozen=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_pages: int = DEFAULT_MAX_PAGES
    max_read_seconds: float = DEFAULT_MAX_READ_SECONDS

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise RejectedInput(
                f"too large: {size:,} bytes is over the limit of {self.max_bytes:,} bytes for one statement"
            )

    def check_pages(self, pages: int) -> None:
        if pages > self.max_pages:
            raise RejectedInput(f"too many pages: {pages} pages is over the limit of {self.max_pages} for one statement")

    @contextmanager
    def time_limit(self):
        """Reject a file whose reading runs past max_read_seconds (a PDF that sends pdfminer into
        a near-endless loop) instead of hanging the run. Needs the main thread (SIGALRM); elsewhere
        it does nothing."""
        if self.max_read_seconds <= 0 or threading.current_thread() is not threading.main_thread():
            yield
            return

        def expire(signum, frame):
            raise RejectedInput(f"too slow to read: still not read after {self.max_read_seconds:g} s "
                                "(the limit for one statement); the file is probably malformed")

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, self.max_read_seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
