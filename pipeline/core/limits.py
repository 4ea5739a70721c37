"""What one document may cost: bytes, pages, seconds, memory, characters and mentions.

Defaults are sized for statements (the longest treaty texts run to a few hundred pages and well
under a million characters); a document over a limit is rejected with the figures, not read
half-way. The limits are part of a rejection's stamp: raising one retries what it rejected
(pipeline/planning.py), without reprocessing what was published.

Every limit is settable as SEIMEI_<NAME> in the environment (the CLI's --max-* flags set those),
so `seimei run`, the sensor and the UI's runs apply the same ones.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, fields

from pipeline.core.errors import RejectedInput

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_PAGES = 500
DEFAULT_MAX_READ_SECONDS = 120.0  # a statement reads in about a second; minutes mean a pathological PDF
DEFAULT_MAX_MEMORY_MB = 2048  # address space of the process that reads one document
DEFAULT_MAX_TEXT_CHARS = 1_000_000  # ~600 dense pages; the later stages' memory grows with the text
DEFAULT_MAX_MENTIONS = 20_000  # dates or officials found in one document


@dataclass(frozen=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_pages: int = DEFAULT_MAX_PAGES
    max_read_seconds: float = DEFAULT_MAX_READ_SECONDS
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS
    max_mentions: int = DEFAULT_MAX_MENTIONS

    @classmethod
    def from_env(cls, environ=os.environ) -> "Limits":
        """SEIMEI_MAX_BYTES, SEIMEI_MAX_PAGES, … (unset or empty: the default)."""
        values = {}
        for f in fields(cls):
            raw = environ.get(f"SEIMEI_{f.name.upper()}", "").strip()
            if raw:
                try:
                    values[f.name] = int(float(raw)) if isinstance(f.default, int) else float(raw)
                except ValueError:
                    raise ValueError(f"SEIMEI_{f.name.upper()}={raw!r} is not a number") from None
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        return {f"SEIMEI_{k.upper()}": str(v) for k, v in asdict(self).items()}

    def fingerprint(self) -> str:
        """Recorded with every rejection: a rejection under other limits is retried."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:12]

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise RejectedInput(
                f"too large: {size:,} bytes is over the limit of {self.max_bytes:,} bytes for one statement"
            )

    def check_pages(self, pages: int) -> None:
        if pages > self.max_pages:
            raise RejectedInput(f"too many pages: {pages} pages is over the limit of {self.max_pages} for one statement")

    def check_text(self, chars: int) -> None:
        if chars > self.max_text_chars:
            raise RejectedInput(f"too much text: {chars:,} characters is over the limit of {self.max_text_chars:,} "
                                "for one statement")

    def check_mentions(self, what: str, count: int) -> None:
        if count > self.max_mentions:
            raise RejectedInput(f"too many {what}: {count:,} found, over the limit of {self.max_mentions:,} "
                                "for one statement")
