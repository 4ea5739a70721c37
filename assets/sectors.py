"""Published table `sectors`: the taxonomy sectors each document covers, matched on Sudachi
normalized forms of its tokens."""

from assets.publishing import per_document_table
from assets.tokens import tokens
from pipeline.core.sectors import TokenView
from pipeline.resources import sector_matcher
from schemas.tables import SECTORS


def sector_rows(doc_id, src, norm, settings):
    publisher = settings.publisher
    table = publisher.read_file(publisher.find_doc("tokens", doc_id), columns=["sentence_idx", "normalized_form", "char_start"])
    views = [TokenView(r["sentence_idx"], r["normalized_form"], r["char_start"]) for r in table.to_pylist()]
    joined = norm.joined()
    return [
        {"doc_id": doc_id, "sector_id": h.sector_id, "label_ja": h.label_ja, "mentions": h.mentions,
         "first_char_start": h.first_char_start, "page": joined.page_at(h.first_char_start)}
        for h in sector_matcher().match(views)
    ]


sectors = per_document_table(SECTORS, sector_rows, kinds={"parquet"}, deps=(tokens,))
