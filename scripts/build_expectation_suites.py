"""Writes expectations/<table>.json, the Great Expectations suites of the published tables.

The suites start from the contracts in schemas/ (non-null columns, keys, closed value sets) and
add the value rules a contract cannot state. Types are not checked here: the pyarrow schema
enforces them (GX type expectations misfire under pandas 3). The JSON files are the reviewed
artefacts the pipeline loads; rerun this after changing a contract and review the diff.

usage: python scripts/build_expectation_suites.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from schemas.contract import TableContract
from schemas.tables import PUBLISHED_TABLES

ROOT = Path(__file__).resolve().parents[1]
HEX16, HEX64 = r"^[0-9a-f]{16}$", r"^[0-9a-f]{64}$"
GARBAGE = r"(?:\(cid:\d+\)\s*){3,}|\ufffd{3,}|[\u2f00-\u2fdf]{3,}"


def when_status(value: str) -> dict:
    """A GX 1.x row condition (the serialized form of Column("status") == value)."""
    return {"type": "comparison", "column": {"name": "status"}, "operator": "==", "parameter": value}


def e(kind: str, **kwargs) -> dict:
    return {"type": kind, "kwargs": kwargs, "meta": {}}


def contract_rules(contract: TableContract) -> list[dict]:
    rules = [e("expect_column_values_to_not_be_null", column=c.name) for c in contract.columns if not c.nullable]
    if len(contract.key) == 1:
        rules.append(e("expect_column_values_to_be_unique", column=contract.key[0]))
    else:
        rules.append(e("expect_compound_columns_to_be_unique", column_list=list(contract.key)))
    rules += [e("expect_column_values_to_be_in_set", column=c.name, value_set=list(c.allowed)) for c in contract.columns if c.allowed]
    return rules


def offsets(*index_columns: str) -> list[dict]:
    return [
        e("expect_column_values_to_be_between", column="char_start", min_value=0),
        e("expect_column_pair_values_a_to_be_greater_than_b", column_A="char_end", column_B="char_start", or_equal=False),
        *[e("expect_column_values_to_be_between", column=c, min_value=0) for c in index_columns],
    ]


EXTRA_RULES: dict[str, list[dict]] = {
    "sources": [
        e("expect_column_values_to_match_regex", column="source_sha256", regex=HEX64),
        e("expect_column_values_to_match_regex", column="doc_id", regex=HEX16),
        e("expect_column_values_to_be_between", column="size_bytes", min_value=0),
        e("expect_column_values_to_not_be_null", column="reason", row_condition=when_status("rejected")),
        e("expect_column_values_to_not_be_null", column="doc_id", row_condition=when_status("published")),
        e("expect_column_values_to_be_null", column="reason", row_condition=when_status("published")),
    ],
    "documents": [
        e("expect_column_values_to_match_regex", column="doc_id", regex=HEX16),
        e("expect_column_values_to_match_regex", column="source_sha256", regex=HEX64),
        e("expect_column_value_lengths_to_be_between", column="text", min_value=1),
        e("expect_column_values_to_not_match_regex", column="text", regex=GARBAGE),
        e("expect_column_values_to_be_between", column="char_count", min_value=1),
        e("expect_column_values_to_be_between", column="page_count", min_value=1),
    ],
    "sentences": [
        e("expect_column_values_to_match_regex", column="doc_id", regex=HEX16),
        *offsets("sentence_idx"),
        e("expect_column_values_to_be_between", column="page", min_value=1),
        e("expect_column_value_lengths_to_be_between", column="text", min_value=1),
    ],
    "tokens": [
        e("expect_column_values_to_match_regex", column="doc_id", regex=HEX16),
        *offsets("sentence_idx", "token_idx"),
        e("expect_column_value_lengths_to_be_between", column="surface", min_value=1),
        e("expect_column_value_lengths_to_be_between", column="pos", min_value=1),
    ],
}


def suite(contract: TableContract) -> dict:
    import great_expectations as gx

    expectations = contract_rules(contract) + EXTRA_RULES[contract.name]
    built = gx.ExpectationSuite(
        name=contract.name,
        expectations=[_expectation(x) for x in expectations],
        meta={"contract": f"schemas/tables.py:{contract.name.upper()}", "generated_by": "scripts/build_expectation_suites.py"},
    )
    out = built.to_json_dict()
    out["meta"].pop("great_expectations_version", None)  # keeps the files stable across GX patch releases
    for x in out["expectations"]:
        x.pop("id", None)
    return out


def _expectation(spec: dict):
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    return ExpectationConfiguration(type=spec["type"], kwargs=spec["kwargs"], meta=spec["meta"]).to_domain_obj()


def main() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    folder = ROOT / "expectations"
    folder.mkdir(exist_ok=True)
    for contract in PUBLISHED_TABLES.values():
        path = folder / f"{contract.name}.json"
        path.write_text(json.dumps(suite(contract), ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main()
