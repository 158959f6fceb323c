-- Relata schema v14 (PostgreSQL): a workspace's settings; see the SQLite file.
CREATE TABLE workspace_settings (
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, name)
);
