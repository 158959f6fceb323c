-- Relata schema v6 (PostgreSQL): the storage format every later table copies.
-- Ids are native UUIDs instead of text (the API keeps the text form), and
-- workspace data is keyed by (workspace_id, id), so that a workspace's rows
-- stay together and the tables can be distributed by workspace (Citus).
-- Foreign keys are dropped while the columns change type and made again.

ALTER TABLE accounts DROP CONSTRAINT accounts_workspace_id_fkey;
ALTER TABLE activities DROP CONSTRAINT activities_workspace_id_fkey;
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_user_id_fkey;
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_workspace_id_fkey;
ALTER TABLE changes DROP CONSTRAINT changes_workspace_id_fkey;
ALTER TABLE consents DROP CONSTRAINT consents_workspace_id_fkey;
ALTER TABLE contacts DROP CONSTRAINT contacts_workspace_id_fkey;
ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_workspace_id_fkey;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_workspace_id_fkey;
ALTER TABLE invitations DROP CONSTRAINT invitations_workspace_id_fkey;
ALTER TABLE leads DROP CONSTRAINT leads_workspace_id_fkey;
ALTER TABLE memberships DROP CONSTRAINT memberships_user_id_fkey;
ALTER TABLE memberships DROP CONSTRAINT memberships_workspace_id_fkey;
ALTER TABLE opportunities DROP CONSTRAINT opportunities_workspace_id_fkey;
ALTER TABLE password_resets DROP CONSTRAINT password_resets_user_id_fkey;
ALTER TABLE pipelines DROP CONSTRAINT pipelines_workspace_id_fkey;
ALTER TABLE roles DROP CONSTRAINT roles_workspace_id_fkey;
ALTER TABLE saved_views DROP CONSTRAINT saved_views_owner_id_fkey;
ALTER TABLE saved_views DROP CONSTRAINT saved_views_workspace_id_fkey;
ALTER TABLE sessions DROP CONSTRAINT sessions_user_id_fkey;
ALTER TABLE sessions DROP CONSTRAINT sessions_workspace_id_fkey;
ALTER TABLE stage_history DROP CONSTRAINT stage_history_workspace_id_fkey;
ALTER TABLE team_members DROP CONSTRAINT team_members_team_id_fkey;
ALTER TABLE team_members DROP CONSTRAINT team_members_user_id_fkey;
ALTER TABLE team_members DROP CONSTRAINT team_members_workspace_id_fkey;
ALTER TABLE teams DROP CONSTRAINT teams_workspace_id_fkey;

ALTER TABLE workspaces
    ALTER COLUMN id TYPE uuid USING id::uuid;
ALTER TABLE users
    ALTER COLUMN id TYPE uuid USING id::uuid;
ALTER TABLE memberships
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN user_id TYPE uuid USING user_id::uuid;
ALTER TABLE api_tokens
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN user_id TYPE uuid USING user_id::uuid;
ALTER TABLE accounts
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN owner_id TYPE uuid USING owner_id::uuid,
    ALTER COLUMN created_by_id TYPE uuid USING created_by_id::uuid,
    ALTER COLUMN updated_by_id TYPE uuid USING updated_by_id::uuid,
    ALTER COLUMN parent_account_id TYPE uuid USING parent_account_id::uuid;
ALTER TABLE contacts
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN owner_id TYPE uuid USING owner_id::uuid,
    ALTER COLUMN created_by_id TYPE uuid USING created_by_id::uuid,
    ALTER COLUMN updated_by_id TYPE uuid USING updated_by_id::uuid,
    ALTER COLUMN account_id TYPE uuid USING account_id::uuid;
ALTER TABLE leads
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN owner_id TYPE uuid USING owner_id::uuid,
    ALTER COLUMN created_by_id TYPE uuid USING created_by_id::uuid,
    ALTER COLUMN updated_by_id TYPE uuid USING updated_by_id::uuid,
    ALTER COLUMN converted_account_id TYPE uuid USING converted_account_id::uuid,
    ALTER COLUMN converted_contact_id TYPE uuid USING converted_contact_id::uuid,
    ALTER COLUMN converted_opportunity_id TYPE uuid USING converted_opportunity_id::uuid;
ALTER TABLE pipelines
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN owner_id TYPE uuid USING owner_id::uuid,
    ALTER COLUMN created_by_id TYPE uuid USING created_by_id::uuid,
    ALTER COLUMN updated_by_id TYPE uuid USING updated_by_id::uuid;
