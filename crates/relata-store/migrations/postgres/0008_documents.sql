-- Relata schema v8 (PostgreSQL): documents with lines, decimal custom fields.

-- The places after the point of a decimal custom field.
ALTER TABLE custom_fields ADD COLUMN scale BIGINT;

-- The lines of header-and-lines documents (a quote's, an order's, an
-- invoice's, a custom object's): read and written only through their
-- document, in its transaction, so they are visible exactly when it is.
CREATE TABLE document_lines (
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    id UUID NOT NULL,
    document_id UUID NOT NULL,
    entity TEXT NOT NULL,
    position BIGINT NOT NULL,
    data JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX document_lines_of ON document_lines(workspace_id, document_id, position);
