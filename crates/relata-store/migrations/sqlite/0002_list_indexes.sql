-- Relata schema v2 (SQLite). Append-only: never edit a shipped migration.
-- Single-field list indexes end in the record id, so that a list filtered
-- by equality on the field and ordered by id (the default, newest first)
-- reads the index in order and stops after one page.
DROP INDEX accounts_ws_name;
CREATE INDEX accounts_ws_name ON accounts(workspace_id, name, id);
DROP INDEX accounts_ws_city;
CREATE INDEX accounts_ws_city ON accounts(workspace_id, city, id);
DROP INDEX accounts_ws_owner;
CREATE INDEX accounts_ws_owner ON accounts(workspace_id, owner_id, id);
DROP INDEX accounts_ws_parent;
CREATE INDEX accounts_ws_parent ON accounts(workspace_id, parent_account_id, id);
DROP INDEX accounts_ws_lifecycle;
CREATE INDEX accounts_ws_lifecycle ON accounts(workspace_id, lifecycle, id);
DROP INDEX contacts_ws_last_name;
CREATE INDEX contacts_ws_last_name ON contacts(workspace_id, last_name, id);
DROP INDEX contacts_ws_city;
CREATE INDEX contacts_ws_city ON contacts(workspace_id, city, id);
DROP INDEX contacts_ws_account;
CREATE INDEX contacts_ws_account ON contacts(workspace_id, account_id, id);
DROP INDEX contacts_ws_owner;
CREATE INDEX contacts_ws_owner ON contacts(workspace_id, owner_id, id);
DROP INDEX contacts_ws_lifecycle;
CREATE INDEX contacts_ws_lifecycle ON contacts(workspace_id, lifecycle, id);
DROP INDEX contacts_ws_birthday;
CREATE INDEX contacts_ws_birthday ON contacts(workspace_id, birthday, id);
DROP INDEX leads_ws_status;
CREATE INDEX leads_ws_status ON leads(workspace_id, status, id);
DROP INDEX leads_ws_owner;
CREATE INDEX leads_ws_owner ON leads(workspace_id, owner_id, id);
DROP INDEX opportunities_ws_account;
CREATE INDEX opportunities_ws_account ON opportunities(workspace_id, account_id, id);
DROP INDEX opportunities_ws_contact;
CREATE INDEX opportunities_ws_contact ON opportunities(workspace_id, primary_contact_id, id);
DROP INDEX opportunities_ws_stage;
CREATE INDEX opportunities_ws_stage ON opportunities(workspace_id, pipeline_id, stage_id, id);
DROP INDEX opportunities_ws_close;
CREATE INDEX opportunities_ws_close ON opportunities(workspace_id, expected_close_date, id);
DROP INDEX opportunities_ws_owner;
CREATE INDEX opportunities_ws_owner ON opportunities(workspace_id, owner_id, id);
CREATE INDEX leads_ws_last_name ON leads(workspace_id, last_name, id);
CREATE INDEX activities_ws_kind ON activities(workspace_id, kind, id);
