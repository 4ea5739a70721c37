"""End to end through the real Dagster UI server, the way `make dev` runs it.

A temporary DAGSTER_HOME prepared by `seimei home`, a copy of the sample inbox, and a publish
folder in tmp; `dagster-webserver` on workspace.yaml, plus `dagster-daemon` when the instance
queues runs (Dagster's default run coordinator is the queued one, and `seimei home` configures its
queue: only the daemon dequeues). Runs are launched over GraphQL as the project's automation
requests them: inbox_files first (it scans the inbox), then the whole job over the range of the
bucket partitions in one run. Then the test reads back through GraphQL what
the UI shows (assets, asset checks, materialization metadata) and takes a screenshot of the global
asset lineage with headless Chromium, which it installs with apt-get when it is missing.

SEIMEI_UPDATE_SCREENSHOT=1 also copies the screenshots to docs/images/ (asset_graph.png, corpus_report.png: the README's).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib_fontja
import pyarrow.parquet as pq
import pytest
from PIL import Image

from pipeline.automation import RANGE_END, RANGE_START
from pipeline.buckets import bucket_count, bucket_keys
from pipeline.core.inbox import first_of_each_document, scan
from pipeline.jobs import INGEST_JOB
from schemas.tables import DOCUMENTS, PUBLISHED_TABLES
from tests.conftest import ROOT, SAMPLE_INBOX, SEED_FIXTURES
from tests.webserver import (
    GraphQL, ManagedProcess, devtools, ensure_chromium, free_port, launch_run, managed,
    wait_for_location, wait_for_run,
)

BIN = Path(sys.executable).parent
LOCATION, REPOSITORY = "seimei", "__repository__"
JOB = {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY, "jobName": INGEST_JOB}
SERVER_TIMEOUT = 120  # seconds for the webserver to answer and load the code location (~10 s here)
RUN_TIMEOUT = 300  # seconds for one run, queue wait included (the whole job on 4 documents: ~40 s)
PAGE_TIMEOUT = 60  # seconds for the UI to show the whole graph
SETTLE_TIMEOUT = 30  # seconds for the graph to come to rest after a fit or a zoom step
ZOOM_STEPS = 20
# the assets the job has today; more may come (a corpus report), fewer would be a regression
EXPECTED_ASSETS = ["inbox_files", "extracted_text", "normalized_text", "structured_fields", *PUBLISHED_TABLES]
PER_DOCUMENT = ["extracted_text", "normalized_text", "structured_fields"] + [t for t in PUBLISHED_TABLES if t != "sources"]
SCREENSHOT = ROOT / "docs" / "images" / "asset_graph.png"
WIDTH, HEIGHT = 1600, 1000


def server_env(home: Path, inbox: Path, publish: Path) -> dict[str, str]:
    """The environment of `seimei home`, the webserver and the daemon (and so of the code servers
    and run workers they start). Inherited SEIMEI_* and DAGSTER_* settings are dropped: a
    developer's SEIMEI_EXECUTOR=k8s or SEIMEI_BUCKETS_PER_RUN must not change what runs here."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEIMEI_", "DAGSTER_"))}
    env.update({
        "DAGSTER_HOME": str(home),
        "SEIMEI_INBOX": str(inbox),
        "SEIMEI_PUBLISH": str(publish),
        "GX_ANALYTICS_ENABLED": "false",
        "DAGSTER_DISABLE_TELEMETRY": "yes",  # as dagster.yaml's `telemetry: enabled: false`
        "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "true",  # as `make dev` runs it
        "PYTHONUNBUFFERED": "1",  # the logs shown on failure are complete
    })
    return env


@dataclass
class Stack:
    gql: GraphQL
    base_url: str
    inbox: Path
    publish: Path
    logs: Path
    processes: list[ManagedProcess]
    location: dict
    queued: bool
    run_ids: list[str] = field(default_factory=list)
    partition_keys: list[str] = field(default_factory=list)


