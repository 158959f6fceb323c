-- Relata schema v20: how long before its moment an activity reminds its
-- owner (NULL: a quarter of an hour).
ALTER TABLE activities ADD COLUMN remind_before_minutes INTEGER;
