-- Relata schema v20: how long before its moment an activity reminds its
-- owner (NULL: a quarter of an hour).
ALTER TABLE activities ADD COLUMN remind_before_minutes INTEGER;
-- Counting a person's activities since a moment (the manager's "activities this
-- week") reads an index, not every activity of theirs.
CREATE INDEX activities_ws_owner_created ON activities(workspace_id, owner_id, created_at) WHERE deleted_at IS NULL;
