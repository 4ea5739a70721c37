"""`seimei run`: the same Definitions the UI loads, executed in this process on a persistent
instance, so the runs show up in `make dev` afterwards."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from pipeline.automation import RANGE_END, RANGE_START, make_plan, run_requests
from pipeline.definitions import build_definitions
from pipeline.progress import set_listener
from pipeline.instance_identity import claim, home_for
from pipeline.project import default_publish
from pipeline.consistency import withdraw_unlisted
from pipeline.removal_guard import check_withdrawal
from pipeline.resources import SeimeiSettings, reference_data, settings_from_env
from pipeline.rows_ahead import every_step_runs_here
from schemas.tables import PUBLISHED_TABLES

# One "materialization planned" event per asset for a run over a partition range, not one per
# document: a quarter of a 200-document run's time went to those events. (Dagster's own switch;
# the price is that a failed run does not mark its partitions failed, and `seimei run` redoes
# whatever a failed run left undone anyway.) The process that creates runs reads it: this one,
# and the daemon/webserver of `make dev` and deploy/helm/values.yaml.
os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")


def log_config(level: str = "WARNING") -> dict:
    """Run config for Dagster's console log of an in-process run (stderr)."""
    return {"loggers": {"console": {"config": {"log_level": level.upper()}}}}
# Which `seimei run` process executes a run, so that a later one can tell the run was abandoned.
HOST_TAG, PID_TAG = "seimei/host", "seimei/pid"


class RunFailed(Exception):
    pass


@dataclass
class RunSummary:
    inbox: str
    publish: str
    files: int = 0
    documents_processed: int = 0
    runs: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)
    rejections: list[tuple[str, str]] = field(default_factory=list)


# Telemetry off (this runs on closed networks) and no sign-up dialog in the UI; one run at a
# time, since SQLite storage locks under concurrent runs.
INSTANCE_CONFIG = """\
telemetry:
  enabled: false
nux:
  enabled: false
concurrency:
  runs:
    max_concurrent_runs: 1
"""


def prepare_home(publish: str | None = None) -> Path:
    """The publication's DAGSTER_HOME (pipeline/instance_identity.py: DAGSTER_HOME when set, else
    one per publish folder), with a dagster.yaml when it has none; DAGSTER_HOME is set to it."""
    home = home_for(publish or default_publish())
    os.environ["DAGSTER_HOME"] = str(home)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or not config.read_text().strip():
        config.write_text(INSTANCE_CONFIG)
    return home


def get_instance(publish: str | None = None) -> dg.DagsterInstance:
    """The publication's persistent instance, so `make dev` shows the runs afterwards."""
    prepare_home(publish)
    return dg.DagsterInstance.get()


def run(inbox: str, publish: str, instance: dg.DagsterInstance, echo=print, progress=None,
        log_level: str = "WARNING") -> RunSummary:
    """Process what is new; `progress` (a pipeline.progress listener, e.g. the CLI's bar) sees each
    document as the steps, which run in this process, finish it."""
    set_listener(progress)
    try:
        return _run(inbox, publish, instance, echo, log_level)
    finally:
        set_listener(None)
        if hasattr(progress, "close"):
            progress.close()
        from pipeline.rows_ahead import ROWS_AHEAD

        ROWS_AHEAD.close()  # the rows folder of the last run (`seimei run` ends without atexit)


def _run(inbox: str, publish: str, instance: dg.DagsterInstance, echo=print, log_level: str = "WARNING") -> RunSummary:
    inbox = str(Path(inbox).resolve())
    publish = publish if "://" in publish else str(Path(publish).resolve())
    claim(instance, inbox, publish)  # ForeignInstance: this instance holds another publication's runs
    fail_abandoned_runs(instance, echo)
    reference_data()  # ReferenceDataError, one sentence, before any document work
    defs = build_definitions(inbox, publish)
    settings = settings_from_env(inbox, publish)
    plan = make_plan(settings)
    check_withdrawal(plan.files, settings.publisher, inbox, settings.max_removal_share, settings.allow_mass_removal)
    summary = RunSummary(inbox=inbox, publish=publish, files=len(plan.files))
    if plan.nothing_to_do:
        echo(f"Nothing new: all {len(plan.files)} files in {inbox} are already processed; no document work done.")
    requests = list(run_requests(plan, settings))
    if not requests:  # nothing to validate: the validation process `seimei run` started is not needed
        from pipeline import validation_service

        validation_service.stop(wait=False)
    for request in requests:
        job = defs.resolve_job_def(request.job_name)
        docs = request.tags.get("seimei/documents")
        first, last = request.tags.get(RANGE_START), request.tags.get(RANGE_END)
        where = f"bucket {first}" if first == last else f"buckets {first}..{last}"
        what = f"{docs} documents ({where})" if docs is not None else "the ledger only"
        echo(f"Running {request.job_name} on {what} ...")
        with every_step_runs_here():  # whatever SEIMEI_EXECUTOR names for the UI's runs
            result = job.execute_in_process(
                instance=instance, tags={**request.tags, HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid())},
                run_config=log_config(log_level), raise_on_error=False,
                asset_selection=request.asset_selection,
            )
        summary.runs.append(result.run_id)
        if not result.success:
            failures = [_failure_text(e) for e in result.all_events if e.is_step_failure or e.event_type_value == "RUN_FAILURE"]
            withdrawn = withdraw_unlisted(settings.store, settings.publisher)
            if withdrawn:
                echo(f"Withdrew {withdrawn} file(s) the failed run wrote for documents the ledger does not list; "
                     "the next run does them again.")
            raise RunFailed(f"run {result.run_id} of {request.job_name} failed: " + " | ".join(failures))
        summary.documents_processed += int(docs or 0)
    return _read_back(summary, settings)


