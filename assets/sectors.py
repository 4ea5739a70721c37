"""Published table `sectors`: the taxonomy sectors each document covers, matched on Sudachi
normalized forms of its tokens."""

from functools import lru_cache

from assets.publishing import per_document_table
from pipeline.buckets import bucket_of
from pipeline.core.sectors import TokenView
from pipeline.resources import sector_matcher
from schemas.tables import SECTORS


@lru_cache(maxsize=1)
def _tokens_by_document(publish_dir: str, bucket: str, signature: tuple) -> dict[str, list[TokenView]]:
    """The token views of one bucket's tokens file, read once for all its documents (signature:
    the file's size and mtime, so a rewritten file is read again)."""
    from pipeline.storage import ParquetPublisher

    table = ParquetPublisher(publish_dir).read_bucket("tokens", bucket, columns=["doc_id", "sentence_idx", "normalized_form", "char_start"])
    out: dict[str, list[TokenView]] = {}
    if table is not None:
        for r in table.to_pylist():
            out.setdefault(r["doc_id"], []).append(TokenView(r["sentence_idx"], r["normalized_form"], r["char_start"]))
    return out


def sector_rows(doc_id, src, norm, settings):
    publisher = settings.publisher
    bucket = bucket_of(doc_id)
    info = publisher.location.fs.get_file_info(publisher.bucket_path("tokens", bucket))
    views = _tokens_by_document(settings.publish_dir, bucket, (info.size, info.mtime_ns)).get(doc_id, [])
    joined = norm.joined()
    return [
        {"doc_id": doc_id, "sector_id": h.sector_id, "label_ja": h.label_ja, "mentions": h.mentions,
         "first_char_start": h.first_char_start, "page": joined.page_at(h.first_char_start)}
        for h in sector_matcher().match(views)
    ]


sectors = per_document_table(SECTORS, sector_rows, kinds={"parquet"})
