"""The contracts of the seven published tables. Later issues add columns; they never rename these."""

from __future__ import annotations

import pyarrow as pa

from schemas.contract import Column, Join, TableContract, Trace

DOC_ID = Column("doc_id", pa.string(), "Document id: the first 16 hex digits of the source file's sha256, stable across runs.")
CHAR_START = Column("char_start", pa.int64(), "Start offset (inclusive, in code points) into documents.text.")
CHAR_END = Column("char_end", pa.int64(), "End offset (exclusive, in code points) into documents.text.")
SOURCE_SHA256 = Column("source_sha256", pa.string(), "sha256 of the source file the row came from (lineage).")

# How rows join and trace back to their source: documentation only (docs/tables/), see schemas/contract.py.
TO_DOCUMENT = Join("documents", (("doc_id", "doc_id"),), "The document the row belongs to: its title, meeting date, "
                   "source_path and the text every offset points into.")


def in_sentence(offset: str) -> Join:
    """Mentions carry no sentence_idx: their sentence is the one whose span holds their first character."""
    return Join("sentences", (("doc_id", "doc_id"),), "The sentence the row's text starts in.",
                within=(offset, "char_start", "char_end"))


SOURCE_FORMATS = ("pdf", "text", "unknown")
SOURCE_STATUSES = ("published", "rejected", "duplicate")
DOC_TYPES = ("joint_statement", "reference_material", "news_article", "other")

SOURCES = TableContract(
    name="sources",
    description="The ledger: one row per file found in the inbox, whatever became of it.",
    key=("source_path",),
    failing_row_columns=("status",),
    columns=(
        Column("source_path", pa.string(), "Path relative to the inbox, with / separators."),
        Column("source_sha256", pa.string(), "sha256 of the file's bytes (64 hex digits); null when the entry was not read "
               "(a socket or pipe, a link leading outside the inbox, a file without read permission).", nullable=True),
        Column("size_bytes", pa.int64(), "File size in bytes."),
        Column("format", pa.string(), "Format detected from the bytes (and the extension).", allowed=SOURCE_FORMATS),
        Column("encoding", pa.string(), "Text encoding detected for text files.", nullable=True),
        Column("status", pa.string(), "What became of the file.", allowed=SOURCE_STATUSES),
        Column("doc_id", pa.string(), "The document the file became (for a duplicate, the original's); null when rejected.", nullable=True),
        Column("reason", pa.string(), "Why it was rejected, or which file it duplicates; null when published.", nullable=True),
    ),
    joins=(Join("documents", (("doc_id", "doc_id"),), "The document the file became (a duplicate: the document of "
                "the file it duplicates); none for a rejected file.", optional=True),),
    trace=Trace(note="The row is the source file itself: source_path under the inbox, with the bytes' source_sha256."),
    per_document=False,
    code_version="3",
)

