"""docs/tables/ is generated from the contracts and says what they say: the committed pages equal
what scripts/build_table_docs.py renders now, and the contracts' documentation fields are sound.
(tests/test_example_queries.py runs the pages' snippets and joins on real output.)"""

import pytest

from schemas.tables import PUBLISHED_TABLES
from tests.conftest import ROOT, load_script

DOCS = ROOT / "docs" / "tables"


@pytest.fixture(scope="module")
def build():
    return load_script("build_table_docs")


def test_committed_docs_match_their_generator(build):
    rendered = build.render_all()
    assert sorted(p.name for p in DOCS.glob("*.md")) == sorted(rendered), "docs/tables/ has pages no contract renders"
    for name, text in rendered.items():
        assert (DOCS / name).read_text(encoding="utf-8") == text, (
            f"docs/tables/{name} is stale: run python scripts/build_table_docs.py")


@pytest.mark.parametrize("table", sorted(PUBLISHED_TABLES))
def test_every_column_key_and_join_is_on_the_page(table):
    contract = PUBLISHED_TABLES[table]
    page = (DOCS / f"{table}.md").read_text(encoding="utf-8")
    for c in contract.columns:
        assert f"| `{c.name}` | `{c.type}` | {'yes' if c.nullable else 'no'} |" in page, f"{table}.{c.name}"
        assert all(v in page for v in c.allowed)
    assert f"**Key:** `{', '.join(contract.key)}`" in page
    assert contract.description in page
    for j in contract.joins:
        assert j.sql(table, j.table) in page
        assert j.sql(table, j.table) in (DOCS / f"{j.table}.md").read_text(encoding="utf-8")  # listed as incoming
    assert f"[`{table}`]({table}.md)" in (DOCS / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("table", sorted(PUBLISHED_TABLES))
def test_joins_name_existing_columns_of_both_tables_with_the_same_types(table):
    contract = PUBLISHED_TABLES[table]
    for j in contract.joins:
        assert j.table in PUBLISHED_TABLES and j.table != table, j
        other = PUBLISHED_TABLES[j.table]
        assert j.on, j
        for here, there in [*j.on, *([(j.within[0], j.within[1]), (j.within[0], j.within[2])] if j.within else [])]:
            assert contract.column(here).type.equals(other.column(there).type), (table, here, j.table, there)
        # a non-optional join on a nullable column would promise a match it cannot keep
        assert j.optional or not any(contract.column(c).nullable for c in j.columns_here()), j


def test_every_per_document_table_joins_documents_on_doc_id():
    for contract in PUBLISHED_TABLES.values():
        if contract.name != "documents":
            assert any(j.table == "documents" and ("doc_id", "doc_id") in j.on for j in contract.joins), contract.name
    assert [t.name for t in PUBLISHED_TABLES.values() if not t.per_document] == ["sources"]


@pytest.mark.parametrize("table", sorted(PUBLISHED_TABLES))
def test_each_table_says_what_a_row_is_and_how_it_traces_back(table):
    contract = PUBLISHED_TABLES[table]
    assert "one row per" in contract.description.lower()
    t = contract.trace
    for column in (t.start, t.end, t.page):
        if column is not None:
            contract.column(column)
    assert t.end is None or t.start is not None
    assert t.start or t.note, f"{table}: no offsets and no note on how to find the row's source"
    if "char_start" in contract.column_names:
        assert t.start == "char_start" and t.end == "char_end"
    if "page" in contract.column_names:
        assert t.page == "page"


def test_documentation_fields_stay_out_of_the_schema():
    """The Parquet files and the GX suites are generated from arrow_schema(): documenting a table
    must not change them."""
    for contract in PUBLISHED_TABLES.values():
        schema = contract.arrow_schema()
        assert set(schema.metadata) == {b"seimei.table", b"seimei.contract_version"}
        assert schema.names == contract.column_names
