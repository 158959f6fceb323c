-- Relata schema v3 (PostgreSQL). Append-only: never edit a shipped migration.
-- Search documents get an ever-increasing id, as SQLite's rowid already is:
-- a re-indexed record gets a new one, so "newest id first" lists the most
-- recently changed matches first, and the index below yields them in order.
ALTER TABLE search_docs ADD COLUMN id BIGINT GENERATED ALWAYS AS IDENTITY;
CREATE INDEX search_docs_ws_entity_id ON search_docs(workspace_id, entity, id);
