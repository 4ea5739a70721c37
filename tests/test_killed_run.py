"""A `seimei run` killed with SIGKILL leaves the previous publication intact, and the next run
completes it.

A first publication of the samples, then a real `seimei run` subprocess over four new statements,
killed with SIGKILL at three points: while stage results are being written (the test kills the
process group as soon as a new document's first stage result appears), mid-publish (as soon as a
new document's first Parquet file appears), and at the worst moment for the ledger, the one file
the run replaces: the new ledger is written in full under its temporary name and the rename over
the old one is next (an audit hook in the subprocess sends the SIGKILL at that `os.rename`).

After the kill, every Parquet file a reader can find reads whole and hashes to the rows recorded
in it, every table folder reads as a dataset (temporaries are hidden), and every row of the
first publication is still there. Then `seimei run` again: it exits 0, marks the killed run
failed in the Dagster instance (a run left STARTED would hold the daemon's only run slot for
ever), its tables equal those of a clean, unkilled run over the same inbox, and `seimei verify`
finds nothing wrong.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from pipeline.planning import PER_DOCUMENT_TABLES
from pipeline.storage import ROWS_HASH_KEY, WORK_DIR_NAME, rows_sha256
from schemas.tables import PUBLISHED_TABLES
from tests.conftest import SAMPLE_INBOX, SEED_FIXTURES

SEIMEI = Path(sys.executable).parent / "seimei"
COMMAND = [str(SEIMEI)] if SEIMEI.exists() else [sys.executable, "-m", "pipeline.cli"]
RUN_TIMEOUT = 300  # seconds for one whole `seimei run`; a run here takes 5-15 s
# what the daemon's run queue counts against max_concurrent_runs (dagster's ACTIVE_RUN_STATUSES)
ACTIVE = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
UMASK = os.umask(0o022)  # os has no getter: set, and put back at once
os.umask(UMASK)


def env(home: Path) -> dict[str, str]:
    return {**os.environ, "DAGSTER_HOME": str(home), "GX_ANALYTICS_ENABLED": "false"}


def seimei(*args: str, home: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([*COMMAND, *args], capture_output=True, text=True, env=env(home), timeout=RUN_TIMEOUT)
    assert result.returncode == 0, f"seimei {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def add_new_statements(inbox: Path) -> None:
    """Four statements the first publication does not have: seeds 000 and 004 as text (the samples
    carry them as PDFs), and seeds 001 and 003 with a sentence appended."""
    shutil.copy(next(SEED_FIXTURES.glob("000_*.txt")), inbox / "n000.txt")
    shutil.copy(next(SEED_FIXTURES.glob("004_*.txt")), inbox / "n004.txt")
    for seed in ("001", "003"):
        text = next(SEED_FIXTURES.glob(f"{seed}_*.txt")).read_text(encoding="utf-8")
        (inbox / f"v{seed}.txt").write_text(text + "\n追記の一文。\n", encoding="utf-8")


def canonical(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)


def tables(out: Path) -> dict[str, list[str]]:
    """Every published table read as a folder (a Parquet dataset), its rows in a fixed order."""
    return {name: sorted(canonical(r) for r in pq.read_table(out / name).to_pylist())
            for name in PUBLISHED_TABLES if (out / name).is_dir()}


def doc_ids(out: Path) -> set[str]:
    return {r["doc_id"] for r in pq.read_table(out / "sources").to_pylist() if r["doc_id"]}


def check_what_readers_see(out: Path) -> None:
    """Every *.parquet a reader can find in a table folder (pathlib and DuckDB globs match hidden
    names too) is whole: it reads, its rows hash to the hash recorded when it was written, and it
    is readable by others as a plainly written file would be. The dataset reader skips hidden
    files, so a temporary is never part of a table."""
    for name in PUBLISHED_TABLES:
        folder = out / name
        if not folder.is_dir():
            continue
        for path in folder.rglob("*.parquet"):
            assert not path.name.startswith((".", "_")), f"a temporary or hidden file looks like a table file: {path}"
            table = pq.read_table(path)
            recorded = table.schema.metadata[ROWS_HASH_KEY.encode()].decode()
            assert rows_sha256(table) == recorded, f"{path} does not hold the rows it was written with"
            assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~UMASK, f"{path} has mode {oct(path.stat().st_mode)}"
        dataset_files = {Path(f).name for f in ds.dataset(folder, format="parquet", partitioning="hive").files}
        assert dataset_files == {p.name for p in folder.rglob("*.parquet")}, name


def hidden_files(out: Path) -> list[Path]:
    return sorted(p for name in PUBLISHED_TABLES if (out / name).is_dir() for p in (out / name).rglob(".*"))


def runs(home: Path) -> list[dg.DagsterRun]:
    """The runs in the instance, newest first (read in this process, while no run is going)."""
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return list(instance.get_runs())


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A first publication of the samples (inbox, out, DAGSTER_HOME), and a clean, unkilled run
    over the samples plus the new statements into a fresh folder and instance: the expected end."""
    root = tmp_path_factory.mktemp("killed_run")
    first = root / "first"
    for sub in ("inbox", "home"):
        (first / sub).mkdir(parents=True)
    for f in SAMPLE_INBOX.iterdir():
        shutil.copy(f, first / "inbox" / f.name)
    seimei("run", "--raw", str(first / "inbox"), "--out", str(first / "out"), home=first / "home")

    clean = root / "clean"
    shutil.copytree(first / "inbox", clean / "inbox")
    add_new_statements(clean / "inbox")
    (clean / "home").mkdir()
    seimei("run", "--raw", str(clean / "inbox"), "--out", str(clean / "out"), home=clean / "home")
    expected = tables(clean / "out")
    new_ids = doc_ids(clean / "out") - doc_ids(first / "out")
    assert len(new_ids) == 4 and len(expected["sources"]) == 8
    return first, tables(first / "out"), expected, new_ids


