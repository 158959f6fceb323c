-- Commerce, schema 3: configurable products; see the SQLite file.
CREATE TABLE option_groups (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    product_id UUID NOT NULL,
    name TEXT NOT NULL,
    position BIGINT,
    min_choices BIGINT,
    max_choices BIGINT,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX option_groups_ws_product ON option_groups(workspace_id, product_id, id);
CREATE INDEX option_groups_ws_owner ON option_groups(workspace_id, owner_id, id);
ALTER TABLE products ADD COLUMN configurable BOOLEAN;
ALTER TABLE products ADD COLUMN allowed_combinations TEXT;
