"""One Dagster instance per publication: two inbox/publish pairs never mix their runs, partitions
or ledger metadata (pipeline/instance_identity.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipeline.definitions import build_definitions
from pipeline.instance_identity import ForeignInstance, claim, owner
from pipeline.jobs import INGEST_JOB
from pipeline.resources import SeimeiSettings
from pipeline.runner import run
from pipeline.sensors import daily_rescan, inbox_sensor
from tests.conftest import SEED_FIXTURES

SEIMEI = Path(sys.executable).parent / "seimei"


def seimei(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    return subprocess.run([str(SEIMEI), *args], capture_output=True, text=True, timeout=300, env={**clean, **env})


def corpus(folder: Path, seed: str) -> Path:
    folder.mkdir()
    shutil.copy(next(SEED_FIXTURES.glob(f"{seed}_*.txt")), folder)
    return folder


def test_two_publications_run_on_two_instances_each_with_only_its_own_runs(tmp_path):
    a, b = corpus(tmp_path / "a", "001"), corpus(tmp_path / "b", "003")
    x, y, homes = tmp_path / "x", tmp_path / "y", tmp_path / "homes"
    for inbox, out in ((a, x), (b, y)):
        done = seimei("run", "--raw", str(inbox), "--out", str(out), "--no-progress", SEIMEI_DAGSTER_HOMES=str(homes))
        assert done.returncode == 0, done.stderr
    home_x = Path(seimei("home", "--out", str(x), SEIMEI_DAGSTER_HOMES=str(homes)).stdout.strip())
    home_y = Path(seimei("home", "--out", str(y), SEIMEI_DAGSTER_HOMES=str(homes)).stdout.strip())
    assert home_x != home_y and home_x.parent == home_y.parent == homes
    assert sorted(p.name for p in homes.iterdir()) == sorted([home_x.name, home_y.name])
    for home, inbox, out in ((home_x, a, x), (home_y, b, y)):
        with dg.DagsterInstance.from_config(str(home)) as instance:
            runs = instance.get_runs()
            assert runs, f"no run recorded in {home}"
            assert {(r.tags["seimei/inbox"], r.tags["seimei/publish"]) for r in runs} == {(str(inbox), str(out))}
            assert owner(instance) == (str(out), str(inbox))


def test_a_home_holding_another_publication_refuses_the_run_and_writes_nothing(tmp_path):
    a, b = corpus(tmp_path / "a", "001"), corpus(tmp_path / "b", "003")
    home = tmp_path / "home"
    assert seimei("run", "--raw", str(a), "--out", str(tmp_path / "x"), DAGSTER_HOME=str(home)).returncode == 0
    refused = seimei("run", "--raw", str(b), "--out", str(tmp_path / "y"), "--json", DAGSTER_HOME=str(home))
    assert refused.returncode == 2
    assert f"holds the runs of the publication {tmp_path / 'x'}" in refused.stderr
    assert '"exit_status": 2' in refused.stdout
    assert not (tmp_path / "y").exists()


def test_a_ui_run_or_a_sensor_of_another_publication_is_stopped_with_the_reason(tmp_path):
    a, b = corpus(tmp_path / "a", "001"), corpus(tmp_path / "b", "003")
    x, y = tmp_path / "x", tmp_path / "y"
    with dg.instance_for_test() as instance:
        run(str(a), str(x), instance, echo=lambda *_: None)
        with pytest.raises(ForeignInstance):
            claim(instance, str(b), str(y))
        assert not y.exists()
        # the same publication moved with its instance (it keeps its id), or made again in its place
        shutil.copytree(x, tmp_path / "x moved")
        claim(instance, str(a), str(tmp_path / "x moved"))
        assert owner(instance)[0] == str(tmp_path / "x moved")
        claim(instance, str(a), str(x))  # and back: x has the id the moved copy has
        shutil.rmtree(tmp_path / "x moved")
        with pytest.raises(ForeignInstance):  # a new publication, its id new, in another place
            claim(instance, str(a), str(tmp_path / "x moved"))
        # the code location of publication y on x's instance, as `make dev` with another SEIMEI_PUBLISH
        job = build_definitions(str(b), str(y)).resolve_job_def(INGEST_JOB)
        result = job.execute_in_process(instance=instance, raise_on_error=False,
                                        asset_selection=[dg.AssetKey("inbox_files")])
        assert not result.success
        errors = [getattr(e.event_specific_data, "error", None) for e in result.all_events if e.is_failure
                  or e.event_type_value == "RESOURCE_INIT_FAILURE"]
        assert any(err is not None and "holds the runs of the publication" in err.to_string() for err in errors)
        assert not (y / "sources").exists()
        settings = SeimeiSettings(inbox_dir=str(b), publish_dir=str(y))
        tick = inbox_sensor(dg.build_sensor_context(instance=instance, resources={"settings": settings}))
        assert "holds the runs of the publication" in tick.skip_message
        schedule = daily_rescan(dg.build_schedule_context(instance=instance, resources={"settings": settings}))
        assert "holds the runs of the publication" in schedule.skip_message
        shutil.rmtree(x)  # deleted and made again in its place: still x's instance
        claim(instance, str(a), str(x))
