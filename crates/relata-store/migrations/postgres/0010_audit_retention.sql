-- Relata schema v10 (PostgreSQL): the audit log's retention. The log stays
-- append-only, except that entries older than a cutoff may be deleted; the
-- cutoff lives in a one-row table and only moves forward, so a purge can
-- never reach entries newer than what retention allows.
CREATE TABLE audit_retention (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    cutoff TIMESTAMPTZ NOT NULL
);
INSERT INTO audit_retention (id, cutoff) VALUES (1, '0001-01-01T00:00:00+00:00');
CREATE FUNCTION relata_audit_retention_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.cutoff >= OLD.cutoff AND NEW.id = OLD.id THEN RETURN NEW; END IF;
    RAISE EXCEPTION 'the audit retention cutoff only moves forward';
END;
$$;
CREATE TRIGGER audit_retention_forward BEFORE UPDATE OR DELETE ON audit_retention
FOR EACH ROW EXECUTE FUNCTION relata_audit_retention_forward();
CREATE OR REPLACE FUNCTION relata_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < (SELECT cutoff FROM audit_retention WHERE id = 1) THEN RETURN OLD; END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE INDEX audit_log_at ON audit_log(at);
