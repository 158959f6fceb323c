-- Relata schema v13: in-app notifications, one row per message to a user
-- (the header's bell), newest first per user; read ones keep their time.
CREATE TABLE notifications (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT,
    link TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT,
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX notifications_user ON notifications(workspace_id, user_id, id);
CREATE INDEX notifications_unread ON notifications(workspace_id, user_id, id) WHERE read_at IS NULL;
