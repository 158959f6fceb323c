-- Relata schema v14: a workspace's settings by name (a module's channel
-- settings: the SMTP server, the SMS gateway), as JSON. Secrets in them are
-- written through the API and never read back by it.
CREATE TABLE workspace_settings (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, name)
) WITHOUT ROWID;
