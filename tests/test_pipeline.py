"""The asset graph on the sample corpus, materialized for real on a temporary instance."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import shutil

import dagster as dg
import pyarrow.parquet as pq

from pipeline.planning import PER_DOCUMENT_TABLES
import pytest

from pipeline.automation import RANGE_END, RANGE_START
from pipeline.definitions import ASSETS, run_resources
from pipeline.buckets import bucket_keys, bucket_of, by_bucket
from pipeline.resources import SeimeiSettings
from schemas.tables import PUBLISHED_TABLES
from tests.conftest import SAMPLE_INBOX


@pytest.fixture(scope="module")
def materialized(tmp_path_factory):
    inbox = tmp_path_factory.mktemp("inbox")
    shutil.copytree(SAMPLE_INBOX, inbox, dirs_exist_ok=True)
    out = tmp_path_factory.mktemp("published")
    resources = run_resources(SeimeiSettings(inbox_dir=str(inbox), publish_dir=str(out)))
    buckets = bucket_keys()
    with dg.instance_for_test() as instance:
        result = dg.materialize(ASSETS, instance=instance, resources=resources,
                                tags={RANGE_START: buckets[0], RANGE_END: buckets[-1]})
        docs = sorted(r["doc_id"] for r in pq.read_table(out / "sources").to_pylist())
        yield result, instance, out, docs


def test_the_whole_graph_materializes_every_bucket_in_one_run(materialized):
    result, instance, out, docs = materialized
    assert result.success
    assert len(docs) == 4
    assert instance.get_materialized_partitions(dg.AssetKey("tokens")) == set(bucket_keys())
    assert len(instance.get_runs()) == 1  # one run for every bucket, no registration step before it


def test_every_published_table_is_readable_as_a_folder(materialized):
    _, _, out, keys = materialized
    for table in PUBLISHED_TABLES:
        t = pq.read_table(out / table)
        assert t.num_rows > 0, table
        assert t.schema.equals(PUBLISHED_TABLES[table].arrow_schema(), check_metadata=False), table
    docs = pq.read_table(out / "documents").to_pylist()
    assert {d["doc_id"] for d in docs} == set(keys)
    ledger = pq.read_table(out / "sources").to_pylist()
    assert {r["status"] for r in ledger} == {"published"}


def test_offsets_point_into_the_document_text(materialized):
    _, _, out, _ = materialized
    texts = {d["doc_id"]: d["text"] for d in pq.read_table(out / "documents").to_pylist()}
    for table in ("sentences", "tokens", "dates", "officials"):
        column = "text" if table == "sentences" else "surface"
        rows = pq.read_table(out / table).to_pylist()
        bad = [r for r in rows if texts[r["doc_id"]][r["char_start"]:r["char_end"]] != r[column]]
        assert not bad, bad[:3]


def test_pdf_sentences_know_their_page(materialized):
    _, _, out, _ = materialized
    docs = {d["doc_id"]: d for d in pq.read_table(out / "documents").to_pylist()}
    pdf_docs = {k for k, d in docs.items() if d["page_count"]}
    assert len(pdf_docs) == 2
    rows = pq.read_table(out / "sentences").to_pylist()
    pages = {r["doc_id"]: set() for r in rows}
    for r in rows:
        pages[r["doc_id"]].add(r["page"])
    for doc_id, seen in pages.items():
        if doc_id in pdf_docs:
            assert None not in seen and len(seen) >= 3
        else:
            assert seen == {None}


def test_checks_ran_and_passed_and_metadata_reaches_dagster(materialized):
    result, instance, _, _ = materialized
    evaluations = result.get_asset_check_evaluations()
    assert {e.asset_key.path[0] for e in evaluations} == set(PUBLISHED_TABLES)
    assert all(e.passed for e in evaluations), [(e.asset_key, e.metadata) for e in evaluations if not e.passed]
    event = instance.get_latest_materialization_event(dg.AssetKey("documents"))
    meta = event.asset_materialization.metadata
    assert meta["rows_written_in_run"].value == 4 and meta["dagster/row_count"].value == 4  # the table's rows
    assert "dagster/column_schema" in meta and "dagster/uri" in meta
    assert event.asset_materialization.tags.get("dagster/data_version")
    # every check links GX's Data Docs page of its validation, a page on disk beside the data
    for e in evaluations:
        if e.check_name != "gx_suite":
            continue
        url = e.metadata["data_docs"].value
        page = Path(urllib.parse.unquote(urllib.parse.urlparse(url).path))
        assert url.startswith("file://") and page.name == f"{e.asset_key.path[0]}.html", url
        assert "Expectation Validation Result" in page.read_text(encoding="utf-8")


def test_each_table_and_the_ledger_say_what_every_bucket_holds(materialized):
    """Dagster keeps one result for a run's bucket range: the per-bucket counts are a table in it."""
    _, instance, out, docs = materialized
    expected = {b: len(d) for b, d in by_bucket({d: None for d in docs}).items()}
    tokens = instance.get_latest_materialization_event(dg.AssetKey("tokens")).asset_materialization.metadata
    records = [r.data for r in tokens["buckets"].value.records]
    assert len(records) == len(bucket_keys())  # every bucket of the run, empty ones too
    assert {r["bucket"]: r["documents"] for r in records if r["documents"]} == expected
    rows_per_bucket = {b: pq.read_table(out / "tokens" / f"part-{b}.parquet").num_rows for b in expected}
    assert {r["bucket"]: r["rows"] for r in records if r["documents"]} == rows_per_bucket
    ledger = instance.get_latest_materialization_event(dg.AssetKey("sources")).asset_materialization.metadata
    counts = {r.data["bucket"]: (r.data["files"], r.data["published"]) for r in ledger["buckets"].value.records}
    assert counts == {b: (n, n) for b, n in expected.items()}


