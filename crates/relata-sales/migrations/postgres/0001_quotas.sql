-- Sales quotas: what each salesperson should win in a period.
CREATE TABLE quotas (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    name TEXT,
    user_id UUID NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    amount_minor BIGINT NOT NULL,
    amount_currency TEXT NOT NULL,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX quotas_ws_owner_id ON quotas(workspace_id, owner_id, id);
CREATE INDEX quotas_ws_user_period ON quotas(workspace_id, user_id, period_start);
