"""Published table `tokens`: SudachiPy (split mode C) tokens of every sentence, with offsets."""

from assets.publishing import per_document_table
from pipeline.core.process import token_rows
from schemas.tables import TOKENS

tokens = per_document_table(TOKENS, lambda doc_id, src, norm, settings: token_rows(doc_id, norm), kinds={"parquet", "sudachi"})
