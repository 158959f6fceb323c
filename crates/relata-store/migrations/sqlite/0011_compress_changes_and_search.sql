-- Relata schema v11 (SQLite): change diffs compressed with a dictionary,
-- and a smaller full-text index.
-- A change entry's diff repeats the field names and much of the vocabulary
-- of every other entry of its type, and compresses poorly on its own. Once
-- a workspace has written enough entries of a type, a zstd dictionary is
-- trained from them and kept here; later entries store their diff as a blob
-- (a marker byte, the dictionary's id, a zstd frame) instead of JSON text.
-- Earlier entries stay as they are: readers accept both forms.
CREATE TABLE change_dictionaries (
    id INTEGER PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    entity TEXT NOT NULL,
    samples INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    dictionary BLOB NOT NULL,
    UNIQUE (workspace_id, entity)
);

-- The full-text index keeps which documents hold a word, not where
-- (detail=none): searches are words and prefixes ANDed together, never
-- phrases or proximity, and the positions were half the index. The text
-- indexed is Relata's own folded words separated by spaces, so the ASCII
-- tokenizer splits it exactly as written and a query word is always one
-- token. The index keeps no text, so the words are read back from the old
-- index's vocabulary.
DROP TRIGGER search_docs_ad;
DROP TRIGGER search_docs_input_insert;
CREATE VIRTUAL TABLE new_search_fts USING fts5(
    content, content='', contentless_delete=1, detail=none,
    tokenize='ascii', prefix='2 3'
);
CREATE VIRTUAL TABLE temp.old_search_words USING fts5vocab(main, search_fts, 'instance');
INSERT INTO new_search_fts (rowid, content)
    SELECT doc, group_concat(term, ' ')
    FROM (SELECT doc, term FROM temp.old_search_words ORDER BY doc, "offset")
    GROUP BY doc;
DROP TABLE temp.old_search_words;
DROP TABLE search_fts;
ALTER TABLE new_search_fts RENAME TO search_fts;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
    DELETE FROM search_fts WHERE rowid = old.id;
END;
CREATE TRIGGER search_docs_input_insert INSTEAD OF INSERT ON search_docs_input BEGIN
    INSERT INTO search_docs (workspace_id, entity, record_id) VALUES (new.workspace_id, new.entity, new.record_id);
    INSERT INTO search_fts (rowid, content) VALUES (last_insert_rowid(), new.content);
END;

-- Contact points are keyed by what they are looked up by (kind and value),
-- with no second index by record: writers know a record's old emails and
-- phones and remove those rows by their key, and `relata check` walks the
-- table in key order to find rows no record accounts for.
CREATE TABLE new_contact_points (
    workspace_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    record_id BLOB NOT NULL,
    entity TEXT NOT NULL,
    PRIMARY KEY (workspace_id, kind, value, record_id)
) WITHOUT ROWID;
INSERT INTO new_contact_points (workspace_id, kind, value, record_id, entity)
    SELECT workspace_id, kind, value, record_id, entity FROM contact_points
    ORDER BY workspace_id, kind, value, record_id;
DROP TABLE contact_points;
ALTER TABLE new_contact_points RENAME TO contact_points;
