-- Relata schema v1 (PostgreSQL). Append-only: never edit a shipped migration.
CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    currencies TEXT NOT NULL DEFAULT 'EUR',
    phone_region TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE memberships (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_workspace ON api_tokens(workspace_id);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id TEXT,
    updated_by_id TEXT,
    deleted_at TIMESTAMPTZ,
    name TEXT NOT NULL,
    parent_account_id TEXT,
    industry TEXT,
    territory TEXT,
    street TEXT,
    city TEXT,
    postal_code TEXT,
    region TEXT,
    country TEXT,
    website TEXT,
    phone TEXT,
    email TEXT,
    employees BIGINT,
    key_account BOOLEAN,
    lifecycle TEXT NOT NULL,
    description TEXT,
    custom JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX accounts_ws_id ON accounts(workspace_id, id);
CREATE INDEX accounts_ws_name ON accounts(workspace_id, name);
CREATE INDEX accounts_ws_city ON accounts(workspace_id, city);
CREATE INDEX accounts_ws_owner ON accounts(workspace_id, owner_id);
CREATE INDEX accounts_ws_parent ON accounts(workspace_id, parent_account_id);
CREATE INDEX accounts_ws_lifecycle ON accounts(workspace_id, lifecycle);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id TEXT,
    updated_by_id TEXT,
    deleted_at TIMESTAMPTZ,
    first_name TEXT,
    last_name TEXT NOT NULL,
    account_id TEXT,
    title TEXT,
    emails JSONB,
    phones JSONB,
    street TEXT,
    city TEXT,
    postal_code TEXT,
    region TEXT,
    country TEXT,
    birthday DATE,
    language TEXT,
    lifecycle TEXT NOT NULL,
    notes TEXT,
    custom JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX contacts_ws_id ON contacts(workspace_id, id);
CREATE INDEX contacts_ws_last_name ON contacts(workspace_id, last_name);
CREATE INDEX contacts_ws_city ON contacts(workspace_id, city);
CREATE INDEX contacts_ws_account ON contacts(workspace_id, account_id);
CREATE INDEX contacts_ws_owner ON contacts(workspace_id, owner_id);
CREATE INDEX contacts_ws_lifecycle ON contacts(workspace_id, lifecycle);
CREATE INDEX contacts_ws_birthday ON contacts(workspace_id, birthday);

CREATE TABLE leads (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id TEXT,
    updated_by_id TEXT,
    deleted_at TIMESTAMPTZ,
    first_name TEXT,
    last_name TEXT NOT NULL,
    company TEXT,
    title TEXT,
    email TEXT,
    phone TEXT,
    source TEXT,
    status TEXT NOT NULL,
    score BIGINT,
    notes TEXT,
    converted_at TIMESTAMPTZ,
    converted_account_id TEXT,
    converted_contact_id TEXT,
    converted_opportunity_id TEXT,
    custom JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX leads_ws_id ON leads(workspace_id, id);
CREATE INDEX leads_ws_status ON leads(workspace_id, status);
CREATE INDEX leads_ws_owner ON leads(workspace_id, owner_id);

CREATE TABLE pipelines (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id TEXT,
    updated_by_id TEXT,
    deleted_at TIMESTAMPTZ,
    name TEXT NOT NULL,
    is_default BOOLEAN,
    stages JSONB NOT NULL,
    custom JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX pipelines_ws_id ON pipelines(workspace_id, id);
CREATE UNIQUE INDEX pipelines_ws_name ON pipelines(workspace_id, name) WHERE deleted_at IS NULL;

CREATE TABLE opportunities (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id TEXT,
    updated_by_id TEXT,
    deleted_at TIMESTAMPTZ,
    name TEXT NOT NULL,
    account_id TEXT NOT NULL,
    primary_contact_id TEXT,
    pipeline_id TEXT,
    stage_id TEXT,
    amount_minor BIGINT,
    amount_currency TEXT,
    expected_close_date DATE,
    lost_reason TEXT,
    status TEXT,
    probability BIGINT,
    closed_at TIMESTAMPTZ,
    description TEXT,
    custom JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX opportunities_ws_id ON opportunities(workspace_id, id);
CREATE INDEX opportunities_ws_account ON opportunities(workspace_id, account_id);
CREATE INDEX opportunities_ws_contact ON opportunities(workspace_id, primary_contact_id);
CREATE INDEX opportunities_ws_stage ON opportunities(workspace_id, pipeline_id, stage_id);
CREATE INDEX opportunities_ws_close ON opportunities(workspace_id, expected_close_date);
CREATE INDEX opportunities_ws_owner ON opportunities(workspace_id, owner_id);

CREATE TABLE activities (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id TEXT,
    updated_by_id TEXT,
    deleted_at TIMESTAMPTZ,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT,
    direction TEXT,
    due_at TIMESTAMPTZ,
    start_at TIMESTAMPTZ,
    end_at TIMESTAMPTZ,
    done BOOLEAN,
    outcome TEXT,
    occurred_at TIMESTAMPTZ,
    account_id TEXT,
    contact_id TEXT,
    lead_id TEXT,
    opportunity_id TEXT,
    custom JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX activities_ws_id ON activities(workspace_id, id);
CREATE INDEX activities_ws_account ON activities(workspace_id, account_id, occurred_at);
CREATE INDEX activities_ws_contact ON activities(workspace_id, contact_id, occurred_at);
CREATE INDEX activities_ws_lead ON activities(workspace_id, lead_id, occurred_at);
CREATE INDEX activities_ws_opportunity ON activities(workspace_id, opportunity_id, occurred_at);
CREATE INDEX activities_ws_owner_due ON activities(workspace_id, owner_id, due_at);

CREATE TABLE stage_history (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    opportunity_id TEXT NOT NULL,
    pipeline_id TEXT,
    from_stage_id TEXT,
    to_stage_id TEXT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL,
    changed_by_id TEXT,
    amount_minor BIGINT,
    amount_currency TEXT
);
CREATE INDEX stage_history_opportunity ON stage_history(workspace_id, opportunity_id, changed_at);

CREATE TABLE changes (
    seq BIGSERIAL PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    op TEXT NOT NULL,
    actor_id TEXT,
    at TIMESTAMPTZ NOT NULL,
    diff JSONB NOT NULL
);
CREATE INDEX changes_record ON changes(workspace_id, record_id, seq);
CREATE INDEX changes_workspace ON changes(workspace_id, seq);
CREATE FUNCTION relata_changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the change log is append-only'; END;
$$;
CREATE TRIGGER changes_append_only BEFORE UPDATE OR DELETE ON changes
FOR EACH ROW EXECUTE FUNCTION relata_changes_append_only();

CREATE TABLE custom_fields (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    entity TEXT NOT NULL,
    field_id TEXT NOT NULL,
    label TEXT NOT NULL,
    field_type TEXT NOT NULL,
    options JSONB,
    target TEXT,
    required BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (workspace_id, entity, field_id)
);

CREATE TABLE idempotency_keys (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    response TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, idem_key)
);

CREATE TABLE contact_points (
    workspace_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX contact_points_lookup ON contact_points(workspace_id, kind, value);
CREATE INDEX contact_points_record ON contact_points(record_id);

CREATE TABLE search_docs (
    record_id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    content TEXT NOT NULL,
    tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED
);
CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv);
