-- Relata schema v15: files kept with a record (a synced email's
-- attachments), by the record and their position, the bytes in the row.
-- A rowid table: rows carry large blobs.
CREATE TABLE files (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    entity TEXT NOT NULL,
    record_id BLOB NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (workspace_id, entity, record_id, position)
);
