-- Commerce, schema 3: configurable products. Option groups (their options
-- are lines in document_lines) and the products' configuration settings.
CREATE TABLE option_groups (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    product_id BLOB NOT NULL,
    name TEXT NOT NULL,
    position INTEGER,
    min_choices INTEGER,
    max_choices INTEGER,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX option_groups_ws_product ON option_groups(workspace_id, product_id, id);
CREATE INDEX option_groups_ws_owner ON option_groups(workspace_id, owner_id, id);
ALTER TABLE products ADD COLUMN configurable INTEGER;
ALTER TABLE products ADD COLUMN allowed_combinations TEXT;
