-- Relata schema v9 (PostgreSQL): contact points keyed by the record they
-- belong to, as on SQLite (where v9 also clusters record tables by
-- (workspace_id, id); PostgreSQL keeps rows in heaps and needs no change
-- for that). The key replaces the by-record index; the lookup index stays.
-- A record's points are deduplicated first (a value listed twice is one
-- point).
DELETE FROM contact_points a USING contact_points b
    WHERE a.ctid < b.ctid AND a.workspace_id = b.workspace_id AND a.record_id = b.record_id
    AND a.kind = b.kind AND a.value = b.value;
ALTER TABLE contact_points ADD PRIMARY KEY (workspace_id, record_id, kind, value);
DROP INDEX contact_points_record;
