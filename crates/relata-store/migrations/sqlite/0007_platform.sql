-- Relata schema v7 (SQLite): the platform the next modules stand on.

-- Where each consumer of the change feed inside Relata has got to
-- (a position in commit order), committed after it processed the entries.
CREATE TABLE feed_offsets (
    consumer TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

-- Durable jobs. A write enqueues its jobs in its own transaction. Jobs of no
-- workspace (server work) use the nil id as their workspace.
CREATE TABLE jobs (
    workspace_id BLOB NOT NULL,
    id BLOB NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    run_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    lease_until TEXT,
    leased_by TEXT,
    last_error TEXT,
    idempotency_key TEXT,
    schedule_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT,
    PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX jobs_idempotency ON jobs(workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_due ON jobs(state, run_at);
CREATE INDEX jobs_leases ON jobs(state, lease_until);
CREATE INDEX jobs_by_kind ON jobs(workspace_id, kind, created_at);

-- Recurring jobs: a cron expression in a time zone.
CREATE TABLE job_schedules (
    workspace_id BLOB NOT NULL,
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    cron TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    next_run_at TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, name)
);
CREATE INDEX job_schedules_due ON job_schedules(enabled, next_run_at);

-- Custom objects: entity types a workspace's administrators define. Their
-- fields are rows of custom_fields with the object's API name as entity.
CREATE TABLE custom_objects (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    id BLOB NOT NULL,
    api_name TEXT NOT NULL,
    definition TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, id),
    UNIQUE (workspace_id, api_name)
);

-- The records of every custom object: system columns, and their fields in
-- the JSON column.
CREATE TABLE custom_records (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    object TEXT NOT NULL,
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX custom_records_object ON custom_records(workspace_id, object, id);
CREATE INDEX custom_records_owner ON custom_records(workspace_id, object, owner_id, id);

-- Document numbers per workspace, series and period (a year, or '' for a
-- series that never restarts): the next value, taken in the write's own
-- transaction.
CREATE TABLE number_series (
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    series TEXT NOT NULL,
    period TEXT NOT NULL,
    next_value INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, series, period)
);
