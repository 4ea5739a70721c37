"""The example queries in docs/queries/ and the snippets and joins of docs/tables/ run against a
real publish folder (the sample inbox, and the seeds where ../shared has them) and give what the
statements say: who met when, which sectors, every spelling of a person."""

import datetime as dt
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline.buckets import bucket_count, bucket_of
from pipeline.runner import run
from schemas.tables import PUBLISHED_TABLES
from tests.conftest import ROOT, SAMPLE_INBOX, SHARED_SEEDS, load_script

QUERIES = ROOT / "docs" / "queries"
PLACEHOLDER = "data/published"
BUCKET_FILE = re.compile(r"^(?P<table>\w+)/part-(?P<bucket>[0-9]{2,})\.parquet$")

BUILD = load_script("build_table_docs")


def publish(inbox: Path, tmp: Path) -> Path:
    """Run the pipeline on a copy of the inbox; returns the publish folder."""
    copy, out = tmp / "inbox", tmp / "published"
    shutil.copytree(inbox, copy)
    with dg.instance_for_test() as instance:
        run(str(copy), str(out), instance, echo=lambda *_: None)
    return out


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> Path:
    return publish(SAMPLE_INBOX, tmp_path_factory.mktemp("samples"))


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> Path:
    folder = SHARED_SEEDS / "statements"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    return publish(folder, tmp_path_factory.mktemp("seeds"))


def query(name: str, out: Path, person: str | None = None) -> list[dict]:
    """Rows of docs/queries/<name>.sql against the publish folder out, on a fresh connection."""
    con = duckdb.connect()
    if person is not None:
        con.execute("SET VARIABLE person = ?", [person])
    cursor = con.execute((QUERIES / f"{name}.sql").read_text(encoding="utf-8").replace(PLACEHOLDER, str(out)))
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def sql(text: str, out: Path) -> duckdb.DuckDBPyRelation:
    return duckdb.sql(text.replace(PLACEHOLDER, str(out)))


# --- the query files --------------------------------------------------------------------------------

def test_three_queries_each_starting_with_a_comment_that_says_what_it_does():
    files = sorted(p.name for p in QUERIES.glob("*.sql"))
    assert files == ["documents_mentioning_person.sql", "officials_by_meeting_date.sql", "sector_mentions_by_year.sql"]
    for name in files:
        text = (QUERIES / name).read_text(encoding="utf-8")
        header = [line for line in text.splitlines()[:5]]
        assert all(line.startswith("--") for line in header), name
        assert PLACEHOLDER in text and "/*.parquet" in text, name


def test_officials_by_meeting_date(samples):
    rows = query("officials_by_meeting_date", samples)
    assert [(str(r["meeting_date"]), r["name"], r["office"], r["country"]) for r in rows] == [
        ("2023-05-26", "西村康稔", "経済産業大臣", "JP"),
        ("2023-05-26", "ジーナ・レモンド", "商務長官", "US"),
        ("2023-08-18", None, None, None),  # the 日米韓首脳会合 reference material names no official
        ("2024-06-26", "ジーナ・レモンド", "商務長官", "US"),
        ("2024-06-26", "齋藤健", "経済産業大臣", "JP"),
        ("2024-06-26", "安德根", "産業通商資源部長官", "KR"),
        ("2025-09-22", "マルコ・ルビオ", "国務長官", "US"),
        ("2025-09-22", "岩屋毅", "外務大臣", "JP"),
        ("2025-09-22", "趙顕", "外交部長官", "KR"),
    ]
    by_date = {str(r["meeting_date"]): r for r in rows}
    assert by_date["2024-06-26"]["title"] == "日米韓商務・産業大臣会合 共同声明"
    assert by_date["2024-06-26"]["source_path"] == "000_dfd32790290888e2.pdf"
    assert by_date["2023-08-18"]["mentions"] == 0
    assert {r["mentions"] for r in rows if r["name"]} == {1}


def test_officials_by_meeting_date_counts_every_mention_under_the_canonical_name(seeds):
    rows = query("officials_by_meeting_date", seeds)
    jucip = {r["name"]: r["mentions"] for r in rows if r["source_path"] == "002_e92e1c2018eeff45.txt"}
    assert jucip["齋藤健"] == 7 and jucip["ジーナ・レモンド"] == 7  # ケン斎藤, 斎藤, 斉藤 / ジーナ・ライモンド, ライモンド


