"""Published table `sentences`: every sentence with its offsets into documents.text and its page."""

from assets.publishing import per_document_table
from pipeline.core.process import sentence_rows
from schemas.tables import SENTENCES

sentences = per_document_table(SENTENCES, lambda doc_id, src, norm, settings: sentence_rows(doc_id, norm), kinds={"parquet"})
