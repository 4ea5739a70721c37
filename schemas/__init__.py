"""Contracts of the published tables: the single source of their pyarrow schemas, Dagster column
metadata and docs."""

from schemas.contract import Column, TableContract
from schemas.tables import DOCUMENTS, PUBLISHED_TABLES, SENTENCES, SOURCES, TOKENS

__all__ = ["Column", "TableContract", "DOCUMENTS", "PUBLISHED_TABLES", "SENTENCES", "SOURCES", "TOKENS"]
