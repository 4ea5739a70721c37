"""`seimei verify`: does the published data still match its sources and itself?

Reports (1) a ledger row whose source file is gone or whose bytes no longer hash to the recorded
sha256, (2) a published document with no published source in the ledger, and (3) a Parquet file
whose rows no longer hash to the rows_sha256 recorded when it was written.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from pipeline.core.inbox import sha256_of
from pipeline.storage import ROWS_HASH_KEY, rows_sha256
from schemas.tables import PUBLISHED_TABLES


def verify(inbox: Path, publish: Path) -> list[str]:
    inbox, publish = Path(inbox), Path(publish)
    problems: list[str] = []
    ledger_path = publish / "sources" / "sources.parquet"
    if not ledger_path.exists():
        return [f"no ledger at {ledger_path}: nothing has been published there"]
    ledger = pq.read_table(ledger_path).to_pylist()
    for row in ledger:
        source = inbox / row["source_path"]
        if not source.is_file():
            problems.append(f"source missing: {row['source_path']} (status {row['status']})")
        elif sha256_of(source) != row["source_sha256"]:
            problems.append(f"source changed: {row['source_path']} no longer has sha256 {row['source_sha256'][:16]}…; run `seimei run` to reprocess it")
    published = {r["doc_id"] for r in ledger if r["status"] == "published"}
    for name in PUBLISHED_TABLES:
        folder = publish / name
        for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
            if name != "sources" and path.stem not in published:
                problems.append(f"orphan: {name}/{path.name} belongs to no published source")
            table = pq.read_table(path)
            recorded = (table.schema.metadata or {}).get(ROWS_HASH_KEY.encode())
            if recorded is None:
                problems.append(f"unverifiable: {name}/{path.name} records no rows hash")
            elif rows_sha256(table) != recorded.decode():
                problems.append(f"rows changed: {name}/{path.name} no longer matches its recorded rows hash")
    return problems
