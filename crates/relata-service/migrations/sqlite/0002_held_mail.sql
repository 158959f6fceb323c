-- Service, schema 2: mail the desk held back (no sender, a forged one, over
-- the size limit, unreadable), routing by coverage, and reply templates.
CREATE TABLE held_messages (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    mailbox TEXT NOT NULL,
    folder TEXT,
    message_id TEXT,
    from_address TEXT,
    subject TEXT,
    reason TEXT NOT NULL,
    detail TEXT,
    size INTEGER,
    status TEXT NOT NULL,
    case_id BLOB,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX held_messages_ws_owner_id ON held_messages(workspace_id, owner_id, id);
CREATE INDEX held_messages_ws_status_id ON held_messages(workspace_id, status, id);
CREATE INDEX held_messages_ws_message_id ON held_messages(workspace_id, message_id);
ALTER TABLE routing_rules ADD COLUMN coverage TEXT;
ALTER TABLE case_comments ADD COLUMN template_id BLOB;
