"""Where a document's rejection is decided and recorded: one stamp per document in the work
folder, `_work/rejected/<doc_id>.json`, with the stage, the reason, the pipeline fingerprint and
the limits it was decided under. No Dagster here.

Recording a rejection touches nothing else: each table's own step leaves the document out, and
the ledger step (which runs after every table) withdraws whatever any table holds for a document
that is not published. Steps that run at once under the multiprocess executor so never delete
each other's files.
"""

from __future__ import annotations

from pipeline.core.limits import Limits
from pipeline.storage import StageStore

REJECTED_STAGE = "rejected"


def reject(store: StageStore, doc_id: str, stage: str, reason: str, fingerprint: str, limits: Limits,
           transient: bool = False) -> None:
    store.write(REJECTED_STAGE, doc_id, {"stage": stage, "reason": reason, "fingerprint": fingerprint,
                                         "limits": limits.fingerprint(), "transient": transient})


def clear(store: StageStore, doc_id: str) -> None:
    store.delete(REJECTED_STAGE, doc_id)


def stamp(store: StageStore, doc_id: str) -> dict | None:
    return store.read(REJECTED_STAGE, doc_id)


def stamps_among(store: StageStore, doc_ids) -> dict[str, dict]:
    """The rejection stamps of those of doc_ids that have one: the folder listed once, and only
    the stamps in it read, never a lookup per document (a bucket or an inbox holds thousands)."""
    listed = set(store.keys(REJECTED_STAGE)).intersection(doc_ids)
    return {d: found for d in sorted(listed) if (found := stamp(store, d)) is not None}


def rejected_in_run(store: StageStore, doc_id: str, fingerprint: str) -> bool:
    """Out of this run: rejected by an earlier stage (or a table) under the current code."""
    return decided_under(stamp(store, doc_id), fingerprint)


def decided_under(found: dict | None, fingerprint: str) -> bool:
    """A rejection stamp decided under this pipeline fingerprint (the current code and data)."""
    return found is not None and found.get("fingerprint") == fingerprint


def rejection_is_final(found: dict, fingerprint: str, limits: Limits) -> bool:
    """A rejection that stands until the code, the reference data or the limits change: not one
    about the moment (a file changing while read), and decided under the current limits."""
    return (decided_under(found, fingerprint) and not found.get("transient")
            and found.get("limits") == limits.fingerprint())
