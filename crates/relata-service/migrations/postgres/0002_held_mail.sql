-- Service, schema 2: mail the desk held back (no sender, a forged one, over
-- the size limit, unreadable), routing by coverage, and reply templates.
CREATE TABLE held_messages (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    mailbox TEXT NOT NULL,
    folder TEXT,
    message_id TEXT,
    from_address TEXT,
    subject TEXT,
    reason TEXT NOT NULL,
    detail TEXT,
    size BIGINT,
    status TEXT NOT NULL,
    case_id UUID,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX held_messages_ws_owner_id ON held_messages(workspace_id, owner_id, id);
CREATE INDEX held_messages_ws_status_id ON held_messages(workspace_id, status, id);
CREATE INDEX held_messages_ws_message_id ON held_messages(workspace_id, message_id);
ALTER TABLE routing_rules ADD COLUMN coverage TEXT;
ALTER TABLE case_comments ADD COLUMN template_id UUID;