DOCUMENTS = TableContract(
    name="documents",
    description="One row per published document, with its normalized full text.",
    key=("doc_id",),
    failing_row_columns=("title",),
    columns=(
        DOC_ID,
        Column("source_path", pa.string(), "Path of the source file relative to the inbox (the first name seen for these bytes)."),
        Column("source_sha256", pa.string(), "sha256 of the source file's bytes."),
        Column("title", pa.string(), "The heading lines before the body, joined by a space; null when none were found.", nullable=True),
        Column("doc_type", pa.string(), "Kind of document.", allowed=DOC_TYPES),
        Column("is_provisional_translation", pa.bool_(), "True when the document marks itself as a provisional translation (仮訳)."),
        Column("page_count", pa.int32(), "Pages in the source PDF; null for text files.", nullable=True),
        Column("text", pa.string(), "The normalized full text; every offset in other tables points into it."),
        Column("char_count", pa.int64(), "Length of text in code points."),
        Column("meeting_date", pa.date32(), "Date of the meeting or statement itself (heading, [年月日] field or lead sentence).", nullable=True),
        Column("place", pa.string(), "City or venue of the meeting, as written.", nullable=True),
        Column("countries", pa.list_(pa.string()), "The parties (ISO 3166-1 alpha-2), from 日米韓-style names and the officials' countries; sorted."),
        Column("next_meeting_date", pa.date32(), "Earliest date given for a next meeting (次回…), month or year precision stored as its first day.", nullable=True),
        Column("running_lines", pa.list_(pa.string()),
               "Running headers and footers (仮訳, disclaimers, document codes) removed from the body, each once, in page order; "
               "page numbers are not kept."),
        Column("dropped_pages", pa.list_(pa.struct([("page", pa.int32()), ("reason", pa.string())])),
               "Pages of the source PDF that gave no body text, each with why (no text layer, unmapped glyphs, only running "
               "lines); empty when every page was read."),
    ),
    trace=Trace(note="The whole file: source_path (the first inbox name seen for these bytes; sources lists every "
                "name with the same source_sha256), page_count pages, of which dropped_pages gave no text."),
    code_version="7",
    upstream=("normalized_text", "structured_fields"),
    rows="pipeline.core.rows:documents_rows",
)

SENTENCES = TableContract(
    name="sentences",
    description="One row per sentence of a document's normalized text.",
    key=("doc_id", "sentence_idx"),
    columns=(
        DOC_ID,
        SOURCE_SHA256,
        Column("sentence_idx", pa.int32(), "0-based position of the sentence in the document."),
        Column("text", pa.string(), "The sentence: equals documents.text[char_start:char_end]."),
        CHAR_START,
        CHAR_END,
        Column("page", pa.int32(), "1-based PDF page the sentence starts on; null for text files.", nullable=True),
    ),
    joins=(TO_DOCUMENT,),
    trace=Trace("char_start", "char_end", "page"),
    code_version="3",
    upstream=("normalized_text",),
    rows="pipeline.core.rows:sentences_rows",
)

TOKENS = TableContract(
    name="tokens",
    description="One row per SudachiPy token (split mode C) of each sentence.",
    key=("doc_id", "sentence_idx", "token_idx"),
    failing_row_columns=("surface",),
    columns=(
        DOC_ID,
        SOURCE_SHA256,
        Column("sentence_idx", pa.int32(), "The sentence the token belongs to."),
        Column("token_idx", pa.int32(), "0-based position of the token in its sentence."),
        Column("surface", pa.string(), "The token as written: equals documents.text[char_start:char_end]."),
        Column("normalized_form", pa.string(), "Sudachi normalized form (表記揺れ folded)."),
        Column("dictionary_form", pa.string(), "Sudachi dictionary (lemma) form."),
        Column("reading_form", pa.string(), "Reading in katakana."),
        Column("pos", pa.string(), "Part of speech: Sudachi's six POS fields joined by commas."),
        CHAR_START,
        CHAR_END,
    ),
    joins=(
        Join("sentences", (("doc_id", "doc_id"), ("sentence_idx", "sentence_idx")),
             "The sentence the token is part of, and its page."),
        TO_DOCUMENT,
    ),
    trace=Trace("char_start", "char_end", note="Tokens have no page column: the page is their sentence's "
                "(sentences.page, where the sentence starts)."),
    code_version="3",
    upstream=("normalized_text",),
    rows="pipeline.core.rows:tokens_rows",
    rows_in_workers="pipeline.core.process:token_table_job",  # tokenizing is the heaviest step per document
    kinds=("parquet", "sudachi"),
)

DATE_PRECISIONS = ("day", "month", "year")
PAGE = Column("page", pa.int32(), "1-based PDF page where the mention starts; null for text files.", nullable=True)

