"""The `seimei` command."""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    warnings.filterwarnings("ignore", message=r".*(is currently in beta|is currently in preview).*")
    parser = argparse.ArgumentParser(prog="seimei", description="Japanese government statements to validated Parquet, with Dagster.")
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="process what is new in the inbox and publish")
    run_p.add_argument("--raw", default=None, help="inbox folder (default: data/raw, or $SEIMEI_INBOX)")
    run_p.add_argument("--out", default=None, help="publish folder (default: data/published, or $SEIMEI_PUBLISH)")
    run_p.add_argument("--workers", type=int, default=None,
                       help="processes for reading and tokenizing (default: one per core, or $SEIMEI_WORKERS; 1: none)")
    run_p.add_argument("--no-progress", action="store_true",
                       help="no progress on stderr (by default: a bar on a terminal, a line every 5 s otherwise)")
    limits = run_p.add_argument_group("limits of one document's work (also $SEIMEI_MAX_*; a document over one is rejected)")
    for flag, env, what in LIMIT_FLAGS:
        limits.add_argument(flag, type=float, default=None, metavar="N", help=f"{what} (${env})")
    run_p.add_argument("--allow-removal", action="store_true",
                       help="let this run withdraw more than half of the published documents (their files are gone "
                            "from the inbox); refused otherwise ($SEIMEI_ALLOW_MASS_REMOVAL=1)")
    sub.add_parser("home", help="prepare DAGSTER_HOME (default .dagster/) and print its path")
    verify_p = sub.add_parser("verify", help="check the published data against its sources and recorded hashes")
    verify_p.add_argument("--raw", default=None, help="inbox folder (default: data/raw, or $SEIMEI_INBOX)")
    verify_p.add_argument("--out", default=None, help="publish folder (default: data/published, or $SEIMEI_PUBLISH)")
    eval_p = sub.add_parser("evaluate", help="precision/recall of the extracted fields on the seeds and the gold set")
    eval_p.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    if args.command == "verify":
        from pipeline.verify import verify

        problems = verify(args.raw or default_inbox(), args.out or default_publish())
        for problem in problems:
            print(problem)
        print(f"verify: {len(problems)} problem(s)" if problems else "verify: the published data matches its sources")
        return 1 if problems else 0
    if args.command == "evaluate":
        from pipeline.evaluate_command import evaluate_sets

        return evaluate_sets(verbose=args.verbose)
    if args.command == "home":
        from pipeline.runner import prepare_home

        print(prepare_home())
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
    from pipeline.core.reference import ReferenceDataError
    from pipeline.progress import TerminalBar
    from pipeline.removal_guard import MassRemoval
    from pipeline.runner import RunFailed, format_summary, get_instance, run

    bar = None if args.no_progress else TerminalBar(sys.stderr, sys.stderr.isatty())
    with get_instance() as instance:
        try:
            summary = run(inbox, out, instance, progress=bar)
        except RunFailed as exc:
            print(f"seimei: {exc}", file=sys.stderr)
            return 1
        except ReferenceDataError as exc:
            print(f"seimei: {exc}; nothing was processed", file=sys.stderr)
            return 2
        except MassRemoval as exc:
            print(f"seimei: {exc}", file=sys.stderr)
            return 3
    print(format_summary(summary))
    return 0


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
    exit_now(main())


if __name__ == "__main__":
    entry()
