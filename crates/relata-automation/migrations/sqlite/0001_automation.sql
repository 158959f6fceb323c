-- Automation, schema 1: rules (their steps are lines in document_lines) and
-- their runs, one per rule and change that triggered it.
CREATE TABLE automation_rules (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    name TEXT NOT NULL,
    entity TEXT NOT NULL,
    event TEXT NOT NULL,
    watch_fields TEXT,
    conditions TEXT,
    active INTEGER,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX automation_rules_ws_entity ON automation_rules(workspace_id, entity, id);
CREATE INDEX automation_rules_ws_owner ON automation_rules(workspace_id, owner_id, id);
CREATE TABLE automation_runs (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    rule_id BLOB NOT NULL,
    rule_version INTEGER,
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    feed_position INTEGER,
    status TEXT NOT NULL,
    depth INTEGER,
    tx_id TEXT,
    detail TEXT,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX automation_runs_ws_rule ON automation_runs(workspace_id, rule_id, id);
CREATE INDEX automation_runs_ws_record ON automation_runs(workspace_id, record_id, id);
CREATE INDEX automation_runs_ws_tx ON automation_runs(workspace_id, tx_id, id);
CREATE INDEX automation_runs_ws_position ON automation_runs(workspace_id, feed_position, id);
CREATE INDEX automation_runs_ws_owner ON automation_runs(workspace_id, owner_id, id);
