-- Relata schema v9 (SQLite): a workspace's records stored together, and
-- the full-text index without a second copy of the words it indexes.
-- Record tables become WITHOUT ROWID tables clustered by their primary key
-- (workspace_id, id): a workspace's rows share pages (ids are time-ordered,
-- so new rows append), a read by id is one B-tree descent instead of two,
-- and neither the table nor its secondary indexes carry a rowid (the
-- indexes already end with the key's columns). Contact points are keyed by
-- the record they belong to, which replaces their by-record index; the
-- lookup index stays. Tables are rebuilt, as SQLite requires; indexes are
-- recreated unchanged.

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
) WITHOUT ROWID;
INSERT INTO new_accounts SELECT * FROM accounts ORDER BY workspace_id, id;
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
) WITHOUT ROWID;
INSERT INTO new_contacts SELECT * FROM contacts ORDER BY workspace_id, id;
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
) WITHOUT ROWID;
INSERT INTO new_leads SELECT * FROM leads ORDER BY workspace_id, id;
DROP TABLE leads;
ALTER TABLE new_leads RENAME TO leads;
CREATE INDEX leads_ws_status ON leads(workspace_id, status, id);
CREATE INDEX leads_ws_owner ON leads(workspace_id, owner_id, id);
CREATE INDEX leads_ws_last_name ON leads(workspace_id, last_name, id);

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
) WITHOUT ROWID;
INSERT INTO new_opportunities SELECT * FROM opportunities ORDER BY workspace_id, id;
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
) WITHOUT ROWID;
INSERT INTO new_activities SELECT * FROM activities ORDER BY workspace_id, id;
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
) WITHOUT ROWID;
INSERT INTO new_stage_history SELECT * FROM stage_history ORDER BY workspace_id, id;
DROP TABLE stage_history;
ALTER TABLE new_stage_history RENAME TO stage_history;
CREATE INDEX stage_history_opportunity ON stage_history(workspace_id, opportunity_id, changed_at);

CREATE TABLE new_custom_records (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    object TEXT NOT NULL,
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
INSERT INTO new_custom_records SELECT * FROM custom_records ORDER BY workspace_id, id;
DROP TABLE custom_records;
ALTER TABLE new_custom_records RENAME TO custom_records;
CREATE INDEX custom_records_object ON custom_records(workspace_id, object, id);
CREATE INDEX custom_records_owner ON custom_records(workspace_id, object, owner_id, id);

CREATE TABLE new_document_lines (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    id BLOB NOT NULL,
    document_id BLOB NOT NULL,
    entity TEXT NOT NULL,
    position INTEGER NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
INSERT INTO new_document_lines SELECT * FROM document_lines ORDER BY workspace_id, id;
DROP TABLE document_lines;
ALTER TABLE new_document_lines RENAME TO document_lines;
CREATE INDEX document_lines_of ON document_lines(workspace_id, document_id, position);

-- A record's points are deduplicated (a value listed twice is one point).
CREATE TABLE new_contact_points (
    workspace_id BLOB NOT NULL,
    record_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    entity TEXT NOT NULL,
    PRIMARY KEY (workspace_id, record_id, kind, value)
) WITHOUT ROWID;
INSERT OR IGNORE INTO new_contact_points (workspace_id, record_id, kind, value, entity)
    SELECT workspace_id, record_id, kind, value, entity FROM contact_points ORDER BY workspace_id, record_id;
DROP TABLE contact_points;
ALTER TABLE new_contact_points RENAME TO contact_points;
CREATE INDEX contact_points_lookup ON contact_points(workspace_id, kind, value);

-- The full-text index keeps no copy of the indexed text (a contentless FTS5
-- table that can delete by rowid); search_docs maps each record to its
-- index rowid. Writers insert (workspace_id, entity, record_id, content)
-- into the view search_docs_input, whose trigger fills both; deleting a
-- search_docs row takes its words out of the index.
DROP TRIGGER search_docs_ai;
DROP TRIGGER search_docs_ad;
DROP TRIGGER search_docs_au;
DROP TABLE search_fts;
CREATE VIRTUAL TABLE search_fts USING fts5(
    content, content='', contentless_delete=1,
    tokenize='unicode61 remove_diacritics 2', prefix='2 3'
);
INSERT INTO search_fts(rowid, content) SELECT id, content FROM search_docs ORDER BY id;
CREATE TABLE new_search_docs (
    id INTEGER PRIMARY KEY,
    workspace_id BLOB NOT NULL,
    entity TEXT NOT NULL,
    record_id BLOB NOT NULL,
    UNIQUE (workspace_id, record_id)
);
INSERT INTO new_search_docs (id, workspace_id, entity, record_id)
    SELECT id, workspace_id, entity, record_id FROM search_docs ORDER BY id;
DROP TABLE search_docs;
ALTER TABLE new_search_docs RENAME TO search_docs;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
    DELETE FROM search_fts WHERE rowid = old.id;
END;
CREATE VIEW search_docs_input (workspace_id, entity, record_id, content) AS
    SELECT workspace_id, entity, record_id, NULL FROM search_docs;
CREATE TRIGGER search_docs_input_insert INSTEAD OF INSERT ON search_docs_input BEGIN
    INSERT INTO search_docs (workspace_id, entity, record_id) VALUES (new.workspace_id, new.entity, new.record_id);
    INSERT INTO search_fts (rowid, content) VALUES (last_insert_rowid(), new.content);
END;