def test_parquet_files_carry_lineage_metadata(materialized):
    _, _, out, keys = materialized
    import json

    meta = pq.read_metadata(out / "tokens" / f"part-{bucket_of(keys[0])}.parquet").metadata
    lineage = json.loads(meta[b"seimei.lineage"])
    assert lineage["bucket"] == bucket_of(keys[0]) and lineage["documents"] >= 1 and lineage["run_id"]
    assert {"sudachipy", "sudachidict_core", "sudachidict_core_sha256", "pdfplumber", "pyarrow"} <= set(lineage["libraries"])
    assert "document_types.json" in lineage["reference_data_sha256"]


def test_every_asset_has_a_code_version_and_reference_data_is_part_of_it():
    from pipeline.versions import CODE_VERSIONS

    versions = {key.path[0]: v for a in ASSETS for key, v in a.code_versions_by_key.items()}
    assert set(versions) == set(CODE_VERSIONS) and all(versions.values())
    assert "+ref." in versions["structured_fields"] and "+ref." in versions["sectors"]
    assert "+ref." not in versions["tokens"]


def test_rematerializing_unchanged_inputs_gives_the_same_data_versions(materialized):
    _, instance, out, _ = materialized
    keys = bucket_keys()
    settings_dir = run_resources(SeimeiSettings(inbox_dir=str(out.parent / "inbox_again"), publish_dir=str(out)))
    shutil.copytree(SAMPLE_INBOX, out.parent / "inbox_again", dirs_exist_ok=True)

    def versions():
        found = {}
        for a in ASSETS:
            for key in a.keys:
                event = instance.get_latest_materialization_event(key)
                found[key.path[0]] = event.asset_materialization.tags.get("dagster/data_version")
        return found

    before = versions()
    again = dg.materialize(ASSETS, instance=instance, resources=settings_dir, tags={RANGE_START: keys[0], RANGE_END: keys[-1]})
    assert again.success
    after = versions()
    assert {k for k in before if before[k] != after[k]} <= {"inbox_files"}  # the inbox folder itself moved
    assert all(after.values())


def test_each_bucket_is_one_file_per_table_sorted_by_key(materialized):
    """A table is one file per bucket holding documents, each file holding exactly its bucket's
    documents with rows in the contract's key order."""
    _, _, out, docs = materialized
    buckets = by_bucket(docs)
    for table in PER_DOCUMENT_TABLES:
        files = sorted((out / table).rglob("*.parquet"))
        assert {f.stem for f in files} <= {f"part-{b}" for b in buckets}, table
        for f in files:
            rows = pq.read_table(f).to_pylist()
            assert {r["doc_id"] for r in rows} <= set(buckets[f.stem[len("part-"):]]), f
            keys = [tuple(r[k] for k in PUBLISHED_TABLES[table].key) for r in rows]
            assert keys == sorted(keys) and len(set(keys)) == len(keys), f
    assert {f.stem for f in (out / "documents").glob("*.parquet")} == {f"part-{b}" for b in buckets}


