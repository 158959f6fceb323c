-- Relata schema v15: files kept with a record (a synced email's
-- attachments), by the record and their position, the bytes in the row.
CREATE TABLE files (
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    entity TEXT NOT NULL,
    record_id UUID NOT NULL,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    content BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, entity, record_id, position)
);
