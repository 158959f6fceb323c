-- Relata schema v19: a custom field's labels and option labels in other
-- languages ({"labels": {"pl": "Rozmiar"}, "option_labels": {...}}), and
-- the widgets people put on their home page from saved views.
ALTER TABLE custom_fields ADD COLUMN translations JSONB;
CREATE TABLE home_widgets (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    owner_id UUID NOT NULL REFERENCES users(id),
    entity TEXT NOT NULL,
    view_id UUID NOT NULL,
    kind TEXT NOT NULL,
    field TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX home_widgets_owner ON home_widgets(workspace_id, owner_id, created_at);
