-- Automation, schema 2: rules triggered by a date reached (a record's date
-- field plus some days), and the occurrence each such run was for.
ALTER TABLE automation_rules ADD COLUMN date_field TEXT;
ALTER TABLE automation_rules ADD COLUMN offset_days INTEGER;
ALTER TABLE automation_runs ADD COLUMN occurrence TEXT;
CREATE INDEX automation_runs_ws_rule_record ON automation_runs(workspace_id, rule_id, record_id, id);
