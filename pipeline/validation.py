"""Running the Great Expectations suites in expectations/ against published tables.

GX 1.x is called directly (dagster-ge pins GX < 1 and pandas < 3), so this module does not import
dagster. GX is imported lazily, on the first load or validation — the import alone costs about two
seconds — with analytics off and its tqdm progress bars off. One ephemeral context serves the
whole process. A suite file entry that GX cannot turn into an expectation is an error here: GX
itself only logs it and drops the entry, which would silently weaken the suite.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from pipeline.core.shorten import shorten

EXPECTATIONS_DIR = Path(__file__).resolve().parents[1] / "expectations"
MAX_EXAMPLES = 5
MAX_EXAMPLE_CHARS = 200  # a garbage document's whole text would otherwise be one example
_lock = threading.RLock()
_state: dict = {}


@dataclass(frozen=True)
class FailedExpectation:
    expectation_type: str
    column: str | None  # the column, or the columns joined by ", "
    columns: list[str]
    kwargs: dict
    unexpected_count: int | None
    examples: list[str] = field(default_factory=list)
    error: str | None = None  # set when the expectation raised instead of evaluating
    severity: str = "critical"  # critical blocks the rows' documents from publishing; warning does not
    doc_ids: list[str] = field(default_factory=list)  # documents whose rows failed
    words: str = ""  # the expectation as GX says it in words ("office values must never be null.")
    failing_rows: list[dict] = field(default_factory=list)  # a few failing rows: the value and the row's naming columns

    @property
    def blocking(self) -> bool:
        return self.severity == "critical"

    def describe(self) -> str:
        where = f" on {self.column}" if self.column else ""
        return f"{self.expectation_type}{where}"


@dataclass(frozen=True)
class ValidationReport:
    table: str
    success: bool
    evaluated: int
    failed: list[FailedExpectation]
    result_json: dict
    pages: tuple[str, ...] = ()  # GX Data Docs, one HTML page per validation


def _gx():
    os.environ["GX_ANALYTICS_ENABLED"] = "false"  # read at import time; no network calls from runs
    import great_expectations as gx

    return gx


def _context():
    """The process's ephemeral context with its one pandas data source, made on first use."""
    with _lock:
        if "context" not in _state:
            gx = _gx()
            from great_expectations.data_context.types.base import ProgressBarsConfig
            from great_expectations.execution_engine import pandas_execution_engine

            # GX fingerprints every batch it loads (twice per validation) by hashing the frame,
            # and pickles the whole frame when a column holds lists (documents.countries): a
            # batch marker nothing here reads, about a fifth of a documents validation and a
            # copy of its rows. GX compares the frame's size with this module global at each
            # load; 0 leaves the fingerprint out (tests/test_validation.py checks that it does).
            pandas_execution_engine.HASH_THRESHOLD = 0

            context = gx.get_context(mode="ephemeral")
            # Validator._determine_progress_bars reads this; without it every validation draws
            # a "Calculating Metrics" tqdm bar on stderr.
            context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
            _state["datasource"] = context.data_sources.add_pandas("seimei_published")
            _state["batch_definitions"] = {}
            _state["context"] = context
        return _state["context"]


def load_suite(table_name: str, folder: Path = EXPECTATIONS_DIR):
    """The table's ExpectationSuite; ValueError when any entry of the file does not load."""
    gx = _gx()
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    path = Path(folder) / f"{table_name}.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    if raw.get("name") != table_name:
        raise ValueError(f"{path}: suite name {raw.get('name')!r} is not the table name {table_name!r}")
    entries = raw.get("expectations") or []
    problems = []
    for i, entry in enumerate(entries):
        try:
            ExpectationConfiguration(**entry).to_domain_obj()
        except Exception as exc:  # unknown type, missing or unknown kwargs, bad values
            problems.append(f"entry {i} ({entry.get('type')}): {getattr(exc, 'message', None) or exc}")
    if problems:
        raise ValueError(f"{path}: {len(problems)} of {len(entries)} expectations do not load: " + "; ".join(problems))
    suite = gx.ExpectationSuite(**{k: raw[k] for k in ("name", "expectations", "meta", "notes") if k in raw})
    wanted, loaded = [x["type"] for x in entries], [x.expectation_type for x in suite.expectations]
    if loaded != wanted:  # belt and braces: GX drops what it cannot build
        raise ValueError(f"{path}: {len(wanted)} expectations in the file, {len(loaded)} loaded: {loaded}")
    return suite


