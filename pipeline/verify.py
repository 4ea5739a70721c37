"""`seimei verify`: does the published data still match its sources and itself?

Reports (0) an inbox entry the ledger does not account for, (1) a ledger row whose source file is
gone or whose bytes no longer hash to the recorded sha256, (2) rows of a document with no
published source in the ledger (an orphan), (3) a Parquet file whose rows no longer hash to the
rows_sha256 recorded when it was written, and (4) files of an earlier layout not yet migrated.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.core.inbox import display_path, list_entries, path_from_display, sha256_of
from pipeline.storage import ROWS_HASH_KEY, ParquetPublisher, rows_match
from schemas.tables import PUBLISHED_TABLES


def verify(inbox: Path, publish: str | Path) -> list[str]:
    inbox, publisher = Path(inbox), ParquetPublisher(str(publish))
    problems: list[str] = []
    ledger_path = publisher.ledger_path()
    if not publisher.exists(ledger_path):
        return [f"no ledger at {publisher.location.display(*publisher.LEDGER)}: nothing has been published there"]
    ledger = publisher.read_file(ledger_path).to_pylist()
    listed = {row["source_path"] for row in ledger}
    if inbox.is_dir():
        for path, _reason in list_entries(inbox):
            shown = display_path(path.relative_to(inbox).as_posix())
            if shown not in listed:
                problems.append(f"unaccounted: {shown} is in the inbox but not in the ledger; run `seimei run`")
    for row in ledger:
        source = inbox / path_from_display(row["source_path"])
        if row["source_sha256"] is None:  # never read (socket, link outside the inbox): nothing to compare
            continue
        if not source.is_file():
            problems.append(f"source missing: {row['source_path']} (status {row['status']})")
        elif sha256_of(source) != row["source_sha256"]:
            problems.append(f"source changed: {row['source_path']} no longer has sha256 {row['source_sha256'][:16]}…; run `seimei run` to reprocess it")
    published = {r["doc_id"] for r in ledger if r["status"] == "published"}
    for name in PUBLISHED_TABLES:
        if name != "sources":
            for path in publisher.legacy_files(name):
                problems.append(f"not migrated: {publisher.relative(path)} is in the layout of an earlier version; run `seimei run`")
        files = {"sources": ledger_path} if name == "sources" else publisher.bucket_files(name)
        for _bucket, path in sorted(files.items()):
            shown = publisher.relative(path)
            table = publisher.read_file(path)
            if name != "sources":
                for doc_id in sorted(set(table.column("doc_id").unique().to_pylist()) - published):
                    problems.append(f"orphan: {shown} holds rows of document {doc_id}, which belongs to no published source")
            recorded = (table.schema.metadata or {}).get(ROWS_HASH_KEY.encode())
            if recorded is None:
                problems.append(f"unverifiable: {shown} records no rows hash")
            elif not rows_match(table, recorded.decode()):
                problems.append(f"rows changed: {shown} no longer matches its recorded rows hash")
    return problems
