-- Calls, schema 1: calls to make (call-queue entries), by owner and due time.
CREATE TABLE call_queue_entries (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    reason TEXT NOT NULL,
    contact_id BLOB,
    account_id BLOB,
    phone TEXT,
    priority INTEGER,
    status TEXT NOT NULL,
    due_at TEXT,
    attempts INTEGER,
    last_outcome TEXT,
    last_called_at TEXT,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX call_queue_entries_ws_owner ON call_queue_entries(workspace_id, owner_id, id);
CREATE INDEX call_queue_entries_ws_contact ON call_queue_entries(workspace_id, contact_id, id);
CREATE INDEX call_queue_entries_ws_account ON call_queue_entries(workspace_id, account_id, id);
CREATE INDEX call_queue_entries_ws_status ON call_queue_entries(workspace_id, status, id);
