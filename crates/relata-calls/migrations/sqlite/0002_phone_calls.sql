-- Calls, schema 2: phone calls as the telephone switch reports them; call lists.
CREATE TABLE phone_calls (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    call_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    from_number TEXT,
    to_number TEXT,
    withheld INTEGER,
    queue TEXT,
    extension TEXT,
    agent_id BLOB,
    contact_id BLOB,
    account_id BLOB,
    lead_id BLOB,
    matches INTEGER,
    status TEXT NOT NULL,
    priority INTEGER,
    value_tier TEXT,
    rang_at TEXT,
    answered_at TEXT,
    ended_at TEXT,
    wait_seconds INTEGER,
    talk_seconds INTEGER,
    problems TEXT,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX phone_calls_ws_owner_id ON phone_calls(workspace_id, owner_id, id);
-- One record per call: two first events at once make one, the second an update.
CREATE UNIQUE INDEX phone_calls_ws_call_id ON phone_calls(workspace_id, call_id);
CREATE INDEX phone_calls_ws_contact_id ON phone_calls(workspace_id, contact_id, id);
CREATE INDEX phone_calls_ws_account_id ON phone_calls(workspace_id, account_id, id);
CREATE INDEX phone_calls_ws_agent_status ON phone_calls(workspace_id, agent_id, status, id);
CREATE INDEX phone_calls_ws_status_priority ON phone_calls(workspace_id, status, priority);
-- Call lists (their agents in document_lines), and the list a call to make
-- comes from.
CREATE TABLE call_lists (
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
    purpose TEXT NOT NULL,
    filter TEXT,
    reason TEXT,
    priority INTEGER,
    generated INTEGER,
    skipped INTEGER,
    generated_at TEXT,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX call_lists_ws_owner_id ON call_lists(workspace_id, owner_id, id);
ALTER TABLE call_queue_entries ADD COLUMN call_list_id BLOB;
CREATE INDEX call_queue_entries_ws_call_list ON call_queue_entries(workspace_id, call_list_id, id);
