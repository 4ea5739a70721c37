"""Instance storage on PostgreSQL for real: a local server, the pipeline run against it, and a
sensor-triggered run and a manual run at the same time, without lock errors or duplicated rows.

Skipped when PostgreSQL is not installed, unless SEIMEI_REQUIRE_POSTGRES=1 (set by .ci/run, which
installs Debian's postgresql package), where it fails instead."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections import Counter

import dagster as dg
import pyarrow.parquet as pq
import pytest

from pipeline.buckets import bucket_keys
from pipeline.runner import run
from schemas.tables import PUBLISHED_TABLES
from tests.conftest import ROOT, SAMPLE_INBOX, SEED_FIXTURES
from tests.postgres_server import binaries, create_database, postgres_server

if binaries() is None:
    if os.environ.get("SEIMEI_REQUIRE_POSTGRES") == "1":
        raise RuntimeError("SEIMEI_REQUIRE_POSTGRES=1 but PostgreSQL is not installed")
    pytest.skip("PostgreSQL is not installed", allow_module_level=True)


def instance_yaml(url: str) -> str:
    # the same shape as the documented deploy/dagster.postgres.yaml, with the URL filled in
    return textwrap.dedent(f"""\
        storage:
          postgres:
            postgres_url: "{url}"
        telemetry:
          enabled: false
        """)


@pytest.fixture(scope="module")
def pg_server():
    with postgres_server() as url:
        yield url


@pytest.fixture()
def pg_home(tmp_path, pg_server, request):
    """A DAGSTER_HOME on its own database: an instance belongs to one publication
    (pipeline/instance_identity.py), and every test publishes into its own folder."""
    home = tmp_path / "home"
    home.mkdir()
    url = create_database(pg_server, "t_" + hashlib.sha256(request.node.name.encode()).hexdigest()[:12])
    (home / "dagster.yaml").write_text(instance_yaml(url))
    return home


def test_the_documented_instance_config_is_the_one_tested():
    documented = (ROOT / "deploy" / "dagster.postgres.yaml").read_text()
    assert "postgresql+psycopg2://" in documented and "postgres_url:" in documented
    config = __import__("yaml").safe_load(documented)
    assert config["storage"]["postgres"]["postgres_url"] == {"env": "SEIMEI_POSTGRES_URL"}


def test_the_pipeline_runs_on_postgres_storage(tmp_path, pg_home, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(pg_home))
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    shutil.copytree(SAMPLE_INBOX, inbox)
    # `with`: the instance is the current one while it runs (Dagster keeps the last instance entered
    # as the definitions' state storage, even after that instance is gone)
    with dg.DagsterInstance.from_config(str(pg_home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        summary = run(str(inbox), str(out), instance, echo=lambda *_: None)
        assert summary.statuses["published"] == 4
        runs = instance.get_runs()
        assert runs and all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
        assert instance.get_materialized_partitions(dg.AssetKey("tokens")) <= set(bucket_keys())


SENSOR_RUN = """
import sys, dagster as dg
from pipeline.definitions import build_definitions
from pipeline.resources import SeimeiSettings
from pipeline.sensors import inbox_sensor
inbox, out = sys.argv[1], sys.argv[2]
instance = dg.DagsterInstance.get()
settings = SeimeiSettings(inbox_dir=inbox, publish_dir=out)
defs = build_definitions(inbox, out)
cursor = None
for _ in range(2):  # the first tick only sees the files; the second finds them settled
    result = inbox_sensor(dg.build_sensor_context(instance=instance, cursor=cursor, resources={"settings": settings}))
    cursor = result.cursor
assert result.run_requests, result
for request in result.run_requests:
    job = defs.resolve_job_def(request.job_name)
    done = job.execute_in_process(instance=instance, tags=request.tags, asset_selection=request.asset_selection,
                                  raise_on_error=False)
    assert done.success, [e.message for e in done.all_events if e.is_failure]
