-- Relata schema v18: the language and time zone a person chose for the
-- UI, and each workspace's defaults for those who chose none (NULL: the
-- browser's language, UTC).
ALTER TABLE users ADD COLUMN language TEXT;
ALTER TABLE users ADD COLUMN time_zone TEXT;
ALTER TABLE workspaces ADD COLUMN language TEXT;
ALTER TABLE workspaces ADD COLUMN time_zone TEXT;