def test_the_ledger_materialization_counts_files_and_previews_the_run(materialized):
    """What the UI shows on the ledger: counts by status and a preview of what the run read."""
    result, instance, out, _ = materialized
    meta = result.asset_materializations_for_node("sources")[0].metadata  # the first run's (another test runs again)
    assert (meta["published"].value, meta["rejected"].value, meta["duplicate"].value) == (4, 0, 0)
    tags = instance.get_run_by_id(result.run_id).tags
    assert tags["seimei/rejected_files"] == "0"
    assert meta["dagster/uri"].value == str(out / "sources")
    preview = meta["preview"].value
    docs = pq.read_table(out / "documents", columns=["title", "meeting_date"]).to_pylist()
    assert preview.count("\n| ") == 5  # the header's rule and one row per document
    for doc in docs:
        assert str(doc["meeting_date"]) in preview and doc["title"][:20] in preview
    assert "齋藤健" in preview and "semiconductors" in preview


def test_the_run_log_shows_per_document_progress_of_each_step(materialized):
    result, instance, _, _ = materialized
    messages = [e.user_message for e in instance.all_logs(result.run_id)]
    for step in ("extracted_text", "documents", "tokens", "sectors"):
        assert f"{step}: 4 document(s) to do" in messages, step
        assert any(m.startswith(f"{step}: 4/4 done in ") for m in messages), step
    for step in ("normalized_text", "structured_fields"):  # done for each document as it was read
        assert f"{step}: 4 document(s) already done as they were read (extracted_text)" in messages, step
        assert f"{step}: 4 document(s) to do" not in messages, step


def test_the_assets_versions_and_stamps_chain_are_derived_from_the_table_specs():
    """One spec per table (schemas/tables.py): its asset, deps, code version, reference inputs and
    builder come from it, and the stamps' upstream chain and the ledger's deps follow."""
    from assets.sources import sources
    from pipeline.core import rows
    from pipeline.versions import CODE_VERSIONS, CORPUS_WIDE, REFERENCE_INPUTS, STAGE_VERSIONS, UPSTREAM, code_version

    assets = {key.path[0]: a for a in ASSETS for key in a.keys}
    assert set(assets) == set(STAGE_VERSIONS) | set(PUBLISHED_TABLES)
    per_document = set(CODE_VERSIONS) - {"inbox_files", *CORPUS_WIDE}
    assert set(UPSTREAM) == per_document
    assert set(PER_DOCUMENT_TABLES) == {n for n, c in PUBLISHED_TABLES.items() if c.per_document}
    for name, contract in PUBLISHED_TABLES.items():
        assert CODE_VERSIONS[name] == contract.code_version
        assert assets[name].code_versions_by_key[dg.AssetKey(name)] == code_version(name)
        if not contract.per_document:
            continue
        assert assets[name].partitions_def is not None, name
        assert {k.path[0] for k in assets[name].dependency_keys} == set(contract.upstream) == set(UPSTREAM[name]), name
        assert REFERENCE_INPUTS.get(name, ()) == contract.reference_inputs
        assert getattr(rows, contract.rows.split(":")[1]) is not None, name  # the builder exists
    assert {k.path[0] for k in sources.dependency_keys} == {"inbox_files", *PER_DOCUMENT_TABLES}

