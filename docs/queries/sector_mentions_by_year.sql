-- Sector mentions by year: for each year of the documents' meeting dates and each sector of the
-- taxonomy (data/reference/sectors.json), the sector's mentions summed over the year's documents,
-- how many of them mention it, how many documents the year has, and mentions per document of
-- the year (mentions / documents_in_year), so years with more statements compare fairly.
-- Documents without a meeting date form the year null, listed last.
--
-- Run from the repository root: duckdb < docs/queries/sector_mentions_by_year.sql
-- The year comes from documents.meeting_date; each table is one file per bucket of documents
-- (<table>/part-<bucket>.parquet), read whole by the glob.
WITH docs AS (
    SELECT doc_id, year(meeting_date) AS year
    FROM read_parquet('data/published/documents/*.parquet')
),
years AS (
    SELECT year, count(*) AS documents_in_year FROM docs GROUP BY year
)
SELECT
    d.year,
    s.sector_id,
    any_value(s.label_ja)                               AS label_ja,
    sum(s.mentions)::BIGINT                             AS mentions,
    count(DISTINCT s.doc_id)                            AS documents,
    y.documents_in_year,
    round(sum(s.mentions) / y.documents_in_year, 2)     AS mentions_per_document
FROM read_parquet('data/published/sectors/*.parquet') AS s
JOIN docs AS d ON d.doc_id = s.doc_id
JOIN years AS y ON y.year IS NOT DISTINCT FROM d.year
GROUP BY d.year, s.sector_id, y.documents_in_year
ORDER BY d.year NULLS LAST, mentions DESC, s.sector_id;
