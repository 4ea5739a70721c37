"""The corpus report: after the ledger is published, one self-contained HTML page picturing the
corpus (pipeline/corpus_report.py builds it), written to _report/ in the publish location with
its charts as PNG, and shown in Dagster as the materialization's metadata."""


import base64
from pathlib import Path

import dagster as dg

from assets.publishing import CHECK_NAME
from assets.sources import sources
from pipeline.corpus_report import DOCUMENT_COLUMNS, LEDGER_COLUMNS, OFFICIAL_COLUMNS, REPORT_FONT, SECTOR_COLUMNS, build_report
from pipeline.planning import REPORT_STAMP, report_stamp
from pipeline.project import OWNERS
from pipeline.resources import SeimeiSettings
from pipeline.versions import code_version
from schemas.tables import PUBLISHED_TABLES

REPORT_DIR = "_report"  # a private name: Parquet dataset readers skip it
REPORT_FILE = "corpus_report.html"


def report_font_files() -> dict[str, Path]:
    """The IPAexGothic font the page falls back to (pipeline/corpus_report.py's @font-face) and its
    licence, in the pinned matplotlib-fontja wheel: copied beside the page, so a browser on a
    machine without a Japanese font shows the page's Japanese text too."""
    import matplotlib_fontja

    fonts = Path(matplotlib_fontja.__file__).parent / "fonts"
    return {name: fonts / name for name in (REPORT_FONT, "IPA_Font_License_Agreement_v1.0.txt")}


@dg.asset(
    deps=[sources],
    code_version=code_version("corpus_report"),
    group_name="report",
    kinds={"html", "matplotlib"},
    owners=OWNERS,
    description="A self-contained HTML picture of the published corpus: meetings and officials over time, "
                "sectors by meeting date, rejected files by reason, and each table's latest validation. "
                f"Written to {REPORT_DIR}/{REPORT_FILE} in the publish location, its charts beside it as PNG.",
)
def corpus_report(context: dg.AssetExecutionContext, settings: SeimeiSettings) -> dg.MaterializeResult:
    store, publisher = settings.store, settings.publisher
    location = publisher.location
    store.delete(*REPORT_STAMP)  # a report that fails half-way is redone by the next `seimei run`
    built_from = report_stamp(publisher)  # before reading: a ledger rewritten meanwhile makes it stale
    ledger_path = publisher.ledger_path()
    report = build_report(
        documents=publisher.read("documents", columns=DOCUMENT_COLUMNS),
        officials=publisher.read("officials", columns=OFFICIAL_COLUMNS),
        sectors=publisher.read("sectors", columns=SECTOR_COLUMNS),
        ledger=publisher.read_file(ledger_path, columns=LEDGER_COLUMNS) if publisher.exists(ledger_path) else None,
        validation=latest_validation(context.instance),
        run_id=context.run.run_id,
    )
    chart_metadata = {}
    for name, png in report.charts.items():
        location.write_bytes(location.path(REPORT_DIR, f"{name}.png"), png)
        chart_metadata[f"chart_{name}"] = dg.MetadataValue.md(
            f"![{name}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})")
        chart_metadata[f"chart_{name}_png"] = dg.MetadataValue.path(location.display(REPORT_DIR, f"{name}.png"))
    for name, source in report_font_files().items():  # once: the page's text in Japanese on any machine
        path = location.path(REPORT_DIR, name)  # a copy of the wheel's file: its size tells whether it is there
        if location.fs.get_file_info(path).size != source.stat().st_size:
            location.write_bytes(path, source.read_bytes())
    location.write_bytes(location.path(REPORT_DIR, REPORT_FILE), report.html.encode("utf-8"))
    store.write(*REPORT_STAMP, built_from)
    counts = report.counts
    return dg.MaterializeResult(
        metadata={
            "dagster/uri": dg.MetadataValue.path(location.display(REPORT_DIR, REPORT_FILE)),
            **{k: counts[k] for k in ("documents", "meetings", "documents_without_meeting_date", "officials",
                                      "sectors", "files", "published", "rejected", "duplicate")},
            "rejected_by_reason": dg.MetadataValue.json(counts["rejected_by_reason"]),
            "tables_without_validation": dg.MetadataValue.json(counts["tables_without_validation"]),
            **chart_metadata,
        },
        data_version=dg.DataVersion(report.content_sha256[:16]),
    )


def latest_validation(instance: dg.DagsterInstance) -> dict[str, dict | None]:
    """{published table: its latest gx_suite evaluation as a plain dict, or None when it has none},
    from the instance's event log (one query for all tables)."""
    keys = {table: dg.AssetCheckKey(dg.AssetKey(table), CHECK_NAME) for table in PUBLISHED_TABLES}
    storage = instance.event_log_storage
    latest = storage.get_latest_asset_check_execution_by_key(list(keys.values()))
    found: dict[str, dict | None] = {}
    for table, key in keys.items():
        record = latest.get(key)
        if record is not None and (record.event is None or record.event.asset_check_evaluation is None):
            record = _last_evaluated(storage, key, before=record.id)  # planned by a run that never evaluated it
        found[table] = None if record is None else _plain(record.event.asset_check_evaluation, record.run_id)
    return found


def _last_evaluated(storage, key: dg.AssetCheckKey, before: int, page: int = 20):
    """The newest execution record of the check that holds an evaluation, older than `before`."""
    cursor = before
    while True:
        records = storage.get_asset_check_execution_history(key, limit=page, cursor=cursor)
        for record in records:
            if record.event is not None and record.event.asset_check_evaluation is not None:
                return record
        if len(records) < page:
            return None
        cursor = records[-1].id


def _plain(evaluation: dg.AssetCheckEvaluation, run_id: str) -> dict:
    meta = {k: getattr(v, "value", v) for k, v in evaluation.metadata.items()}
    return {
        "passed": evaluation.passed,
        "severity": evaluation.severity.value,
        "expectations_evaluated": meta.get("expectations_evaluated"),
        "expectations_failed": meta.get("expectations_failed"),
        "documents_held_back": meta.get("documents_held_back") or {},
        "failed": meta.get("failed") or [],
        "run_id": run_id,
    }
