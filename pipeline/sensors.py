"""The inbox sensor (running by default) and the daily rescan schedule.

The sensor's cursor is the largest file mtime it has seen, never the clock: a tick with no file
newer than that does nothing. Deletions and renames change no file mtime; the daily schedule
catches them.
"""


import dagster as dg

from pipeline.automation import plan_and_register, run_requests
from pipeline.core.inbox import list_files
from pipeline.jobs import ingest_statements
from pipeline.resources import SeimeiSettings


@dg.sensor(
    job=ingest_statements,
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Starts a run when a statement file in the inbox is new or changed.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, settings: SeimeiSettings):
    if not settings.inbox.is_dir():
        return dg.SkipReason(f"inbox folder {settings.inbox} does not exist")
    cursor = float(context.cursor) if context.cursor else 0.0
    latest = max((p.stat().st_mtime for p in list_files(settings.inbox)), default=0.0)
    if latest <= cursor:
        return dg.SkipReason("no file in the inbox is newer than the last one seen")
    plan = plan_and_register(settings, context.instance)
    requests = run_requests(plan, context.instance, run_key_suffix=f"@{latest:.6f}")
    return dg.SensorResult(
        run_requests=requests,
        cursor=str(latest),
        skip_reason=None if requests else "new mtimes, but every document is already processed",
    )


@dg.schedule(
    cron_schedule="0 6 * * *",
    job=ingest_statements,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily rescan of the inbox: catches deletions, renames and anything the sensor missed.",
)
def daily_rescan(context: dg.ScheduleEvaluationContext, settings: SeimeiSettings):
    if not settings.inbox.is_dir():
        return dg.SkipReason(f"inbox folder {settings.inbox} does not exist")
    plan = plan_and_register(settings, context.instance)
    stamp = context.scheduled_execution_time.isoformat() if context.scheduled_execution_time else ""
    return run_requests(plan, context.instance, run_key_suffix=f"@{stamp}") or dg.SkipReason("nothing new in the inbox")
