"""Contracts of the published tables: the single source of their pyarrow schemas, Dagster column
metadata and docs."""

from schemas.contract import Column, TableContract
from schemas.tables import DATES, DOCUMENTS, OFFICIALS, PUBLISHED_TABLES, SECTORS, SENTENCES, SOURCES, TOKENS

__all__ = ["Column", "TableContract", "DATES", "DOCUMENTS", "OFFICIALS", "PUBLISHED_TABLES", "SECTORS", "SENTENCES", "SOURCES", "TOKENS"]
