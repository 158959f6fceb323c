-- Relata schema v6 (SQLite): the storage format every later table copies.
-- Ids are 16-byte blobs instead of 36-character text (the API keeps the
-- text form), and workspace data is keyed by (workspace_id, id), so that
-- a workspace's rows can be distributed together. Every table is rebuilt
-- (SQLite cannot change a column's type) with its rows converted; foreign
-- keys are checked before the migration commits.

CREATE TABLE new_workspaces (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    currencies TEXT NOT NULL DEFAULT 'EUR',
    phone_region TEXT,
    created_at TEXT NOT NULL
);
INSERT INTO new_workspaces (id, name, slug, currencies, phone_region, created_at)
    SELECT unhex(replace(id, '-', '')), name, slug, currencies, phone_region, created_at FROM workspaces;
DROP TABLE workspaces;
ALTER TABLE new_workspaces RENAME TO workspaces;

CREATE TABLE new_users (
    id BLOB PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    password_hash TEXT,
    server_admin INTEGER NOT NULL DEFAULT 0,
    totp_secret TEXT,
    totp_enabled INTEGER NOT NULL DEFAULT 0
);
INSERT INTO new_users (id, email, display_name, created_at, password_hash, server_admin, totp_secret, totp_enabled)
    SELECT unhex(replace(id, '-', '')), email, display_name, created_at, password_hash, server_admin, totp_secret, totp_enabled FROM users;
DROP TABLE users;
ALTER TABLE new_users RENAME TO users;

CREATE TABLE new_memberships (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deactivated_at TEXT,
    PRIMARY KEY (workspace_id, user_id)
);
INSERT INTO new_memberships (workspace_id, user_id, role, created_at, deactivated_at)
    SELECT unhex(replace(workspace_id, '-', '')), unhex(replace(user_id, '-', '')), role, created_at, deactivated_at FROM memberships;
DROP TABLE memberships;
ALTER TABLE new_memberships RENAME TO memberships;

CREATE TABLE new_api_tokens (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT,
    entities TEXT,
    expires_at TEXT,
    PRIMARY KEY (workspace_id, id)
);
INSERT INTO new_api_tokens (id, workspace_id, user_id, name, token_hash, scope, created_at, last_used_at, revoked_at, entities, expires_at)
    SELECT unhex(replace(id, '-', '')), unhex(replace(workspace_id, '-', '')), unhex(replace(user_id, '-', '')), name, token_hash, scope, created_at, last_used_at, revoked_at, entities, expires_at FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE new_api_tokens RENAME TO api_tokens;
CREATE INDEX api_tokens_user ON api_tokens(workspace_id, user_id);

CREATE TABLE new_accounts (
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
    parent_account_id BLOB,
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
    employees INTEGER,
    key_account INTEGER,
    lifecycle TEXT NOT NULL,
    description TEXT,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
INSERT INTO new_accounts (id, workspace_id, version, owner_id, created_at, updated_at, created_by_id, updated_by_id, deleted_at, name, parent_account_id, industry, territory, street, city, postal_code, region, country, website, phone, email, employees, key_account, lifecycle, description, custom)
    SELECT unhex(replace(id, '-', '')), unhex(replace(workspace_id, '-', '')), version, unhex(replace(owner_id, '-', '')), created_at, updated_at, unhex(replace(created_by_id, '-', '')), unhex(replace(updated_by_id, '-', '')), deleted_at, name, unhex(replace(parent_account_id, '-', '')), industry, territory, street, city, postal_code, region, country, website, phone, email, employees, key_account, lifecycle, description, custom FROM accounts;
DROP TABLE accounts;
ALTER TABLE new_accounts RENAME TO accounts;
CREATE INDEX accounts_ws_name ON accounts(workspace_id, name, id);
CREATE INDEX accounts_ws_city ON accounts(workspace_id, city, id);
CREATE INDEX accounts_ws_owner ON accounts(workspace_id, owner_id, id);
CREATE INDEX accounts_ws_parent ON accounts(workspace_id, parent_account_id, id);
CREATE INDEX accounts_ws_lifecycle ON accounts(workspace_id, lifecycle, id);

CREATE TABLE new_contacts (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    first_name TEXT,
    last_name TEXT NOT NULL,
    account_id BLOB,
    title TEXT,
    emails TEXT,
    phones TEXT,
    street TEXT,
    city TEXT,
    postal_code TEXT,
    region TEXT,
    country TEXT,
    birthday TEXT,
    language TEXT,
    lifecycle TEXT NOT NULL,
    notes TEXT,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
INSERT INTO new_contacts (id, workspace_id, version, owner_id, created_at, updated_at, created_by_id, updated_by_id, deleted_at, first_name, last_name, account_id, title, emails, phones, street, city, postal_code, region, country, birthday, language, lifecycle, notes, custom)
    SELECT unhex(replace(id, '-', '')), unhex(replace(workspace_id, '-', '')), version, unhex(replace(owner_id, '-', '')), created_at, updated_at, unhex(replace(created_by_id, '-', '')), unhex(replace(updated_by_id, '-', '')), deleted_at, first_name, last_name, unhex(replace(account_id, '-', '')), title, emails, phones, street, city, postal_code, region, country, birthday, language, lifecycle, notes, custom FROM contacts;
DROP TABLE contacts;
ALTER TABLE new_contacts RENAME TO contacts;
CREATE INDEX contacts_ws_last_name ON contacts(workspace_id, last_name, id);
CREATE INDEX contacts_ws_city ON contacts(workspace_id, city, id);
CREATE INDEX contacts_ws_account ON contacts(workspace_id, account_id, id);
CREATE INDEX contacts_ws_owner ON contacts(workspace_id, owner_id, id);
CREATE INDEX contacts_ws_lifecycle ON contacts(workspace_id, lifecycle, id);
CREATE INDEX contacts_ws_birthday ON contacts(workspace_id, birthday, id);

CREATE TABLE new_leads (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    first_name TEXT,
    last_name TEXT NOT NULL,
    company TEXT,
    title TEXT,
    email TEXT,
    phone TEXT,
    source TEXT,
    status TEXT NOT NULL,
    score INTEGER,
    notes TEXT,
    converted_at TEXT,
    converted_account_id BLOB,
    converted_contact_id BLOB,
    converted_opportunity_id BLOB,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
INSERT INTO new_leads (id, workspace_id, version, owner_id, created_at, updated_at, created_by_id, updated_by_id, deleted_at, first_name, last_name, company, title, email, phone, source, status, score, notes, converted_at, converted_account_id, converted_contact_id, converted_opportunity_id, custom)
    SELECT unhex(replace(id, '-', '')), unhex(replace(workspace_id, '-', '')), version, unhex(replace(owner_id, '-', '')), created_at, updated_at, unhex(replace(created_by_id, '-', '')), unhex(replace(updated_by_id, '-', '')), deleted_at, first_name, last_name, company, title, email, phone, source, status, score, notes, converted_at, unhex(replace(converted_account_id, '-', '')), unhex(replace(converted_contact_id, '-', '')), unhex(replace(converted_opportunity_id, '-', '')), custom FROM leads;
DROP TABLE leads;
ALTER TABLE new_leads RENAME TO leads;
CREATE INDEX leads_ws_status ON leads(workspace_id, status, id);
CREATE INDEX leads_ws_owner ON leads(workspace_id, owner_id, id);
CREATE INDEX leads_ws_last_name ON leads(workspace_id, last_name, id);

CREATE TABLE new_pipelines (
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
    is_default INTEGER,
    stages TEXT NOT NULL,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
INSERT INTO new_pipelines (id, workspace_id, version, owner_id, created_at, updated_at, created_by_id, updated_by_id, deleted_at, name, is_default, stages, custom)
    SELECT unhex(replace(id, '-', '')), unhex(replace(workspace_id, '-', '')), version, unhex(replace(owner_id, '-', '')), created_at, updated_at, unhex(replace(created_by_id, '-', '')), unhex(replace(updated_by_id, '-', '')), deleted_at, name, is_default, stages, custom FROM pipelines;
DROP TABLE pipelines;
ALTER TABLE new_pipelines RENAME TO pipelines;
CREATE UNIQUE INDEX pipelines_ws_name ON pipelines(workspace_id, name) WHERE deleted_at IS NULL;

CREATE TABLE new_opportunities (
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
    account_id BLOB NOT NULL,
    primary_contact_id BLOB,
    pipeline_id BLOB,
    stage_id TEXT,
    amount_minor INTEGER,
    amount_currency TEXT,
    expected_close_date TEXT,
    lost_reason TEXT,
    status TEXT,
    probability INTEGER,
    closed_at TEXT,
    description TEXT,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
INSERT INTO new_opportunities (id, workspace_id, version, owner_id, created_at, updated_at, created_by_id, updated_by_id, deleted_at, name, account_id, primary_contact_id, pipeline_id, stage_id, amount_minor, amount_currency, expected_close_date, lost_reason, status, probability, closed_at, description, custom)
    SELECT unhex(replace(id, '-', '')), unhex(replace(workspace_id, '-', '')), version, unhex(replace(owner_id, '-', '')), created_at, updated_at, unhex(replace(created_by_id, '-', '')), unhex(replace(updated_by_id, '-', '')), deleted_at, name, unhex(replace(account_id, '-', '')), unhex(replace(primary_contact_id, '-', '')), unhex(replace(pipeline_id, '-', '')), stage_id, amount_minor, amount_currency, expected_close_date, lost_reason, status, probability, closed_at, description, custom FROM opportunities;
DROP TABLE opportunities;
ALTER TABLE new_opportunities RENAME TO opportunities;
CREATE INDEX opportunities_ws_account ON opportunities(workspace_id, account_id, id);
CREATE INDEX opportunities_ws_contact ON opportunities(workspace_id, primary_contact_id, id);
CREATE INDEX opportunities_ws_stage ON opportunities(workspace_id, pipeline_id, stage_id, id);
CREATE INDEX opportunities_ws_close ON opportunities(workspace_id, expected_close_date, id);
CREATE INDEX opportunities_ws_owner ON opportunities(workspace_id, owner_id, id);
CREATE INDEX opportunities_ws_stage_amounts ON opportunities(workspace_id, pipeline_id, stage_id, deleted_at, amount_currency, amount_minor);

CREATE TABLE new_activities (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT,
    direction TEXT,
    due_at TEXT,
    start_at TEXT,
    end_at TEXT,
    done INTEGER,
    outcome TEXT,
    occurred_at TEXT,
    account_id BLOB,
    contact_id BLOB,
    lead_id BLOB,
    opportunity_id BLOB,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
INSERT INTO new_activities (id, workspace_id, version, owner_id, created_at, updated_at, created_by_id, updated_by_id, deleted_at, kind, subject, body, direction, due_at, start_at, end_at, done, outcome, occurred_at, account_id, contact_id, lead_id, opportunity_id, custom)
    SELECT unhex(replace(id, '-', '')), unhex(replace(workspace_id, '-', '')), version, unhex(replace(owner_id, '-', '')), created_at, updated_at, unhex(replace(created_by_id, '-', '')), unhex(replace(updated_by_id, '-', '')), deleted_at, kind, subject, body, direction, due_at, start_at, end_at, done, outcome, occurred_at, unhex(replace(account_id, '-', '')), unhex(replace(contact_id, '-', '')), unhex(replace(lead_id, '-', '')), unhex(replace(opportunity_id, '-', '')), custom FROM activities;
DROP TABLE activities;
ALTER TABLE new_activities RENAME TO activities;
CREATE INDEX activities_ws_account ON activities(workspace_id, account_id, occurred_at);
CREATE INDEX activities_ws_contact ON activities(workspace_id, contact_id, occurred_at);
CREATE INDEX activities_ws_lead ON activities(workspace_id, lead_id, occurred_at);
CREATE INDEX activities_ws_opportunity ON activities(workspace_id, opportunity_id, occurred_at);
CREATE INDEX activities_ws_owner_due ON activities(workspace_id, owner_id, due_at);
CREATE INDEX activities_ws_kind ON activities(workspace_id, kind, id);

CREATE TABLE new_stage_history (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    opportunity_id BLOB NOT NULL,
    pipeline_id BLOB,
    from_stage_id TEXT,
    to_stage_id TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    changed_by_id BLOB,
    amount_minor INTEGER,
    amount_currency TEXT,
    PRIMARY KEY (workspace_id, id)
);
INSERT INTO new_stage_history (id, workspace_id, opportunity_id, pipeline_id, from_stage_id, to_stage_id, changed_at, changed_by_id, amount_minor, amount_currency)
    SELECT unhex(replace(id, '-', '')), unhex(replace(workspace_id, '-', '')), unhex(replace(opportunity_id, '-', '')), unhex(replace(pipeline_id, '-', '')), from_stage_id, to_stage_id, changed_at, unhex(replace(changed_by_id, '-', '')), amount_minor, amount_currency FROM stage_history;
DROP TABLE stage_history;
ALTER TABLE new_stage_history RENAME TO stage_history;
CREATE INDEX stage_history_opportunity ON stage_history(workspace_id, opportunity_id, changed_at);

CREATE TABLE new_custom_fields (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    entity TEXT NOT NULL,
    field_id TEXT NOT NULL,
    label TEXT NOT NULL,
    field_type TEXT NOT NULL,
    options TEXT,
    target TEXT,
    required INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, entity, field_id)
);
INSERT INTO new_custom_fields (id, workspace_id, entity, field_id, label, field_type, options, target, required, created_at)
    SELECT unhex(replace(id, '-', '')), unhex(replace(workspace_id, '-', '')), entity, field_id, label, field_type, options, target, required, created_at FROM custom_fields;
DROP TABLE custom_fields;
ALTER TABLE new_custom_fields RENAME TO custom_fields;

CREATE TABLE new_idempotency_keys (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, idem_key)
);
INSERT INTO new_idempotency_keys (workspace_id, idem_key, request_hash, status, response, created_at)
    SELECT unhex(replace(workspace_id, '-', '')), idem_key, request_hash, status, response, created_at FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE new_idempotency_keys RENAME TO idempotency_keys;

CREATE TABLE new_contact_points (
    workspace_id BLOB NOT NULL,
    entity TEXT NOT NULL,
    record_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL
);
INSERT INTO new_contact_points (workspace_id, entity, record_id, kind, value)
    SELECT unhex(replace(workspace_id, '-', '')), entity, unhex(replace(record_id, '-', '')), kind, value FROM contact_points;
DROP TABLE contact_points;
ALTER TABLE new_contact_points RENAME TO contact_points;
CREATE INDEX contact_points_lookup ON contact_points(workspace_id, kind, value);
CREATE INDEX contact_points_record ON contact_points(workspace_id, record_id);

CREATE TABLE new_teams (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, name)
);
INSERT INTO new_teams (id, workspace_id, name, created_at)
    SELECT unhex(replace(id, '-', '')), unhex(replace(workspace_id, '-', '')), name, created_at FROM teams;
DROP TABLE teams;
ALTER TABLE new_teams RENAME TO teams;

CREATE TABLE new_team_members (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    team_id BLOB NOT NULL,
    user_id BLOB NOT NULL REFERENCES users(id),
    manager INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, team_id, user_id),
    FOREIGN KEY (workspace_id, team_id) REFERENCES teams(workspace_id, id)
);
INSERT INTO new_team_members (workspace_id, team_id, user_id, manager)
    SELECT unhex(replace(workspace_id, '-', '')), unhex(replace(team_id, '-', '')), unhex(replace(user_id, '-', '')), manager FROM team_members;
DROP TABLE team_members;
ALTER TABLE new_team_members RENAME TO team_members;
CREATE INDEX team_members_user ON team_members(workspace_id, user_id);

CREATE TABLE new_roles (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, name)
);
INSERT INTO new_roles (workspace_id, name, definition, updated_at)
    SELECT unhex(replace(workspace_id, '-', '')), name, definition, updated_at FROM roles;
DROP TABLE roles;
ALTER TABLE new_roles RENAME TO roles;

CREATE TABLE new_sessions (
    id TEXT PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id),
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    address TEXT,
    user_agent TEXT
);
INSERT INTO new_sessions (id, user_id, workspace_id, csrf_token, created_at, last_seen_at, expires_at, revoked_at, address, user_agent)
    SELECT id, unhex(replace(user_id, '-', '')), unhex(replace(workspace_id, '-', '')), csrf_token, created_at, last_seen_at, expires_at, revoked_at, address, user_agent FROM sessions;
DROP TABLE sessions;
ALTER TABLE new_sessions RENAME TO sessions;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE new_invitations (
    id BLOB NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    created_by_id BLOB,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    PRIMARY KEY (workspace_id, id)
);
INSERT INTO new_invitations (id, token_hash, workspace_id, email, role, created_by_id, created_at, expires_at, accepted_at)
    SELECT unhex(replace(id, '-', '')), token_hash, unhex(replace(workspace_id, '-', '')), email, role, unhex(replace(created_by_id, '-', '')), created_at, expires_at, accepted_at FROM invitations;
DROP TABLE invitations;
ALTER TABLE new_invitations RENAME TO invitations;
CREATE INDEX invitations_workspace ON invitations(workspace_id, created_at);

CREATE TABLE new_password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
INSERT INTO new_password_resets (token_hash, user_id, created_at, expires_at, used_at)
    SELECT token_hash, unhex(replace(user_id, '-', '')), created_at, expires_at, used_at FROM password_resets;
DROP TABLE password_resets;
ALTER TABLE new_password_resets RENAME TO password_resets;

CREATE TABLE new_consents (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    contact_id BLOB NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    note TEXT,
    at TEXT NOT NULL,
    actor_id BLOB,
    PRIMARY KEY (workspace_id, id)
);
INSERT INTO new_consents (id, workspace_id, contact_id, channel, status, source, note, at, actor_id)
    SELECT unhex(replace(id, '-', '')), unhex(replace(workspace_id, '-', '')), unhex(replace(contact_id, '-', '')), channel, status, source, note, at, unhex(replace(actor_id, '-', '')) FROM consents;
DROP TABLE consents;
ALTER TABLE new_consents RENAME TO consents;
CREATE INDEX consents_contact ON consents(workspace_id, contact_id, channel, at);

CREATE TABLE new_saved_views (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    owner_id BLOB NOT NULL REFERENCES users(id),
    entity TEXT NOT NULL,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    shared INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
INSERT INTO new_saved_views (id, workspace_id, owner_id, entity, name, query, shared, created_at)
    SELECT unhex(replace(id, '-', '')), unhex(replace(workspace_id, '-', '')), unhex(replace(owner_id, '-', '')), entity, name, query, shared, created_at FROM saved_views;
DROP TABLE saved_views;
ALTER TABLE new_saved_views RENAME TO saved_views;
CREATE INDEX saved_views_entity ON saved_views(workspace_id, entity, name);

-- The change log gains what its readers need: the transaction that wrote
-- each entry, the record's version after it, and the owner before and after
-- (so that a reader that may see only some owners' records notices when a
-- record leaves its reach). On SQLite one writer commits at a time, so the
-- sequence number is also the commit order that the change feed follows.
CREATE TABLE new_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    entity TEXT NOT NULL,
    record_id BLOB NOT NULL,
    op TEXT NOT NULL,
    actor_id BLOB,
    at TEXT NOT NULL,
    diff TEXT NOT NULL,
    redacted_at TEXT,
    tx_id BLOB,
    version INTEGER,
    owner_before BLOB,
    owner_after BLOB
);
INSERT INTO new_changes (seq, workspace_id, entity, record_id, op, actor_id, at, diff, redacted_at)
    SELECT seq, unhex(replace(workspace_id, '-', '')), entity, unhex(replace(record_id, '-', '')), op,
        unhex(replace(actor_id, '-', '')), at, diff, redacted_at FROM changes;
DROP TABLE changes;
ALTER TABLE new_changes RENAME TO changes;
CREATE INDEX changes_record ON changes(workspace_id, record_id, seq);
CREATE INDEX changes_workspace ON changes(workspace_id, seq);
CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes
BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes
WHEN NOT (old.redacted_at IS NULL AND new.redacted_at IS NOT NULL AND new.seq = old.seq
    AND new.workspace_id = old.workspace_id AND new.entity = old.entity AND new.record_id = old.record_id
    AND new.op = old.op AND new.at = old.at AND new.actor_id IS old.actor_id)
BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;

-- Search documents keep their ids: they are the full-text index's rowids.
CREATE TABLE new_search_docs (
    id INTEGER PRIMARY KEY,
    workspace_id BLOB NOT NULL,
    entity TEXT NOT NULL,
    record_id BLOB NOT NULL,
    content TEXT NOT NULL,
    UNIQUE (workspace_id, record_id)
);
INSERT INTO new_search_docs (id, workspace_id, entity, record_id, content)
    SELECT id, unhex(replace(workspace_id, '-', '')), entity, unhex(replace(record_id, '-', '')), content
    FROM search_docs;
DROP TABLE search_docs;
ALTER TABLE new_search_docs RENAME TO search_docs;
CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_fts(search_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
    INSERT INTO search_fts(search_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO search_fts(rowid, content) VALUES (new.id, new.content);
END;

CREATE TABLE new_audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BLOB,
    at TEXT NOT NULL,
    actor_id BLOB,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    address TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO new_audit_log (seq, workspace_id, at, actor_id, action, outcome, target_type, target_id, address, details)
    SELECT seq, unhex(replace(workspace_id, '-', '')), at, unhex(replace(actor_id, '-', '')), action, outcome,
        target_type, target_id, address, details FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE new_audit_log RENAME TO audit_log;
CREATE INDEX audit_log_workspace ON audit_log(workspace_id, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TRIGGER consents_no_update BEFORE UPDATE ON consents
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
CREATE TRIGGER consents_no_delete BEFORE DELETE ON consents
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
