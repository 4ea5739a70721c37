"""The shipped deployment configuration agrees with the code and with Dagster's own schemas:
the k8s executor config validates against dagster-k8s, the Helm values name our module and
settings, and the run blocks that map documents to pods are bounded."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from pipeline.planning import contiguous_blocks
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"


def test_the_k8s_executor_config_validates_against_dagster_k8s():
    from dagster._config import process_config
    from dagster_k8s import k8s_job_executor

    config = yaml.safe_load((DEPLOY / "run_config.k8s.yaml").read_text())["execution"]["config"]
    result = process_config(k8s_job_executor.config_schema.as_field().config_type, config)
    assert result.success, [e.message for e in result.errors]
    bad = process_config(k8s_job_executor.config_schema.as_field().config_type, {**config, "max_concurent": 4})
    assert not bad.success  # a typo is caught: the check can fail


def test_the_job_uses_the_k8s_executor_when_told():
    code = "from pipeline.jobs import ingest_statements as j; print(j.executor_def.name if j.executor_def else None)"
    env = {**os.environ, "SEIMEI_EXECUTOR": "k8s"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "k8s"


def test_the_helm_values_point_at_this_code_and_these_settings():
    values = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    assert deployment["dagsterApiGrpcArgs"] == ["--module-name", "pipeline.definitions"]
    env = {e["name"]: e["value"] for e in deployment["env"]}
    assert {"SEIMEI_INBOX", "SEIMEI_PUBLISH", "SEIMEI_WORKERS", "SEIMEI_BUCKETS", "SEIMEI_BUCKETS_PER_RUN"} <= set(env)
    mounts = {m["mountPath"] for m in deployment["volumeMounts"]}
    assert any(env["SEIMEI_INBOX"].startswith(m) for m in mounts) and any(env["SEIMEI_PUBLISH"].startswith(m) for m in mounts)
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    launcher_env = dict(v.split("=", 1) for v in values["runLauncher"]["config"]["k8sRunLauncher"]["envVars"])
    assert launcher_env["SEIMEI_INBOX"] == env["SEIMEI_INBOX"] and launcher_env["SEIMEI_PUBLISH"] == env["SEIMEI_PUBLISH"]
    assert launcher_env["SEIMEI_BUCKETS"] == env["SEIMEI_BUCKETS"]  # runs and the code server agree on the buckets
    assert int(launcher_env["DAGSTER_EVENT_BATCH_SIZE"].split()[0]) > 1
    assert values["dagsterDaemon"]["runCoordinator"]["type"] == "QueuedRunCoordinator"
    for creator in ("dagsterDaemon", "dagsterWebserver"):  # the processes that create runs
        assert values[creator]["env"]["DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"] == "true"
    assert values["postgresql"]["enabled"] is False and values["postgresql"]["postgresqlHost"]


def test_buckets_with_work_split_into_bounded_runs():
    order = [f"{i:02d}" for i in range(10)]
    assert contiguous_blocks(order, order, 3) == [("00", "02"), ("03", "05"), ("06", "08"), ("09", "09")]
    pending = [k for k in order if k not in ("03", "07")]
    assert contiguous_blocks(pending, order, 2) == [("00", "01"), ("02", "02"), ("04", "05"), ("06", "06"),
                                                    ("08", "09")]
    assert contiguous_blocks(pending, order) == [("00", "02"), ("04", "06"), ("08", "09")]
