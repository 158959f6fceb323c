-- Automation, schema 3: sequences. Rules get a stop condition, a once per
-- record flag and a schedule (cron in a time zone); runs keep their plan
-- (the rule's steps as they were when the run started), the next step and
-- when a waiting run wakes.
ALTER TABLE automation_rules ADD COLUMN cron TEXT;
ALTER TABLE automation_rules ADD COLUMN time_zone TEXT;
ALTER TABLE automation_rules ADD COLUMN stop_when TEXT;
ALTER TABLE automation_rules ADD COLUMN once_per_record INTEGER;
ALTER TABLE automation_runs ADD COLUMN step INTEGER;
ALTER TABLE automation_runs ADD COLUMN wake_at TEXT;
ALTER TABLE automation_runs ADD COLUMN plan TEXT;
CREATE INDEX automation_runs_ws_record_status ON automation_runs(workspace_id, record_id, status, id);
