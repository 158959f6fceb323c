-- Relata schema v12 (PostgreSQL): integrations (outbound webhooks, inbound events); see the SQLite file.
CREATE TABLE webhook_subscriptions (
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    id UUID NOT NULL,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    filter TEXT,
    secret TEXT NOT NULL,
    owner_id UUID,
    active BOOLEAN NOT NULL,
    paused_reason TEXT,
    draining_until TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE webhook_deliveries (
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    id UUID NOT NULL,
    subscription_id UUID NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    position BIGINT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    response_status BIGINT,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    delivered_at TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries(workspace_id, subscription_id, event_id);
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries(workspace_id, subscription_id, state, position);

-- Events other systems sent in; see the SQLite file.
CREATE TABLE inbound_events (
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    source TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    result TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, source, event_id)
);
