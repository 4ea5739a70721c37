"""`python -m benchmarks [--n 200 1000] [--reps 3] [--workers N]`: the floor and `seimei run` on the
same generated inbox, alternating, then one new file on top of the published corpus, then a
run with nothing new.

Prints, per N: median wall time of the floor and of the pipeline, their ratio, per-stage times
(from the Dagster run's step timings), documents/s, characters/s, peak RSS, and the incremental
run's and the idle run's times as shares of the full run. Each pipeline repetition starts from an empty publish
folder and a fresh DAGSTER_HOME, as a first run on a new machine would.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import corpus

ROOT = Path(__file__).resolve().parents[1]


def _tree_memory(root: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes of a process and all its descendants now, from /proc. RSS counts a
    page shared by several processes (the interpreter, the Sudachi dictionary mapped by every
    worker) once per process, so its sum is an upper bound; PSS shares each such page out among
    them, so its sum is the memory the tree really holds. (0, 0) where there is no /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, parent in parents.items() if parent == pid and p not in tree]
        tree.update(children)
        frontier += children
    rss = pss = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    key, _, value = line.partition(":")
                    if key == "Rss":
                        rss += int(value.split()[0]) * 1024
                    elif key == "Pss":
                        pss += int(value.split()[0]) * 1024
        except (OSError, ValueError):
            continue
    return rss, pss


def _timed(cmd: list[str], env: dict) -> tuple[float, int, int, str]:
    """(wall seconds, peak RSS and peak PSS in bytes of the process and its workers together,
    sampled every 0.2 s, stdout)."""
    import threading

    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            rss, pss = _tree_memory(proc.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out}")
    return wall, max(peak[0], usage.ru_maxrss * 1024), peak[1], out


def _step_times(home: Path) -> dict[str, float]:
    code = (
        "import json, dagster as dg\n"
        "i = dg.DagsterInstance.get()\n"
        "runs = [r for r in i.get_runs() if not r.tags.get('seimei/ledger_only')]\n"
        "out = {}\n"
        "for r in runs:\n"
        "    for s in i.get_run_step_stats(r.run_id):\n"
        "        out[s.step_key] = out.get(s.step_key, 0) + (s.end_time - s.start_time)\n"
        "    st = i.get_run_stats(r.run_id)\n"
        "    out['(run)'] = out.get('(run)', 0) + (st.end_time - st.start_time)\n"
        "out['(events)'] = sum(len(i.all_logs(r.run_id)) for r in i.get_runs())\n"
        "print(json.dumps(out))\n"
    )
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


GROUP_BY = "SELECT pos, count(*) AS n, count(DISTINCT doc_id) AS docs FROM read_parquet('{}') GROUP BY pos ORDER BY n DESC"


def duckdb_group_by(out: Path, reps: int = 3) -> tuple[float, float]:
    """(seconds over the published tokens files, seconds over the same rows compacted into one
    file): what the bucket layout costs a reader, best of reps each."""
    import duckdb

    compacted = out.parent / f"{out.name}_tokens_compacted.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_parquet('{out}/tokens/*.parquet')) TO '{compacted}' (FORMAT parquet)")

    def best(path: str) -> float:
        times = []
        for _ in range(reps):
            started = time.perf_counter()
            con.execute(GROUP_BY.format(path)).fetchall()
            times.append(time.perf_counter() - started)
        return min(times)

    try:
        return best(f"{out}/tokens/*.parquet"), best(str(compacted))
    finally:
        compacted.unlink(missing_ok=True)


def _pipeline(inbox: Path, out: Path, home: Path, extra: list[str]) -> tuple[float, int, int, str]:
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    return _timed([sys.executable, "-m", "pipeline.cli", "run", "--raw", str(inbox), "--out", str(out), *extra], env)


def bench(n: int, reps: int, workers: int, work: Path) -> dict:
    inbox = work / f"inbox_{n}"
    if not inbox.is_dir() or len(list(inbox.iterdir())) != n:
        shutil.rmtree(inbox, ignore_errors=True)
        corpus.build(n, inbox)
    floor_times, pipe_times, floor_rss, pipe_rss, pipe_pss = [], [], [], [], []
    stages: list[dict] = []
    floor_stats = {}
    extra = ["--workers", str(workers)] if workers else []
    for rep in range(reps):
        wall, rss, _, out = _timed([sys.executable, "-m", "benchmarks.floor", str(inbox)], dict(os.environ))
        floor_times.append(wall)
        floor_rss.append(rss)
        floor_stats = eval(out.strip().splitlines()[-1])  # noqa: S307 (our own dict literal)
        home, out_dir = work / f"home_{n}_{rep}", work / f"out_{n}_{rep}"
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(out_dir, ignore_errors=True)
        home.mkdir()
        wall, rss, pss, _ = _pipeline(inbox, out_dir, home, extra)
        pipe_times.append(wall)
        pipe_rss.append(rss)
        pipe_pss.append(pss)
        stages.append(_step_times(home))
        parquet_files = sum(1 for _ in out_dir.rglob("*.parquet"))
    group_by_s, compacted_s = duckdb_group_by(out_dir)
    # incremental: one new statement on top of the last published corpus
    new_file = inbox / "zz_incremental.txt"
    header, text = corpus.statement(n + 7)
    new_file.write_text(text.replace("会合である。", "会合である。追加の一文。"), encoding="utf-8")
    try:
        inc_wall, _, _, inc_out = _pipeline(inbox, out_dir, home, extra)
        # then nothing new: what every `seimei run` pays before any document (the process, its
        # imports, the instance, the inbox scan, the plan), the floor under the incremental run
        idle_wall, _, _, idle_out = _pipeline(inbox, out_dir, home, extra)
    finally:
        new_file.unlink()
    floor_median, pipe_median = statistics.median(floor_times), statistics.median(pipe_times)
    stage_median = {k: statistics.median(s.get(k, 0.0) for s in stages) for k in stages[0]}
    events = int(stage_median.pop("(events)", 0))
    return {
        "n": n,
        "files": floor_stats.get("files"),
        "chars": floor_stats.get("chars"),
        "floor_s": floor_median,
        "pipeline_s": pipe_median,
        "ratio": pipe_median / floor_median,
        "floor_runs": floor_times,
        "pipeline_runs": pipe_times,
        "stages_s": stage_median,
        "docs_per_s": n / pipe_median,
        "chars_per_s": (floor_stats.get("chars") or 0) / pipe_median,
        "peak_rss_mib": max(pipe_rss) / 2**20,
        "peak_pss_mib": max(pipe_pss) / 2**20,
        "floor_peak_rss_mib": max(floor_rss) / 2**20,
        "duckdb_group_by_s": group_by_s,
        "duckdb_group_by_compacted_s": compacted_s,
        "events_stored": events,
        "parquet_files": parquet_files,
        "extraction_share": stage_median.get("structured_fields", 0.0) / max(stage_median.get("(run)", 0.0), 1e-9),
        "incremental_s": inc_wall,
        "incremental_share": inc_wall / pipe_median,
        "incremental_log": [ln for ln in inc_out.splitlines() if ln.startswith(("Processed", "Running"))],
        "idle_s": idle_wall,
        "idle_share": idle_wall / pipe_median,
        "idle_log": [ln for ln in idle_out.splitlines() if ln.startswith(("Processed", "Nothing new"))],
    }


def report(r: dict) -> str:
    lines = [
        f"N = {r['n']} ({r['files']} files, {r['chars']:,} characters)",
        f"  floor (pdfplumber + SudachiPy)  median {r['floor_s']:7.2f} s   runs {', '.join(f'{x:.2f}' for x in r['floor_runs'])}",
        f"  seimei run                      median {r['pipeline_s']:7.2f} s   runs {', '.join(f'{x:.2f}' for x in r['pipeline_runs'])}",
        f"  ratio pipeline / floor          {r['ratio']:.2f}",
        f"  throughput                      {r['docs_per_s']:.1f} documents/s, {r['chars_per_s']:,.0f} characters/s",
        f"  peak memory (process + workers) pipeline RSS {r['peak_rss_mib']:.0f} MiB, PSS {r['peak_pss_mib']:.0f} MiB; "
        f"floor RSS {r['floor_peak_rss_mib']:.0f} MiB",
        f"  Dagster events stored           {r['events_stored']:,} (every run of the full rep)",
        f"  Parquet files published         {r['parquet_files']:,}",
        f"  DuckDB group-by over tokens     {r['duckdb_group_by_s']:.3f} s "
        f"({r['duckdb_group_by_s'] / max(r['duckdb_group_by_compacted_s'], 1e-9):.2f}× one compacted file)",
        f"  extraction (structured_fields)  {r['extraction_share']:.1%} of the run's step time",
        f"  incremental (+1 file)           {r['incremental_s']:.2f} s = {r['incremental_share']:.1%} of the full run",
        *(f"    {ln}" for ln in r["incremental_log"]),
        f"  idle (nothing new)              {r['idle_s']:.2f} s = {r['idle_share']:.1%} of the full run",
        *(f"    {ln}" for ln in r["idle_log"]),
        "  stages (median seconds, from the run's step timings):",
        *(f"    {k:28s} {v:7.2f}" for k, v in sorted(r["stages_s"].items(), key=lambda kv: -kv[1])),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[200])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--workers", type=int, default=0, help="seimei run --workers (0: its default)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "seimei-bench")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    results = []
    for n in args.n:
        result = bench(n, args.reps, args.workers, args.work)
        results.append(result)
        print(report(result), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
