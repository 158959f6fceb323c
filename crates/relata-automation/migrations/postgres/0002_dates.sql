-- Automation, schema 2: date triggers; see the SQLite file.
ALTER TABLE automation_rules ADD COLUMN date_field TEXT;
ALTER TABLE automation_rules ADD COLUMN offset_days BIGINT;
ALTER TABLE automation_runs ADD COLUMN occurrence TEXT;
CREATE INDEX automation_runs_ws_rule_record ON automation_runs(workspace_id, rule_id, record_id, id);
