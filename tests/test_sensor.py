"""The inbox sensor: requests one run over the buckets with work, cursor on mtimes."""

from __future__ import annotations

import datetime
import json
import os
import shutil

import dagster as dg

from pipeline.automation import RANGE_END, RANGE_START
from pipeline.jobs import INGEST_JOB
from pipeline.buckets import bucket_of
from pipeline.resources import SeimeiSettings
from pipeline.runner import run
from pipeline.core.inbox import scan
from pipeline.sensors import daily_rescan, describe_settled, inbox_sensor
from tests.conftest import SEED_FIXTURES

AT = datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.timezone.utc)


def tick(instance, settings, cursor=None):
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"settings": settings})
    return inbox_sensor(context)


def cursor_mtime(result) -> float:
    return json.loads(result.cursor)["mtime"]


def test_sensor_requests_one_run_for_settled_new_files_then_waits_for_newer_ones(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    for n in ("001_3d03689fe541bc5b", "003_40687e4e43f7c743"):
        shutil.copy(SEED_FIXTURES / f"{n}.txt", inbox)
    settings = SeimeiSettings(inbox_dir=str(inbox), publish_dir=str(out))
    assert inbox_sensor.default_status == dg.DefaultSensorStatus.RUNNING
    with dg.instance_for_test() as instance:
        seen = tick(instance, settings)  # first sight: a file may still be landing
        assert not seen.run_requests and "waiting one more tick" in seen.skip_reason.skip_message
        first = tick(instance, settings, cursor=seen.cursor)
        buckets = sorted(bucket_of(f.doc_id) for f in scan(inbox))
        assert len(first.run_requests) == 1
        request = first.run_requests[0]
        assert request.job_name == INGEST_JOB
        assert (request.tags[RANGE_START], request.tags[RANGE_END]) == (buckets[0], buckets[-1])
        assert request.tags["seimei/documents"] == "2"
        assert (request.tags["seimei/inbox"], request.tags["seimei/publish"]) == (str(inbox), str(out))
        newest = max(p.stat().st_mtime for p in inbox.iterdir())
        assert cursor_mtime(first) == newest

        again = tick(instance, settings, cursor=first.cursor)
        assert not again.run_requests and "no file in the inbox is newer" in again.skip_reason.skip_message

        run(str(inbox), str(out), instance, echo=lambda *_: None)  # what the requested run does
        shutil.copy(SEED_FIXTURES / "004_9cb1fc1b7e194a3c.txt", inbox)
        os.utime(inbox / "004_9cb1fc1b7e194a3c.txt", (newest + 10, newest + 10))
        waiting = tick(instance, settings, cursor=first.cursor)
        assert not waiting.run_requests
        third = tick(instance, settings, cursor=waiting.cursor)
        assert len(third.run_requests) == 1
        new_bucket = bucket_of(__import__("hashlib").sha256((inbox / "004_9cb1fc1b7e194a3c.txt").read_bytes()).hexdigest()[:16])
        assert third.run_requests[0].tags[RANGE_START] == third.run_requests[0].tags[RANGE_END] == new_bucket
        assert third.run_requests[0].tags["seimei/documents"] == "1"
        assert cursor_mtime(third) == newest + 10


def test_a_file_still_being_written_waits_until_two_ticks_see_it_unchanged(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    data = (SEED_FIXTURES / "001_3d03689fe541bc5b.txt").read_bytes()
    landing = inbox / "landing.txt"
    landing.write_bytes(data[: len(data) // 3])
    settings = SeimeiSettings(inbox_dir=str(inbox), publish_dir=str(out))
    with dg.instance_for_test() as instance:
        first = tick(instance, settings)
        with open(landing, "ab") as fh:  # the copy goes on between ticks
            fh.write(data[len(data) // 3: 2 * len(data) // 3])
        second = tick(instance, settings, cursor=first.cursor)
        assert not second.run_requests and "landing.txt" in second.skip_reason.skip_message
        assert not (out / "_work" / "inbox" / "manifest.json").exists()  # nothing half-written scanned
        with open(landing, "ab") as fh:
            fh.write(data[2 * len(data) // 3:])
        third = tick(instance, settings, cursor=second.cursor)
        assert not third.run_requests
        fourth = tick(instance, settings, cursor=third.cursor)  # unchanged since the last tick: settled
        assert len(fourth.run_requests) == 1
        bucket = bucket_of(__import__("hashlib").sha256(data).hexdigest()[:16])
        assert fourth.run_requests[0].tags[RANGE_START] == fourth.run_requests[0].tags[RANGE_END] == bucket


def test_a_legacy_numeric_cursor_is_read():
    from pipeline.sensors import read_cursor

    assert read_cursor("1700000000.5") == (1700000000.5, {})
    assert read_cursor(None) == (0.0, {})


def test_daily_schedule_refreshes_the_ledger_after_a_deletion(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(SEED_FIXTURES / "001_3d03689fe541bc5b.txt", inbox)
    shutil.copy(SEED_FIXTURES / "003_40687e4e43f7c743.txt", inbox)
    settings = SeimeiSettings(inbox_dir=str(inbox), publish_dir=str(out))
    with dg.instance_for_test() as instance:
        run(str(inbox), str(out), instance, echo=lambda *_: None)
        context = dg.build_schedule_context(instance=instance, resources={"settings": settings}, scheduled_execution_time=AT)
        idle = daily_rescan(context)
        assert isinstance(idle, dg.SkipReason) and idle.skip_message.startswith("nothing new: 2 file(s) in ")
        gone = inbox / "003_40687e4e43f7c743.txt"
        bucket = bucket_of(__import__("hashlib").sha256(gone.read_bytes()).hexdigest()[:16])
        gone.unlink()
        requests = daily_rescan(dg.build_schedule_context(instance=instance, resources={"settings": settings}, scheduled_execution_time=AT))
        # the deleted document's rows leave its bucket's files: a run over that bucket alone, with the ledger
        assert len(requests) == 1 and requests[0].asset_selection is None
        assert (requests[0].tags[RANGE_START], requests[0].tags[RANGE_END], requests[0].tags["seimei/documents"]) == \
            (bucket, bucket, "0")


def test_a_tick_says_file_by_file_what_it_found_and_why_it_skips(tmp_path):
    """The tick's message in the UI: new documents, duplicates, unreadable entries with the reason,
    and files already processed."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(SEED_FIXTURES / "003_40687e4e43f7c743.txt", inbox / "a.txt")
    shutil.copy(SEED_FIXTURES / "003_40687e4e43f7c743.txt", inbox / "b_copy.txt")
    os.mkfifo(inbox / "c.pipe")
    settings = SeimeiSettings(inbox_dir=str(inbox), publish_dir=str(out))
    with dg.instance_for_test() as instance:
        files = scan(inbox)
        settled = {f.source_path: [f.size_bytes, f.mtime] for f in files}
        doc_id = next(f.doc_id for f in files if f.source_path == "a.txt")
        message = describe_settled(files, settled, pending=[doc_id])
        assert message.startswith("3 file(s) settled")
        assert f"a.txt: to process as document {doc_id} (text)" in message
        assert "b_copy.txt: duplicate of a.txt (same bytes)" in message
        assert "c.pipe: skipped, " in message and "pipe" in message.split("c.pipe: skipped, ")[1]

        run(str(inbox), str(out), instance, echo=lambda *_: None)
        seen = tick(instance, settings)
        done = tick(instance, settings, cursor=seen.cursor)
        assert not done.run_requests
        reason = done.skip_reason.skip_message
        assert reason.startswith("nothing to run: 3 file(s) settled") and "a.txt: already processed" in reason


def test_a_rescan_that_finds_nothing_changed_leaves_the_manifest_as_it_is(tmp_path):
    """Every run and tick rescans; the manifest (every file's sha256, size, mtime and inode) is
    written again only when one of them changed, not on every scan of an unchanged inbox."""
    from pipeline.automation import rescan
    from pipeline.planning import MANIFEST, read_manifest_files

    inbox = tmp_path / "inbox"
    shutil.copytree(SEED_FIXTURES, inbox)
    settings = SeimeiSettings(inbox_dir=str(inbox), publish_dir=str(tmp_path / "published"))
    files, identity = rescan(settings)
    manifest = tmp_path / "published" / "_work" / MANIFEST[0] / f"{MANIFEST[1]}.json"
    written = os.stat(manifest)
    assert rescan(settings) == (files, identity)
    assert os.stat(manifest).st_ino == written.st_ino  # an atomic rewrite would be a new inode
    first = sorted(inbox.iterdir())[0]
    os.utime(first, ns=(written.st_mtime_ns, written.st_mtime_ns + 10**9))  # touched, same bytes
    again, same_identity = rescan(settings)
    assert same_identity == identity and os.stat(manifest).st_ino != written.st_ino
    assert read_manifest_files(settings.store) == (again, identity)
    assert {f.source_path: f.mtime_ns for f in again}[first.name] == written.st_mtime_ns + 10**9


def test_the_steps_of_a_run_parse_the_manifest_once_and_see_every_rewrite(tmp_path, monkeypatch):
    """Each step reads the scan its run was planned from; the file is parsed once while it
    stays the same file, and a rescan's rewrite is read at once."""
    from pipeline.automation import rescan
    from pipeline.planning import MANIFEST, read_manifest_files
    from pipeline.storage import StageStore

    inbox = tmp_path / "inbox"
    shutil.copytree(SEED_FIXTURES, inbox)
    settings = SeimeiSettings(inbox_dir=str(inbox), publish_dir=str(tmp_path / "published"))
    files, identity = rescan(settings)
    parsed = []
    original = StageStore.read

    def counting(self, stage, key):
        if (stage, key) == MANIFEST:
            parsed.append(key)
        return original(self, stage, key)

    monkeypatch.setattr(StageStore, "read", counting)
    for _ in range(3):
        assert read_manifest_files(settings.store) == (files, identity)
    assert len(parsed) <= 1
    shutil.copy(inbox / sorted(os.listdir(inbox))[0], inbox / "copy.txt")  # a new file: a new manifest
    new_files, new_identity = rescan(settings)
    assert new_identity != identity
    assert read_manifest_files(settings.store) == (new_files, new_identity)
    listed = read_manifest_files(settings.store)[0]
    listed.clear()  # a caller's list is its own
    assert read_manifest_files(settings.store) == (new_files, new_identity)
