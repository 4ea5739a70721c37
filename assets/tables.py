"""The per-document published tables: one asset each, made from its spec in schemas/tables.py
(builder, upstream, code version, kinds). A new table is a new spec, nothing here."""

from assets.publishing import per_document_table
from schemas.tables import PUBLISHED_TABLES

TABLE_ASSETS = [per_document_table(contract) for contract in PUBLISHED_TABLES.values() if contract.per_document]
