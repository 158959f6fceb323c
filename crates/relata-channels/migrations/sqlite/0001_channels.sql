-- Channels, schema 1: message templates, messages (each an episode of its
-- contact's and account's story) and print batches of letters.
CREATE TABLE message_templates (
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
    key TEXT NOT NULL,
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    purpose TEXT NOT NULL,
    entity TEXT,
    subject TEXT,
    body TEXT NOT NULL,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX message_templates_ws_owner ON message_templates(workspace_id, owner_id, id);
CREATE INDEX message_templates_ws_key ON message_templates(workspace_id, key, id);
CREATE TABLE messages (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    channel TEXT NOT NULL,
    status TEXT,
    direction TEXT,
    contact_id BLOB,
    account_id BLOB,
    template_id BLOB,
    about_entity TEXT,
    about_id TEXT,
    purpose TEXT,
    to_address TEXT,
    postal_address TEXT,
    subject TEXT,
    body TEXT,
    language TEXT,
    from_address TEXT,
    attempts INTEGER,
    error TEXT,
    sent_at TEXT,
    print_batch_id BLOB,
    automation_run TEXT,
    provider_id TEXT,
    unsubscribe_token TEXT,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX messages_ws_owner ON messages(workspace_id, owner_id, id);
CREATE INDEX messages_ws_contact ON messages(workspace_id, contact_id, id);
CREATE INDEX messages_ws_account ON messages(workspace_id, account_id, id);
CREATE INDEX messages_ws_status ON messages(workspace_id, status, id);
CREATE INDEX messages_ws_print_batch ON messages(workspace_id, print_batch_id, id);
CREATE INDEX messages_ws_about_id ON messages(workspace_id, about_id, id);
CREATE INDEX messages_ws_unsubscribe_token ON messages(workspace_id, unsubscribe_token, id);
CREATE TABLE print_batches (
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
    status TEXT,
    letters INTEGER,
    posted_at TEXT,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX print_batches_ws_owner ON print_batches(workspace_id, owner_id, id);
CREATE INDEX print_batches_ws_status ON print_batches(workspace_id, status, id);
