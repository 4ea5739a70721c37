"""Where the project's folders are, and the defaults a fresh checkout runs with."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"
DEFAULT_INBOX = PROJECT_ROOT / "data" / "raw"
DEFAULT_PUBLISH = PROJECT_ROOT / "data" / "published"
DEFAULT_DAGSTER_HOME = PROJECT_ROOT / ".dagster"
# Who answers for every asset (shown in the Dagster UI, filterable there): the team that runs it.
OWNERS = ["team:seimei-data-engineering"]


def default_inbox() -> str:
    return os.environ.get("SEIMEI_INBOX", str(DEFAULT_INBOX))


def default_publish() -> str:
    return os.environ.get("SEIMEI_PUBLISH", str(DEFAULT_PUBLISH))
