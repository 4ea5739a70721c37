"""Files generated from the contracts (GX suites, table docs) are committed; their scripts either
write them or, with --check, say which ones are stale. One loop for both scripts."""

from __future__ import annotations

import sys
from pathlib import Path


def write_or_check(files: dict[Path, str], check: bool, script: str, root: Path) -> int:
    """Write each file (printing its path), or with `check` report the stale ones on stderr;
    returns the exit status: 1 when a checked file is stale."""
    stale = []
    for path, text in files.items():
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(path.relative_to(root))
    for path in stale:
        print(f"{path.relative_to(root)} is out of date: run python {script}", file=sys.stderr)
    return 1 if stale else 0