ALTER TABLE opportunities
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN owner_id TYPE uuid USING owner_id::uuid,
    ALTER COLUMN created_by_id TYPE uuid USING created_by_id::uuid,
    ALTER COLUMN updated_by_id TYPE uuid USING updated_by_id::uuid,
    ALTER COLUMN account_id TYPE uuid USING account_id::uuid,
    ALTER COLUMN primary_contact_id TYPE uuid USING primary_contact_id::uuid,
    ALTER COLUMN pipeline_id TYPE uuid USING pipeline_id::uuid;
ALTER TABLE activities
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN owner_id TYPE uuid USING owner_id::uuid,
    ALTER COLUMN created_by_id TYPE uuid USING created_by_id::uuid,
    ALTER COLUMN updated_by_id TYPE uuid USING updated_by_id::uuid,
    ALTER COLUMN account_id TYPE uuid USING account_id::uuid,
    ALTER COLUMN contact_id TYPE uuid USING contact_id::uuid,
    ALTER COLUMN lead_id TYPE uuid USING lead_id::uuid,
    ALTER COLUMN opportunity_id TYPE uuid USING opportunity_id::uuid;
ALTER TABLE stage_history
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN opportunity_id TYPE uuid USING opportunity_id::uuid,
    ALTER COLUMN pipeline_id TYPE uuid USING pipeline_id::uuid,
    ALTER COLUMN changed_by_id TYPE uuid USING changed_by_id::uuid;
ALTER TABLE custom_fields
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid;
ALTER TABLE idempotency_keys
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid;
ALTER TABLE contact_points
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN record_id TYPE uuid USING record_id::uuid;
ALTER TABLE teams
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid;
ALTER TABLE team_members
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN team_id TYPE uuid USING team_id::uuid,
    ALTER COLUMN user_id TYPE uuid USING user_id::uuid;
ALTER TABLE roles
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid;
ALTER TABLE sessions
    ALTER COLUMN user_id TYPE uuid USING user_id::uuid,
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid;
ALTER TABLE invitations
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN created_by_id TYPE uuid USING created_by_id::uuid;
ALTER TABLE password_resets
    ALTER COLUMN user_id TYPE uuid USING user_id::uuid;
ALTER TABLE consents
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN contact_id TYPE uuid USING contact_id::uuid,
    ALTER COLUMN actor_id TYPE uuid USING actor_id::uuid;
ALTER TABLE saved_views
    ALTER COLUMN id TYPE uuid USING id::uuid,
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN owner_id TYPE uuid USING owner_id::uuid;
ALTER TABLE audit_log
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN actor_id TYPE uuid USING actor_id::uuid;
ALTER TABLE search_docs
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN record_id TYPE uuid USING record_id::uuid;
ALTER TABLE changes
    ALTER COLUMN workspace_id TYPE uuid USING workspace_id::uuid,
    ALTER COLUMN record_id TYPE uuid USING record_id::uuid,
    ALTER COLUMN actor_id TYPE uuid USING actor_id::uuid;

ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_pkey, ADD PRIMARY KEY (workspace_id, id);
ALTER TABLE accounts DROP CONSTRAINT accounts_pkey, ADD PRIMARY KEY (workspace_id, id);
ALTER TABLE contacts DROP CONSTRAINT contacts_pkey, ADD PRIMARY KEY (workspace_id, id);
ALTER TABLE leads DROP CONSTRAINT leads_pkey, ADD PRIMARY KEY (workspace_id, id);
ALTER TABLE pipelines DROP CONSTRAINT pipelines_pkey, ADD PRIMARY KEY (workspace_id, id);
ALTER TABLE opportunities DROP CONSTRAINT opportunities_pkey, ADD PRIMARY KEY (workspace_id, id);
ALTER TABLE activities DROP CONSTRAINT activities_pkey, ADD PRIMARY KEY (workspace_id, id);
ALTER TABLE stage_history DROP CONSTRAINT stage_history_pkey, ADD PRIMARY KEY (workspace_id, id);
ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_pkey, ADD PRIMARY KEY (workspace_id, id);
ALTER TABLE teams DROP CONSTRAINT teams_pkey, ADD PRIMARY KEY (workspace_id, id);
ALTER TABLE team_members DROP CONSTRAINT team_members_pkey, ADD PRIMARY KEY (workspace_id, team_id, user_id);
ALTER TABLE invitations DROP CONSTRAINT invitations_pkey, ADD PRIMARY KEY (workspace_id, id);
ALTER TABLE consents DROP CONSTRAINT consents_pkey, ADD PRIMARY KEY (workspace_id, id);
ALTER TABLE saved_views DROP CONSTRAINT saved_views_pkey, ADD PRIMARY KEY (workspace_id, id);
-- The per-workspace id indexes are the primary keys now.
DROP INDEX accounts_ws_id;
DROP INDEX contacts_ws_id;
DROP INDEX leads_ws_id;
DROP INDEX pipelines_ws_id;
DROP INDEX opportunities_ws_id;
DROP INDEX activities_ws_id;
DROP INDEX contact_points_record;
CREATE INDEX contact_points_record ON contact_points(workspace_id, record_id);
ALTER TABLE search_docs DROP CONSTRAINT search_docs_pkey, ADD PRIMARY KEY (workspace_id, record_id);

