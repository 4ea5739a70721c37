"""Published table `dates`: every date expression, with precision and inferred-year flag."""

import datetime as dt

from assets.publishing import per_document_table
from schemas.tables import DATES

dates = per_document_table(
    DATES,
    lambda doc_id, src, norm, settings: [
        {"doc_id": doc_id, **row, "date": dt.date.fromisoformat(row["date"])}
        for row in settings.store.read("structured_fields", doc_id)["dates"]
    ],
    kinds={"parquet"},
)
