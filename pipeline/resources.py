"""The folders a run reads and writes, as a Dagster resource."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipeline.core.limits import (
    DEFAULT_MAX_BYTES, DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_MENTIONS, DEFAULT_MAX_PAGES, DEFAULT_MAX_READ_SECONDS,
    DEFAULT_MAX_TEXT_CHARS, Limits,
)
from pipeline.removal_guard import DEFAULT_MAX_REMOVAL_SHARE
from pipeline.core.reference_loaders import officials_extractor, reference_data, sector_matcher  # noqa: F401 (re-exported)
from pipeline.storage import ParquetPublisher, StageStore


class SeimeiSettings(dg.ConfigurableResource):
    """inbox_dir: where statement files land (read recursively); publish_dir: where Parquet goes;
    the limits of one document's work (pipeline/core/limits.py): max_file_mb / max_pages (a file
    over either is rejected unread), max_read_seconds and max_memory_mb (the reading worker is
    stopped past either), max_text_chars and max_mentions; workers: processes for the heavy
    per-document work (0: one per core); max_removal_share / allow_mass_removal: the guard
    against a run that would withdraw most of the publication (an empty or wrong inbox)."""

    inbox_dir: str
    publish_dir: str
    max_file_mb: float = DEFAULT_MAX_BYTES / (1024 * 1024)
    max_pages: int = DEFAULT_MAX_PAGES
    max_read_seconds: float = DEFAULT_MAX_READ_SECONDS
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS
    max_mentions: int = DEFAULT_MAX_MENTIONS
    workers: int = 0  # processes for reading and tokenizing; 0: one per core
    max_removal_share: float = DEFAULT_MAX_REMOVAL_SHARE
    allow_mass_removal: bool = False

    @classmethod
    def from_limits(cls, inbox_dir: str, publish_dir: str, limits: Limits, **rest) -> "SeimeiSettings":
        return cls(inbox_dir=inbox_dir, publish_dir=publish_dir, max_file_mb=limits.max_bytes / (1024 * 1024),
                   max_pages=limits.max_pages, max_read_seconds=limits.max_read_seconds,
                   max_memory_mb=limits.max_memory_mb, max_text_chars=limits.max_text_chars,
                   max_mentions=limits.max_mentions, **rest)

    @property
    def limits(self) -> Limits:
        return Limits(max_bytes=int(self.max_file_mb * 1024 * 1024), max_pages=self.max_pages,
                      max_read_seconds=self.max_read_seconds, max_memory_mb=self.max_memory_mb,
                      max_text_chars=self.max_text_chars, max_mentions=self.max_mentions)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """A run checks first that its instance is this publication's (pipeline/instance_identity.py),
        then starts its validation process, which imports GX while the first steps run."""
        if context.instance is not None and context.run is not None:
            from pipeline.instance_identity import ForeignInstance, claim

            try:
                claim(context.instance, self.inbox_dir, self.publish_dir)
            except ForeignInstance as exc:
                raise dg.Failure(str(exc)) from None
        from pipeline import validation_service

        validation_service.start()

    @property
    def inbox(self) -> Path:
        return Path(self.inbox_dir)

    @property
    def store(self) -> StageStore:
        return StageStore(self.publish_dir)

    @property
    def publisher(self) -> ParquetPublisher:
        return ParquetPublisher(self.publish_dir)


def settings_from_env(inbox_dir: str, publish_dir: str) -> SeimeiSettings:
    """The settings `seimei run`, the UI's code location, the sensor and the schedule share: the
    folders given, everything else from SEIMEI_* (pipeline/core/limits.py names the limits)."""
    import os

    share = os.environ.get("SEIMEI_MAX_REMOVAL_SHARE", "").strip()
    return SeimeiSettings.from_limits(
        inbox_dir, publish_dir, Limits.from_env(),
        workers=int(os.environ.get("SEIMEI_WORKERS", "0") or 0),
        max_removal_share=float(share) if share else DEFAULT_MAX_REMOVAL_SHARE,
        allow_mass_removal=os.environ.get("SEIMEI_ALLOW_MASS_REMOVAL", "").strip().lower() in ("1", "true", "yes"),
    )