ALTER TABLE memberships ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE memberships ADD FOREIGN KEY (user_id) REFERENCES users(id);
ALTER TABLE api_tokens ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE api_tokens ADD FOREIGN KEY (user_id) REFERENCES users(id);
ALTER TABLE accounts ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE contacts ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE leads ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE pipelines ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE opportunities ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE activities ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE stage_history ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE changes ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE custom_fields ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE idempotency_keys ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE teams ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE team_members ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE team_members ADD FOREIGN KEY (workspace_id, team_id) REFERENCES teams(workspace_id, id);
ALTER TABLE team_members ADD FOREIGN KEY (user_id) REFERENCES users(id);
ALTER TABLE roles ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE sessions ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE sessions ADD FOREIGN KEY (user_id) REFERENCES users(id);
ALTER TABLE invitations ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE password_resets ADD FOREIGN KEY (user_id) REFERENCES users(id);
ALTER TABLE consents ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE saved_views ADD FOREIGN KEY (workspace_id) REFERENCES workspaces(id);
ALTER TABLE saved_views ADD FOREIGN KEY (owner_id) REFERENCES users(id);

-- The change log gains what its readers need: the transaction that wrote
-- each entry, the record's version after it, the owner before and after (so
-- that a reader that may see only some owners' records notices when a record
-- leaves its reach), and `pos`, its place in commit order. Sequence numbers
-- are handed out when a row is inserted, not when its transaction commits,
-- so a reader that has passed seq N could miss a slower transaction with a
-- smaller one; positions are assigned after commit instead, by one
-- sequencer at a time, to entries of committed transactions only (see
-- relata-store's feed module). Entries written before v6 are all committed.
ALTER TABLE changes
    ADD COLUMN tx_id uuid,
    ADD COLUMN version BIGINT,
    ADD COLUMN owner_before uuid,
    ADD COLUMN owner_after uuid,
    ADD COLUMN pos BIGINT;
CREATE OR REPLACE FUNCTION relata_changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Two updates are allowed, each once per entry and touching nothing
    -- else: redaction (GDPR erasure) and the commit position.
    IF TG_OP = 'UPDATE' AND NEW.seq = OLD.seq AND NEW.workspace_id = OLD.workspace_id
        AND NEW.entity = OLD.entity AND NEW.record_id = OLD.record_id AND NEW.op = OLD.op AND NEW.at = OLD.at
        AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id AND NEW.tx_id IS NOT DISTINCT FROM OLD.tx_id
        AND NEW.version IS NOT DISTINCT FROM OLD.version
        AND NEW.owner_before IS NOT DISTINCT FROM OLD.owner_before
        AND NEW.owner_after IS NOT DISTINCT FROM OLD.owner_after THEN
        IF OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND NEW.pos IS NOT DISTINCT FROM OLD.pos THEN
            RETURN NEW;
        END IF;
        IF OLD.pos IS NULL AND NEW.pos IS NOT NULL AND NEW.diff = OLD.diff
            AND NEW.redacted_at IS NOT DISTINCT FROM OLD.redacted_at THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'the change log is append-only';
END;
$$;
UPDATE changes SET pos = seq;
ALTER TABLE changes DROP CONSTRAINT changes_pkey, ADD PRIMARY KEY (workspace_id, seq);
DROP INDEX changes_workspace;
CREATE UNIQUE INDEX changes_pos ON changes(pos);
CREATE INDEX changes_ws_pos ON changes(workspace_id, pos);
CREATE INDEX changes_unpositioned ON changes(seq) WHERE pos IS NULL;
