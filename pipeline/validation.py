"""Running the Great Expectations suites in expectations/ against published rows.

GX 1.x is called directly (dagster-ge pins GX < 1 and pandas < 3). GX is imported lazily and once
per process — the import alone costs seconds — with analytics and progress bars off. A suite file
entry that GX cannot turn into an expectation is an error here, not a silent drop.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

EXPECTATIONS_DIR = Path(__file__).resolve().parents[1] / "expectations"
MAX_EXAMPLES = 5
_lock = threading.RLock()
_state: dict = {}


@dataclass(frozen=True)
class FailedExpectation:
    expectation_type: str
    column: str | None
    kwargs: dict
    unexpected_count: int | None
    examples: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class ValidationReport:
    table: str
    success: bool
    evaluated: int
    failed: list[FailedExpectation]
    result_json: dict


def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    return gx


def _context():
    with _lock:
        if "context" not in _state:
            gx = _gx()
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
            _state["context"] = context
            _state["datasource"] = context.data_sources.add_pandas("seimei_published")
            _state["batches"] = {}
        return _state["context"]


def load_suite(table_name: str, folder: Path = EXPECTATIONS_DIR):
    """The suite for a table, every entry of its JSON file accounted for."""
    gx = _gx()
    path = Path(folder) / f"{table_name}.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    wanted = [x["type"] for x in raw.get("expectations", [])]
    suite = gx.ExpectationSuite(**{k: v for k, v in raw.items() if k in ("name", "expectations", "meta", "notes", "id")})
    loaded = [x.expectation_type for x in suite.expectations]
    if loaded != wanted:
        missing = [t for t in wanted if t not in loaded] or wanted[len(loaded):]
        raise ValueError(f"{path}: {len(wanted) - len(loaded)} of {len(wanted)} expectations did not load: {missing}")
    return suite


def _batch_definition(table_name: str):
    _context()
    batches = _state["batches"]
    if table_name not in batches:
        asset = _state["datasource"].add_dataframe_asset(name=table_name)
        batches[table_name] = asset.add_batch_definition_whole_dataframe(f"{table_name}_rows")
    return batches[table_name]


def validate_table(table_name: str, table: pa.Table, folder: Path = EXPECTATIONS_DIR) -> ValidationReport:
    suite = load_suite(table_name, folder)
    with _lock:
        batch = _batch_definition(table_name).get_batch(batch_parameters={"dataframe": table.to_pandas()})
        result = batch.validate(suite)
    failed = [_failure(r) for r in result.results if not r.success]
    return ValidationReport(
        table=table_name,
        success=bool(result.success),
        evaluated=len(result.results),
        failed=failed,
        result_json=json.loads(json.dumps(result.to_json_dict(), default=str)),
    )


def _failure(r) -> FailedExpectation:
    config = r.expectation_config
    kwargs = json.loads(json.dumps(dict(config.kwargs), default=str))
    details = r.result or {}
    error = (r.exception_info or {}).get("exception_message") if isinstance(r.exception_info, dict) else None
    return FailedExpectation(
        expectation_type=config.type,
        column=kwargs.get("column") or ",".join(kwargs.get("column_list", []) or [kwargs.get("column_A", ""), kwargs.get("column_B", "")]).strip(",") or None,
        kwargs=kwargs,
        unexpected_count=details.get("unexpected_count"),
        examples=[str(v) for v in (details.get("partial_unexpected_list") or [])[:MAX_EXAMPLES]],
        error=error,
    )
