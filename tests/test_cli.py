"""The `seimei` console script, run as a user runs it, in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import SEED_FIXTURES

SEIMEI = Path(sys.executable).parent / "seimei"


def seimei(*args, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    return subprocess.run([str(SEIMEI), *args], capture_output=True, text=True, env=env, timeout=300)


def test_run_publishes_then_reports_nothing_new(tmp_path):
    inbox, out, home = tmp_path / "inbox", tmp_path / "out", tmp_path / "home"
    inbox.mkdir()
    home.mkdir()
    shutil.copy(SEED_FIXTURES / "001_3d03689fe541bc5b.txt", inbox)
    (inbox / "empty.txt").write_bytes(b"")
    first = seimei("run", "--raw", str(inbox), "--out", str(out), home=home)
    assert first.returncode == 0, first.stderr
    assert "2 seen, 1 published, 1 rejected, 0 duplicate" in first.stdout
    assert "empty.txt: empty file" in first.stdout
    for table in ("sources", "documents", "sentences", "tokens"):
        assert table in first.stdout and (out / table).is_dir()
    # progress on stderr (plain lines off a terminal): each step's last document, done / total
    assert "extracted_text    [########################] 2/2 " in first.stderr
    assert "\ntokens            [########################] 1/1 001_3d03689fe541bc5b.txt" in first.stderr  # the rejected one is not tokenized
    assert f"Report:    {out}/_report/corpus_report.html" in first.stdout
    second = seimei("run", "--raw", str(inbox), "--out", str(out), home=home)
    assert second.returncode == 0, second.stderr
    assert "Nothing new" in second.stdout and "0 documents in 0 run(s)" in second.stdout


def test_missing_inbox_is_a_clear_error(tmp_path):
    result = seimei("run", "--raw", str(tmp_path / "nope"), "--out", str(tmp_path / "out"), home=tmp_path)
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_verify_passes_on_a_fresh_run_and_fails_after_an_edit_in_place(tmp_path):
    inbox, out, home = tmp_path / "inbox", tmp_path / "out", tmp_path / "home"
    inbox.mkdir()
    home.mkdir()
    shutil.copy(SEED_FIXTURES / "003_40687e4e43f7c743.txt", inbox / "003.txt")
    assert seimei("run", "--raw", str(inbox), "--out", str(out), home=home).returncode == 0
    fresh = seimei("verify", "--raw", str(inbox), "--out", str(out), home=home)
    assert fresh.returncode == 0 and "matches its sources" in fresh.stdout
    with open(inbox / "003.txt", "a", encoding="utf-8") as fh:
        fh.write("追記。\n")
    edited = seimei("verify", "--raw", str(inbox), "--out", str(out), home=home)
    assert edited.returncode == 1
    assert "source changed: 003.txt" in edited.stdout


def test_verify_notices_rows_changed_behind_the_pipelines_back(tmp_path):
    import pyarrow.parquet as pq

    inbox, out, home = tmp_path / "inbox", tmp_path / "out", tmp_path / "home"
    inbox.mkdir()
    home.mkdir()
    shutil.copy(SEED_FIXTURES / "003_40687e4e43f7c743.txt", inbox / "003.txt")
    assert seimei("run", "--raw", str(inbox), "--out", str(out), home=home).returncode == 0
    path = next((out / "documents").rglob("*.parquet"))
    table = pq.read_table(path)
    pq.write_table(table.set_column(table.schema.get_field_index("title"), "title", [["改ざん"]]), path)
    result = seimei("verify", "--raw", str(inbox), "--out", str(out), home=home)
    assert result.returncode == 1 and f"rows changed: {path.relative_to(out).as_posix()}" in result.stdout
