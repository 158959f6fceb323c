-- Service, schema 1: see the SQLite file.
CREATE TABLE cases (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    number TEXT,
    subject TEXT NOT NULL,
    description TEXT,
    account_id UUID,
    contact_id UUID,
    requester_email TEXT,
    channel TEXT NOT NULL,
    category TEXT,
    product_id UUID,
    order_id UUID,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    team_id UUID,
    language TEXT,
    resolution TEXT,
    root_cause TEXT,
    contract_id UUID,
    article_id UUID,
    related_case_id UUID,
    merged_into_id UUID,
    coverage TEXT,
    hours_spent BIGINT,
    on_site_visit BOOLEAN,
    sla_policy_id UUID,
    sla_status TEXT,
    first_response_due TIMESTAMPTZ,
    resolution_due TIMESTAMPTZ,
    first_response_at TIMESTAMPTZ,
    resolved_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    paused_since TIMESTAMPTZ,
    paused_minutes BIGINT,
    escalations BIGINT,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX cases_ws_owner_id ON cases(workspace_id, owner_id, id);
CREATE INDEX cases_ws_account_id ON cases(workspace_id, account_id, id);
CREATE INDEX cases_ws_contact_id ON cases(workspace_id, contact_id, id);
CREATE INDEX cases_ws_status_id ON cases(workspace_id, status, id);
CREATE INDEX cases_ws_team_status_id ON cases(workspace_id, team_id, status, id);
CREATE INDEX cases_ws_resolution_due ON cases(workspace_id, resolution_due);
CREATE INDEX cases_ws_first_response_due ON cases(workspace_id, first_response_due);
CREATE INDEX cases_ws_number ON cases(workspace_id, number);
CREATE TABLE case_comments (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    case_id UUID NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    contact_id UUID,
    account_id UUID,
    email_sent_id UUID,
    message_id TEXT,
    from_address TEXT,
    attachments TEXT,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX case_comments_ws_owner_id ON case_comments(workspace_id, owner_id, id);
CREATE INDEX case_comments_ws_case_id ON case_comments(workspace_id, case_id, id);
CREATE INDEX case_comments_ws_account_id ON case_comments(workspace_id, account_id, id);
CREATE INDEX case_comments_ws_contact_id ON case_comments(workspace_id, contact_id, id);
CREATE INDEX case_comments_ws_message_id ON case_comments(workspace_id, message_id);
CREATE TABLE service_teams (
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
    calendar_id UUID,
    manager_id UUID,
    assignment TEXT NOT NULL,
    last_assigned_id UUID,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX service_teams_ws_owner_id ON service_teams(workspace_id, owner_id, id);
CREATE TABLE service_calendars (
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
    time_zone TEXT NOT NULL,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX service_calendars_ws_owner_id ON service_calendars(workspace_id, owner_id, id);
CREATE TABLE sla_policies (
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
    priority TEXT,
    customer TEXT,
    first_response_minutes BIGINT NOT NULL,
    resolution_minutes BIGINT NOT NULL,
    warn_before_minutes BIGINT,
    calendar_id UUID,
    contract_only BOOLEAN,
    active BOOLEAN,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX sla_policies_ws_owner_id ON sla_policies(workspace_id, owner_id, id);
CREATE TABLE routing_rules (
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
    position BIGINT NOT NULL,
    category TEXT,
    priority TEXT,
    customer TEXT,
    product_id UUID,
    language TEXT,
    territory TEXT,
    team_id UUID NOT NULL,
    active BOOLEAN,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX routing_rules_ws_owner_id ON routing_rules(workspace_id, owner_id, id);
CREATE TABLE service_contracts (
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
    account_id UUID NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    sla_policy_id UUID,
    visits_included BIGINT,
    visits_used BIGINT,
    hours_included BIGINT,
    hours_used BIGINT,
    renewal_notice_days BIGINT,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX service_contracts_ws_owner_id ON service_contracts(workspace_id, owner_id, id);
CREATE INDEX service_contracts_ws_account_id ON service_contracts(workspace_id, account_id, id);
CREATE INDEX cases_ws_contract ON cases(workspace_id, contract_id);
CREATE TABLE kb_articles (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT,
    keywords TEXT,
    language TEXT,
    product_id UUID,
    status TEXT NOT NULL,
    reviewer_id UUID,
    revision BIGINT,
    published_at TIMESTAMPTZ,
    helpful_yes BIGINT,
    helpful_no BIGINT,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX kb_articles_ws_owner_id ON kb_articles(workspace_id, owner_id, id);
CREATE INDEX kb_articles_ws_status_id ON kb_articles(workspace_id, status, id);
