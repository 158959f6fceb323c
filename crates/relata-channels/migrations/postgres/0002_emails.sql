-- Channels, schema 2: email conversations synced from people's own
-- mailboxes (private to their owner), one row per message and owner.
CREATE TABLE emails (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    direction TEXT,
    subject TEXT,
    from_address TEXT,
    to_addresses TEXT,
    cc_addresses TEXT,
    sent_at TIMESTAMPTZ,
    body TEXT,
    contact_id UUID,
    account_id UUID,
    folder TEXT,
    message_id TEXT,
    in_reply_to TEXT,
    thread TEXT,
    attachments TEXT,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX emails_ws_owner ON emails(workspace_id, owner_id, id);
CREATE INDEX emails_ws_contact ON emails(workspace_id, contact_id, id);
CREATE INDEX emails_ws_account ON emails(workspace_id, account_id, id);
CREATE INDEX emails_ws_message_id ON emails(workspace_id, message_id, id);
-- A message is logged once per owner, whatever syncs race.
CREATE UNIQUE INDEX emails_ws_owner_message ON emails(workspace_id, owner_id, message_id);
CREATE INDEX emails_ws_thread ON emails(workspace_id, thread, id);
