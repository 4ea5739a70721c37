"""The validation process: the same reports as validating in the run's process, a process that
died is started again, and a run's own process never imports GX."""

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from pipeline import validation_service
from pipeline.validation import validate_table
from schemas.tables import SOURCES
from tests.conftest import SEED_FIXTURES
from tests.test_validation import source


@pytest.fixture
def inbox(tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    shutil.copy(SEED_FIXTURES / "001_3d03689fe541bc5b.txt", box / "001.txt")
    return box


def test_a_report_from_the_service_is_the_one_validating_here_gives():
    table = SOURCES.to_table([source(), source(source_path="b.txt", status="rejected", doc_id=None, reason=None)])
    here, there = validate_table("sources", table), validation_service.validate("sources", table)
    assert not there.success
    def said(report):  # as JSON: a failing row's missing value is NaN, which equals nothing
        return json.dumps([(f.expectation_type, f.column, f.unexpected_count, f.failing_rows, f.words, f.doc_ids)
                           for f in report.failed], default=str)

    assert said(there) == said(here) and "b.txt" in said(there)
    assert there.evaluated == here.evaluated > 0 and there.pages and "<html" in there.pages[0].lower()


def test_an_error_inside_the_service_is_raised_here():
    with pytest.raises(FileNotFoundError):
        validation_service.validate("no_such_table", SOURCES.to_table([]))
    assert validation_service.validate("sources", SOURCES.to_table([])).success  # and it still answers


def test_a_killed_service_is_started_again_for_the_next_table():
    first = validation_service.start()
    os.kill(first._process.pid, signal.SIGKILL)
    first._process.wait()
    assert validation_service.validate("sources", SOURCES.to_table([source()])).success
    assert validation_service.start() is not first and validation_service.start().alive


MAIN_MODULES = """
import sys
if __name__ == "__main__":  # the reading workers are spawned: they import this file again
    import dagster as dg
    from pipeline.core.without_pandas import do_without_pandas
    from pipeline.runner import run
    do_without_pandas()  # as `seimei run` does: its process never needs pandas
    with dg.instance_for_test() as instance:
        summary = run(sys.argv[1], sys.argv[2], instance, echo=lambda *_: None)
    assert summary.statuses["published"] > 0, summary
    import glob, os, tempfile
    print(glob.glob(os.path.join(tempfile.gettempdir(), f"seimei-rows-{os.getpid()}-*")))  # removed
    print(sorted({m.split(".")[0] for m in sys.modules if sys.modules[m] is not None}
                 & {"great_expectations", "scipy", "altair", "pandas"}))
"""


def test_a_run_validates_every_table_without_importing_gx_itself(tmp_path, inbox):
    from tests.conftest import ROOT

    script = tmp_path / "modules.py"
    script.write_text(MAIN_MODULES, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(inbox), str(tmp_path / "out")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-2:] == ["[]", "[]"]  # no rows folder left, no GX nor pandas imported
    assert sorted(p.name for p in (tmp_path / "out" / "_validation").glob("*/*.json")) == sorted(
        f"{t}.json" for t in ("sources", "documents", "sentences", "tokens", "dates", "officials", "sectors"))


def test_the_folder_of_a_service_killed_with_its_run_is_removed_by_the_next(tmp_path):
    import tempfile
    from pathlib import Path

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    abandoned = Path(tempfile.gettempdir()) / f"{validation_service.FOLDER_PREFIX}{gone.stdout.strip()}-x1"
    abandoned.mkdir()
    (abandoned / "0.arrow").write_bytes(b"rows")
    mine = Path(tempfile.gettempdir()) / f"{validation_service.FOLDER_PREFIX}{os.getpid()}-x2"
    mine.mkdir()
    try:
        validation_service.ValidationService().close()
        assert not abandoned.exists() and mine.exists()
    finally:
        shutil.rmtree(mine, ignore_errors=True)
        shutil.rmtree(abandoned, ignore_errors=True)
