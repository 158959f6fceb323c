-- Relata schema v10 (SQLite): the audit log's retention. The log stays
-- append-only, except that entries older than a cutoff may be deleted; the
-- cutoff lives in a one-row table and only moves forward, so a purge can
-- never reach entries newer than what retention allows.
CREATE TABLE audit_retention (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    cutoff TEXT NOT NULL
);
INSERT INTO audit_retention (id, cutoff) VALUES (1, '0001-01-01T00:00:00+00:00');
CREATE TRIGGER audit_retention_forward BEFORE UPDATE ON audit_retention
WHEN new.cutoff < old.cutoff OR new.id IS NOT old.id
BEGIN SELECT RAISE(ABORT, 'the audit retention cutoff only moves forward'); END;
CREATE TRIGGER audit_retention_kept BEFORE DELETE ON audit_retention
BEGIN SELECT RAISE(ABORT, 'the audit retention cutoff is kept'); END;
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN old.at >= (SELECT cutoff FROM audit_retention WHERE id = 1)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE INDEX audit_log_at ON audit_log(at);
