"""The corpus report: built by the real pipeline on the sample statements (plus a junk file), and
its pure builder on small hand-made tables."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import shutil
import warnings
from collections import Counter
from html.parser import HTMLParser

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from pipeline.corpus_report import CHARTS, build_report
from pipeline.runner import run
from pipeline.versions import code_version
from schemas.tables import PUBLISHED_TABLES
from tests.conftest import SAMPLE_INBOX

JUNK = "junk.pdf"


class _Tables(HTMLParser):
    """The text of every table cell (th and td) of an HTML fragment, row by row."""

    def __init__(self, fragment: str):
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self.feed(fragment)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def section(html: str, name: str) -> str:
    found = re.search(rf'<section id="{name}">(.*?)</section>', html, re.DOTALL)
    assert found, f"no section {name}"
    return found.group(1)


def rows_by_first_cell(fragment: str) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in _Tables(fragment).rows if row}


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return image


def assert_not_blank(png: bytes) -> None:
    image = decoded(png).convert("RGB")
    assert image.width >= 300 and image.height >= 150
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 20, "the chart is (nearly) blank"
    background = max(colours)[0] / (image.width * image.height)
    assert background < 0.97, "the chart is (nearly) blank"


# --- the real pipeline --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    inbox, out = root / "inbox", root / "published"
    shutil.copytree(SAMPLE_INBOX, inbox)
    (inbox / JUNK).write_bytes(bytes(range(256)) * 8)  # not a PDF at all: rejected
    said: list[str] = []
    with dg.instance_for_test() as instance:
        first = run(str(inbox), str(out), instance, echo=said.append)
        event = instance.get_latest_materialization_event(dg.AssetKey("corpus_report"))
        html = (out / "_report" / "corpus_report.html").read_text(encoding="utf-8")
        charts = {name: (out / "_report" / f"{name}.png").read_bytes() for name in CHARTS}
        again = run(str(inbox), str(out), instance, echo=said.append)  # nothing new: no run at all
        yield {"instance": instance, "inbox": inbox, "out": out, "first": first, "again": again, "said": said,
               "event": event, "html": html, "charts": charts}


def test_the_timeline_lists_every_meeting_with_its_officials(published):
    timeline = section(published["html"], "timeline")
    rows = rows_by_first_cell(timeline)
    # what the sample statements say (an oracle independent of the extractors' output)
    assert {"2023-05-26", "2023-08-18", "2024-06-26", "2025-09-22"} <= set(rows)
    assert "西村康稔" in rows["2023-05-26"][2] and "ジーナ・レモンド" in rows["2023-05-26"][2]
    assert all(n in rows["2024-06-26"][2] for n in ("齋藤健", "ジーナ・レモンド", "安德根"))
    assert all(n in rows["2025-09-22"][2] for n in ("マルコ・ルビオ", "岩屋毅", "趙顕"))
    # ... and every published document, date, title and official (name / office / country)
    out = published["out"]
    docs = pq.read_table(out / "documents", columns=["doc_id", "meeting_date", "title"]).to_pylist()
    officials = pq.read_table(out / "officials", columns=["doc_id", "name", "office", "country"]).to_pylist()
    assert len(docs) == 4
    for doc in docs:
        row = rows[doc["meeting_date"].isoformat()]
        assert row[0] == doc["title"] and doc["doc_id"] in row[3]
        for o in (o for o in officials if o["doc_id"] == doc["doc_id"]):
            assert f"{o['name']} / {o['office']} / {o['country']}" in row[2].split("\n")
    dates = [r[0] for r in _Tables(timeline).rows[1:]]
    assert dates == sorted(dates)  # in meeting-date order


def test_the_heat_map_counts_sector_mentions_by_meeting_date(published):
    heat = section(published["html"], "sectors")
    table = _Tables(heat).rows
    columns = table[0][1:]
    cells = {row[0]: dict(zip(columns, row[1:])) for row in table[1:]}
    assert columns == ["2023-05-26", "2023-08-18", "2024-06-26", "2025-09-22"]
    assert {"supply_chain", "semiconductors", "critical_minerals", "north_korea", "clean_energy"} <= set(cells)
    out = published["out"]
    dates = {d["doc_id"]: d["meeting_date"].isoformat()
             for d in pq.read_table(out / "documents", columns=["doc_id", "meeting_date"]).to_pylist()}
    expected = Counter()
    for r in pq.read_table(out / "sectors", columns=["doc_id", "sector_id", "mentions"]).to_pylist():
        expected[(r["sector_id"], dates[r["doc_id"]])] += r["mentions"]
    assert set(cells) == {sector for sector, _ in expected}
    for (sector, date), n in expected.items():
        assert cells[sector][date] == str(n), (sector, date)
    assert sum(1 for row in cells.values() for v in row.values() if v) == len(expected)  # nothing else


def test_rejected_files_are_counted_by_reason(published):
    sources = section(published["html"], "sources")
    rows = rows_by_first_cell(sources)
    assert rows["published"] == ["4"] and rows["rejected"] == ["1"] and rows["duplicate"] == ["0"]
    ledger = {r["source_path"]: r for r in pq.read_table(published["out"] / "sources").to_pylist()}
    reason = ledger[JUNK]["reason"]
    assert ledger[JUNK]["status"] == "rejected" and "PDF" in reason
    assert rows[reason] == ["1"]
    meta = published["event"].asset_materialization.metadata
    assert meta["rejected_by_reason"].value == {reason: 1}
    assert meta["rejected"].value == 1 and meta["published"].value == 4


def test_the_validation_summary_lists_every_published_table(published):
    validation = rows_by_first_cell(section(published["html"], "validation"))
    assert set(PUBLISHED_TABLES) <= set(validation)
    instance = published["instance"]
    for table in PUBLISHED_TABLES:
        record = instance.get_latest_asset_check_evaluation_record(dg.AssetCheckKey(dg.AssetKey(table), "gx_suite"))
        meta = record.event.asset_check_evaluation.metadata
        result, evaluated, failed, _severity, held, _ = validation[table]
        assert result == "passed"
        assert evaluated == str(meta["expectations_evaluated"].value) and int(evaluated) > 0
        assert failed == "0" and held == "0"


def test_the_report_is_self_contained_and_its_charts_are_real_pictures(published):
    html, charts = published["html"], published["charts"]
    assert not re.search(r"<(script|link|iframe)\b", html)
    # nothing fetched: the one url() is the bundled font written beside the page (with its licence)
    assert re.findall(r"url\(([^)]*)\)", html) == ['"ipaexg.ttf"'] and "@import" not in html
    report_dir = published["out"] / "_report"
    assert (report_dir / "ipaexg.ttf").stat().st_size > 1_000_000 and (report_dir / "IPA_Font_License_Agreement_v1.0.txt").is_file()
    sources = re.findall(r'src="([^"]*)"', html)
    assert len(sources) == len(CHARTS) and all(s.startswith("data:image/png;base64,") for s in sources)
    embedded = [base64.b64decode(s.split(",", 1)[1]) for s in sources]
    assert sorted(embedded) == sorted(charts.values())
    for png in charts.values():
        assert_not_blank(png)
        assert b"Software" not in png and b"Matplotlib" not in png  # no version in the bytes


def test_the_materialization_points_to_the_report_and_shows_the_charts(published):
    materialization = published["event"].asset_materialization
    meta = materialization.metadata
    assert meta["dagster/uri"].value == str(published["out"] / "_report" / "corpus_report.html")
    for name in CHARTS:
        md = meta[f"chart_{name}"].value
        assert md.startswith(f"![{name}](data:image/png;base64,")
        assert base64.b64decode(md[md.index(",") + 1:-1]) == published["charts"][name]
        assert meta[f"chart_{name}_png"].value == str(published["out"] / "_report" / f"{name}.png")
    assert meta["documents"].value == 4 and meta["meetings"].value == 4
    assert materialization.tags.get("dagster/data_version")


def test_a_second_run_with_nothing_new_builds_no_report_but_a_missing_one_is_rebuilt_alike(published):
    assert published["again"].runs == [] and "Nothing new" in published["said"][-1]
    instance, out = published["instance"], published["out"]
    (out / "_work" / "report" / "corpus_report.json").unlink()  # as a report step that failed leaves it
    (out / "_report" / "corpus_report.html").unlink()
    said: list[str] = []
    rebuilt = run(str(published["inbox"]), str(out), instance, echo=said.append)
    assert len(rebuilt.runs) == 1 and rebuilt.documents_processed == 0
    assert [r.tags.get("seimei/ledger_only") for r in instance.get_runs(limit=1)] == ["true"]
    html = (out / "_report" / "corpus_report.html").read_text(encoding="utf-8")
    footer = re.compile(r"<footer>.*</footer>", re.DOTALL)
    assert footer.sub("", html) == footer.sub("", published["html"])  # same corpus, same report
    assert {n: (out / "_report" / f"{n}.png").read_bytes() for n in CHARTS} == published["charts"]
    event = instance.get_latest_materialization_event(dg.AssetKey("corpus_report"))
    version = event.asset_materialization.tags["dagster/data_version"]
    assert version == published["event"].asset_materialization.tags["dagster/data_version"]
    assert run(str(published["inbox"]), str(out), instance, echo=said.append).runs == []


def test_a_report_built_by_an_older_release_is_rebuilt_by_the_next_run(published):
    """A new release that changes the page (its corpus_report code version) rebuilds the report of
    an unchanged corpus once, with no document read again."""
    import json

    instance, out = published["instance"], published["out"]
    stamp_path = out / "_work" / "report" / "corpus_report.json"
    stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
    assert stamp["code_version"] == code_version("corpus_report")
    stamp_path.write_text(json.dumps({"ledger": stamp["ledger"]}), encoding="utf-8")  # as release 1 wrote it
    said: list[str] = []
    rebuilt = run(str(published["inbox"]), str(out), instance, echo=said.append)
    assert len(rebuilt.runs) == 1 and rebuilt.documents_processed == 0
    assert json.loads(stamp_path.read_text(encoding="utf-8"))["code_version"] == code_version("corpus_report")
    assert run(str(published["inbox"]), str(out), instance, echo=said.append).runs == []


def test_the_report_runs_with_the_ledger_and_only_there():
    from pipeline.definitions import ASSETS
    from pipeline.jobs import LEDGER_ONLY, WITHOUT_LEDGER

    key = dg.AssetKey("corpus_report")
    assert key in LEDGER_ONLY and key not in WITHOUT_LEDGER and dg.AssetKey("sources") not in WITHOUT_LEDGER
    [asset] = [a for a in ASSETS if key in a.keys]
    assert asset.group_names_by_key[key] == "report" and not asset.partitions_def
    assert dg.AssetKey("sources") in asset.asset_deps[key]


# --- the builder on hand-made tables ------------------------------------------------------------

def documents_table(rows):
    schema = pa.schema([("doc_id", pa.string()), ("source_path", pa.string()), ("title", pa.string()),
                        ("meeting_date", pa.date32()), ("place", pa.string())])
    return pa.Table.from_pylist(rows, schema=schema)


def officials_table(rows):
    schema = pa.schema([("doc_id", pa.string()), ("person_id", pa.string()), ("name", pa.string()),
                        ("office", pa.string()), ("country", pa.string()), ("char_start", pa.int64())])
    return pa.Table.from_pylist(rows, schema=schema)


def sectors_table(rows):
    return pa.Table.from_pylist(rows, schema=pa.schema([("doc_id", pa.string()), ("sector_id", pa.string()),
                                                        ("mentions", pa.int32())]))


def ledger_table(rows):
    return pa.Table.from_pylist(rows, schema=pa.schema([("source_path", pa.string()), ("status", pa.string()),
                                                        ("reason", pa.string())]))


NO_VALIDATION = {t: None for t in PUBLISHED_TABLES}


@pytest.mark.parametrize("empty", [None, "tables"], ids=["nothing_published", "empty_tables"])
def test_an_empty_corpus_gives_a_report_that_says_so(empty):
    tables = (None, None, None, None) if empty is None else (
        documents_table([]), officials_table([]), sectors_table([]), ledger_table([]))
    report = build_report(*tables, validation=NO_VALIDATION)
    assert report.counts["documents"] == report.counts["meetings"] == report.counts["files"] == 0
    assert report.counts["rejected_by_reason"] == {}
    assert "No document is published yet" in section(report.html, "timeline")
    assert "No sector is mentioned" in section(report.html, "sectors")
    assert "No file was rejected" in section(report.html, "sources")
    validation = rows_by_first_cell(section(report.html, "validation"))
    assert all(validation[t] == ["no gx_suite evaluation yet"] for t in PUBLISHED_TABLES)
    assert set(report.charts) == set(CHARTS)
    for png in report.charts.values():
        decoded(png)


def test_a_document_without_a_meeting_date_is_listed_last_and_gets_its_own_heat_map_column():
    docs = documents_table([
        {"doc_id": "b", "source_path": "b.txt", "title": "日付のない資料", "meeting_date": None, "place": None},
        {"doc_id": "a", "source_path": "a.txt", "title": "日米首脳会談", "meeting_date": dt.date(2024, 4, 10), "place": "ワシントン"},
    ])
    officials = officials_table([
        {"doc_id": "a", "person_id": "jp-kishida-fumio", "name": "岸田文雄", "office": "内閣総理大臣", "country": "JP", "char_start": 5},
        {"doc_id": "a", "person_id": "jp-kishida-fumio", "name": "岸田文雄", "office": "内閣総理大臣", "country": "JP", "char_start": 90},
        {"doc_id": "b", "person_id": None, "name": "山田太郎", "office": "大臣", "country": "JP", "char_start": 0},
        {"doc_id": "gone", "person_id": None, "name": "X", "office": "Y", "country": "US", "char_start": 0},
    ])
    sectors = sectors_table([{"doc_id": "a", "sector_id": "semiconductors", "mentions": 3},
                             {"doc_id": "b", "sector_id": "semiconductors", "mentions": 2},
                             {"doc_id": "b", "sector_id": "ai", "mentions": 1}])
    report = build_report(docs, officials, sectors, ledger_table([]), validation=NO_VALIDATION)
    timeline = _Tables(section(report.html, "timeline")).rows[1:]
    assert [r[0] for r in timeline] == ["2024-04-10", "no date"]
    assert timeline[0][3] == "岸田文雄 / 内閣総理大臣 / JP"  # once, though mentioned twice
    assert timeline[1][1] == "日付のない資料" and "山田太郎" in timeline[1][3]
    assert "X / Y / US" not in report.html  # a mention of a document that is not published
    heat = _Tables(section(report.html, "sectors")).rows
    assert heat[0] == ["sector", "2024-04-10", "no date"]
    assert heat[1:] == [["semiconductors", "3", "2"], ["ai", "", "1"]]
    assert report.counts["meetings"] == 1 and report.counts["documents_without_meeting_date"] == 1
    assert report.counts["officials"] == 2
    for png in report.charts.values():
        assert_not_blank(png)


def test_text_from_documents_is_escaped_and_charts_draw_no_missing_glyphs():
    docs = documents_table([{"doc_id": "a", "source_path": "<img src=x>.txt", "title": "<script>alert('x')</script> & 共同声明",
                             "meeting_date": dt.date(2023, 1, 2), "place": '"quoted"'}])
    officials = officials_table([{"doc_id": "a", "person_id": "人物", "name": "<b>名前</b>", "office": "大臣",
                                  "country": "日本", "char_start": 0}])
    sectors = sectors_table([{"doc_id": "a", "sector_id": "半導体<x>", "mentions": 1}])
    ledger = ledger_table([{"source_path": "x.pdf", "status": "rejected", "reason": "壊れた <PDF> & more"}])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = build_report(docs, officials, sectors, ledger, validation=NO_VALIDATION)
    assert not [w for w in caught if "Glyph" in str(w.message)], "a chart drew text its font does not have"
    assert "<script>" not in report.html and "<b>" not in report.html and "<img src=x>" not in report.html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; 共同声明" in report.html
    assert "壊れた &lt;PDF&gt; &amp; more" in report.html
    assert rows_by_first_cell(section(report.html, "sources"))["壊れた <PDF> & more"] == ["1"]


def test_the_report_is_reproducible_and_only_its_footer_names_the_run():
    docs = documents_table([{"doc_id": "a", "source_path": "a.txt", "title": "t", "meeting_date": dt.date(2023, 1, 2), "place": None}])
    args = (docs, officials_table([]), sectors_table([{"doc_id": "a", "sector_id": "ai", "mentions": 4}]), ledger_table([]))
    one = build_report(*args, validation=NO_VALIDATION, run_id="run-one")
    two = build_report(*args, validation=NO_VALIDATION, run_id="run-two")
    assert one.charts == two.charts and one.content_sha256 == two.content_sha256
    assert "run-one" in one.html and "run-one" not in two.html
    assert one.html.replace("run-one", "run-two") == two.html


def test_many_meeting_dates_fold_into_months_in_the_heat_map():
    dates = [dt.date(2020, 1, 1) + dt.timedelta(days=7 * i) for i in range(60)]  # 60 dates over 14 months
    docs = documents_table([{"doc_id": f"d{i}", "source_path": f"{i}.txt", "title": None, "meeting_date": d, "place": None}
                            for i, d in enumerate(dates)])
    sectors = sectors_table([{"doc_id": f"d{i}", "sector_id": "ai", "mentions": 1} for i in range(60)])
    report = build_report(docs, officials_table([]), sectors, ledger_table([]), validation=NO_VALIDATION)
    heat = _Tables(section(report.html, "sectors")).rows
    assert heat[0][1:] == sorted({d.strftime("%Y-%m") for d in dates})
    assert sum(int(v) for v in heat[1][1:]) == 60


def test_a_failed_validation_shows_its_severity_failures_and_held_back_documents():
    validation = {**NO_VALIDATION, "documents": {
        "passed": False, "severity": "ERROR", "expectations_evaluated": 22, "expectations_failed": 1,
        "documents_held_back": {"deadbeef": ["expect_column_values_to_not_match_regex on text"]},
        "failed": [{"expectation": "expect_column_values_to_not_match_regex on text", "severity": "critical",
                    "unexpected_count": 3}],
        "run_id": "r-1"}}
    report = build_report(None, None, None, None, validation=validation)
    row = rows_by_first_cell(section(report.html, "validation"))["documents"]
    assert row[:4] == ["failed", "22", "1", "ERROR"]
    assert row[4].split("\n") == ["1", "deadbeef"]
    assert row[5] == "expect_column_values_to_not_match_regex on text (critical, 3 unexpected)"
    assert report.counts["tables_without_validation"] == sorted(set(PUBLISHED_TABLES) - {"documents"})
    assert "r-1" in report.html.split("<footer>")[1]


def test_meetings_on_consecutive_days_are_two_dots_on_the_timeline():
    """A corpus spanning years, two of its meetings a day apart: on a plain date axis they are one
    dot. Each meeting keeps a column of its own, at least a marker's width from the next."""
    from pipeline.corpus_report import _Document, _timeline_chart

    days = [dt.date(2017, 2, 10), dt.date(2024, 4, 10), dt.date(2024, 4, 11), dt.date(2026, 11, 3)]
    docs = [_Document(f"d{i}", f"{i}.txt", "会談", day, None,
                      [{"name": "岸田文雄", "country": "JP"}]) for i, day in enumerate(days)]
    fig = _timeline_chart(docs)
    fig.canvas.draw()
    ax = fig.axes[0]
    from matplotlib.collections import PathCollection

    dots = [c for c in ax.collections if isinstance(c, PathCollection)]  # the scatters, not the guide lines
    meetings = dots[0].get_offsets()
    pixels = sorted(ax.transData.transform(meetings)[:, 0])
    marker = (36 ** 0.5) * fig.dpi / 72  # the diamond's width in pixels
    assert len(pixels) == 4 and min(b - a for a, b in zip(pixels, pixels[1:])) >= marker
    officials = dots[1].get_offsets()
    assert len({round(float(x), 3) for x in officials[:, 0]}) == 4  # the official's dots too


