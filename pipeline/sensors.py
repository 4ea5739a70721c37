"""The inbox sensor (running by default) and the daily rescan schedule.

The sensor's cursor is the largest mtime of the files it has handed on, never the clock: a tick
with no file newer than that does nothing. A new or changed file is handed on only once two
ticks in a row saw it with the same size and mtime: a file still being copied in waits. The
cursor (JSON) keeps what the last tick saw of the files that were still changing. Deletions and
renames change no file mtime; the daily schedule catches them.
"""

import json
import os
from pathlib import Path

import dagster as dg

from pipeline.automation import make_plan, run_requests
from pipeline.consistency import withdraw_unlisted
from pipeline.core.inbox import display_path, list_files
from pipeline.jobs import ingest_statements
from pipeline.removal_guard import MassRemoval, check_withdrawal
from pipeline.instance_identity import foreign_owner
from pipeline.resources import SeimeiSettings


def refused_withdrawal(plan, settings: SeimeiSettings) -> str | None:
    """The removal guard's message when the plan would withdraw too much (an empty or unmounted
    inbox), so that no run is requested; None when it may go on."""
    try:
        check_withdrawal(plan.files, settings.publisher, str(settings.inbox), settings.max_removal_share,
                         settings.allow_mass_removal)
    except MassRemoval as exc:
        return str(exc)
    return None


def read_cursor(cursor: str | None) -> tuple[float, dict[str, list[float]]]:
    """(largest mtime handed on, {path: [size, mtime]} of files seen changing); a bare number is
    the cursor format of earlier versions."""
    if not cursor:
        return 0.0, {}
    try:
        value = json.loads(cursor)
    except ValueError:
        return 0.0, {}
    if isinstance(value, (int, float)):
        return float(value), {}
    return float(value.get("mtime", 0.0)), {k: list(v) for k, v in value.get("changing", {}).items()}


def observe(inbox: Path) -> dict[str, list[float]]:
    """{relative path: [size, mtime]} of every entry, without reading any file."""
    seen = {}
    for path in list_files(inbox):
        try:
            st = os.stat(path)
        except OSError:  # a broken link or an entry that vanished: the run records it
            st = os.lstat(path) if os.path.lexists(path) else None
        if st is not None:
            seen[display_path(path.relative_to(inbox).as_posix())] = [st.st_size, st.st_mtime]
    return seen


def settled_changes(cursor_mtime: float, previous: dict[str, list[float]], now: dict[str, list[float]]):
    """Files newer than the cursor, split into settled (same size and mtime as the last tick saw)
    and still changing (first seen now, or different from the last tick)."""
    newer = {p: v for p, v in now.items() if v[1] > cursor_mtime}
    settled = {p: v for p, v in newer.items() if previous.get(p) == v}
    changing = {p: v for p, v in newer.items() if p not in settled}
    return settled, changing


def describe_settled(files, settled: dict, pending: list[str], limit: int = 10) -> str:
    """What a tick found, file by file, for the tick's log in the UI: which settled files are new
    documents, which duplicate another file, which are skipped and why, and which are already done."""
    by_path = {f.source_path: f for f in files}
    first_path: dict[str, str] = {}
    for f in files:
        if f.doc_id and f.skipped is None:
            first_path.setdefault(f.doc_id, f.source_path)
    notes = []
    for path in sorted(settled):
        f = by_path.get(path)
        if f is None:
            notes.append(f"{path}: gone before it was read")
        elif f.skipped is not None:
            notes.append(f"{path}: skipped, {f.skipped}")
        elif first_path.get(f.doc_id) != path:
            notes.append(f"{path}: duplicate of {first_path.get(f.doc_id)} (same bytes)")
        elif f.doc_id in pending:
            notes.append(f"{path}: to process as document {f.doc_id} ({f.format})")
        else:
            notes.append(f"{path}: already processed as document {f.doc_id}")
    more = f"; … and {len(notes) - limit} more" if len(notes) > limit else ""
    return f"{len(settled)} file(s) settled — " + "; ".join(notes[:limit]) + more


