-- Relata schema v21: a meeting's (or call's) other attendees, members of the
-- workspace, as a JSON array of their ids; it shows on their calendars too.
ALTER TABLE activities ADD COLUMN attendees JSONB;