def test_a_rejected_file_shows_as_a_warning_on_the_ledger_and_a_count_on_the_run(tmp_path):
    """The run stays green (the other documents publish), but the UI must not call it a success:
    the ledger's rejections check warns, naming the file, and the run carries the count."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(sorted(SAMPLE_INBOX.glob("*.txt"))[0], inbox)
    (inbox / "empty.txt").write_bytes(b"")
    buckets = bucket_keys()
    with dg.instance_for_test() as instance:
        result = dg.materialize(ASSETS, instance=instance,
                                resources=run_resources(SeimeiSettings(inbox_dir=str(inbox), publish_dir=str(out), workers=1)),
                                tags={RANGE_START: buckets[0], RANGE_END: buckets[-1]})
        assert result.success
        (check,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "no_rejected_files"]
        assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
        assert check.metadata["rejected"].value == 1 and "`empty.txt` | empty file" in check.metadata["files"].value
        assert check.description == "1 of 2 inbox files are rejected: empty.txt (empty file: it holds no text)"
        assert instance.get_run_by_id(result.run_id).tags["seimei/rejected_files"] == "1"


def test_the_stages_done_while_reading_count_their_documents(materialized):
    """normalized_text and structured_fields are done for each document as it is read; their
    materializations still say what the run did."""
    result, _, out, _ = materialized
    normalized = result.asset_materializations_for_node("normalized_text")[0].metadata
    structured = result.asset_materializations_for_node("structured_fields")[0].metadata
    docs = pq.read_table(out / "documents", columns=["char_count"]).column("char_count").to_pylist()
    sentences = pq.read_table(out / "sentences", columns=["doc_id"]).num_rows
    assert (normalized["documents_normalized"].value, normalized["characters"].value,
            normalized["sentences"].value) == (4, sum(docs), sentences)
    officials = pq.read_table(out / "officials", columns=["person_id"]).column("person_id").to_pylist()
    assert structured["officials"].value == len(officials) > 0
    assert structured["officials_not_in_gazetteer"].value == sum(p is None for p in officials)


def test_the_ledger_reads_a_stored_text_only_for_a_stamp_without_its_encoding(materialized):
    """The ledger takes each file's encoding from its reading stamp; a PDF's is None there, and
    reading its stored text again for it made every run read every PDF's text (6 s a run at
    N = 10,000). Only a stamp from before encodings were kept in it sends the ledger there."""
    from assets.sources import _build_ledger
    from pipeline.core.inbox import first_of_each_document
    from pipeline.planning import read_manifest_files
    from pipeline.storage import StageStore

    _, _, out, _ = materialized

    class CountingStore(StageStore):
        texts_read: list[str] = []

        def read(self, stage, key):
            if stage == "extracted_text":
                self.texts_read.append(key)
            return super().read(stage, key)

    store = CountingStore(out)
    files, _ = read_manifest_files(store)
    originals = first_of_each_document(files)
    ledger, *_ = _build_ledger(store, files, originals)
    encodings = dict(zip(ledger.column("source_path").to_pylist(), ledger.column("encoding").to_pylist()))
    assert any(p.endswith(".pdf") for p in encodings) and any(p.endswith(".txt") for p in encodings)
    assert store.texts_read == []
    assert {e for p, e in encodings.items() if p.endswith(".pdf")} == {None}
    assert all(e for p, e in encodings.items() if p.endswith(".txt"))

    # a stamp written before encodings were kept: its text is read, and gives the same ledger
    text_doc = next(f.doc_id for f in files if f.source_path.endswith(".txt") and f.doc_id)
    bucket = bucket_of(text_doc)
    stamps = store.read_stamps("extracted_text", bucket)
    old = {d: {k: v for k, v in s.items() if k != "encoding"} for d, s in stamps.items()}
    store.write_stamps("extracted_text", bucket, old)
    try:
        again, *_ = _build_ledger(store, files, originals)
    finally:
        store.write_stamps("extracted_text", bucket, stamps)
    assert text_doc in store.texts_read
    assert again.equals(ledger)


def test_a_bucket_rewrite_looks_up_only_the_rejections_there_are(tmp_path, monkeypatch):
    """Which of a bucket's documents stand rejected: the rejection folder listed once, and only
    the stamps in it read, not one lookup per document the bucket keeps."""
    from assets.stage_helpers import reject, rejected_among
    from pipeline import rejections
    from pipeline.storage import StageStore

    settings = SeimeiSettings(inbox_dir=str(tmp_path / "inbox"), publish_dir=str(tmp_path / "published"))
    docs = [f"{i:016x}" for i in range(200)]
    reject(settings, docs[7], "extracted_text", "not a statement")
    reject(settings, docs[9], "dates", "failed validation")
    settings.store.write(rejections.REJECTED_STAGE, "0" * 16 + "x", {"fingerprint": "old code"})  # another document
    reads: list[str] = []
    original = StageStore.read

    def counting(self, stage, key):
        if stage == rejections.REJECTED_STAGE:
            reads.append(key)
        return original(self, stage, key)

    monkeypatch.setattr(StageStore, "read", counting)
    assert rejected_among(settings, docs) == {docs[7], docs[9]}
    assert sorted(reads) == [docs[7], docs[9]]
