"""The `seimei` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings

from pipeline.project import default_inbox, default_publish


# the CLI's flags for pipeline/core/limits.py; each sets the environment variable the sensor and
# the UI's runs read too
LIMIT_FLAGS = (
    ("--max-file-mb", "SEIMEI_MAX_BYTES", "largest file in MB"),
    ("--max-pages", "SEIMEI_MAX_PAGES", "most pages of a PDF"),
    ("--max-read-seconds", "SEIMEI_MAX_READ_SECONDS", "seconds to read one file before its worker is stopped"),
    ("--max-memory-mb", "SEIMEI_MAX_MEMORY_MB", "address space in MB of the process that reads one file"),
    ("--max-text-chars", "SEIMEI_MAX_TEXT_CHARS", "most characters of text in one document"),
    ("--max-mentions", "SEIMEI_MAX_MENTIONS", "most date or official mentions in one document"),
)


EXIT_CODES = """exit status:
  0  done (run: everything new is processed; rejected files are recorded, not failures;
     verify: the publication matches its sources)
  1  a run failed (the last publication stays whole), or verify found problems
  2  bad input: no such inbox folder, reviewed reference data that does not load, or a
     DAGSTER_HOME that holds another publication's runs
  3  refused: the run would withdraw more than half of the publication (see --allow-removal)"""
MAX_REJECTIONS_SHOWN = 20  # more go to the ledger only: `sources` with status = 'rejected'


def version_text() -> str:
    """"seimei 0.1.0 (git 1a2b3c4d5e6f)": the package version and the commit the code is at."""
    from importlib import metadata

    from pipeline.lineage import git_commit

    try:
        version = metadata.version("seimei")
    except metadata.PackageNotFoundError:
        version = "unknown"
    commit = git_commit()
    return f"seimei {version} (git {commit[:12] if commit else 'unknown'})"


def main(argv: list[str] | None = None, own_process: bool = False) -> int:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    warnings.filterwarnings("ignore", message=r".*(is currently in beta|is currently in preview).*")
    parser = argparse.ArgumentParser(prog="seimei", description="Japanese government statements to validated Parquet, with Dagster.",
                                     epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="store_true", help="print the version and the git commit, and exit")
    sub = parser.add_subparsers(dest="command")
    run_p = sub.add_parser("run", help="process what is new in the inbox and publish")
    run_p.add_argument("--raw", default=None, help="inbox folder (default: data/raw, or $SEIMEI_INBOX)")
    run_p.add_argument("--out", default=None, help="publish folder (default: data/published, or $SEIMEI_PUBLISH)")
    run_p.add_argument("--workers", type=int, default=None,
                       help="processes for reading and tokenizing (default: one per core, or $SEIMEI_WORKERS; 1: none)")
    run_p.add_argument("--json", action="store_true", help="print the summary as one JSON object on stdout")
    run_p.add_argument("--log-level", default="WARNING", choices=("DEBUG", "INFO", "WARNING", "ERROR"),
                       help="Dagster's run log on stderr (default WARNING: rejections and failures)")
    run_p.add_argument("--no-progress", action="store_true",
                       help="no progress on stderr (by default: a bar on a terminal, a line every 5 s otherwise)")
    limits = run_p.add_argument_group("limits of one document's work (also $SEIMEI_MAX_*; a document over one is rejected)")
    for flag, env, what in LIMIT_FLAGS:
        limits.add_argument(flag, type=float, default=None, metavar="N", help=f"{what} (${env})")
    run_p.add_argument("--allow-removal", action="store_true",
                       help="let this run withdraw more than half of the published documents (their files are gone "
                            "from the inbox); refused otherwise ($SEIMEI_ALLOW_MASS_REMOVAL=1)")
    home_p = sub.add_parser("home", help="prepare the publication's DAGSTER_HOME and print its path ($DAGSTER_HOME "
                                         "when set; else .dagster/ for data/published, one under .dagster/locations/ "
                                         "for any other publish folder)")
    home_p.add_argument("--out", default=None, help="publish folder (default: data/published, or $SEIMEI_PUBLISH)")
    verify_p = sub.add_parser("verify", help="check the published data against its sources and recorded hashes")
    verify_p.add_argument("--raw", default=None, help="inbox folder (default: data/raw, or $SEIMEI_INBOX)")
    verify_p.add_argument("--out", default=None, help="publish folder (default: data/published, or $SEIMEI_PUBLISH)")
    verify_p.add_argument("--json", action="store_true", help="print the problems and their counts as JSON")
    eval_p = sub.add_parser("evaluate", help="precision/recall of the extracted fields on the seeds and the gold set")
    eval_p.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    eval_p.add_argument("--json", action="store_true", help="print precision and recall per set and field as JSON")
    args = parser.parse_args(argv)
    if args.version:
        print(version_text())
        return 0
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if args.command == "verify":
        return verify_command(args.raw or default_inbox(), args.out or default_publish(), args.json)
    if args.command == "evaluate":
        from pipeline.evaluate_command import evaluate_sets

        return evaluate_sets(verbose=args.verbose, as_json=args.json)
    if args.command == "home":
        from pipeline.runner import prepare_home

        print(prepare_home(args.out or default_publish()))
        return 0

    inbox, out = args.raw or default_inbox(), args.out or default_publish()
    if args.workers is not None:
        os.environ["SEIMEI_WORKERS"] = str(args.workers)
    for flag, env, _ in LIMIT_FLAGS:
        value = getattr(args, flag.lstrip("-").replace("-", "_"))
        if value is not None:
            os.environ[env] = str(int(value * 1024 * 1024) if env == "SEIMEI_MAX_BYTES" else value)
    if args.allow_removal:
        os.environ["SEIMEI_ALLOW_MASS_REMOVAL"] = "1"
    if not os.path.isdir(inbox):
        print(f"seimei: inbox folder {inbox} does not exist", file=sys.stderr)
        return 2
    from pipeline import validation_service

    validation_service.start()  # GX is imported there while this process loads Dagster and reads
    if own_process:  # the `seimei` command: this process only runs, and never needs pandas
        from pipeline.core.without_pandas import do_without_pandas

        do_without_pandas()
    from pipeline.core.reference import ReferenceDataError
    from pipeline.progress import TerminalBar
    from pipeline.instance_identity import ForeignInstance
    from pipeline.removal_guard import MassRemoval
    from pipeline.runner import RunFailed, format_summary, get_instance, run

    bar = None if args.no_progress else TerminalBar(sys.stderr, sys.stderr.isatty())
    echo = (lambda *_: None) if args.json else print  # --json: stdout is the JSON object alone
    with get_instance(out) as instance:
        try:
            summary = run(inbox, out, instance, progress=bar, echo=echo, log_level=args.log_level)
        except RunFailed as exc:
            return _failed(args.json, 1, str(exc))
        except ReferenceDataError as exc:
            return _failed(args.json, 2, f"{exc}; nothing was processed")
        except ForeignInstance as exc:
            return _failed(args.json, 2, f"{exc}; nothing was processed")
        except MassRemoval as exc:
            return _failed(args.json, 3, str(exc))
    if args.json:
        print(json.dumps(summary_json(summary), ensure_ascii=False, indent=1))
    else:
        print(format_summary(summary, max_rejections=MAX_REJECTIONS_SHOWN))
    return 0


def _failed(as_json: bool, code: int, message: str) -> int:
    print(f"seimei: {message}", file=sys.stderr)
    if as_json:
        print(json.dumps({"ok": False, "exit_status": code, "error": message}, ensure_ascii=False))
    return code


def summary_json(summary) -> dict:
    """`seimei run --json`: what the run did and what is published, every rejection included."""
    return {
        "ok": True, "exit_status": 0, "inbox": summary.inbox, "publish": summary.publish,
        "files": summary.files, "statuses": summary.statuses,
        "documents_processed": summary.documents_processed, "runs": summary.runs,
        "row_counts": summary.row_counts,
        "rejections": [{"source_path": path, "reason": reason} for path, reason in summary.rejections],
        "report": f"{summary.publish}/_report/corpus_report.html",
    }


def verify_command(inbox: str, publish: str, as_json: bool) -> int:
    """Problems one per line, then their count by kind (the word before the first colon)."""
    from collections import Counter

    from pipeline.verify import verify

    problems = verify(inbox, publish)
    kinds = Counter(p.split(":", 1)[0] for p in problems)
    if as_json:
        print(json.dumps({"ok": not problems, "problems": problems, "counts": dict(sorted(kinds.items()))},
                         ensure_ascii=False, indent=1))
    else:
        for problem in problems:
            print(problem)
        if problems:
            print(f"verify: {len(problems)} problem(s): " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
        else:
            print("verify: the published data matches its sources")
    return 1 if problems else 0


def exit_now(code: int) -> None:
    """End the process without tearing the interpreter down: after a run, freeing GX's, pandas'
    and Dagster's modules object by object takes a second or more and does nothing for the user.
    Logs and output are flushed first; every file the run wrote is already closed and renamed."""
    import logging

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def entry() -> None:
    """The `seimei` console script."""
    exit_now(main(own_process=True))


if __name__ == "__main__":
    entry()
