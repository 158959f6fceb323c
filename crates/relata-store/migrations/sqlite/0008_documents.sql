-- Relata schema v8 (SQLite): documents with lines, decimal custom fields.

-- The places after the point of a decimal custom field.
ALTER TABLE custom_fields ADD COLUMN scale INTEGER;

-- The lines of header-and-lines documents (a quote's, an order's, an
-- invoice's, a custom object's): read and written only through their
-- document, in its transaction, so they are visible exactly when it is.
CREATE TABLE document_lines (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    id BLOB NOT NULL,
    document_id BLOB NOT NULL,
    entity TEXT NOT NULL,
    position INTEGER NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX document_lines_of ON document_lines(workspace_id, document_id, position);
