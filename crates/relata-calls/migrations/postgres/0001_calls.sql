-- Calls, schema 1: calls to make; see the SQLite file.
CREATE TABLE call_queue_entries (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    reason TEXT NOT NULL,
    contact_id UUID,
    account_id UUID,
    phone TEXT,
    priority BIGINT,
    status TEXT NOT NULL,
    due_at TIMESTAMPTZ,
    attempts BIGINT,
    last_outcome TEXT,
    last_called_at TIMESTAMPTZ,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX call_queue_entries_ws_owner ON call_queue_entries(workspace_id, owner_id, id);
CREATE INDEX call_queue_entries_ws_contact ON call_queue_entries(workspace_id, contact_id, id);
CREATE INDEX call_queue_entries_ws_account ON call_queue_entries(workspace_id, account_id, id);
CREATE INDEX call_queue_entries_ws_status ON call_queue_entries(workspace_id, status, id);
