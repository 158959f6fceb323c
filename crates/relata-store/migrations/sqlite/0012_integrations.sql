-- Relata schema v12 (SQLite): integrations. Outbound webhooks: a subscription names the
-- events it wants (invoice.issued, contact.updated, ...), an optional
-- filter on the record, its receiver and the secret deliveries are signed
-- with. Each matching change feed entry becomes one delivery (unique per
-- subscription and event id, so a feed batch handled twice adds nothing),
-- delivered in feed order with retries; the log keeps what the receiver
-- answered.
CREATE TABLE webhook_subscriptions (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    filter TEXT,
    secret TEXT NOT NULL,
    owner_id BLOB,
    active INTEGER NOT NULL,
    paused_reason TEXT,
    draining_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;

CREATE TABLE webhook_deliveries (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    id BLOB NOT NULL,
    subscription_id BLOB NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    position INTEGER NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    response_status INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    delivered_at TEXT,
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries(workspace_id, subscription_id, event_id);
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries(workspace_id, subscription_id, state, position);

-- Events other systems sent in (the ERP's payments and shipments, a phone
-- switch's calls): each applied once per sender and event id, for good; a
-- replay answers what the first one did.
CREATE TABLE inbound_events (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    source TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    result TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, source, event_id)
) WITHOUT ROWID;
