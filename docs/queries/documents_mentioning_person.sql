-- Every document mentioning a person, under any spelling: given a person, by gazetteer id
-- (us-raimondo-gina) or by a spelling (ジーナ・レモンド, ライモンド, 斎藤), one row per document and
-- surface (the mention as written) with the number and first offset of those mentions.
--
-- Parameter: the DuckDB variable `person`; when unset, the example us-raimondo-gina is used.
--   duckdb CLI:  SET VARIABLE person = 'ライモンド';  .read docs/queries/documents_mentioning_person.sql
--   Python:      con.execute("SET VARIABLE person = ?", ["ライモンド"]); con.execute(open(path).read())
-- A spelling matches a mention whose person_id, canonical name or surface equals it or whose name
-- or surface contains it (ライモンド finds ジーナ・ライモンド商務長官). The mentions found name the
-- person(s): officials.person_id, which already folds the spellings the gazetteer knows
-- (ジーナ・レモンド / ジーナ・ライモンド / ライモンド; 齋藤健 / ケン斎藤 / 斎藤 / 斉藤), or the
-- canonical name for a person the gazetteer does not have (person_id null). Then every mention of
-- those persons is listed, whatever its spelling. A short spelling can match several people:
-- the person_id and name columns say which.
--
-- Run from the repository root (or point 'data/published' at another publish folder). Each
-- table is one file per bucket of documents (<table>/part-<bucket>.parquet); the glob reads them all.
SET VARIABLE person = coalesce(getvariable('person'), 'us-raimondo-gina');

WITH officials AS (
    SELECT doc_id, person_id, name, surface, char_start, coalesce(person_id, name) AS who
    FROM read_parquet('data/published/officials/*.parquet')
),
wanted AS (
    SELECT DISTINCT who
    FROM officials
    WHERE length(getvariable('person')) > 0
      AND (getvariable('person') IN (person_id, name, surface)
           OR contains(name, getvariable('person'))
           OR contains(surface, getvariable('person')))
)
SELECT
    o.person_id,
    o.name,
    d.meeting_date,
    d.title,
    o.surface,
    count(*)          AS mentions,
    min(o.char_start) AS first_char_start,
    d.doc_id,
    d.source_path
FROM officials AS o
JOIN wanted AS w ON w.who = o.who
JOIN read_parquet('data/published/documents/*.parquet') AS d
    ON d.doc_id = o.doc_id
GROUP BY o.person_id, o.name, d.meeting_date, d.title, o.surface, d.doc_id, d.source_path
ORDER BY o.person_id NULLS LAST, o.name, d.meeting_date NULLS LAST, d.doc_id, first_char_start;