def first_stage_result(out: Path, new_ids: set[str]) -> bool:
    """A stage result of a new document has been written: the run is extracting or normalizing."""
    return any(p.stem in new_ids for p in (out / WORK_DIR_NAME).glob("*/*.json"))


def first_published_file(out: Path, new_ids: set[str]) -> bool:
    """A bucket file holding a new document's rows is in a table folder: publishing has begun."""
    import pyarrow.parquet as pq

    for table in PER_DOCUMENT_TABLES:
        for p in (out / table).glob("part-*.parquet"):
            try:
                if new_ids & set(pq.read_table(p, columns=["doc_id"]).column("doc_id").to_pylist()):
                    return True
            except (OSError, ValueError):  # replaced while being read: look again
                continue
    return False


# `seimei run` that SIGKILLs itself when it is about to rename a file onto argv[1]
KILL_AT_RENAME = """
import os, signal, sys
from pathlib import Path

target = str(Path(sys.argv[1]).resolve())

def kill_at_rename(event, args):
    if event == "os.rename" and os.fsdecode(args[1]) == target:
        os.kill(os.getpid(), signal.SIGKILL)

sys.addaudithook(kill_at_rename)
from pipeline.cli import main
sys.exit(main(sys.argv[2:]))
"""


def run_and_kill(inbox: Path, out: Path, home: Path, kill_point: str, new_ids: set[str], log: Path) -> None:
    """Starts `seimei run` in its own session; for the polled kill points, polls the publish
    folder until the point is reached and SIGKILLs the process group."""
    args = ["run", "--raw", str(inbox), "--out", str(out)]
    if kill_point == "ledger_rename":
        command, when = [sys.executable, "-c", KILL_AT_RENAME, str(out / "sources" / "sources.parquet"), *args], None
    else:
        command, when = [*COMMAND, *args], {"stage": first_stage_result, "mid_publish": first_published_file}[kill_point]
    with open(log, "wb") as sink:
        proc = subprocess.Popen(command, env=env(home), stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        started = time.monotonic()
        try:
            while when is None or not when(out, new_ids):
                if proc.poll() is not None:
                    break
                if time.monotonic() - started > RUN_TIMEOUT:
                    pytest.fail(f"the kill point was not reached in {RUN_TIMEOUT} s:\n{log.read_text()}")
                time.sleep(0.002)
            assert when is None or proc.poll() is None, f"seimei run ended before the kill point:\n{log.read_text()}"
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the session leader's pid is the group's id
            except ProcessLookupError:
                pass
            proc.wait(timeout=30)
    # (at ledger_rename, exit 0 means the ledger was never renamed into place: written in place?)
    assert proc.returncode == -signal.SIGKILL, f"exit {proc.returncode}, not killed:\n{log.read_text()}"


@pytest.mark.parametrize("kill_point", ["stage", "mid_publish", "ledger_rename"])
def test_a_killed_run_leaves_the_previous_data_whole_and_the_next_run_completes_it(tmp_path, base, kill_point):
    first, first_rows, expected, new_ids = base
    inbox, out, home = tmp_path / "inbox", tmp_path / "out", tmp_path / "home"
    for sub in ("inbox", "out", "home"):
        shutil.copytree(first / sub, tmp_path / sub)
    assert tables(out) == first_rows
    add_new_statements(inbox)

    run_and_kill(inbox, out, home, kill_point, new_ids, tmp_path / "killed.log")

    # the previous data is intact: every file readers find is whole, every earlier row is still
    # there, and the ledger is the first one
    check_what_readers_see(out)
    after_kill = tables(out)
    assert after_kill["sources"] == first_rows["sources"]
    for name, rows in first_rows.items():
        assert set(rows) <= set(after_kill[name]), f"{name}: rows of the first publication are gone"
    published_new = {d for name in PER_DOCUMENT_TABLES for p in (out / name).glob("part-*.parquet")
                     for d in pq.read_table(p, columns=["doc_id"]).column("doc_id").to_pylist()} & new_ids
    temporaries = hidden_files(out)
    assert all(p.name.endswith(".tmp") for p in temporaries), temporaries
    if kill_point == "stage":
        assert after_kill == first_rows and not published_new
    elif kill_point == "mid_publish":
        assert published_new, "the run was killed before it published anything"
    else:  # killed inside the ledger's replacement: the new ledger is whole, but only as a temporary
        assert {n: r for n, r in after_kill.items() if n != "sources"} == {n: r for n, r in expected.items() if n != "sources"}
        [pending] = [p for p in temporaries if p.parent.name == "sources"]
        assert sorted(canonical(r) for r in pq.read_table(pending).to_pylist()) == expected["sources"]

    killed = runs(home)[0]
    assert killed.status == dg.DagsterRunStatus.STARTED  # what the kill leaves in the instance

    # the next run completes it
    again = seimei("run", "--raw", str(inbox), "--out", str(out), home=home)
    assert "8 seen, 8 published, 0 rejected, 0 duplicate" in again.stdout, again.stdout
    assert tables(out) == expected
    ledger = pq.read_table(out / "sources").to_pylist()
    assert sorted(r["source_path"] for r in ledger) == sorted(p.name for p in inbox.iterdir())
    assert {r["status"] for r in ledger} == {"published"}
    check_what_readers_see(out)
    assert "the published data matches its sources" in seimei("verify", "--raw", str(inbox), "--out", str(out), home=home).stdout

    # ... and the killed run holds nothing: it is marked failed, so the daemon's queue (one active
    # run at a time) is free, and the run that completed the work succeeded
    after = {r.run_id: r for r in runs(home)}
    assert after[killed.run_id].status == dg.DagsterRunStatus.FAILURE
    assert not [r.run_id for r in after.values() if r.status in ACTIVE], "a run is left holding the run queue's slot"
    earlier = {r.run_id for r in runs(first / "home")} | {killed.run_id}
    recovery = [r for r in after.values() if r.run_id not in earlier]
    assert recovery and all(r.status == dg.DagsterRunStatus.SUCCESS for r in recovery)
    if kill_point == "ledger_rename":  # every document was done: only the ledger was left to write
        assert [r.tags.get("seimei/ledger_only") for r in recovery] == ["true"]
