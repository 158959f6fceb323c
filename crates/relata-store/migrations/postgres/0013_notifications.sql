-- Relata schema v13 (PostgreSQL): in-app notifications; see the SQLite file.
CREATE TABLE notifications (
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    id UUID NOT NULL,
    user_id UUID NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT,
    link TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    read_at TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX notifications_user ON notifications(workspace_id, user_id, id);
CREATE INDEX notifications_unread ON notifications(workspace_id, user_id, id) WHERE read_at IS NULL;
