-- Relata schema v16: offline sync. A device is one user's replica; its
-- subscriptions say what it holds. `sync_held` is what the server sent it
-- (`sent`: the pull that sent the version) and what it told it to remove
-- (`gone`), until the device confirms that pull by coming back with its
-- cursor; `generation` marks the records a full pass found, so that what it
-- did not find can be removed.
CREATE TABLE sync_devices (
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    id UUID NOT NULL,
    user_id UUID NOT NULL,
    name TEXT NOT NULL,
    subscriptions TEXT NOT NULL,
    issued BIGINT NOT NULL DEFAULT 0,
    acked BIGINT NOT NULL DEFAULT 0,
    generation BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    last_sync_at TIMESTAMPTZ,
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX sync_devices_user ON sync_devices(workspace_id, user_id);
CREATE TABLE sync_held (
    workspace_id UUID NOT NULL,
    device_id UUID NOT NULL,
    entity TEXT NOT NULL,
    record_id UUID NOT NULL,
    version BIGINT NOT NULL,
    sent BIGINT NOT NULL,
    gone BIGINT,
    generation BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, device_id, entity, record_id),
    FOREIGN KEY (workspace_id, device_id) REFERENCES sync_devices(workspace_id, id)
);
CREATE INDEX sync_held_generation ON sync_held(workspace_id, device_id, generation);
-- The removals a device has yet to confirm, found without reading all it holds.
CREATE INDEX sync_held_gone ON sync_held(workspace_id, device_id, gone) WHERE gone IS NOT NULL;