DATES = TableContract(
    name="dates",
    description="One row per date expression in a document's text.",
    key=("doc_id", "char_start"),
    failing_row_columns=("surface",),
    columns=(
        DOC_ID,
        SOURCE_SHA256,
        Column("date", pa.date32(), "The date; month precision is stored as the month's first day, year precision as 1 January."),
        Column("precision", pa.string(), "How much of the date the text gives.", allowed=DATE_PRECISIONS),
        Column("surface", pa.string(), "The expression as written: equals documents.text[char_start:char_end]."),
        Column("year_inferred", pa.bool_(), "True when the text gives no year and it was inferred from the document."),
        CHAR_START,
        CHAR_END,
        PAGE,
    ),
    joins=(TO_DOCUMENT, in_sentence("char_start")),
    trace=Trace("char_start", "char_end", "page"),
    code_version="4",
    upstream=("normalized_text", "structured_fields"),  # the text's length bounds the offsets (validation)
    rows="pipeline.core.rows:dates_rows",
)

OFFICIALS = TableContract(
    name="officials",
    description="One row per mention of an official (a named person holding an office).",
    key=("doc_id", "char_start"),
    failing_row_columns=("name", "office"),
    columns=(
        DOC_ID,
        SOURCE_SHA256,
        Column("person_id", pa.string(), "Gazetteer id (data/reference/officials.json); null when the person is not in it.", nullable=True),
        Column("name", pa.string(), "Canonical name as the Japanese government writes it (齋藤健, ジーナ・レモンド, 安德根)."),
        Column("surface", pa.string(), "The mention as written: equals documents.text[char_start:char_end]."),
        Column("office", pa.string(), "The office (経済産業大臣, 商務長官, 産業通商資源部長官)."),
        Column("country", pa.string(), "Country of the office, ISO 3166-1 alpha-2; INT for an international "
               "organisation (国連, WTO, IMF, EU institutions)."),
        CHAR_START,
        CHAR_END,
        PAGE,
        Column("office_held_on_meeting_date", pa.bool_(),
               "Whether the gazetteer has the person in this office on the document's meeting date; null when the "
               "person or the office is not in the gazetteer or there is no meeting date. False is a warning, not an "
               "error: press texts get titles wrong.", nullable=True),
    ),
    joins=(TO_DOCUMENT, in_sentence("char_start")),
    trace=Trace("char_start", "char_end", "page", note="person_id leads to the gazetteer entry "
                "(data/reference/officials.json), which folds every spelling of the person."),
    code_version="5",
    upstream=("normalized_text", "structured_fields"),  # the text's length bounds the offsets (validation)
    rows="pipeline.core.rows:officials_rows",
)

SECTORS = TableContract(
    name="sectors",
    description="One row per sector of the taxonomy (data/reference/sectors.json) a document covers.",
    key=("doc_id", "sector_id"),
    failing_row_columns=("label_ja",),
    columns=(
        DOC_ID,
        SOURCE_SHA256,
        Column("sector_id", pa.string(), "Taxonomy id (semiconductors, critical_minerals, …)."),
        Column("label_ja", pa.string(), "The sector's Japanese label."),
        Column("mentions", pa.int32(), "How many times the sector's terms occur."),
        Column("first_char_start", pa.int64(), "Offset into documents.text of the first mention's first token."),
        PAGE,
    ),
    joins=(
        TO_DOCUMENT,
        Join("tokens", (("doc_id", "doc_id"), ("first_char_start", "char_start")), "The first mention's first token."),
        in_sentence("first_char_start"),
    ),
    trace=Trace("first_char_start", None, "page", note="Only the first mention is located (page is its page). "
                "The others are not stored: they are matches of the sector's terms (data/reference/sectors.json) "
                "in each sentence's joined tokens.normalized_form values."),
    code_version="3",
    upstream=("normalized_text", "tokens"),
    reference_inputs=("sectors.json",),
    rows="pipeline.core.rows:sectors_rows",
)

PUBLISHED_TABLES: dict[str, TableContract] = {
    t.name: t for t in (SOURCES, DOCUMENTS, SENTENCES, TOKENS, DATES, OFFICIALS, SECTORS)
}
