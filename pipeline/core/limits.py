"""What a reader refuses before doing the work: files too big or too long to be one statement.

Defaults are sized for statements (the longest treaty texts run to a few hundred pages); a file
over a limit is rejected with the figures, not read half-way.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.errors import RejectedInput

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_PAGES = 500


@dataclass(frozen=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_pages: int = DEFAULT_MAX_PAGES

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise RejectedInput(
                f"too large: {size:,} bytes is over the limit of {self.max_bytes:,} bytes for one statement"
            )

    def check_pages(self, pages: int) -> None:
        if pages > self.max_pages:
            raise RejectedInput(f"too many pages: {pages} pages is over the limit of {self.max_pages} for one statement")
