"""Same inputs + same code ⇒ the same rows: twice into two folders, and once more with the files
renamed and copied in another order."""

import shutil

import dagster as dg
import pyarrow.parquet as pq

from pipeline.runner import run
from schemas.tables import PUBLISHED_TABLES
from tests.conftest import SAMPLE_INBOX


def rows(out, table, drop=()):
    contract = PUBLISHED_TABLES[table]
    data = [{k: v for k, v in r.items() if k not in drop} for r in pq.read_table(out / table).to_pylist()]
    return sorted(data, key=lambda r: tuple(str(r.get(k)) for k in contract.key))


def publish(tmp_path, name, files):
    inbox = tmp_path / f"{name}_inbox"
    inbox.mkdir()
    for source, target in files:
        shutil.copy(source, inbox / target)
    out = tmp_path / f"{name}_out"
    with dg.instance_for_test() as instance:
        run(str(inbox), str(out), instance, echo=lambda *_: None)
    return out


def test_the_same_inputs_give_the_same_rows(tmp_path):
    files = sorted(SAMPLE_INBOX.iterdir())
    first = publish(tmp_path, "first", [(f, f.name) for f in files])
    second = publish(tmp_path, "second", [(f, f.name) for f in files])
    renamed = publish(tmp_path, "renamed", [(f, f"renamed_{i}{f.suffix}") for i, f in reversed(list(enumerate(files)))])
    for table in PUBLISHED_TABLES:
        assert rows(first, table) == rows(second, table), table
        if table == "sources":
            continue  # keyed by path: the renamed files are other rows by design
        assert rows(first, table, drop=("source_path",)) == rows(renamed, table, drop=("source_path",)), table
    ledger = {r["source_sha256"]: r for r in rows(renamed, "sources")}
    assert {r["source_sha256"]: r["doc_id"] for r in rows(first, "sources")} == {k: r["doc_id"] for k, r in ledger.items()}


def count_rows_taken(monkeypatch) -> dict[str, int]:
    """{table: documents whose rows its step took from those built ahead}, filled as runs go."""
    from pipeline.rows_ahead import ROWS_AHEAD

    taken: dict[str, int] = {}
    real_take = ROWS_AHEAD.take

    def counting_take(run_id, table, doc_id):
        entry = real_take(run_id, table, doc_id)
        taken[table] = taken.get(table, 0) + (entry is not None)
        return entry

    monkeypatch.setattr(ROWS_AHEAD, "take", counting_take)
    return taken


def test_rows_built_while_reading_are_the_rows_the_steps_build(tmp_path, monkeypatch):
    """The reading step builds every table's rows ahead (pipeline/rows_ahead.py); with no room
    for them, each table's step builds its own. Both publish the same rows, and both runs say
    which way they went."""
    files = sorted(SAMPLE_INBOX.iterdir())
    built = count_rows_taken(monkeypatch)
    ahead = publish(tmp_path, "ahead", [(f, f.name) for f in files])
    assert built == {t: len(files) for t, c in PUBLISHED_TABLES.items() if c.per_document}, built
    built.clear()
    monkeypatch.setenv("SEIMEI_ROWS_AHEAD_MB", "0")
    in_steps = publish(tmp_path, "steps", [(f, f.name) for f in files])
    assert set(built.values()) <= {0}, built
    for table in PUBLISHED_TABLES:
        assert rows(ahead, table) == rows(in_steps, table), table


def test_a_temporary_disk_that_fills_up_mid_run_changes_no_row(tmp_path, monkeypatch):
    """Rows kept ahead go to the temporary disk a batch at a time; once a batch would leave less
    than the reserve free, the keeping stops for the run: the batches written are used, the
    steps build the rest, and the rows are those of a run that kept them all."""
    from pipeline import rows_ahead
    from pipeline.rows_ahead import ROWS_AHEAD

    files = sorted(SAMPLE_INBOX.iterdir())
    whole = publish(tmp_path, "whole", [(f, f.name) for f in files])
    monkeypatch.setenv("SEIMEI_ROWS_AHEAD_MB", "0.001")  # every document's rows are a batch of their own
    writes = []

    def reserve_running_out(disk_bytes: int) -> int:  # the disk "fills": after 8 batches none leaves the reserve free
        writes.append(1)
        return 0 if len(writes) <= 8 else 2**50

    monkeypatch.setattr(rows_ahead, "reserve_bytes", reserve_running_out)
    built = count_rows_taken(monkeypatch)
    cut = publish(tmp_path, "cut", [(f, f.name) for f in files])
    assert ROWS_AHEAD.stopped is None  # the run ended: its rows and its reason are gone
    assert 0 < sum(built.values()) < len(files) * len(built), built
    for table in PUBLISHED_TABLES:
        assert rows(whole, table) == rows(cut, table), table


def test_steps_in_processes_of_their_own_publish_the_same_rows(tmp_path):
    """Under the multiprocess executor each step is a process of its own, as under k8s: every
    step loads its upstream's typed values through the stage IO manager (pipeline/stage_io.py),
    each table's step builds its own rows, and the run publishes exactly the rows of `seimei run`."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from pipeline.automation import RANGE_END, RANGE_START
    from pipeline.buckets import bucket_keys

    files = [sorted(SAMPLE_INBOX.glob("*.pdf"))[0], sorted(SAMPLE_INBOX.glob("*.txt"))[0]]
    in_process = publish(tmp_path, "in_process", [(f, f.name) for f in files])
    inbox, out, home = tmp_path / "mp_inbox", tmp_path / "mp_out", tmp_path / "mp_home"
    inbox.mkdir()
    home.mkdir()
    for f in files:
        shutil.copy(f, inbox / f.name)
    keys = bucket_keys()
    env = {**os.environ, "SEIMEI_EXECUTOR": "multiprocess", "SEIMEI_INBOX": str(inbox), "SEIMEI_PUBLISH": str(out),
           "DAGSTER_HOME": str(home), "GX_ANALYTICS_ENABLED": "false"}
    dagster = Path(sys.executable).with_name("dagster")
    done = subprocess.run([str(dagster), "job", "execute", "-m", "pipeline.definitions", "-j", "ingest_statements",
                           "--tags", json.dumps({RANGE_START: keys[0], RANGE_END: keys[-1]})],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    assert log.count("LOADED_INPUT") >= 10 and 'using input manager "stage_store"' in log
    assert "STEP_FAILURE" not in log
    for table in PUBLISHED_TABLES:
        assert rows(out, table) == rows(in_process, table), table
