-- Sales quotas: what each salesperson should win in a period.
CREATE TABLE quotas (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    name TEXT,
    user_id BLOB NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    amount_currency TEXT NOT NULL,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX quotas_ws_owner_id ON quotas(workspace_id, owner_id, id);
CREATE INDEX quotas_ws_user_period ON quotas(workspace_id, user_id, period_start);