print("sensor run ok")
"""


def test_a_sensor_run_and_a_manual_run_at_the_same_time(tmp_path, pg_home):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    shutil.copytree(SAMPLE_INBOX, inbox)
    for seed in SEED_FIXTURES.glob("00[0-4]_*.txt"):
        shutil.copy(seed, inbox / f"seed_{seed.name}")
    env = {**os.environ, "DAGSTER_HOME": str(pg_home)}
    manual = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", "--raw", str(inbox), "--out", str(out)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sensor = subprocess.Popen([sys.executable, "-c", SENSOR_RUN, str(inbox), str(out)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    manual_out, _ = manual.communicate(timeout=600)
    sensor_out, _ = sensor.communicate(timeout=600)
    for text in (manual_out, sensor_out):
        assert "database is locked" not in text and "IntegrityError" not in text and "deadlock" not in text.lower()
    assert manual.returncode == 0, manual_out[-3000:]
    assert sensor.returncode == 0, sensor_out[-3000:]

    ledger = pq.read_table(out / "sources").to_pylist()
    assert sorted(r["source_path"] for r in ledger) == sorted(p.name for p in inbox.iterdir())
    for name, contract in PUBLISHED_TABLES.items():
        rows = pq.read_table(out / name).select(list(contract.key)).to_pylist()
        duplicated = [k for k, n in Counter(tuple(r.values()) for r in rows).items() if n > 1]
        assert not duplicated, f"{name}: duplicated keys {duplicated[:3]}"


BUCKET_RUN = """
import sys, dagster as dg
from pipeline.automation import MANIFEST_TAG, RANGE_END, RANGE_START, make_plan
from pipeline.definitions import build_definitions
from pipeline.resources import settings_from_env
inbox, out, first, last = sys.argv[1:5]
instance = dg.DagsterInstance.get()
plan = make_plan(settings_from_env(inbox, out))
job = build_definitions(inbox, out).resolve_job_def("ingest_statements")
done = job.execute_in_process(instance=instance, raise_on_error=False,
                              tags={RANGE_START: first, RANGE_END: last, MANIFEST_TAG: plan.manifest})
assert done.success, [e.message for e in done.all_events if e.is_failure]
print("bucket run ok", first, last)
"""


def test_two_bucket_runs_at_once_publish_the_same_rows_as_one_run(tmp_path, pg_home):
    """Scale-out: the buckets split over two runs that run at the same time (as two pods would,
    on the PostgreSQL instance) publish exactly what one run over every bucket does, ledger
    included (each run's ledger step writes again when the other moved the tables meanwhile)."""
    from pipeline.buckets import bucket_of

    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE_INBOX, inbox)
    for seed in SEED_FIXTURES.glob("00[0-4]_*.txt"):
        shutil.copy(seed, inbox / f"seed_{seed.name}")
    keys = bucket_keys()
    halves = [(keys[0], keys[len(keys) // 2 - 1]), (keys[len(keys) // 2], keys[-1])]
    buckets = {bucket_of(hashlib.sha256(p.read_bytes()).hexdigest()[:16]) for p in inbox.iterdir()}
    assert all(any(first <= b <= last for b in buckets) for first, last in halves), "documents on both sides"
    env = {**os.environ, "DAGSTER_HOME": str(pg_home), "DAGSTER_EVENT_BATCH_SIZE": "50"}  # as the Helm values set it
    split = tmp_path / "split"
    procs = [subprocess.Popen([sys.executable, "-c", BUCKET_RUN, str(inbox), str(split), first, last], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for first, last in halves]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    for p, text in zip(procs, outputs):
        assert p.returncode == 0, text[-3000:]
    whole = tmp_path / "whole"
    with dg.instance_for_test() as instance:
        run(str(inbox), str(whole), instance, echo=lambda *_: None)
    for name, contract in PUBLISHED_TABLES.items():
        def rows(out):
            return sorted(json.dumps(r, default=str, ensure_ascii=False, sort_keys=True) for r in pq.read_table(out / name).to_pylist())
        assert rows(split) == rows(whole), name
