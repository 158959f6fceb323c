-- Relata schema v17: CardDAV and CalDAV. `dav_objects` holds, per record a
-- client sent as a vCard or iCalendar object, its name in the collection,
-- its UID and the object as sent (`kept`), so that what the CRM does not
-- hold is written back; `revision` counts the times it was sent.
-- `dav_subscriptions` says which contacts and activities a user's address
-- book and calendar show (list filters; none: the user's own).
CREATE TABLE dav_objects (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    entity TEXT NOT NULL,
    record_id BLOB NOT NULL,
    name TEXT NOT NULL,
    uid TEXT NOT NULL,
    kept TEXT NOT NULL,
    revision INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, entity, record_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX dav_objects_name ON dav_objects(workspace_id, entity, name);
CREATE UNIQUE INDEX dav_objects_uid ON dav_objects(workspace_id, entity, uid);
-- What clients sent since a sync token, for the objects whose record did not change.
CREATE INDEX dav_objects_updated ON dav_objects(workspace_id, entity, updated_at);
CREATE TABLE dav_subscriptions (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    user_id BLOB NOT NULL,
    contacts TEXT NOT NULL,
    activities TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
) WITHOUT ROWID;
