"""The guard against mass withdrawal: an empty, unmounted or wrong inbox looks exactly like every
statement having been deleted, and the ledger step would take the whole publication back. A run
that would withdraw more than a set share of the published documents stops with a message that
says so, unless told to go ahead (--allow-removal, SEIMEI_ALLOW_MASS_REMOVAL=1, or the resource's
allow_mass_removal). Edited files (same path, new bytes) and renamed ones (same bytes) are not
withdrawals: only documents whose bytes and path are both gone count."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.inbox import InboxFile
from pipeline.storage import ParquetPublisher

DEFAULT_MAX_REMOVAL_SHARE = 0.5


class MassRemoval(Exception):
    pass


@dataclass(frozen=True)
class Withdrawal:
    published: int  # documents the current ledger lists as published
    withdrawn: list[str]  # their source paths, for those that would be taken back

    @property
    def share(self) -> float:
        return len(self.withdrawn) / self.published if self.published else 0.0


def planned_withdrawal(files: list[InboxFile], publisher: ParquetPublisher) -> Withdrawal:
    published = [r for r in publisher.ledger_rows(["source_path", "doc_id", "status"]) if r["status"] == "published"]
    paths = {f.source_path for f in files}
    docs = {f.doc_id for f in files if f.doc_id}
    gone = [r["source_path"] for r in published if r["source_path"] not in paths and r["doc_id"] not in docs]
    return Withdrawal(len(published), sorted(gone))


def check_withdrawal(files: list[InboxFile], publisher: ParquetPublisher, inbox: str, max_share: float,
                     allowed: bool) -> Withdrawal:
    """The planned withdrawal, or MassRemoval when it is over the share and not allowed."""
    plan = planned_withdrawal(files, publisher)
    if not allowed and plan.withdrawn and plan.share > max_share:
        example = ", ".join(plan.withdrawn[:3]) + (" …" if len(plan.withdrawn) > 3 else "")
        raise MassRemoval(
            f"refusing to withdraw {len(plan.withdrawn)} of {plan.published} published documents "
            f"({plan.share:.0%}, over the limit of {max_share:.0%}): their files are no longer in the inbox {inbox} "
            f"(an empty, unmounted or wrong inbox?), e.g. {example}. Nothing was changed. If they were removed on "
            "purpose, run again with --allow-removal (or SEIMEI_ALLOW_MASS_REMOVAL=1)."
        )
    return plan
