-- Automation, schema 3: sequences; see the SQLite file.
ALTER TABLE automation_rules ADD COLUMN cron TEXT;
ALTER TABLE automation_rules ADD COLUMN time_zone TEXT;
ALTER TABLE automation_rules ADD COLUMN stop_when TEXT;
ALTER TABLE automation_rules ADD COLUMN once_per_record BOOLEAN;
ALTER TABLE automation_runs ADD COLUMN step BIGINT;
ALTER TABLE automation_runs ADD COLUMN wake_at TIMESTAMPTZ;
ALTER TABLE automation_runs ADD COLUMN plan TEXT;
CREATE INDEX automation_runs_ws_record_status ON automation_runs(workspace_id, record_id, status, id);
