-- Service, schema 1: cases and their comments, service teams (members in
-- document_lines), business-hour calendars (hours and holidays in
-- document_lines), SLA policies and routing rules.
CREATE TABLE cases (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    number TEXT,
    subject TEXT NOT NULL,
    description TEXT,
    account_id BLOB,
    contact_id BLOB,
    requester_email TEXT,
    channel TEXT NOT NULL,
    category TEXT,
    product_id BLOB,
    order_id BLOB,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    team_id BLOB,
    language TEXT,
    resolution TEXT,
    root_cause TEXT,
    contract_id BLOB,
    article_id BLOB,
    related_case_id BLOB,
    merged_into_id BLOB,
    coverage TEXT,
    hours_spent INTEGER,
    on_site_visit INTEGER,
    sla_policy_id BLOB,
    sla_status TEXT,
    first_response_due TEXT,
    resolution_due TEXT,
    first_response_at TEXT,
    resolved_at TEXT,
    closed_at TEXT,
    paused_since TEXT,
    paused_minutes INTEGER,
    escalations INTEGER,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX cases_ws_owner_id ON cases(workspace_id, owner_id, id);
CREATE INDEX cases_ws_account_id ON cases(workspace_id, account_id, id);
CREATE INDEX cases_ws_contact_id ON cases(workspace_id, contact_id, id);
CREATE INDEX cases_ws_status_id ON cases(workspace_id, status, id);
CREATE INDEX cases_ws_team_status_id ON cases(workspace_id, team_id, status, id);
CREATE INDEX cases_ws_resolution_due ON cases(workspace_id, resolution_due);
CREATE INDEX cases_ws_first_response_due ON cases(workspace_id, first_response_due);
CREATE INDEX cases_ws_number ON cases(workspace_id, number);
CREATE TABLE case_comments (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    case_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    contact_id BLOB,
    account_id BLOB,
    email_sent_id BLOB,
    message_id TEXT,
    from_address TEXT,
    attachments TEXT,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX case_comments_ws_owner_id ON case_comments(workspace_id, owner_id, id);
CREATE INDEX case_comments_ws_case_id ON case_comments(workspace_id, case_id, id);
CREATE INDEX case_comments_ws_account_id ON case_comments(workspace_id, account_id, id);
CREATE INDEX case_comments_ws_contact_id ON case_comments(workspace_id, contact_id, id);
CREATE INDEX case_comments_ws_message_id ON case_comments(workspace_id, message_id);
CREATE TABLE service_teams (
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
    calendar_id BLOB,
    manager_id BLOB,
    assignment TEXT NOT NULL,
    last_assigned_id BLOB,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX service_teams_ws_owner_id ON service_teams(workspace_id, owner_id, id);
CREATE TABLE service_calendars (
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
    time_zone TEXT NOT NULL,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX service_calendars_ws_owner_id ON service_calendars(workspace_id, owner_id, id);
CREATE TABLE sla_policies (
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
    priority TEXT,
    customer TEXT,
    first_response_minutes INTEGER NOT NULL,
    resolution_minutes INTEGER NOT NULL,
    warn_before_minutes INTEGER,
    calendar_id BLOB,
    contract_only INTEGER,
    active INTEGER,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX sla_policies_ws_owner_id ON sla_policies(workspace_id, owner_id, id);
CREATE TABLE routing_rules (
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
    position INTEGER NOT NULL,
    category TEXT,
    priority TEXT,
    customer TEXT,
    product_id BLOB,
    language TEXT,
    territory TEXT,
    team_id BLOB NOT NULL,
    active INTEGER,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX routing_rules_ws_owner_id ON routing_rules(workspace_id, owner_id, id);
CREATE TABLE service_contracts (
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
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    sla_policy_id BLOB,
    visits_included INTEGER,
    visits_used INTEGER,
    hours_included INTEGER,
    hours_used INTEGER,
    renewal_notice_days INTEGER,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX service_contracts_ws_owner_id ON service_contracts(workspace_id, owner_id, id);
CREATE INDEX service_contracts_ws_account_id ON service_contracts(workspace_id, account_id, id);
CREATE INDEX cases_ws_contract ON cases(workspace_id, contract_id);
CREATE TABLE kb_articles (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT,
    keywords TEXT,
    language TEXT,
    product_id BLOB,
    status TEXT NOT NULL,
    reviewer_id BLOB,
    revision INTEGER,
    published_at TEXT,
    helpful_yes INTEGER,
    helpful_no INTEGER,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX kb_articles_ws_owner_id ON kb_articles(workspace_id, owner_id, id);
CREATE INDEX kb_articles_ws_status_id ON kb_articles(workspace_id, status, id);