def _archive(n_dated: int, n_undated: int, officials_per_doc: int = 3, people: int = 90):
    """A corpus of n_dated documents, two a meeting date, and n_undated without one; each names
    officials from a pool of `people`, the lower numbers more often."""
    start = dt.date(1995, 1, 1)
    docs = [{"doc_id": f"d{i:05d}", "source_path": f"{i}.txt", "title": f"会談{i}",
             "meeting_date": start + dt.timedelta(days=10 * (i // 2)), "place": None} for i in range(n_dated)]
    docs += [{"doc_id": f"u{i:05d}", "source_path": f"u{i}.txt", "title": None, "meeting_date": None, "place": None}
             for i in range(n_undated)]
    officials = [{"doc_id": d["doc_id"], "person_id": f"p{(i * 7 + k * k) % people}", "name": f"人物{(i * 7 + k * k) % people}",
                  "office": "大臣", "country": ("JP", "US", "KR")[k % 3], "char_start": k}
                 for i, d in enumerate(docs) for k in range(officials_per_doc)]
    return documents_table(docs), officials_table(officials), sectors_table([]), ledger_table([])


def test_a_large_archive_gives_a_page_of_bounded_size_whose_counts_still_cover_every_document():
    """10,000 documents listed one by one made a 2.9 MB page rebuilt on every publishing run; the
    page lists the latest meetings, says what it leaves out, and counts everything."""
    from pipeline.corpus_report import LISTED_DATED, LISTED_UNDATED

    small = build_report(*_archive(LISTED_DATED + 60, LISTED_UNDATED + 5), validation=NO_VALIDATION)
    large = build_report(*_archive(4 * LISTED_DATED, 4 * LISTED_UNDATED), validation=NO_VALIDATION)
    rows = _Tables(section(large.html, "timeline")).rows[1:]
    assert len(rows) == LISTED_DATED + LISTED_UNDATED
    dated = [r for r in rows if r[0] != "no date"]
    assert [r[4].split("\n")[0] for r in dated] == [f"d{i:05d}" for i in range(3 * LISTED_DATED, 4 * LISTED_DATED)]
    assert [r[4].split("\n")[0] for r in rows[len(dated):]] == [f"u{i:05d}" for i in range(LISTED_UNDATED)]
    note = section(large.html, "timeline")
    assert f"({3 * LISTED_DATED} earlier not listed)" in note and f"({3 * LISTED_UNDATED} others not listed)" in note
    assert large.counts["documents"] == 4 * LISTED_DATED + 4 * LISTED_UNDATED
    assert large.counts["meetings"] == 2 * LISTED_DATED and large.counts["officials"] == 90
    without_charts = [re.sub(r'src="data:[^"]*"', "", r.html) for r in (small, large)]
    assert abs(len(without_charts[1]) - len(without_charts[0])) < 0.02 * len(without_charts[0])
    for png in large.charts.values():
        decoded(png)


def test_the_timeline_chart_draws_the_latest_meetings_and_the_officials_met_most_often():
    from matplotlib.collections import PathCollection

    from pipeline.corpus_report import TIMELINE_MEETINGS, TIMELINE_OFFICIALS, _documents, _timeline_chart

    documents, _, _, _ = _archive(2 * 3 * TIMELINE_MEETINGS, 7)
    # each document: one of 10 regulars, and three of 3 * TIMELINE_OFFICIALS others met rarely
    officials = officials_table(
        [{"doc_id": d, "person_id": None, "name": f"常連{i % 10}", "office": "大臣", "country": "JP", "char_start": 0}
         for i, d in enumerate(documents.column("doc_id").to_pylist())]
        + [{"doc_id": d, "person_id": None, "name": f"人物{(3 * i + k) % (3 * TIMELINE_OFFICIALS)}", "office": "大臣",
            "country": "US", "char_start": 1 + k} for i, d in enumerate(documents.column("doc_id").to_pylist()) for k in range(3)])
    fig = _timeline_chart(_documents(documents, officials))
    ax = fig.axes[0]
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(dots[0].get_offsets()) == TIMELINE_MEETINGS  # the meeting row: one diamond a date
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 1 + TIMELINE_OFFICIALS and labels[0] == "meeting"
    title = ax.get_title()
    assert f"({2 * TIMELINE_MEETINGS} earlier not shown)" in title and "7 without a meeting date" in title
    assert "others not shown" in title
    first_shown = sorted({d["meeting_date"] for d in documents.to_pylist() if d["meeting_date"]})[-TIMELINE_MEETINGS]
    shown = {d["doc_id"] for d in documents.to_pylist() if d["meeting_date"] and d["meeting_date"] >= first_shown}
    met = Counter(f"{o['name']} ({o['country']})" for o in officials.to_pylist() if o["doc_id"] in shown)
    fortieth = sorted(met.values(), reverse=True)[TIMELINE_OFFICIALS - 1]
    most = {label for label, n in met.items() if n > fortieth}
    assert {f"常連{i} (JP)" for i in range(10)} <= most
    assert most <= set(labels)  # every official met more often than the 40th most often is drawn


def test_the_held_back_documents_of_a_failed_suite_are_counted_and_the_first_named():
    from pipeline.corpus_report import LISTED_HELD_BACK

    held = {f"doc{i:03d}": ["expect_x"] for i in range(LISTED_HELD_BACK + 5)}
    validation = {**NO_VALIDATION, "tokens": {"passed": False, "severity": "ERROR", "expectations_evaluated": 3,
                                              "expectations_failed": 1, "documents_held_back": held, "failed": [],
                                              "run_id": "r"}}
    cell = rows_by_first_cell(section(build_report(None, None, None, None, validation=validation).html, "validation"))["tokens"][4]
    lines = cell.split("\n")
    assert lines[0] == str(LISTED_HELD_BACK + 5) and lines[1:-1] == sorted(held)[:LISTED_HELD_BACK]
    assert lines[-1] == "and 5 more"
