-- Relata schema v3 (SQLite). Append-only: never edit a shipped migration.
-- search_docs.id is SQLite's rowid, which already grows with every
-- (re-)indexed record, so search results can be listed most recently changed
-- first straight from the index (PostgreSQL gains the same column in v3).
-- The full-text index gets prefix indexes for the two- and three-letter
-- prefixes people type into a search box; the triggers of v1 keep feeding it.
DROP TABLE search_fts;
CREATE VIRTUAL TABLE search_fts USING fts5(
    content, content='search_docs', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3'
);
INSERT INTO search_fts(search_fts) VALUES ('rebuild');