def _cached_suite(table_name: str, folder: Path):
    """load_suite, again only when the file changed: a run validates a table chunk after chunk."""
    path = Path(folder) / f"{table_name}.json"
    key = (str(path), path.stat().st_mtime_ns)
    suites = _state.setdefault("suites", {})
    if key not in suites:
        suites[key] = load_suite(table_name, folder)
    return suites[key]


def warm_up(folder: Path = EXPECTATIONS_DIR) -> None:
    """GX imported, the context made and every suite in the folder loaded, before the first table
    comes (pipeline/validation_service.py does this while the run reads)."""
    with _lock:
        _context()
        for path in sorted(Path(folder).glob("*.json")):
            _cached_suite(path.stem, folder)
            _batch_definition(path.stem)


def _batch_definition(table_name: str):
    """One dataframe asset per table, reused: a second add_dataframe_asset of a name would fail."""
    _context()
    definitions = _state["batch_definitions"]
    if table_name not in definitions:
        asset = _state["datasource"].add_dataframe_asset(name=table_name)
        definitions[table_name] = asset.add_batch_definition_whole_dataframe(f"{table_name}_whole")
    return definitions[table_name]


TEXT_LENGTH_COLUMN = "doc_char_count"  # validation-only: lets a suite check offsets against documents.text
COUNTRIES_TEXT_COLUMN = "countries_joined"  # validation-only: documents.countries as "JP,KR,US" for a regex


def validate_table(table_name: str, table: pa.Table, folder: Path = EXPECTATIONS_DIR,
                   text_lengths: dict[str, int] | None = None) -> ValidationReport:
    """Run the table's suite over all of its rows; never raises for failing data."""
    suite = _cached_suite(table_name, folder)
    if "doc_id" in table.column_names and {"char_end", "first_char_start"} & set(table.column_names):
        lengths = [(text_lengths or {}).get(d) for d in table.column("doc_id").to_pylist()]
        table = table.append_column(TEXT_LENGTH_COLUMN, pa.array(lengths, pa.int64()))
    if "countries" in table.column_names:
        joined = [",".join(c) if c is not None else None for c in table.column("countries").to_pylist()]
        table = table.append_column(COUNTRIES_TEXT_COLUMN, pa.array(joined, pa.string()))
    frame = table.to_pandas()
    with _lock:  # the context and its assets are shared by every caller in the process
        batch = _batch_definition(table_name).get_batch(batch_parameters={"dataframe": frame})
        result_format = {"result_format": "SUMMARY", "partial_unexpected_count": MAX_EXAMPLES, "return_unexpected_index_query": False}
        naming = [c for c in dict.fromkeys(("doc_id", *failing_row_columns(table_name))) if c in table.column_names]
        if naming:  # every failing row's index: their documents are held back (see _named_rows)
            result_format.update(result_format="COMPLETE")
        try:
            result = batch.validate(suite, result_format=result_format, expectation_parameters=suite_parameters())
        finally:  # GX's engine keeps each table's last frame (its batch caches); one chunk's rows, 7 tables
            manager = batch.data.execution_engine.batch_manager
            manager.reset_batch_cache()
            manager.batch_data_cache.clear()
        for r in result.results:
            _named_rows(r, table, naming)
        failed = [_failure(r) for r in result.results if not r.success]
        summary = result_summary(table_name, result, failed)
        page = data_docs_page(result)
    return ValidationReport(
        table=table_name,
        success=bool(result.success),
        evaluated=len(result.results),
        failed=failed,
        result_json=summary,
        pages=(page,),
    )


_DOC_IDS = "seimei_doc_ids"  # put in a result's details by _named_rows: every failing row's doc_id, once each


