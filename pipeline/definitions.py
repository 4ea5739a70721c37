"""The code location: every asset, check, job, sensor and schedule, wired to the folders."""

from __future__ import annotations

import dagster as dg

from assets.corpus_report import corpus_report
from assets.extraction import extracted_text
from assets.inbox import inbox_files
from assets.normalization import normalized_text
from assets.sources import sources
from assets.structure import structured_fields
from assets.tables import TABLE_ASSETS
from pipeline.jobs import ingest_statements
from pipeline.project import default_inbox, default_publish
from pipeline.resources import SeimeiSettings, settings_from_env
from pipeline.stage_io import STAGE_STORE, stage_store_io_manager
from pipeline.sensors import daily_rescan, inbox_sensor, withdraw_after_failed_run

ASSETS = [inbox_files, extracted_text, normalized_text, structured_fields, *TABLE_ASSETS, sources, corpus_report]


def run_resources(settings: SeimeiSettings) -> dict:
    """The resources every run needs: the settings, and the stage results' IO manager that reads
    the stage store under settings' publish folder."""
    return {"settings": settings, STAGE_STORE: stage_store_io_manager}


def build_definitions(inbox_dir: str | None = None, publish_dir: str | None = None) -> dg.Definitions:
    settings = settings_from_env(inbox_dir or default_inbox(), publish_dir or default_publish())
    return dg.Definitions(
        assets=ASSETS,
        jobs=[ingest_statements],
        sensors=[inbox_sensor, withdraw_after_failed_run],
        schedules=[daily_rescan],
        resources=run_resources(settings),
    )


defs = build_definitions()
