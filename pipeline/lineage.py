"""What produced a published file: package versions, dictionary hash, reference data hashes and
the git commit. Written into every Parquet file's key-value metadata (never into rows)."""

from __future__ import annotations

import hashlib
import subprocess
from functools import lru_cache
from importlib import metadata

from pipeline.project import PROJECT_ROOT, REFERENCE_DIR

LIBRARIES = ("seimei", "dagster", "pdfplumber", "pdfminer.six", "great_expectations", "pyarrow", "pandas")


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    from pipeline.core.tokenize import sudachi_versions

    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "unknown"
    return {**versions, **sudachi_versions()}


@lru_cache(maxsize=1)
def reference_hashes() -> dict[str, str]:
    return {
        p.relative_to(REFERENCE_DIR).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(REFERENCE_DIR.rglob("*")) if p.is_file()
    }


@lru_cache(maxsize=1)
def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