def _named_rows(r, table: pa.Table, naming: list[str]) -> None:
    """A failed result's rows named the way a person finds them: the doc_ids of every failing row,
    and for the first few the checked value with the naming columns (doc_id, key, name, office),
    in GX's own shape, so _failure and the Data Docs page read them where GX puts them.

    GX would name the rows itself (unexpected_index_column_names), but it reads every failing
    row's every naming column one cell at a time (DataFrame.at): 12,000 officials outside their
    terms took 2.9 s of a 3 s validation. Asked for no names, it lists the failing rows' index,
    which to_pandas() made the row's position in `table`; the names are a vectorized take here."""
    details = r.result or {}
    positions = details.get("unexpected_index_list")
    if r.success or not naming or not positions:
        return
    import pyarrow.compute as pc

    indices = pa.array([int(p) for p in positions], pa.int64())
    details[_DOC_IDS] = sorted(str(d) for d in pc.unique(table.column("doc_id").take(indices)).to_pylist() if d is not None)
    domain = _domain_columns(r.expectation_config.kwargs)
    shown = [c for c in dict.fromkeys((*domain, *naming)) if c in table.column_names]
    first = table.select(shown).take(indices[:MAX_EXAMPLES]).to_pylist()
    details["unexpected_index_list"] = first
    details["partial_unexpected_index_list"] = first


def _domain_columns(kwargs: dict) -> list[str]:
    """The columns an expectation checks: its column, its column list, or its pair."""
    return [kwargs["column"]] if kwargs.get("column") else list(kwargs.get("column_list") or []) or [
        kwargs[k] for k in ("column_A", "column_B") if kwargs.get(k)]


def failing_row_columns(table_name: str) -> tuple[str, ...]:
    """The columns that name a failing row in results (its key, then what a person reads: an
    official's name and office, a date's surface), from the table's spec."""
    from schemas.tables import PUBLISHED_TABLES

    contract = PUBLISHED_TABLES.get(table_name)
    return (*contract.key, *contract.failing_row_columns) if contract else ()


def data_docs_page(result) -> str:
    """GX's own Data Docs page for one validation (each expectation in words, its observed value,
    failing rows with their naming columns), rendered from the result cut to a few rows and short
    values: the COMPLETE result holds every failing value, a garbage document's whole text too."""
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    for r in result.results:
        details = r.result
        if not details:
            continue
        details.pop("unexpected_index_query", None)  # a pandas expression naming every failing row
        for key in ("unexpected_list", "partial_unexpected_list"):
            if key in details:
                details[key] = [_short(v) for v in details[key][:MAX_EXAMPLES]]
        for key in ("unexpected_index_list", "partial_unexpected_index_list", "partial_unexpected_counts"):
            if key in details:
                details[key] = [{k: _short(v) for k, v in row.items()} if isinstance(row, dict) else _short(row)
                                for row in details[key][:MAX_EXAMPLES]]
    if "page_view" not in _state:  # one Jinja environment, its templates compiled once, not per page
        _state["page_view"] = DefaultJinjaPageView()
    return _state["page_view"].render(ValidationResultsPageRenderer().render(result))


def _short(value):
    return shorten(value, MAX_EXAMPLE_CHARS) if isinstance(value, str) else value


MAX_DOC_IDS = 100  # per failed expectation in the stored summary


def result_summary(table_name: str, result, failed: list[FailedExpectation]) -> dict:
    """What a run keeps of a validation: per expectation its type, arguments, outcome, counts,
    the doc_ids of failing rows and a few short examples. Not GX's COMPLETE result, which holds
    every failing value (a held-back document's whole text, twice)."""
    entries = []
    failures = iter(failed)
    for r in result.results:
        failure = None if r.success else next(failures)
        details = r.result or {}
        entries.append({
            "expectation": r.expectation_config.type,
            "kwargs": _json_safe({k: v for k, v in r.expectation_config.kwargs.items() if k not in ("batch_id", "value_set")}),
            "success": bool(r.success),
            "element_count": details.get("element_count"),
            "unexpected_count": details.get("unexpected_count"),
            **({"severity": failure.severity, "words": failure.words, "examples": failure.examples,
                "failing_rows": failure.failing_rows, "doc_ids": failure.doc_ids[:MAX_DOC_IDS],
                "doc_ids_total": len(failure.doc_ids), **({"error": failure.error} if failure.error else {})}
               if failure else {}),
        })
    return {"table": table_name, "success": bool(result.success), "evaluated": len(result.results),
            "failed": sum(not e["success"] for e in entries), "results": entries}


