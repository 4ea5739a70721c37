-- Officials by meeting date: every published document, earliest meeting first, with its title
-- and the officials it mentions (canonical name, office, country), one row per document and
-- official in order of first mention, with how often and where the official is first mentioned.
-- A document that mentions no official still has a row, with nulls; an undated document comes last.
--
-- Run from the repository root: duckdb < docs/queries/officials_by_meeting_date.sql
-- (or point 'data/published' at another publish folder; tests/test_example_queries.py does).
-- Each table is one file per bucket of documents (<table>/part-<bucket>.parquet); the globs read them all.
-- first_char_start traces the mention: substr(documents.text, first_char_start + 1, ...).
SELECT
    d.meeting_date,
    d.title,
    o.name,
    o.office,
    o.country,
    count(o.doc_id)   AS mentions,
    min(o.char_start) AS first_char_start,
    d.doc_id,
    d.source_path
FROM read_parquet('data/published/documents/*.parquet') AS d
LEFT JOIN read_parquet('data/published/officials/*.parquet') AS o
    ON o.doc_id = d.doc_id
GROUP BY d.meeting_date, d.title, o.name, o.office, o.country, d.doc_id, d.source_path
ORDER BY d.meeting_date NULLS LAST, d.doc_id, first_char_start NULLS LAST, o.name;
