"""One Dagster instance per publication. A publish folder's runs, bucket partitions and ledger
metadata never share an instance with another publish folder's: on one instance, `--out X` and
`--out Y` showed both corpora in one partitions view, the ledger metadata of whichever ran last,
and let a UI run of one code location "succeed" on the other's partitions.

`seimei run`, `seimei home` and `make dev` pick the instance from the publish folder (DAGSTER_HOME
when set). The instance records which publication it belongs to in its own key-value store (its
run storage: SQLite or PostgreSQL, so every process and pod sharing it sees the same owner), and
every run, sensor tick and schedule tick on it checks that record first. A publication is known by
its folder and by an id it keeps (_work/publication/identity.json): a folder moved or copied with
its instance is still the same publication, and so is one deleted and made again in the same place.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from pathlib import Path

import dagster as dg

from pipeline.project import DEFAULT_DAGSTER_HOME, DEFAULT_PUBLISH

PUBLISH_KEY, INBOX_KEY, ID_KEY = "seimei/publish_location", "seimei/inbox", "seimei/publication_id"
# Where the instances of publish folders other than the project's default one live.
HOMES_ENV = "SEIMEI_DAGSTER_HOMES"


class ForeignInstance(Exception):
    """The instance holds another publication's runs."""


def location(publish: str) -> str:
    """The publish folder as the instance records it: absolute, or the URI as given."""
    return publish if "://" in publish else str(Path(publish).resolve())


def home_for(publish: str) -> Path:
    """DAGSTER_HOME when it is set; else .dagster/ for the project's default publish folder and
    .dagster/locations/<folder name>-<8 hex of its location>/ for any other one."""
    if os.environ.get("DAGSTER_HOME"):
        return Path(os.environ["DAGSTER_HOME"])
    where = location(publish)
    if where == location(str(DEFAULT_PUBLISH)):
        return DEFAULT_DAGSTER_HOME
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", where.rstrip("/").rsplit("/", 1)[-1])[:40] or "publish"
    base = Path(os.environ.get(HOMES_ENV) or DEFAULT_DAGSTER_HOME / "locations")
    return base / f"{name}-{hashlib.sha256(where.encode()).hexdigest()[:8]}"


def _store(publish: str):
    from pipeline.storage import StageStore

    return StageStore(publish)


def publication_id(publish: str) -> str | None:
    """The id the publication keeps in its folder; None before its first run."""
    found = _store(publish).read("publication", "identity")
    return found.get("id") if found else None


def _recorded(instance: dg.DagsterInstance) -> dict[str, str]:
    return instance.run_storage.get_cursor_values({PUBLISH_KEY, INBOX_KEY, ID_KEY})


def owner(instance: dg.DagsterInstance) -> tuple[str | None, str | None]:
    """(publish location, inbox) the instance belongs to; (None, None) before its first run."""
    stored = _recorded(instance)
    return stored.get(PUBLISH_KEY), stored.get(INBOX_KEY)


def foreign_owner(instance: dg.DagsterInstance, publish: str, recorded: dict[str, str] | None = None) -> str | None:
    """Why this instance must not run for `publish`, or None when it may: neither its folder nor
    its id is the recorded publication's. `recorded`: the instance's record, when already read."""
    stored = _recorded(instance) if recorded is None else recorded
    publication, inbox, recorded_id = stored.get(PUBLISH_KEY), stored.get(INBOX_KEY), stored.get(ID_KEY)
    if publication is None or publication == location(publish):
        return None
    if recorded_id is not None and recorded_id == publication_id(publish):
        return None  # the publication moved, its instance with it
    return (f"this Dagster instance ({instance.root_directory}) holds the runs of the publication {publication} "
            f"(inbox {inbox}), not of {location(publish)}: one instance per publication keeps two corpora "
            "apart. Unset DAGSTER_HOME (seimei then picks the publication's own instance, `seimei home "
            "--out FOLDER` prints it) or point DAGSTER_HOME at another folder")


def claim(instance: dg.DagsterInstance, inbox: str, publish: str) -> None:
    """Record the instance as the publication's, or raise ForeignInstance (nothing written then).
    A moved inbox keeps the publication's instance: the ledger, not the instance, answers for the
    files."""
    recorded = _recorded(instance)
    reason = foreign_owner(instance, publish, recorded)
    if reason:
        raise ForeignInstance(reason)
    ident = publication_id(publish)
    if ident is None:
        ident = uuid.uuid4().hex  # an id, never a dataset value: rows stay the same run after run
        _store(publish).write("publication", "identity", {"id": ident})
    wanted = {PUBLISH_KEY: location(publish), INBOX_KEY: str(Path(inbox).resolve()), ID_KEY: ident}
    if recorded != wanted:
        instance.run_storage.set_cursor_values(wanted)
