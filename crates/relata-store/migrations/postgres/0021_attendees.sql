-- Relata schema v21: a meeting's (or call's) other attendees, members of the
-- workspace, as a JSON array of their ids; it shows on their calendars too.
ALTER TABLE activities ADD COLUMN attendees JSONB;
-- A calendar reads what people own and what they attend apart, each through
-- an index of its own (one `or` of both would read every activity in the
-- range): by owner and start, and, among activities with attendees, by start
-- or due time.
CREATE INDEX activities_ws_owner_start ON activities(workspace_id, owner_id, start_at)
    WHERE deleted_at IS NULL AND start_at IS NOT NULL;
CREATE INDEX activities_ws_attended_start ON activities(workspace_id, start_at)
    WHERE deleted_at IS NULL AND attendees IS NOT NULL;
CREATE INDEX activities_ws_attended_due ON activities(workspace_id, due_at)
    WHERE deleted_at IS NULL AND attendees IS NOT NULL;