def test_sector_mentions_by_year(samples):
    rows = query("sector_mentions_by_year", samples)
    cells = {(r["year"], r["sector_id"]): r for r in rows}
    semis_2023, semis_2024 = cells[(2023, "semiconductors")], cells[(2024, "semiconductors")]
    assert (semis_2023["label_ja"], semis_2023["mentions"], semis_2023["documents"],
            semis_2023["documents_in_year"], semis_2023["mentions_per_document"]) == ("半導体", 5, 1, 2, 2.5)
    assert (semis_2024["mentions"], semis_2024["documents"], semis_2024["documents_in_year"]) == (4, 1, 1)
    assert (2025, "semiconductors") not in cells  # the 2025 New York statement does not cover them
    assert (cells[(2023, "health")]["mentions"], cells[(2023, "health")]["documents"]) == (7, 2)
    assert cells[(2024, "clean_energy")]["mentions"] == 17
    assert cells[(2025, "north_korea")]["mentions"] == 14
    assert [r["year"] for r in rows] == sorted(r["year"] for r in rows)
    total = sql("SELECT sum(mentions) FROM read_parquet('data/published/sectors/**/*.parquet')", samples).fetchall()[0][0]
    assert sum(r["mentions"] for r in rows) == total


def test_person_by_id_or_spelling_gives_every_surface_and_document(samples):
    rows = query("documents_mentioning_person", samples)  # the file's example: us-raimondo-gina
    assert [(r["surface"], r["source_path"]) for r in rows] == [
        ("ジーナ・レモンド商務長官", "001_3d03689fe541bc5b.txt"),
        ("ジーナ・レモンド米国商務長官", "000_dfd32790290888e2.pdf"),
    ]
    assert {r["person_id"] for r in rows} == {"us-raimondo-gina"} and {r["name"] for r in rows} == {"ジーナ・レモンド"}
    for spelling in ("ジーナ・レモンド", "レモンド", "ジーナ・レモンド米国商務長官"):
        assert query("documents_mentioning_person", samples, spelling) == rows, spelling
    saito = query("documents_mentioning_person", samples, "齋藤健")
    assert [(r["person_id"], r["surface"], str(r["meeting_date"])) for r in saito] == [
        ("jp-saito-ken", "齋藤健日本国経済産業大臣", "2024-06-26")]
    assert query("documents_mentioning_person", samples, "存在しない人物") == []
    assert query("documents_mentioning_person", samples, "") == []


def test_person_under_different_spellings_in_the_seeds(seeds):
    """Seed 002 (a press text) writes ライモンド and ケン斎藤/斎藤/斉藤 where the others write
    ジーナ・レモンド and 齋藤健: one person each, found from any of them."""
    raimondo = query("documents_mentioning_person", seeds, "ライモンド")
    assert {r["surface"] for r in raimondo} == {"ジーナ・レモンド商務長官", "ジーナ・レモンド米国商務長官", "ジーナ・ライモンド", "ライモンド",
                                              "ライモンド長官"}
    assert {r["source_path"] for r in raimondo} == {
        "000_dfd32790290888e2.txt", "001_3d03689fe541bc5b.txt", "002_e92e1c2018eeff45.txt"}
    assert query("documents_mentioning_person", seeds, "us-raimondo-gina") == raimondo
    assert query("documents_mentioning_person", seeds, "ジーナ・レモンド") == raimondo
    saito = query("documents_mentioning_person", seeds, "ケン斎藤")
    assert {r["surface"] for r in saito} == {"齋藤健日本国経済産業大臣", "ケン斎藤", "斎藤", "斉藤", "斎藤長官", "斉藤長官"}
    assert {r["source_path"] for r in saito} == {"000_dfd32790290888e2.txt", "002_e92e1c2018eeff45.txt"}
    assert sum(r["mentions"] for r in saito) == 8
    assert query("documents_mentioning_person", seeds, "jp-saito-ken") == saito


# --- the layout ----------------------------------------------------------------------------------

