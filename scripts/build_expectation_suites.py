"""Writes expectations/<table>.json, the Great Expectations suites of the published tables.

The suites start from the contracts in schemas/tables.py (non-null columns, keys, closed value
sets), so a column added to a contract is covered after a rerun, and add the value rules a
contract cannot state. Types are not checked here: the pyarrow schema enforces them (GX type
expectations misfire under pandas 3). The JSON files are the reviewed artefacts the pipeline
loads; rerun this after changing a contract and review the diff. tests/test_validation.py fails
when the files and this script disagree.

usage: python scripts/build_expectation_suites.py [--check]
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from schemas.contract import TableContract
from schemas.generated import write_or_check
from schemas.tables import PUBLISHED_TABLES

ROOT = Path(__file__).resolve().parents[1]
EXPECTATIONS_DIR = ROOT / "expectations"

# \Z, not $: Python's $ also matches before a trailing newline. pandas hands \Z to pyarrow as \z.
HEX16, HEX64 = r"^[0-9a-f]{16}\Z", r"^[0-9a-f]{64}\Z"
# Text-layer garbage: pdfminer's (cid:N) for glyphs without a Unicode mapping, U+FFFD from a
# failed decode, Kangxi radicals (U+2F00-U+2FDF) that some PDF fonts emit in place of kanji.
# The \u escapes make pandas use Python's re (RE2 has no \u), which is what GX calls via str.contains.
# Dates are bounded by the first era year the parser knows and by a suite parameter, filled in at
# validation time (today + 1 year), so the reviewed JSON holds no clock.
EARLIEST_DATE = "1868-01-01"
LATEST_DATE = {"$PARAMETER": "latest_allowed_date"}
GARBAGE = r"(?:\(cid:[0-9]+\)\s*){3,}|\ufffd{3,}|[\u2f00-\u2fdf]{3,}"
MAX_TITLE_CHARS = 200  # a longer title is the body taken for a heading: published, with a warning
# two characters that only cp1252 (or a custom font encoding) puts there, close together
# (平成™—年›月): text decoded with the wrong map. A warning: the rows still publish.
MOJIBAKE = r"[™›‹€ƒ„†‡ˆ‰ŠŒŽšœžŸ][^\n]{0,3}[™›‹€ƒ„†‡ˆ‰ŠŒŽšœžŸ]"


def contract_rules(gx, contract: TableContract) -> list:
    """What the contract states: non-null columns, the key, closed value sets."""
    E = gx.expectations
    rules = [E.ExpectColumnValuesToNotBeNull(column=c.name) for c in contract.columns if not c.nullable]
    if len(contract.key) == 1:
        rules.append(E.ExpectColumnValuesToBeUnique(column=contract.key[0]))
    else:
        rules.append(E.ExpectCompoundColumnsToBeUnique(column_list=list(contract.key)))
    rules += [E.ExpectColumnValuesToBeInSet(column=c.name, value_set=list(c.allowed)) for c in contract.columns if c.allowed]
    return rules


def value_rules(gx, table: str) -> list:
    """What the contract cannot state. Map expectations skip nulls, so nullable columns are fine."""
    from great_expectations.expectations.row_conditions import Column as Row

    E = gx.expectations
    status = Row("status")

    def at_least(column: str, minimum: int):
        return E.ExpectColumnValuesToBeBetween(column=column, min_value=minimum)

    def within_text(column: str, or_equal: bool):
        # doc_char_count is added for validation only (pipeline/validation.py): len(documents.text)
        return E.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="doc_char_count", column_B=column, or_equal=or_equal, ignore_row_if="either_value_is_missing")

    def offsets(*indexes: str) -> list:
        return [
            at_least("char_start", 0),
            E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="char_end", column_B="char_start", or_equal=False),
            within_text("char_end", or_equal=True),
            *[at_least(c, 0) for c in indexes],
        ]

    def non_empty(column: str):
        return E.ExpectColumnValueLengthsToBeBetween(column=column, min_value=1)

    return {
        "sources": [
            E.ExpectColumnValuesToMatchRegex(column="source_sha256", regex=HEX64),
            E.ExpectColumnValuesToMatchRegex(column="doc_id", regex=HEX16),
            at_least("size_bytes", 0),
            E.ExpectColumnValuesToNotBeNull(column="doc_id", row_condition=status == "published"),
            E.ExpectColumnValuesToBeNull(column="doc_id", row_condition=status == "rejected"),
            # rejected: why; duplicate: which file it duplicates
            E.ExpectColumnValuesToNotBeNull(column="reason", row_condition=status != "published"),
            E.ExpectColumnValuesToBeNull(column="reason", row_condition=status == "published"),
        ],
        "documents": [
            E.ExpectColumnValuesToMatchRegex(column="doc_id", regex=HEX16),
            E.ExpectColumnValuesToMatchRegex(column="source_sha256", regex=HEX64),
            # the core rejects a file with no readable text, so a published text is never empty
            non_empty("text"),
            at_least("char_count", 1),
            at_least("page_count", 1),
            E.ExpectColumnValuesToNotMatchRegex(column="text", regex=GARBAGE),
            E.ExpectColumnValueLengthsToBeBetween(column="title", max_value=MAX_TITLE_CHARS, severity="warning"),
            E.ExpectColumnValuesToNotMatchRegex(column="title", regex=MOJIBAKE, severity="warning"),
            E.ExpectColumnValuesToNotMatchRegex(column="text", regex=MOJIBAKE, severity="warning"),
            # countries is a list: pipeline/validation.py adds countries_joined ("JP,KR,US") for this check
            E.ExpectColumnValuesToMatchRegex(column="countries_joined",
                                             regex=rf"^(?:(?:{'|'.join(iso_codes())})(?:,(?=.)|\Z))*\Z"),
            E.ExpectColumnValuesToNotBeNull(column="meeting_date", row_condition=Row("doc_type") == "joint_statement"),
            E.ExpectColumnValuesToBeBetween(column="meeting_date", min_value=EARLIEST_DATE, max_value=LATEST_DATE),
            # cross-field: a meeting is not dated after the next one it announces (a misread date)
            E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="next_meeting_date", column_B="meeting_date", or_equal=True,
                                                      ignore_row_if="either_value_is_missing", severity="warning"),
        ],
        "sentences": [
            E.ExpectColumnValuesToMatchRegex(column="doc_id", regex=HEX16),
            E.ExpectColumnValuesToMatchRegex(column="source_sha256", regex=HEX64),
            *offsets("sentence_idx"),
            at_least("page", 1),
            non_empty("text"),
        ],
        "tokens": [
            E.ExpectColumnValuesToMatchRegex(column="doc_id", regex=HEX16),
            E.ExpectColumnValuesToMatchRegex(column="source_sha256", regex=HEX64),
            *offsets("sentence_idx", "token_idx"),
            non_empty("surface"),
            non_empty("pos"),
        ],
        "dates": [
            # statements name target years (2030年, 2050年): a far-future date is a warning, not a block
            E.ExpectColumnValuesToBeBetween(column="date", min_value=EARLIEST_DATE, max_value=LATEST_DATE, severity="warning"),
            E.ExpectColumnValuesToMatchRegex(column="doc_id", regex=HEX16),
            E.ExpectColumnValuesToMatchRegex(column="source_sha256", regex=HEX64),
            *offsets(),
            at_least("page", 1),
            non_empty("surface"),
        ],
        "officials": [
            E.ExpectColumnValuesToMatchRegex(column="doc_id", regex=HEX16),
            E.ExpectColumnValuesToMatchRegex(column="source_sha256", regex=HEX64),
            *offsets(),
            at_least("page", 1),
            non_empty("surface"),
            non_empty("name"),
            non_empty("office"),
            # ISO 3166-1 alpha-2, or INT for an international organisation (国連, WTO, EU institutions)
            E.ExpectColumnValuesToBeInSet(column="country", value_set=[*iso_codes(), "INT"]),
            E.ExpectColumnValuesToMatchRegex(column="person_id", regex=r"^(?:[a-z]{2}|int)-[a-z0-9-]+\Z"),  # int-: an organisation
            # cross-field: the gazetteer's terms against the meeting date; a warning, never a block
            E.ExpectColumnValuesToBeInSet(column="office_held_on_meeting_date", value_set=[True], severity="warning"),
        ],
        "sectors": [
            E.ExpectColumnValuesToMatchRegex(column="doc_id", regex=HEX16),
            E.ExpectColumnValuesToMatchRegex(column="source_sha256", regex=HEX64),
            E.ExpectColumnValuesToBeInSet(column="sector_id", value_set=taxonomy_ids()),
            at_least("mentions", 1),
            at_least("first_char_start", 0),
            within_text("first_char_start", or_equal=False),
            at_least("page", 1),
        ],
    }[table]


def iso_codes() -> list[str]:
    """ISO 3166-1 alpha-2, from the reviewed list in data/reference/."""
    return json.loads((ROOT / "data" / "reference" / "iso3166_alpha2.json").read_text(encoding="utf-8"))["codes"]


def taxonomy_ids() -> list[str]:
    """Sector ids of the reviewed taxonomy: a sector row outside it is an error."""
    raw = json.loads((ROOT / "data" / "reference" / "sectors.json").read_text(encoding="utf-8"))
    return sorted(s["id"] for s in raw["sectors"])


def suite_json(contract: TableContract) -> dict:
    """The suite as ExpectationSuite.to_json_dict() writes it, minus what changes between runs."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx

    suite = gx.ExpectationSuite(
        name=contract.name,
        expectations=contract_rules(gx, contract) + value_rules(gx, contract.name),
        meta={
            "contract": f"schemas/tables.py ({contract.name.upper()}, contract version {contract.version})",
            "note": "Generated by scripts/build_expectation_suites.py from the contract in schemas/tables.py; "
                    "change the contract or the script and regenerate, do not edit by hand. Column types are "
                    "enforced by the pyarrow schema, not by this suite.",
        },
    )
    out = suite.to_json_dict()
    out.pop("id", None)  # null until a context stores the suite; would be a random UUID after
    out["meta"].pop("great_expectations_version", None)  # keeps the files stable across GX releases
    for x in out["expectations"]:
        x.pop("id", None)
    return out


def render(contract: TableContract) -> str:
    return json.dumps(suite_json(contract), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    files = {EXPECTATIONS_DIR / f"{c.name}.json": render(c) for c in PUBLISHED_TABLES.values()}
    return write_or_check(files, "--check" in argv, "scripts/build_expectation_suites.py", ROOT)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
