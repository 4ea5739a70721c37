"""`make bench` itself, on a tiny corpus: its figures are what the team's targets are read from, so
the benchmark must run end to end and measure what it says. Nothing here asserts a time."""

from benchmarks.__main__ import bench, report


def test_the_benchmark_measures_a_full_an_incremental_and_an_idle_run(tmp_path):
    r = bench(4, reps=1, workers=1, work=tmp_path)
    assert r["files"] == 4 and r["chars"] > 0
    assert r["pipeline_s"] > 0 and r["floor_s"] > 0
    assert r["events_stored"] > 0 and r["parquet_files"] > 0
    assert r["incremental_log"][-1].startswith("Processed: 1 documents")  # only the new statement
    assert r["idle_log"] and r["idle_log"][0].startswith("Nothing new")  # and then nothing at all
    assert r["idle_s"] > 0 and 0 < r["idle_share"] == r["idle_s"] / r["pipeline_s"]
    text = report(r)
    assert "incremental (+1 file)" in text and "idle (nothing new)" in text
    assert not (tmp_path / "inbox_4" / "zz_incremental.txt").exists()  # the inbox is left as generated