def test_published_files_follow_the_documented_layout(samples):
    files = sorted(p.relative_to(samples).as_posix() for p in samples.glob("*/**/*.parquet"))
    assert "sources/sources.parquet" in files
    ledger = pq.read_table(samples / "sources" / "sources.parquet").column("source_path").to_pylist()
    assert ledger == sorted(ledger)
    bucket_files = [f for f in files if f != "sources/sources.parquet"]
    assert len(bucket_files) <= bucket_count() * (len(PUBLISHED_TABLES) - 1)
    for f in bucket_files:
        m = BUCKET_FILE.match(f)
        assert m, f"{f} is not <table>/part-<bucket>.parquet as docs/tables/ says"
        assert m["table"] in PUBLISHED_TABLES
        contract = PUBLISHED_TABLES[m["table"]]
        rows = pq.read_table(samples / f, columns=list(contract.key)).to_pylist()
        assert {bucket_of(r["doc_id"]) for r in rows} == {m["bucket"]}, f"{f} holds another bucket's documents"
        keys = [tuple(r[k] for k in contract.key) for r in rows]
        assert keys == sorted(keys), f"{f} is not sorted by {contract.key}"


# --- the tables' pages: joins, snippets, tracing ----------------------------------------------------

@pytest.mark.parametrize("table", sorted(PUBLISHED_TABLES))
def test_every_join_finds_its_row(samples, table):
    contract = PUBLISHED_TABLES[table]
    for j in contract.joins:
        counts = sql(f"""
            SELECT count(there.{j.columns_there()[0]}) AS matches
            FROM {BUILD.read_parquet(table)} AS here
            LEFT JOIN {BUILD.read_parquet(j.table)} AS there ON {j.sql('here', 'there')}
            WHERE {' AND '.join(f'here.{c} IS NOT NULL' for c in j.columns_here())}
            GROUP BY {', '.join(f'here.{k}' for k in contract.key)}""", samples).fetchall()
        assert counts and {c for (c,) in counts} == {1}, f"{table} → {j.table}: matches per row {sorted(set(counts))}"


@pytest.mark.parametrize("table", sorted(PUBLISHED_TABLES))
def test_reading_snippets_run(samples, table):
    contract = PUBLISHED_TABLES[table]
    snippets = BUILD.reading_snippets(contract)
    expected = sql(snippets["duckdb"], samples).fetchall()
    assert expected
    if contract.per_document and table != "officials":  # every sample document has rows (some name no official)
        docs = sql("SELECT DISTINCT doc_id FROM read_parquet('data/published/documents/*.parquet')", samples).fetchall()
        assert {r[0] for r in expected} == {d for (d,) in docs}
    for lib in ("pyarrow", "pandas", "polars"):
        if lib == "polars" and not _importable("polars"):
            continue  # not a dependency: its snippet is checked by hand
        scope: dict = {}
        exec(snippets[lib].replace(PLACEHOLDER, str(samples)), scope)
        assert len(scope["result"]) == len(expected), lib


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


@pytest.mark.parametrize("table", sorted(PUBLISHED_TABLES))
def test_tracing_query_gives_the_rows_characters(samples, table):
    contract = PUBLISHED_TABLES[table]
    rel = sql(BUILD.trace_sql(contract), samples)
    rows = [dict(zip(rel.columns, r)) for r in rel.fetchall()]
    assert rows
    assert all(r["source_path"] for r in rows)
    if contract.trace.end:
        written = "surface" if "surface" in contract.column_names else "text"
        assert all(r["text_at_offsets"] == r[written] for r in rows), table
    if table == "tokens":
        assert {r["sentence_page"] for r in rows} >= {1, None}  # PDF pages and text files
    if table == "sectors":
        assert all(r["text_from_offset"] for r in rows)


def test_sample_dates_are_what_the_statements_say(samples):
    """The expected values above rest on these meeting dates (data/raw/, seeds 000, 001, 003, 004)."""
    dates = dict(sql("SELECT source_path, meeting_date FROM read_parquet('data/published/documents/**/*.parquet')",
                     samples).fetchall())
    assert dates == {"000_dfd32790290888e2.pdf": dt.date(2024, 6, 26), "001_3d03689fe541bc5b.txt": dt.date(2023, 5, 26),
                     "003_40687e4e43f7c743.txt": dt.date(2023, 8, 18), "004_9cb1fc1b7e194a3c.pdf": dt.date(2025, 9, 22)}
