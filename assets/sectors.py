"""Published table `sectors`: the taxonomy sectors each document covers, matched on Sudachi
normalized forms of its tokens."""

from functools import lru_cache

from assets.publishing import per_document_table
from pipeline.buckets import bucket_of
from pipeline.core.sectors import TokenView
from pipeline.resources import sector_matcher
from schemas.tables import SECTORS


@lru_cache(maxsize=1)
def _tokens_of_bucket(publish_dir: str, bucket: str, signature: tuple):
    """One bucket's tokens file, read once for all its documents (signature: the file's size and
    mtime, so a rewritten file is read again), with where each document's rows are (the file is
    sorted by doc_id): (table, {doc_id: (offset, length)})."""
    import pyarrow.compute as pc

    from pipeline.storage import ParquetPublisher

    table = ParquetPublisher(publish_dir).read_bucket("tokens", bucket, columns=["doc_id", "sentence_idx", "normalized_form", "char_start"])
    if table is None:
        return None, {}
    runs = pc.run_end_encode(table.column("doc_id").combine_chunks())
    ends, values = runs.run_ends.to_pylist(), runs.values.to_pylist()
    starts = [0, *ends[:-1]]
    return table, {d: (s, e - s) for d, s, e in zip(values, starts, ends)}


def _token_views(publish_dir: str, bucket: str, signature: tuple, doc_id: str) -> list[TokenView]:
    table, where = _tokens_of_bucket(publish_dir, bucket, signature)
    if doc_id not in where:
        return []
    offset, length = where[doc_id]
    rows = table.slice(offset, length)
    columns = (rows.column(name).to_pylist() for name in ("sentence_idx", "normalized_form", "char_start"))
    return list(map(TokenView, *columns))


def sector_rows(doc_id, src, norm, settings):
    publisher = settings.publisher
    bucket = bucket_of(doc_id)
    info = publisher.location.fs.get_file_info(publisher.bucket_path("tokens", bucket))
    views = _token_views(settings.publish_dir, bucket, (info.size, info.mtime_ns), doc_id)
    joined = norm.joined()
    return [
        {"doc_id": doc_id, "sector_id": h.sector_id, "label_ja": h.label_ja, "mentions": h.mentions,
         "first_char_start": h.first_char_start, "page": joined.page_at(h.first_char_start)}
        for h in sector_matcher().match(views)
    ]


sectors = per_document_table(SECTORS, sector_rows, kinds={"parquet"})
