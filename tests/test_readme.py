"""The README's DuckDB queries run against a real publish folder and give what they promise."""

import re
import shutil

import dagster as dg
import duckdb

from pipeline.runner import run
from tests.conftest import ROOT, SAMPLE_INBOX


def test_readme_queries_run_and_offsets_give_the_surface(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "published"
    shutil.copytree(SAMPLE_INBOX, inbox)
    with dg.instance_for_test() as instance:
        run(str(inbox), str(out), instance, echo=lambda *_: None)
    queries = re.findall(r"```sql\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)
    assert len(queries) >= 2
    results = [duckdb.sql(q.replace("data/published", str(out))).fetchall() for q in queries]
    assert all(results)
    officials = duckdb.sql(queries[0].replace("data/published", str(out)).replace(
        "SELECT o.name,", "SELECT o.surface, o.name,")).fetchall()
    assert all(row[0] == row[-1] for row in officials)  # surface == text at the offsets
    assert {row[3] for row in results[0]} >= {"000_dfd32790290888e2.pdf", "004_9cb1fc1b7e194a3c.pdf"}
