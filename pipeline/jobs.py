"""The two jobs: the whole pipeline over a range of documents, and a ledger-only refresh."""

import dagster as dg

INGEST_JOB = "ingest_statements"
LEDGER_JOB = "refresh_ledger"

ingest_statements = dg.define_asset_job(
    INGEST_JOB,
    selection=dg.AssetSelection.all(),
    description="Scan the inbox, process the run's documents (a partition range, in one run) and publish.",
)
refresh_ledger = dg.define_asset_job(
    LEDGER_JOB,
    selection=dg.AssetSelection.assets("inbox_files", "sources"),
    description="Rescan the inbox and rewrite the sources ledger, with no document work.",
)
