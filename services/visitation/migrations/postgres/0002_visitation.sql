-- Visitation's own data. Dates are ISO-8601 text (YYYY-MM-DD), instants RFC 3339 text, so the
-- same SQL serves SQLite and PostgreSQL. Grant versions, feed events and the audit log are
-- append-only: triggers refuse UPDATE and DELETE.

CREATE TABLE providers (
    provider_id   TEXT NOT NULL PRIMARY KEY,
    cvr           TEXT NOT NULL,
    name          TEXT NOT NULL,
    kind          BIGINT NOT NULL,
    committee     TEXT NOT NULL,
    approved_for  TEXT NOT NULL,
    registered_at TEXT NOT NULL
);

CREATE TABLE citizens (
    citizen_id    TEXT NOT NULL PRIMARY KEY,
    cpr           TEXT NOT NULL UNIQUE,
    birth_date    TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    -- Bumped by every grant decision for the citizen: serialises overlap checks per citizen.
    write_lock    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE assessments (
    assessment_id TEXT NOT NULL PRIMARY KEY,
    citizen_id    TEXT NOT NULL REFERENCES citizens (citizen_id),
    assessed_on   TEXT NOT NULL,
    assessor      TEXT NOT NULL,
    scores        TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX assessments_by_citizen ON assessments (citizen_id, assessed_on);

CREATE TABLE grants (
    grant_id        TEXT NOT NULL PRIMARY KEY,
    citizen_id      TEXT NOT NULL REFERENCES citizens (citizen_id),
    version         BIGINT NOT NULL,
    intervention    TEXT NOT NULL,
    status          BIGINT NOT NULL,
    start_date      TEXT NOT NULL,
    end_date        TEXT,
    visited_minutes BIGINT NOT NULL,
    follow_up_on    TEXT,
    snapshot        TEXT NOT NULL
);
CREATE INDEX grants_by_citizen ON grants (citizen_id, intervention);
CREATE INDEX grants_by_follow_up ON grants (follow_up_on);

CREATE TABLE grant_versions (
    grant_id       TEXT NOT NULL,
    version        BIGINT NOT NULL,
    effective_from TEXT NOT NULL,
    snapshot       TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    PRIMARY KEY (grant_id, version)
);

-- One row: the last sequence number handed out. Taking it with UPDATE … RETURNING as the last
-- step of a write locks the row until commit, so sequences are gap-free and in commit order.
CREATE TABLE feed_counter (
    id            BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    last_sequence BIGINT NOT NULL
);
INSERT INTO feed_counter (id, last_sequence) VALUES (1, 0);

CREATE TABLE feed_events (
    sequence     BIGINT NOT NULL PRIMARY KEY,
    kind         BIGINT NOT NULL,
    payload      TEXT NOT NULL,
    committed_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    entry_no   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    citizen_id TEXT NOT NULL,
    at         TEXT NOT NULL,
    principal  TEXT NOT NULL,
    action     TEXT NOT NULL,
    purpose    TEXT NOT NULL
);
CREATE INDEX audit_by_citizen ON audit_log (citizen_id, entry_no);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER grant_versions_append_only BEFORE UPDATE OR DELETE ON grant_versions FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER feed_events_append_only BEFORE UPDATE OR DELETE ON feed_events FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_change();
