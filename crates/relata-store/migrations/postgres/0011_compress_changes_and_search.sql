-- Relata schema v11 (PostgreSQL). SQLite compresses change diffs with
-- dictionaries from this version on; PostgreSQL keeps them as JSONB, which
-- its TOAST storage compresses when they are large.
--
-- Contact points are keyed by what they are looked up by (kind and value),
-- with no second index by record: writers know a record's old emails and
-- phones and remove those rows by their key, and `relata check` walks the
-- table in key order to find rows no record accounts for.
ALTER TABLE contact_points DROP CONSTRAINT contact_points_pkey;
ALTER TABLE contact_points ADD PRIMARY KEY (workspace_id, kind, value, record_id);
DROP INDEX contact_points_lookup;
