"""The job every run uses: scan the inbox, process a range of documents in one run, publish.
A ledger-only refresh is the same job with the asset selection narrowed to inbox_files + sources
(+ the corpus report built from the ledger)."""

import dagster as dg

from pipeline.versions import CODE_VERSIONS, CORPUS_WIDE

INGEST_JOB = "ingest_statements"
# The ledger and what is built from it: once per `seimei run`, in its last run, after every document.
LEDGER_ONLY = [dg.AssetKey(name) for name in ("inbox_files", *CORPUS_WIDE)]
WITHOUT_LEDGER = [dg.AssetKey(name) for name in CODE_VERSIONS if name not in CORPUS_WIDE]

def _executor():
    """Every step of a run in the run's own process by default: one import of GX and one worker
    pool per step instead of a process per step, so a file dropped into the inbox is published in
    seconds. SEIMEI_EXECUTOR=multiprocess: Dagster's steps as local processes;
    SEIMEI_EXECUTOR=k8s: each step in its own Kubernetes job (dagster-k8s, configured by
    deploy/run_config.k8s.yaml). Steps fan out to worker processes either way (SEIMEI_WORKERS)."""
    import os

    choice = os.environ.get("SEIMEI_EXECUTOR", "in_process")
    if choice == "k8s":
        from dagster_k8s import k8s_job_executor

        return k8s_job_executor
    if choice == "multiprocess":
        return dg.multiprocess_executor
    return dg.in_process_executor


ingest_statements = dg.define_asset_job(
    INGEST_JOB,
    selection=dg.AssetSelection.all(),
    description="Scan the inbox, process the run's documents (a partition range, in one run) and publish.",
    executor_def=_executor(),
)