def _failure_text(event) -> str:
    """A failed step's message with its error's own first line (Dagster's says only which step)."""
    error = event.step_failure_data.error if event.is_step_failure and event.step_failure_data else None
    cause = error.cause if error is not None and error.cause is not None else error
    detail = (cause.message.strip().splitlines() or [""])[-1] if cause is not None else ""
    return f"{event.message} {detail}".strip() if detail and detail not in event.message else event.message


def fail_abandoned_runs(instance: dg.DagsterInstance, echo=print) -> list[str]:
    """Marks failed the runs of a `seimei run` on this host whose process is gone (killed): they
    would stay STARTED for ever, and the daemon's queue (max_concurrent_runs: 1) would count them
    as running and start no other run. What they left half done is redone by the planning."""
    failed = []
    records = instance.get_run_records(dg.RunsFilter(
        statuses=[dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED],
        tags={HOST_TAG: socket.gethostname()},
    ))
    for record in records:
        pid = int(record.dagster_run.tags.get(PID_TAG, "0"))
        if pid and (pid == os.getpid() or not _process_exists(pid)):
            instance.report_run_failed(record.dagster_run, f"its `seimei run` process (pid {pid}) ended before the run did")
            failed.append(record.dagster_run.run_id)
            echo(f"Run {record.dagster_run.run_id} was cut short (its process {pid} is gone): marked failed; its work is redone.")
    return failed


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        pass
    return True


def _read_back(summary: RunSummary, settings: SeimeiSettings) -> RunSummary:
    publisher = settings.publisher
    ledger = publisher.ledger_rows(["source_path", "status", "reason"])
    for status in ("published", "rejected", "duplicate"):
        summary.statuses[status] = sum(r["status"] == status for r in ledger)
    summary.rejections = [(r["source_path"], r["reason"]) for r in ledger if r["status"] == "rejected"]
    for name in PUBLISHED_TABLES:
        summary.row_counts[name] = publisher.row_count(name)
    return summary


def format_summary(s: RunSummary, max_rejections: int | None = None) -> str:
    """The run's summary for a terminal; past max_rejections, the rejections are counted, not listed."""
    lines = [
        f"Inbox:     {s.inbox}",
        f"Files:     {s.files} seen, {s.statuses.get('published', 0)} published, "
        f"{s.statuses.get('rejected', 0)} rejected, {s.statuses.get('duplicate', 0)} duplicate",
        f"Processed: {s.documents_processed} documents in {len(s.runs)} run(s) this time",
        f"Published: {s.publish}",
    ]
    lines += [f"  {name:<10} {count:>7} rows   {s.publish}/{name}/" for name, count in s.row_counts.items()]
    shown = s.rejections if max_rejections is None else s.rejections[:max_rejections]
    lines += [f"Rejected:  {path}: {reason}" for path, reason in shown]
    if len(shown) < len(s.rejections):
        lines.append(f"Rejected:  … and {len(s.rejections) - len(shown)} more: every one, with its reason, is in the "
                     f"sources table (status = 'rejected'), or `seimei run --json`")
    lines += [
        f"Report:    {s.publish}/_report/corpus_report.html",
        "Next:      `make dev` opens Dagster (lineage, checks, run logs) on http://127.0.0.1:3000;",
        f"           read the tables with pyarrow.parquet.read_table('{s.publish}/documents')",
        f"           or DuckDB: SELECT * FROM read_parquet('{s.publish}/documents/*.parquet')",
    ]
    return "\n".join(lines)
