"""What the sensor, the schedule and the CLI share: scan the inbox (once, reusing the last
scan's hashes for unchanged files), bring the layout up to date, and turn the buckets with work
into run requests (one run per block of buckets)."""

from __future__ import annotations

import os

import dagster as dg

from pipeline.buckets import bucket_keys, bucket_of, buckets_in_range
from pipeline.core.inbox import InboxFile, scan
from pipeline.jobs import INGEST_JOB, LEDGER_ONLY, WITHOUT_LEDGER
from pipeline.layout import ensure_layout
from pipeline.planning import (
    Plan, contiguous_blocks, ledger_is_current, manifest_id, read_manifest_files, report_is_current, work_to_do,
    write_manifest,
)
from pipeline.resources import SeimeiSettings


def max_buckets_per_run() -> int:
    """$SEIMEI_BUCKETS_PER_RUN: split the buckets with work into runs of at most this many, so a
    run launcher can put them on several machines at once (0: no limit, one run per contiguous
    block of buckets)."""
    return int(os.environ.get("SEIMEI_BUCKETS_PER_RUN", "0") or 0)


RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
MANIFEST_TAG = "seimei/manifest"
INBOX_TAG, PUBLISH_TAG = "seimei/inbox", "seimei/publish"


def rescan(settings: SeimeiSettings, previous: list[InboxFile] | None = None) -> tuple[list[InboxFile], str]:
    """Scan the inbox (sha256 reused from the last scan, previous, where size, mtime and inode are
    unchanged), bring the layout up to date, and record the scan as the manifest; returns the
    files and the manifest's id."""
    stored = None
    if previous is None:
        previous, stored = read_manifest_files(settings.store)
    files = scan(settings.inbox, previous)
    ensure_layout(settings.store, settings.publisher)
    # not a byte, name, mtime or inode changed since the manifest was written: it stands (rewriting
    # it is 0.2 s at N = 10,000, on every run and sensor tick)
    if stored is not None and files == previous and stored == manifest_id(files):
        return files, stored
    return files, write_manifest(settings.store, str(settings.inbox), files)


def make_plan(settings: SeimeiSettings) -> Plan:
    """Rescan the inbox (the manifest the run's inbox_files step then reuses) and say which
    buckets need work."""
    files, manifest = rescan(settings)
    pending, buckets = work_to_do(files, settings.store, settings.limits)
    return Plan(
        files=files,
        pending=pending,
        buckets=buckets,
        ledger_current=ledger_is_current(files, settings.publisher),
        report_current=report_is_current(settings.store, settings.publisher),
        manifest=manifest,
    )


def run_requests(plan: Plan, settings: SeimeiSettings | None = None, run_key_suffix: str = "") -> list[dg.RunRequest]:
    folders = {INBOX_TAG: str(settings.inbox), PUBLISH_TAG: settings.publish_dir} if settings is not None else {}
    manifest = {MANIFEST_TAG: plan.manifest} if plan.manifest else {}
    if plan.buckets:
        order = bucket_keys()
        per_run = max_buckets_per_run()
        # one run from the first bucket with work to the last (a bucket without work in between
        # costs a few file reads), unless runs are to be spread over machines
        blocks = contiguous_blocks(plan.buckets, order, per_run) if per_run else [(plan.buckets[0], plan.buckets[-1])]
        pending_by_bucket: dict[str, int] = {}
        for doc_id in plan.pending:
            pending_by_bucket[bucket_of(doc_id)] = pending_by_bucket.get(bucket_of(doc_id), 0) + 1
        requests = []
        for i, (first, last) in enumerate(blocks):
            keys = buckets_in_range(first, last)
            requests.append(dg.RunRequest(
                job_name=INGEST_JOB,
                run_key=f"{first}..{last}{run_key_suffix}" if run_key_suffix else None,
                tags={RANGE_START: first, RANGE_END: last, **folders, **manifest,
                      "seimei/documents": str(sum(pending_by_bucket.get(k, 0) for k in keys))},
                # only the last block's run rewrites the ledger, when every bucket is done
                asset_selection=None if i == len(blocks) - 1 else WITHOUT_LEDGER,
            ))
        return requests
    if not plan.ledger_current or not plan.report_current:  # the report is rebuilt with the ledger
        return [dg.RunRequest(
            job_name=INGEST_JOB,
            asset_selection=LEDGER_ONLY,
            run_key=f"ledger{run_key_suffix}" if run_key_suffix else None,
            tags={"seimei/ledger_only": "true", **folders, **manifest},
        )]
    return []