def suite_parameters() -> dict:
    """Values the suites leave open: the latest date a statement may mention (today + 1 year)."""
    today = dt.date.today()
    return {"latest_allowed_date": today.replace(year=today.year + 1, day=min(today.day, 28)).isoformat()}


def _json_safe(value):
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _example(value) -> str:
    text = value if isinstance(value, str) else json.dumps(_json_safe(value), ensure_ascii=False, sort_keys=True)
    return shorten(text, MAX_EXAMPLE_CHARS)


def _error(exception_info) -> str | None:
    """exception_info is one {raised_exception, exception_message, ...} dict, or one per metric."""
    infos = [exception_info] if isinstance(exception_info, dict) and "raised_exception" in exception_info else (
        list(exception_info.values()) if isinstance(exception_info, dict) else [])
    messages = [str(i.get("exception_message")) for i in infos if isinstance(i, dict) and i.get("raised_exception")]
    return "; ".join(dict.fromkeys(messages)) or None


def _failure(r) -> FailedExpectation:
    kwargs = _json_safe({k: v for k, v in r.expectation_config.kwargs.items() if k != "batch_id"})
    columns = _domain_columns(kwargs)
    details = r.result or {}
    return FailedExpectation(
        expectation_type=r.expectation_config.type,
        column=", ".join(columns) or None,
        columns=columns,
        kwargs=kwargs,
        unexpected_count=details.get("unexpected_count"),
        examples=[_example(v) for v in (details.get("partial_unexpected_list") or [])[:MAX_EXAMPLES]],
        error=_error(r.exception_info),
        severity=str(getattr(r.expectation_config, "severity", None) or "critical").split(".")[-1].lower(),
        doc_ids=details.get(_DOC_IDS, []),
        words=_in_words(r.expectation_config),
        failing_rows=[{k: _json_safe(_short(v)) for k, v in row.items()}
                      for row in (details.get("partial_unexpected_index_list") or [])[:MAX_EXAMPLES] if isinstance(row, dict)],
    )


def _in_words(config) -> str:
    """GX's own sentence for an expectation, its parameters filled in; "" when it has none."""
    import re

    try:
        expectation = config.to_domain_obj()
        expectation.render()
        value = expectation.rendered_content[0].value
        template, params = value.template, value.params or {}
    except Exception:  # noqa: BLE001 - a sentence is a nicety; the type and kwargs are still there
        return ""

    def fill(match):
        param = params.get(match.group(1))
        return str(param.get("value") if isinstance(param, dict) else param)

    return _short(re.sub(r"\$(\w+)", fill, template or ""))


def merge_reports(reports: list[ValidationReport]) -> ValidationReport:
    """One report for a table validated in chunks (documents stream through, memory stays flat):
    the same expectation failing in several chunks is one failure with the counts added up."""
    if len(reports) == 1:
        return reports[0]
    merged: dict[str, FailedExpectation] = {}
    for failure in (f for r in reports for f in r.failed):
        key = json.dumps([failure.expectation_type, failure.columns, failure.kwargs], sort_keys=True, default=str)
        seen = merged.get(key)
        if seen is None:
            merged[key] = failure
            continue
        counts = [c for c in (seen.unexpected_count, failure.unexpected_count) if c is not None]
        merged[key] = FailedExpectation(
            expectation_type=seen.expectation_type, column=seen.column, columns=seen.columns, kwargs=seen.kwargs,
            unexpected_count=sum(counts) if counts else None,
            examples=(seen.examples + failure.examples)[:MAX_EXAMPLES], error=seen.error or failure.error,
            severity=seen.severity, doc_ids=sorted(set(seen.doc_ids) | set(failure.doc_ids)),
            words=seen.words, failing_rows=(seen.failing_rows + failure.failing_rows)[:MAX_EXAMPLES],
        )
    return ValidationReport(
        table=reports[0].table if reports else "",
        success=all(r.success for r in reports),
        evaluated=max((r.evaluated for r in reports), default=0),
        failed=list(merged.values()),
        result_json={"chunks": [r.result_json for r in reports]},
        pages=tuple(p for r in reports for p in r.pages),
    )