SCHEDULES_AND_SENSORS = """
query Automation($selector: RepositorySelector!) {
  repositoryOrError(repositorySelector: $selector) {
    ... on Repository {
      sensors { name sensorState { id status } }
      schedules { name scheduleState { id status } }
    }
  }
}
"""
STOP_SENSOR = """
mutation StopSensor($id: String!) {
  stopSensor(id: $id) {
    __typename
    ... on StopSensorMutationResult { instigationState { status } }
    ... on Error { message }
  }
}
"""
STOP_SCHEDULE = """
mutation StopSchedule($id: String!) {
  stopRunningSchedule(id: $id) {
    __typename
    ... on ScheduleStateResult { scheduleState { status } }
    ... on Error { message }
  }
}
"""


def stop_sensors_and_schedules(gql: GraphQL) -> None:
    """The inbox sensor runs by default: with the daemon up it would see the copied inbox settle
    after two ticks and request runs of its own, racing the test's. Stopped through the UI's own
    mutations before the daemon starts (the schedule too, in case the test runs at 06:00)."""
    selector = {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY}
    repo = gql(SCHEDULES_AND_SENSORS, {"selector": selector})["repositoryOrError"]
    assert {s["name"] for s in repo["sensors"]} == {"inbox_sensor", "withdraw_after_failed_run"}
    assert {s["name"] for s in repo["schedules"]} == {"daily_rescan"}
    for sensor in repo["sensors"]:
        result = gql(STOP_SENSOR, {"id": sensor["sensorState"]["id"]})["stopSensor"]
        assert result.get("instigationState", {}).get("status") == "STOPPED", result
    for schedule in repo["schedules"]:
        result = gql(STOP_SCHEDULE, {"id": schedule["scheduleState"]["id"]})["stopRunningSchedule"]
        assert result.get("scheduleState", {}).get("status") == "STOPPED", result


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The webserver (and the daemon, when runs are queued) on a fresh home, stopped at the end
    with everything they started, whatever happened."""
    root = tmp_path_factory.mktemp("webserver_e2e")
    home, inbox, publish, logs = root / "dagster_home", root / "inbox", root / "published", root / "logs"
    shutil.copytree(SAMPLE_INBOX, inbox)
    logs.mkdir()
    env = server_env(home, inbox, publish)
    done = subprocess.run([str(BIN / "seimei"), "home"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"seimei home exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip() == str(home) and (home / "dagster.yaml").is_file()

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with ExitStack() as processes:
        web = processes.enter_context(managed(
            "dagster-webserver", [str(BIN / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            ROOT, env, logs / "webserver.log"))
        gql = GraphQL(base_url, web)
        gql.wait_until_up(SERVER_TIMEOUT)
        location = wait_for_location(gql, LOCATION, SERVER_TIMEOUT)
        stop_sensors_and_schedules(gql)
        queued = gql("query Instance { instance { runQueuingSupported } }")["instance"]["runQueuingSupported"]
        running = [web]
        if queued:
            running.append(processes.enter_context(managed(
                "dagster-daemon", [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
                ROOT, env, logs / "daemon.log")))
        yield Stack(gql, base_url, inbox, publish, logs, running, location, queued)


PARTITION_KEYS = """
query PartitionKeys($assetKey: AssetKeyInput!) {
  assetNodeOrError(assetKey: $assetKey) {
    __typename
    ... on AssetNode { partitionKeys partitionDefinition { type name } }
  }
}
"""


@pytest.fixture(scope="module")
def published(stack: Stack) -> Stack:
    """Two runs: inbox_files alone scans the inbox; then the whole job over the range of the
    bucket partitions first..last, in one run (the assets' single-run backfill policy)."""
    first = launch_run(stack.gql, JOB, asset_selection=["inbox_files"])
    wait_for_run(stack.gql, first, RUN_TIMEOUT, stack.processes)
    node = stack.gql(PARTITION_KEYS, {"assetKey": {"path": ["documents"]}})["assetNodeOrError"]
    assert node["partitionDefinition"]["type"] == "STATIC"
    keys = node["partitionKeys"]
    assert keys == bucket_keys(), "a fixed set of buckets, never one partition per document"
    assert len(first_of_each_document(scan(stack.inbox))) == 4
    whole = launch_run(stack.gql, JOB, tags={RANGE_START: keys[0], RANGE_END: keys[-1]})
    wait_for_run(stack.gql, whole, RUN_TIMEOUT, stack.processes)
    stack.run_ids, stack.partition_keys = [first, whole], keys
    return stack


RUNS = """
query Runs {
  runsOrError {
    __typename
    ... on Runs { results { runId status jobName assetSelection { path } tags { key value } } }
  }
}
"""


def test_runs_launched_over_graphql_succeed(published: Stack):
    # the daemon runs exactly when the instance queues runs (it does with `seimei home`'s dagster.yaml)
    expected = ["dagster-webserver", "dagster-daemon"] if published.queued else ["dagster-webserver"]
    assert [p.name for p in published.processes] == expected
    repos = {r["name"]: [j["name"] for j in r["jobs"]] for r in published.location["repositories"]}
    assert INGEST_JOB in repos[REPOSITORY]
    assert len(published.partition_keys) == bucket_count()
    runs = {r["runId"]: r for r in published.gql(RUNS)["runsOrError"]["results"]}
    assert set(runs) == set(published.run_ids), "no run but the test's (the sensor and schedule are stopped)"
    first, whole = (runs[i] for i in published.run_ids)
    assert first["status"] == whole["status"] == "SUCCESS"
    assert first["jobName"] == whole["jobName"] == INGEST_JOB
    assert first["assetSelection"] == [{"path": ["inbox_files"]}]
    tags = {t["key"]: t["value"] for t in whole["tags"]}
    assert (tags[RANGE_START], tags[RANGE_END]) == (published.partition_keys[0], published.partition_keys[-1])


ASSETS = """
fragment Meta on MetadataEntry {
  __typename
  label
  ... on IntMetadataEntry { intValue }
  ... on TextMetadataEntry { text }
  ... on PathMetadataEntry { path }
  ... on JsonMetadataEntry { jsonString }
  ... on MarkdownMetadataEntry { mdStr }
  ... on UrlMetadataEntry { url }
  ... on TableSchemaMetadataEntry { schema { columns { name type constraints { nullable unique } } } }
}

query JobAssets($pipeline: PipelineSelector!) {
  assetNodes(pipeline: $pipeline) {
    assetKey { path }
    description
    groupName
    isPartitioned
    partitionDefinition { name }
    partitionStats { numMaterialized numPartitions numFailed }
    metadataEntries { ...Meta }
    assetChecksOrError {
      __typename
      ... on AssetChecks {
        checks {
          name
          description
          executionForLatestMaterialization {
            runId
            status
            evaluation { success severity metadataEntries { ...Meta } }
          }
        }
      }
    }
    assetMaterializations(limit: 1) { runId partition metadataEntries { ...Meta } }
  }
}
"""


@pytest.fixture(scope="module")
def assets(published: Stack) -> dict[str, dict]:
    """The job's asset nodes as the UI reads them, by asset name."""
    selector = {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY, "pipelineName": INGEST_JOB}
    nodes = published.gql(ASSETS, {"pipeline": selector})["assetNodes"]
    return {"/".join(n["assetKey"]["path"]): n for n in nodes}


class Metadata(dict):
    """Metadata entries by label; a missing label fails with the labels there are."""

    def __missing__(self, label: str):
        raise AssertionError(f"no metadata entry {label!r}; there are {sorted(self)}")


def metadata(entries: list[dict]) -> Metadata:
    return Metadata((e["label"], e) for e in entries)


def test_every_asset_has_a_description_and_a_group(assets):
    missing = [a for a in EXPECTED_ASSETS if a not in assets]
    assert not missing, f"assets missing from job {INGEST_JOB}: {missing} (it has {sorted(assets)})"
    for name, node in assets.items():  # extra assets too: whatever the job has is shown in the UI
        assert (node["description"] or "").strip(), f"{name} has no description"
        assert node["groupName"], f"{name} has no group"
    assert assets["documents"]["description"] == DOCUMENTS.description


def test_every_bucket_partition_is_materialized(assets, published: Stack):
    n = bucket_count()
    for name in PER_DOCUMENT:
        node = assets[name]
        assert node["isPartitioned"], name
        assert node["partitionStats"] == {"numMaterialized": n, "numPartitions": n, "numFailed": 0}, name
        assert node["assetMaterializations"][0]["runId"] == published.run_ids[1], name
    for name in ("inbox_files", "sources"):
        assert not assets[name]["isPartitioned"], name
        assert assets[name]["assetMaterializations"][0]["runId"] == published.run_ids[1], name


def test_published_tables_pass_their_gx_suite(assets, published: Stack):
    for table in PUBLISHED_TABLES:
        checks = assets[table]["assetChecksOrError"]
        assert checks["__typename"] == "AssetChecks", f"{table}: {checks}"
        by_name = {c["name"]: c for c in checks["checks"]}
        assert "gx_suite" in by_name, f"{table} checks: {sorted(by_name)}"
        check = by_name["gx_suite"]
        assert check["description"] == f"Great Expectations suite expectations/{table}.json"
        execution = check["executionForLatestMaterialization"]
        assert execution is not None, f"{table}: gx_suite has no evaluation for its latest materialization"
        assert execution["runId"] == published.run_ids[1]
        evaluation = execution["evaluation"]
        # passed, or failed at WARN severity (warning-level expectations publish anyway)
        assert (execution["status"], evaluation["success"]) == ("SUCCEEDED", True) or (
            execution["status"] == "FAILED" and evaluation["severity"] == "WARN"), f"{table}: {execution}"
        meta = metadata(evaluation["metadataEntries"])
        assert meta["expectations_evaluated"]["intValue"] > 0, table
        docs = meta["data_docs"]["url"]  # GX's Data Docs page of the validation, a link in the check
        assert docs.startswith("file://") and Path(urllib.parse.unquote(docs[len("file://"):])).is_file(), docs
        if evaluation["success"]:
            assert meta["expectations_failed"]["intValue"] == 0, table
            assert json.loads(meta["failed"]["jsonString"]) == [], table
        assert json.loads(meta["documents_held_back"]["jsonString"]) == {}, table


def test_materialization_metadata(assets, published: Stack):
    sources = metadata(assets["sources"]["assetMaterializations"][0]["metadataEntries"])
    assert sources["dagster/row_count"]["intValue"] == 4
    assert Path(sources["dagster/uri"]["path"]).resolve() == (published.publish / "sources").resolve()
    assert (sources["published"]["intValue"], sources["rejected"]["intValue"], sources["duplicate"]["intValue"]) == (4, 0, 0)
    assert pq.read_table(published.publish / "sources").num_rows == 4  # what the UI says is on disk

    columns = [c.name for c in DOCUMENTS.columns]
    definition = metadata(assets["documents"]["metadataEntries"])
    schema = definition["dagster/column_schema"]["schema"]["columns"]
    assert [c["name"] for c in schema] == columns
    assert [c["name"] for c in schema if c["constraints"]["unique"]] == ["doc_id"]
    assert definition["key"]["text"] == "doc_id"
    latest = assets["documents"]["assetMaterializations"][0]
    documents = metadata(latest["metadataEntries"])
    assert latest["runId"] == published.run_ids[1] and latest["partition"] in published.partition_keys
    assert documents["dagster/column_schema"]["__typename"] == "TableSchemaMetadataEntry"
    assert [c["name"] for c in documents["dagster/column_schema"]["schema"]["columns"]] == columns
    assert pq.read_table(published.publish / "documents").num_rows == 4
    assert Path(documents["dagster/uri"]["path"]).resolve() == (published.publish / "documents").resolve()


# The UI's own localStorage setting for a collapsed main navigation: more width for the graph.
UI_SETTINGS = {"dagster-nav-collapsed": True}
# Every foreignObject of the graph (groups and asset nodes) and the part of the viewport nothing
# covers: the graph's clipping box (its first ancestor with overflow hidden) less the search bar
# drawn over its top and the zoom buttons over its right edge.
GRAPH_BOXES = """(() => {
  const nodes = [...document.querySelectorAll('svg foreignObject')];
  if (!nodes.length) return null;
  let clip = nodes[0].ownerSVGElement;
  while (clip.parentElement && getComputedStyle(clip).overflow !== 'hidden') clip = clip.parentElement;
  const r = clip.getBoundingClientRect();
  const refresh = document.querySelector('[aria-label=refresh]')?.closest('button');  // in the bar
  const top = refresh ? Math.max(r.top, refresh.getBoundingClientRect().bottom + 12) : r.top;
  const box = b => [b.left, b.top, b.right, b.bottom].map(v => Math.round(v * 2) / 2);
  return {pane: [r.left, top, r.right - 56, r.bottom],
          items: nodes.map(n => ({text: n.textContent.trim(), box: box(n.getBoundingClientRect())}))};
})()"""
# a point of the graph's background (for a double click, which fits the graph to the viewport)
BACKGROUND_POINT = """(() => {
  for (let y = 150; y < innerHeight - 20; y += 20) for (let x = 100; x < innerWidth - 100; x += 20) {
    const el = document.elementFromPoint(x, y);
    if (el && el.tagName.toLowerCase() === 'svg' && el.querySelector('foreignObject')) return [x, y];
  }
  return null;
})()"""


def _inside(box, pane) -> bool:
    return box[0] >= pane[0] and box[1] >= pane[1] and box[2] <= pane[2] and box[3] <= pane[3]


def screenshot_asset_graph(browser, base_url: str, names: list[str], groups: list[str], png: Path) -> dict:
    """The global asset lineage with every group expanded, zoomed out until the whole graph is
    inside the viewport. The waits are on what the page shows (every asset's name, then every
    box in view), not on a fixed time. Returns the boxes of the graph as drawn."""
    browser.send("Page.navigate", {"url": f"{base_url}/server_info"})  # the origin, for its localStorage
    browser.wait_for("document.readyState === 'complete'", PAGE_TIMEOUT, "the server info")
    for key, value in UI_SETTINGS.items():
        browser.evaluate(f"localStorage.setItem({json.dumps(key)}, {json.dumps(json.dumps(value))})")
    # group ids with and without the per-code-location groups feature flag
    expanded = ",".join(f"{prefix}:{g}" for g in groups for prefix in ("global@global", f"{REPOSITORY}@{LOCATION}"))
    browser.send("Page.navigate", {"url": f"{base_url}/asset-groups?expanded={expanded}"})
    every_name = f"{json.dumps(names)}.every(n => [...document.querySelectorAll('svg foreignObject')]" \
                 f".some(f => f.textContent.trim().startsWith(n)))"
    browser.wait_for(every_name, PAGE_TIMEOUT, f"a node for each of {names}")
    # the assets sidebar takes a third of the width: hide it with its own button
    browser.evaluate("document.querySelector('[aria-label=panel_show_right]')?.closest('button')?.click()")
    browser.settled(GRAPH_BOXES, SETTLE_TIMEOUT, "the graph after hiding the sidebar")
    point = browser.wait_for(BACKGROUND_POINT, 10, "a free point of the graph's background")
    for count in (1, 2):  # the UI fits the graph to the viewport's width on a double click
        for kind in ("mousePressed", "mouseReleased"):
            browser.send("Input.dispatchMouseEvent",
                         {"type": kind, "x": point[0], "y": point[1], "button": "left", "clickCount": count})
    # every measurement below is of a graph at rest: the fit and each zoom step are animated
    graph = browser.settled(GRAPH_BOXES, SETTLE_TIMEOUT, "the graph after fitting it to the window")
    for _ in range(ZOOM_STEPS):  # then zoom out (around the centre) until it fits the height too
        if all(_inside(item["box"], graph["pane"]) for item in graph["items"]):
            break
        browser.evaluate("document.querySelector('[aria-label=zoom_out]').closest('button').click()")
        graph = browser.settled(GRAPH_BOXES, SETTLE_TIMEOUT, "the graph after a zoom step")
    outside = [i["text"][:40] for i in graph["items"] if not _inside(i["box"], graph["pane"])]
    assert not outside, f"parts of the graph are outside the viewport {graph['pane']}: {outside}"
    undrawn = [n for n in names if node_box(graph, n) is None]
    assert not undrawn, f"no node drawn for {undrawn} at the final zoom"
    browser.screenshot(png)
    after = browser.evaluate(GRAPH_BOXES)
    assert after == graph, "the graph moved while the screenshot was taken"
    return graph


def node_box(graph: dict, name: str) -> list[float] | None:
    """The box of an asset's node: its text is the name alone when zoomed out, the name followed
    by its details when zoomed in."""
    exact = [i for i in graph["items"] if i["text"] == name]
    prefixed = [i for i in graph["items"] if i["text"].startswith(name)]
    found = exact or prefixed
    return found[0]["box"] if found else None


def greenish(pixel) -> bool:
    """The green Dagster draws materialized assets with (fill and border), by hue, not exact shade."""
    r, g, b = pixel[:3]
    return g >= r + 15 and g >= b + 5


def test_asset_graph_screenshot(published: Stack, assets, tmp_path_factory):
    started = time.monotonic()
    chromium, install_seconds = ensure_chromium()
    if install_seconds:
        print(f"installed {chromium} in {install_seconds:.0f} s")
    # the community sign-up dialog the UI opens on 127.0.0.1 would cover the graph: mark it seen,
    # as its Skip button does
    assert published.gql("mutation NuxSeen { setNuxSeen }")["setNuxSeen"] is True
    names = sorted(assets)
    groups = sorted({a["groupName"] for a in assets.values()})
    png = tmp_path_factory.mktemp("screenshot") / "asset_graph.png"
    with devtools(chromium, published.logs / "chromium.log", WIDTH, HEIGHT) as browser:
        graph = screenshot_asset_graph(browser, published.base_url, names, groups, png)

    image = Image.open(png).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    colours = image.getcolors(WIDTH * HEIGHT)
    assert len(colours) > 500, f"{png} has {len(colours)} colours: blank or a spinner"
    not_white = sum(n for n, c in colours if min(c) < 245) / (WIDTH * HEIGHT)
    assert not_white > 0.05, f"{png} is {not_white:.1%} not white"
    # every asset's node is drawn, in the materialized green
    pixels = image.load()
    for name in names:
        box = node_box(graph, name)
        left, top, right, bottom = (round(v) for v in box)
        area = [(x, y) for x in range(left + 2, right - 2, 2) for y in range(top + 2, bottom - 2, 2)]
        share = sum(greenish(pixels[x, y]) for x, y in area) / max(1, len(area))
        assert share > 0.1, f"{name}'s node at {box} is {share:.0%} green in {png}"  # zoomed out ~90 %, in ~16 %

    if os.environ.get("SEIMEI_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, SCREENSHOT)
    print(f"screenshot {png} in {time.monotonic() - started:.0f} s")


REPORT_SCREENSHOT = ROOT / "docs" / "images" / "corpus_report.png"
# every chart of the report drawn (they are embedded as data: URIs), the bundled Japanese font
# the page falls back to loaded (this machine has no other), the first chart scrolled into view
CHARTS_DRAWN = ("document.images.length >= 3 && [...document.images].every(i => i.complete && i.naturalWidth > 0)"
                " && document.fonts.check('16px \"seimei IPAexGothic\"', '日米共同声明')"
                " && [...document.fonts].some(f => f.family.includes('seimei IPAexGothic') && f.status === 'loaded')"
                " && (document.images[0].scrollIntoView(), true)")


def test_corpus_report_screenshot(published: Stack, tmp_path_factory):
    """The report as a browser shows it. Its charts carry Japanese labels drawn with the bundled
    IPAexGothic, and the page falls back to the same font written beside it, so both read the
    same on this machine, which has no CJK font."""
    chromium, _ = ensure_chromium()
    page = published.publish / "_report" / "corpus_report.html"
    assert page.is_file(), f"no report at {page}"
    png = tmp_path_factory.mktemp("report") / "corpus_report.png"
    with devtools(chromium, published.logs / "chromium-report.log", WIDTH, HEIGHT) as browser:
        browser.send("Page.navigate", {"url": page.resolve().as_uri()})
        browser.wait_for(CHARTS_DRAWN, PAGE_TIMEOUT, "the report's charts")
        sizes = browser.evaluate("[...document.images].map(i => [i.naturalWidth, i.naturalHeight])")
        browser.screenshot(png)
    assert all(w > 300 and h > 150 for w, h in sizes), sizes
    image = Image.open(png).convert("RGB")
    colours = image.getcolors(WIDTH * HEIGHT) or []
    assert len(colours) > 200, f"{png} has {len(colours)} colours: blank"
    if os.environ.get("SEIMEI_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(png, REPORT_SCREENSHOT)


START_SENSOR = """
mutation StartSensor($selector: SensorSelector!) {
  startSensor(sensorSelector: $selector) {
    __typename
    ... on Sensor { sensorState { status } }
    ... on PythonError { message }
  }
}
"""
SENSOR_TICKS = """
query SensorTicks($selector: SensorSelector!) {
  sensorOrError(sensorSelector: $selector) {
    __typename
    ... on Sensor { sensorState { ticks(limit: 20) { status timestamp runIds skipReason } } }
  }
}
"""
RUN_TIMES = """
query RunTimes($runId: ID!) {
  runOrError(runId: $runId) { __typename ... on Run { status startTime endTime tags { key value } } }
}
"""
SENSOR_TIMEOUT = 240  # seconds from starting the sensor to its run request (two ticks, 30 s apart)
TABLE_SCREENSHOT = ROOT / "docs" / "images" / "table_row_count.png"
REJECTED_SCREENSHOT = ROOT / "docs" / "images" / "rejected_file.png"
ROW_COUNT_SHOWN = "document.body && /Row count\\s*\\n?\\s*5\\b/.test(document.body.innerText)"
REJECTION_SHOWN = ("document.body && document.body.innerText.includes('no_rejected_files')"
                   " && document.body.innerText.includes('empty.txt')")


def test_a_dropped_file_goes_through_the_sensor_and_a_rejected_one_shows_as_not_a_success(published: Stack, capsys):
    """The daemon's inbox sensor, as `make dev` runs it: a new statement and an empty file dropped
    into the inbox are published and rejected by the run the sensor's settle tick requests. The
    time from that tick to the run's end is measured (and printed; a benchmark's business, not an
    assertion). The UI then shows the table's row count and the rejection as a warned check and a
    run tag: both screenshotted."""
    text = next(SEED_FIXTURES.glob("001_*.txt")).read_text(encoding="utf-8")
    (published.inbox / "dropped.txt").write_text(text + "\n投入された一文。\n", encoding="utf-8")
    (published.inbox / "empty.txt").write_bytes(b"")
    selector = {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY, "sensorName": "inbox_sensor"}
    started = published.gql(START_SENSOR, {"selector": selector})["startSensor"]
    assert started.get("sensorState", {}).get("status") == "RUNNING", started
    deadline = time.monotonic() + SENSOR_TIMEOUT
    while True:
        ticks = published.gql(SENSOR_TICKS, {"selector": selector})["sensorOrError"]["sensorState"]["ticks"]
        requesting = [t for t in ticks if t["runIds"]]
        if requesting:
            break
        assert time.monotonic() < deadline, f"no run requested by the sensor in {SENSOR_TIMEOUT} s: {ticks}"
        time.sleep(1)
    [tick] = requesting
    assert [t for t in ticks if t["timestamp"] < tick["timestamp"] and "waiting one more tick" in (t["skipReason"] or "")]
    [run_id] = tick["runIds"]
    wait_for_run(published.gql, run_id, RUN_TIMEOUT, published.processes)
    run = published.gql(RUN_TIMES, {"runId": run_id})["runOrError"]
    assert run["status"] == "SUCCESS"
    seconds = run["endTime"] - tick["timestamp"]
    with capsys.disabled():
        print(f"\nsensor: settle tick to published in {seconds:.1f} s (the run itself {run['endTime'] - run['startTime']:.1f} s)")
    ledger = {r["source_path"]: r for r in pq.read_table(published.publish / "sources").to_pylist()}
    assert ledger["dropped.txt"]["status"] == "published" and ledger["empty.txt"]["status"] == "rejected"
    tags = {t["key"]: t["value"] for t in run["tags"]}
    assert tags["seimei/rejected_files"] == "1" and tags["seimei/publish"] == str(published.publish)

    selector = {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY, "pipelineName": INGEST_JOB}
    nodes = {"/".join(n["assetKey"]["path"]): n for n in published.gql(ASSETS, {"pipeline": selector})["assetNodes"]}
    checks = {c["name"]: c for c in nodes["sources"]["assetChecksOrError"]["checks"]}
    rejection = checks["no_rejected_files"]["executionForLatestMaterialization"]
    assert rejection["runId"] == run_id and rejection["status"] == "FAILED"
    assert rejection["evaluation"]["severity"] == "WARN"
    assert "empty.txt" in metadata(rejection["evaluation"]["metadataEntries"])["files"]["mdStr"]
    documents = metadata(nodes["documents"]["assetMaterializations"][0]["metadataEntries"])
    assert documents["dagster/row_count"]["intValue"] == 5

    chromium, _ = ensure_chromium()
    shots = published.logs
    # the font the report bundles, for the UI's Japanese column descriptions (no CJK font here)
    font_dir = Path(matplotlib_fontja.__file__).parent / "fonts"
    with devtools(chromium, published.logs / "chromium-pages.log", WIDTH, HEIGHT, font_dirs=[font_dir]) as browser:
        for path, shown, what, png in (
            ("/assets/documents", ROW_COUNT_SHOWN, "the documents table's row count", shots / "table_row_count.png"),
            ("/assets/sources?view=checks&checkDetail=no_rejected_files", REJECTION_SHOWN, "the rejected file on the ledger's checks",
             shots / "rejected_file.png"),
        ):
            browser.send("Page.navigate", {"url": published.base_url + path})
            browser.wait_for(shown, PAGE_TIMEOUT, what)
            browser.settled("document.body.innerText.length", SETTLE_TIMEOUT, what)
            browser.screenshot(png)
            colours = Image.open(png).convert("RGB").getcolors(WIDTH * HEIGHT) or []
            assert len(colours) > 100, f"{png}: blank"
    if os.environ.get("SEIMEI_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shots / "table_row_count.png", TABLE_SCREENSHOT)
        shutil.copyfile(shots / "rejected_file.png", REJECTED_SCREENSHOT)
