"""The rows hash `seimei verify` checks files against: the same rows give the same hash however
they are chunked or stored, any changed value, null or row gives another, and files written with
the earlier row-wise hash still verify."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.storage import rows_match, rows_sha256, rows_sha256_rowwise

SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("n", pa.int32()), ("big", pa.int64()), ("flag", pa.bool_()),
    ("day", pa.date32()), ("names", pa.list_(pa.string())), ("note", pa.string()),
])
ROWS = [
    {"doc_id": "a", "n": 1, "big": 10, "flag": True, "day": dt.date(2021, 7, 18), "names": ["JP"], "note": "日米"},
    {"doc_id": "b", "n": 2, "big": None, "flag": False, "day": None, "names": [], "note": ""},
    {"doc_id": "c", "n": None, "big": 30, "flag": None, "day": dt.date(1998, 1, 1), "names": ["KR", "US"], "note": None},
]


def table(rows=ROWS) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def test_chunking_slicing_and_a_parquet_round_trip_keep_the_hash(tmp_path):
    whole = table()
    pieces = pa.concat_tables([whole.slice(0, 1), whole.slice(1, 1), whole.slice(2)])
    pq.write_table(whole, tmp_path / "t.parquet")
    assert rows_sha256(pieces) == rows_sha256(whole) == rows_sha256(pq.read_table(tmp_path / "t.parquet"))
    assert rows_sha256(table(ROWS[1:])) == rows_sha256(whole.slice(1))


def test_every_kind_of_change_changes_the_hash():
    base = rows_sha256(table())
    changes = [
        {"note": "日韓"},        # a string value
        {"note": None},          # a value made null
        {"n": 7},                # an integer
        {"big": None},           # null in a 64-bit column
        {"flag": None},          # a boolean made null
        {"day": dt.date(2021, 7, 19)},
        {"names": ["JP", "US"]},
    ]
    for change in changes:
        rows = [dict(ROWS[0], **change), *ROWS[1:]]
        assert rows_sha256(table(rows)) != base, change
    assert rows_sha256(table(ROWS[:2])) != base  # a row gone
    assert rows_sha256(table([ROWS[1], ROWS[0], ROWS[2]])) != base  # rows reordered
    # the empty string and null differ; moving text between neighbouring values is a change
    assert rows_sha256(table([dict(ROWS[0], note="日米"), dict(ROWS[1], note="")])) != \
        rows_sha256(table([dict(ROWS[0], note="日"), dict(ROWS[1], note="米")]))


def test_files_of_the_row_wise_hash_still_verify():
    old = rows_sha256_rowwise(table())
    assert rows_match(table(), old) and rows_match(table(), rows_sha256(table()))
    assert not rows_match(table(ROWS[:2]), old)