@dg.sensor(
    job=ingest_statements,
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Starts a run when a statement file in the inbox is new or changed and has stopped "
                "changing (same size and mtime on two ticks in a row).",
)
def inbox_sensor(context: dg.SensorEvaluationContext, settings: SeimeiSettings):
    foreign = foreign_owner(context.instance, settings.publish_dir)
    if foreign:
        return dg.SkipReason(foreign)
    if not settings.inbox.is_dir():
        return dg.SkipReason(f"inbox folder {settings.inbox} does not exist")
    cursor_mtime, previous = read_cursor(context.cursor)
    settled, changing = settled_changes(cursor_mtime, previous, observe(settings.inbox))
    waiting = ", ".join(sorted(changing)[:10]) + (" …" if len(changing) > 10 else "")
    if changing:
        context.log.info(f"waiting for {len(changing)} file(s) still being written or first seen this tick: {waiting}")
    if not settled:
        return dg.SensorResult(
            cursor=json.dumps({"mtime": cursor_mtime, "changing": changing}),
            skip_reason=(f"waiting one more tick for {len(changing)} new or changing file(s): {waiting}"
                         if changing else "no file in the inbox is newer than the last one seen"),
        )
    # hand on what has settled; files still changing stay above the cursor for the next tick
    handed_on = max(v[1] for v in settled.values())
    if changing:
        handed_on = min(handed_on, min(v[1] for v in changing.values()) - 1e-6)
    handed_on = max(handed_on, cursor_mtime)
    plan = make_plan(settings)
    refused = refused_withdrawal(plan, settings)
    if refused:
        return dg.SensorResult(cursor=json.dumps({"mtime": handed_on, "changing": changing}), skip_reason=refused)
    requests = run_requests(plan, settings, run_key_suffix=f"@{max(v[1] for v in settled.values()):.6f}")
    found = describe_settled(plan.files, settled, plan.pending)
    context.log.info(f"{found}. {len(plan.pending)} document(s) to process in {len(plan.buckets)} bucket(s), "
                     f"{len(requests)} run(s).")
    return dg.SensorResult(
        run_requests=requests,
        cursor=json.dumps({"mtime": handed_on, "changing": changing}),
        skip_reason=None if requests else f"nothing to run: {found}",
    )


@dg.schedule(
    cron_schedule="0 6 * * *",
    job=ingest_statements,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily rescan of the inbox: catches deletions, renames and anything the sensor missed.",
)
def daily_rescan(context: dg.ScheduleEvaluationContext, settings: SeimeiSettings):
    foreign = foreign_owner(context.instance, settings.publish_dir)
    if foreign:
        return dg.SkipReason(foreign)
    if not settings.inbox.is_dir():
        return dg.SkipReason(f"inbox folder {settings.inbox} does not exist")
    plan = make_plan(settings)
    refused = refused_withdrawal(plan, settings)
    if refused:
        return dg.SkipReason(refused)
    stamp = context.scheduled_execution_time.isoformat() if context.scheduled_execution_time else ""
    requests = run_requests(plan, settings, run_key_suffix=f"@{stamp}")
    if requests:
        context.log.info(f"rescan of {len(plan.files)} file(s): {len(plan.pending)} document(s) to process"
                         + ("" if plan.ledger_current else "; the ledger no longer matches the inbox"))
    return requests or dg.SkipReason(
        f"nothing new: {len(plan.files)} file(s) in {settings.inbox}, every document processed under the current "
        "code and reference data, ledger and report up to date")


@dg.run_failure_sensor(
    monitored_jobs=[ingest_statements],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After a failed run, withdraws the files it wrote for documents the ledger does not list, "
                "so the published tables and the ledger agree (pipeline/consistency.py).",
)
def withdraw_after_failed_run(context: dg.RunFailureSensorContext, settings: SeimeiSettings):
    if foreign_owner(context.instance, settings.publish_dir):
        return  # another publication's instance: its files are not this publication's to withdraw
    removed = withdraw_unlisted(settings.store, settings.publisher)
    context.log.info(f"run {context.dagster_run.run_id} failed: withdrew {removed} file(s) the ledger does not list")
