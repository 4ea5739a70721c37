"""The inbox sensor: registers partitions, requests one run per block, cursor on mtimes."""

from __future__ import annotations

import datetime
import os
import shutil

import dagster as dg

from pipeline.automation import RANGE_END, RANGE_START
from pipeline.jobs import INGEST_JOB, LEDGER_ONLY
from pipeline.partitions import documents_partitions
from pipeline.resources import SeimeiSettings
from pipeline.runner import run
from pipeline.sensors import daily_rescan, inbox_sensor
from tests.conftest import SEED_FIXTURES

AT = datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.timezone.utc)


def tick(instance, settings, cursor=None):
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"settings": settings})
    return inbox_sensor(context)


def test_sensor_requests_one_run_for_new_files_then_waits_for_newer_ones(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    for n in ("001_3d03689fe541bc5b", "003_40687e4e43f7c743"):
        shutil.copy(SEED_FIXTURES / f"{n}.txt", inbox)
    settings = SeimeiSettings(inbox_dir=str(inbox), publish_dir=str(out))
    assert inbox_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    with dg.instance_for_test() as instance:
        first = tick(instance, settings)
        keys = instance.get_dynamic_partitions(documents_partitions.name)
        assert len(keys) == 2
        assert len(first.run_requests) == 1
        request = first.run_requests[0]
        assert request.job_name == INGEST_JOB
        assert (request.tags[RANGE_START], request.tags[RANGE_END]) == (keys[0], keys[1])
        newest = max(p.stat().st_mtime for p in inbox.iterdir())
        assert float(first.cursor) == newest

        again = tick(instance, settings, cursor=first.cursor)
        assert isinstance(again, dg.SkipReason)

        run(str(inbox), str(out), instance, echo=lambda *_: None)  # what the requested run does
        shutil.copy(SEED_FIXTURES / "004_9cb1fc1b7e194a3c.txt", inbox)
        os.utime(inbox / "004_9cb1fc1b7e194a3c.txt", (newest + 10, newest + 10))
        third = tick(instance, settings, cursor=first.cursor)
        assert len(third.run_requests) == 1
        new_key = instance.get_dynamic_partitions(documents_partitions.name)[-1]
        assert third.run_requests[0].tags[RANGE_START] == third.run_requests[0].tags[RANGE_END] == new_key
        assert float(third.cursor) == newest + 10


def test_daily_schedule_refreshes_the_ledger_after_a_deletion(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(SEED_FIXTURES / "001_3d03689fe541bc5b.txt", inbox)
    shutil.copy(SEED_FIXTURES / "003_40687e4e43f7c743.txt", inbox)
    settings = SeimeiSettings(inbox_dir=str(inbox), publish_dir=str(out))
    with dg.instance_for_test() as instance:
        run(str(inbox), str(out), instance, echo=lambda *_: None)
        context = dg.build_schedule_context(instance=instance, resources={"settings": settings}, scheduled_execution_time=AT)
        assert isinstance(daily_rescan(context), dg.SkipReason)
        (inbox / "003_40687e4e43f7c743.txt").unlink()
        requests = daily_rescan(dg.build_schedule_context(instance=instance, resources={"settings": settings}, scheduled_execution_time=AT))
        assert len(requests) == 1 and requests[0].asset_selection == LEDGER_ONLY
