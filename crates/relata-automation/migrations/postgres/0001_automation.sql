-- Automation, schema 1 (PostgreSQL): see the SQLite file.
CREATE TABLE automation_rules (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    name TEXT NOT NULL,
    entity TEXT NOT NULL,
    event TEXT NOT NULL,
    watch_fields TEXT,
    conditions TEXT,
    active BOOLEAN,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX automation_rules_ws_entity ON automation_rules(workspace_id, entity, id);
CREATE INDEX automation_rules_ws_owner ON automation_rules(workspace_id, owner_id, id);
CREATE TABLE automation_runs (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    rule_id UUID NOT NULL,
    rule_version BIGINT,
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    feed_position BIGINT,
    status TEXT NOT NULL,
    depth BIGINT,
    tx_id TEXT,
    detail TEXT,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX automation_runs_ws_rule ON automation_runs(workspace_id, rule_id, id);
CREATE INDEX automation_runs_ws_record ON automation_runs(workspace_id, record_id, id);
CREATE INDEX automation_runs_ws_tx ON automation_runs(workspace_id, tx_id, id);
CREATE INDEX automation_runs_ws_position ON automation_runs(workspace_id, feed_position, id);
CREATE INDEX automation_runs_ws_owner ON automation_runs(workspace_id, owner_id, id);
