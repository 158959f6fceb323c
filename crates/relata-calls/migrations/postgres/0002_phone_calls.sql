-- Calls, schema 2: phone calls as the telephone switch reports them; call lists.
CREATE TABLE phone_calls (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    call_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    from_number TEXT,
    to_number TEXT,
    withheld BOOLEAN,
    queue TEXT,
    extension TEXT,
    agent_id UUID,
    contact_id UUID,
    account_id UUID,
    lead_id UUID,
    matches BIGINT,
    status TEXT NOT NULL,
    priority BIGINT,
    value_tier TEXT,
    rang_at TIMESTAMPTZ,
    answered_at TIMESTAMPTZ,
    ended_at TIMESTAMPTZ,
    wait_seconds BIGINT,
    talk_seconds BIGINT,
    problems TEXT,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
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
    purpose TEXT NOT NULL,
    filter TEXT,
    reason TEXT,
    priority BIGINT,
    generated BIGINT,
    skipped BIGINT,
    generated_at TIMESTAMPTZ,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX call_lists_ws_owner_id ON call_lists(workspace_id, owner_id, id);
ALTER TABLE call_queue_entries ADD COLUMN call_list_id UUID;
CREATE INDEX call_queue_entries_ws_call_list ON call_queue_entries(workspace_id, call_list_id, id);
