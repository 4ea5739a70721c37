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


def test_version_names_the_package_and_the_commit(tmp_path):
    result = seimei("--version", home=tmp_path)
    commit = subprocess.run(["git", "-C", str(Path(__file__).parents[1]), "rev-parse", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    assert result.returncode == 0 and result.stdout.startswith("seimei 0.1.0 (git ")
    assert (commit[:12] in result.stdout) if commit else "unknown" in result.stdout
    assert "exit status:" in seimei("--help", home=tmp_path).stdout


def test_run_and_verify_speak_json_and_long_rejection_lists_are_cut(tmp_path):
    import json

    inbox, out, home = tmp_path / "inbox", tmp_path / "out", tmp_path / "home"
    inbox.mkdir()
    home.mkdir()
    shutil.copy(SEED_FIXTURES / "001_3d03689fe541bc5b.txt", inbox)
    for i in range(25):  # distinct bytes (equal ones would be duplicates), no text in any
        (inbox / f"blank_{i:02d}.txt").write_bytes(b" " * (i + 1))
    result = seimei("run", "--raw", str(inbox), "--out", str(out), "--json", home=home)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)  # stdout is the JSON object and nothing else
    assert summary["ok"] and summary["statuses"] == {"published": 1, "rejected": 25, "duplicate": 0}
    assert len(summary["rejections"]) == 25 and summary["rejections"][0]["reason"] == "the file holds only white space"
    assert summary["row_counts"]["documents"] == 1 and summary["documents_processed"] == 26
    verified = seimei("verify", "--raw", str(inbox), "--out", str(out), "--json", home=home)
    assert verified.returncode == 0 and json.loads(verified.stdout) == {"ok": True, "problems": [], "counts": {}}
    (inbox / "late.txt").write_text("新しい文書。", encoding="utf-8")
    unaccounted = seimei("verify", "--raw", str(inbox), "--out", str(out), home=home)
    assert unaccounted.returncode == 1 and unaccounted.stdout.strip().endswith("verify: 1 problem(s): 1 unaccounted")
    (inbox / "late.txt").unlink()
    (inbox / "blank_25.txt").write_bytes(b" " * 26)  # the plain summary: 20 rejections listed, the rest counted
    plain = seimei("run", "--raw", str(inbox), "--out", str(out), home=home)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.count("\nRejected:  blank_") == 20 and "… and 6 more" in plain.stdout


def test_make_help_lists_the_targets_and_clean_keeps_the_users_data():
    root = Path(__file__).parents[1]
    help_text = subprocess.run(["make", "-s", "help"], cwd=root, capture_output=True, text=True, check=True).stdout
    for target in ("run", "test", "dev", "eval", "bench", "clean", "reset", "lock"):
        assert f"make {target}" in help_text, target
    clean = subprocess.run(["make", "-n", "clean"], cwd=root, capture_output=True, text=True, check=True).stdout
    reset = subprocess.run(["make", "-n", "reset"], cwd=root, capture_output=True, text=True, check=True).stdout
    assert "data/published" not in clean and ".dagster" not in clean
    assert "data/published" in reset and ".dagster" in reset
