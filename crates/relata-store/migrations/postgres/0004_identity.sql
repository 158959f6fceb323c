-- Identity and access (PostgreSQL): passwords and second factors, deactivated
-- memberships, teams, custom roles, browser sessions, invitations, password
-- resets, sign-in throttling, the audit log and the GDPR consent ledger.
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN server_admin BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE memberships ADD COLUMN deactivated_at TIMESTAMPTZ;
ALTER TABLE api_tokens ADD COLUMN entities TEXT;
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
CREATE INDEX api_tokens_user ON api_tokens(workspace_id, user_id);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (workspace_id, name)
);
CREATE TABLE team_members (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    team_id TEXT NOT NULL REFERENCES teams(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    manager BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(workspace_id, user_id);

CREATE TABLE roles (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    definition JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    address TEXT,
    user_agent TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    created_by_id TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ
);
CREATE INDEX invitations_workspace ON invitations(workspace_id, created_at);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);

CREATE TABLE sign_in_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    first_failure_at TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ
);

CREATE TABLE audit_log (
    seq BIGSERIAL PRIMARY KEY,
    workspace_id TEXT,
    at TIMESTAMPTZ NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    address TEXT,
    details JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_workspace ON audit_log(workspace_id, seq);
CREATE FUNCTION relata_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION relata_audit_log_append_only();

CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    contact_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    note TEXT,
    at TIMESTAMPTZ NOT NULL,
    actor_id TEXT
);
CREATE INDEX consents_contact ON consents(workspace_id, contact_id, channel, at);
CREATE FUNCTION relata_consents_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the consent ledger is append-only'; END;
$$;
CREATE TRIGGER consents_append_only BEFORE UPDATE OR DELETE ON consents
FOR EACH ROW EXECUTE FUNCTION relata_consents_append_only();

-- Saved list views: a name, an entity type and the list's query string;
-- private to their owner, or shared with the owner's teams.
CREATE TABLE saved_views (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    owner_id TEXT NOT NULL REFERENCES users(id),
    entity TEXT NOT NULL,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    shared BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX saved_views_entity ON saved_views(workspace_id, entity, name);

-- Erasing a person (GDPR) redacts their values in the change log: the one
-- update the log allows, once per entry, keeping what happened and when.
ALTER TABLE changes ADD COLUMN redacted_at TIMESTAMPTZ;
CREATE OR REPLACE FUNCTION relata_changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
        AND NEW.seq = OLD.seq AND NEW.workspace_id = OLD.workspace_id AND NEW.entity = OLD.entity
        AND NEW.record_id = OLD.record_id AND NEW.op = OLD.op AND NEW.at = OLD.at
        AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the change log is append-only';
END;
$$;
