-- Channels, schema 1: message templates, messages (each an episode of its
-- contact's and account's story) and print batches; see the SQLite file.
CREATE TABLE message_templates (
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
    key TEXT NOT NULL,
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    purpose TEXT NOT NULL,
    entity TEXT,
    subject TEXT,
    body TEXT NOT NULL,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX message_templates_ws_owner ON message_templates(workspace_id, owner_id, id);
CREATE INDEX message_templates_ws_key ON message_templates(workspace_id, key, id);
CREATE TABLE messages (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    channel TEXT NOT NULL,
    status TEXT,
    direction TEXT,
    contact_id UUID,
    account_id UUID,
    template_id UUID,
    about_entity TEXT,
    about_id TEXT,
    purpose TEXT,
    to_address TEXT,
    postal_address TEXT,
    subject TEXT,
    body TEXT,
    language TEXT,
    from_address TEXT,
    attempts BIGINT,
    error TEXT,
    sent_at TIMESTAMPTZ,
    print_batch_id UUID,
    automation_run TEXT,
    provider_id TEXT,
    unsubscribe_token TEXT,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX messages_ws_owner ON messages(workspace_id, owner_id, id);
CREATE INDEX messages_ws_contact ON messages(workspace_id, contact_id, id);
CREATE INDEX messages_ws_account ON messages(workspace_id, account_id, id);
CREATE INDEX messages_ws_status ON messages(workspace_id, status, id);
CREATE INDEX messages_ws_print_batch ON messages(workspace_id, print_batch_id, id);
CREATE INDEX messages_ws_about_id ON messages(workspace_id, about_id, id);
CREATE INDEX messages_ws_unsubscribe_token ON messages(workspace_id, unsubscribe_token, id);
CREATE TABLE print_batches (
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
    status TEXT,
    letters BIGINT,
    posted_at TIMESTAMPTZ,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX print_batches_ws_owner ON print_batches(workspace_id, owner_id, id);
CREATE INDEX print_batches_ws_status ON print_batches(workspace_id, status, id);
