"""What the sensor, the schedule and the CLI share: scan the inbox, register new documents as
partitions, and turn what is pending into run requests (one run per block of partitions)."""

from __future__ import annotations

import os

import dagster as dg

from pipeline.core.inbox import first_of_each_document, scan
from pipeline.jobs import INGEST_JOB, LEDGER_ONLY, WITHOUT_LEDGER
from pipeline.partitions import documents_partitions
from pipeline.planning import (
    Plan, contiguous_blocks, keys_in_range, ledger_is_current, pending_documents, report_is_current,
)
from pipeline.resources import SeimeiSettings
from pipeline.versions import pipeline_fingerprint

def max_documents_per_run() -> int:
    """$SEIMEI_MAX_DOCS_PER_RUN: split the pending documents into runs of at most this many, so a
    run launcher can put them on several machines (0: no limit, one run per contiguous block)."""
    return int(os.environ.get("SEIMEI_MAX_DOCS_PER_RUN", "0") or 0)


RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def plan_and_register(settings: SeimeiSettings, instance: dg.DagsterInstance) -> Plan:
    files = scan(settings.inbox)
    known = set(instance.get_dynamic_partitions(documents_partitions.name))
    new = [d for d in first_of_each_document(files) if d not in known]
    if new:
        instance.add_dynamic_partitions(documents_partitions.name, new)
    return Plan(
        files=files,
        new_partitions=new,
        pending=pending_documents(files, settings.store, pipeline_fingerprint(), settings.limits),
        ledger_current=ledger_is_current(files, settings.publisher),
        report_current=report_is_current(settings.store, settings.publisher),
    )


def run_requests(plan: Plan, instance: dg.DagsterInstance, run_key_suffix: str = "") -> list[dg.RunRequest]:
    if plan.pending:
        order = instance.get_dynamic_partitions(documents_partitions.name)
        blocks = contiguous_blocks(plan.pending, order, max_documents_per_run())
        return [
            dg.RunRequest(
                job_name=INGEST_JOB,
                run_key=f"{first}..{last}{run_key_suffix}" if run_key_suffix else None,
                tags={RANGE_START: first, RANGE_END: last, "seimei/documents": str(len(keys_in_range(order, first, last)))},
                # only the last block's run rewrites the ledger, when every pending document is done
                asset_selection=None if i == len(blocks) - 1 else WITHOUT_LEDGER,
            )
            for i, (first, last) in enumerate(blocks)
        ]
    if not plan.ledger_current or not plan.report_current:  # the report is rebuilt with the ledger
        return [dg.RunRequest(
            job_name=INGEST_JOB,
            asset_selection=LEDGER_ONLY,
            run_key=f"ledger{run_key_suffix}" if run_key_suffix else None,
            tags={"seimei/ledger_only": "true"},
        )]
    return []
