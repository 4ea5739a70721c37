"""A short Markdown preview of the documents a run published, for the ledger's materialization
in the Dagster UI: enough to see at a glance that the run read what it should."""

from __future__ import annotations

from pipeline.core.shorten import shorten

PREVIEW_LIMIT = 10


def _cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ") if value not in (None, "") else "—"


def documents_preview(documents: list[dict], officials: dict[str, list[str]], sectors: dict[str, list[str]],
                      total: int) -> str:
    """documents: rows with doc_id, title, meeting_date; officials/sectors: doc_id -> names / ids
    in text order. `total` documents were published by the run; the first PREVIEW_LIMIT are shown."""
    if not documents:
        return "This run published no document (the ledger only)."
    lines = ["| meeting date | title | officials | sectors |", "| --- | --- | --- | --- |"]
    for doc in documents[:PREVIEW_LIMIT]:
        title = shorten(doc["title"] or "(no title)", 60)
        people = list(dict.fromkeys(officials.get(doc["doc_id"], [])))
        lines.append(f"| {_cell(doc['meeting_date'])} | {_cell(title)} | {_cell(', '.join(people))} | "
                     f"{_cell(', '.join(sectors.get(doc['doc_id'], [])))} |")
    if total > PREVIEW_LIMIT:
        lines.append(f"\n… and {total - PREVIEW_LIMIT} more document(s) in this run.")
    return "\n".join(lines)
