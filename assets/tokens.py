"""Published table `tokens`: SudachiPy (split mode C) tokens of every sentence, with offsets.
Tokenizing is the heaviest step per document, so it runs in worker processes (one tokenizer each)."""

from assets.publishing import per_document_table
from pipeline.core.process import token_rows, token_table_job
from schemas.tables import TOKENS

tokens = per_document_table(
    TOKENS,
    lambda doc_id, src, norm, settings: token_rows(doc_id, norm),
    kinds={"parquet", "sudachi"},
    rows_in_workers=token_table_job,
)
