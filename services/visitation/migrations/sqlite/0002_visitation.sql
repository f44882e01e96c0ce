-- Visitation's own data. Dates are ISO-8601 text (YYYY-MM-DD), instants RFC 3339 text, so the
-- same SQL serves SQLite and PostgreSQL. Grant versions, feed events and the audit log are
-- append-only: triggers refuse UPDATE and DELETE.

CREATE TABLE providers (
    provider_id   TEXT NOT NULL PRIMARY KEY,
    cvr           TEXT NOT NULL,
    name          TEXT NOT NULL,
    kind          INTEGER NOT NULL,
    committee     TEXT NOT NULL,
    approved_for  TEXT NOT NULL,
    registered_at TEXT NOT NULL
) STRICT;

CREATE TABLE citizens (
    citizen_id    TEXT NOT NULL PRIMARY KEY,
    cpr           TEXT NOT NULL UNIQUE,
    birth_date    TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    -- Bumped by every grant decision for the citizen: serialises overlap checks per citizen.
    write_lock    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE assessments (
    assessment_id TEXT NOT NULL PRIMARY KEY,
    citizen_id    TEXT NOT NULL REFERENCES citizens (citizen_id),
    assessed_on   TEXT NOT NULL,
    assessor      TEXT NOT NULL,
    scores        TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
) STRICT;
CREATE INDEX assessments_by_citizen ON assessments (citizen_id, assessed_on);

-- The current version of each grant, with the columns reads filter on.
CREATE TABLE grants (
    grant_id        TEXT NOT NULL PRIMARY KEY,
    citizen_id      TEXT NOT NULL REFERENCES citizens (citizen_id),
    version         INTEGER NOT NULL,
    intervention    TEXT NOT NULL,
    status          INTEGER NOT NULL,
    start_date      TEXT NOT NULL,
    end_date        TEXT,
    visited_minutes INTEGER NOT NULL,
    follow_up_on    TEXT,
    snapshot        TEXT NOT NULL
) STRICT;
CREATE INDEX grants_by_citizen ON grants (citizen_id, intervention);
CREATE INDEX grants_by_follow_up ON grants (follow_up_on);

CREATE TABLE grant_versions (
    grant_id       TEXT NOT NULL,
    version        INTEGER NOT NULL,
    effective_from TEXT NOT NULL,
    snapshot       TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    PRIMARY KEY (grant_id, version)
) STRICT;

-- One row: the last sequence number handed out. Taking it with UPDATE … RETURNING as the last
-- step of a write locks the row until commit, so sequences are gap-free and in commit order.
CREATE TABLE feed_counter (
    id            INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    last_sequence INTEGER NOT NULL
) STRICT;
INSERT INTO feed_counter (id, last_sequence) VALUES (1, 0);

CREATE TABLE feed_events (
    sequence     INTEGER NOT NULL PRIMARY KEY,
    kind         INTEGER NOT NULL,
    payload      TEXT NOT NULL,
    committed_at TEXT NOT NULL
) STRICT;

CREATE TABLE audit_log (
    entry_no   INTEGER PRIMARY KEY AUTOINCREMENT,
    citizen_id TEXT NOT NULL,
    at         TEXT NOT NULL,
    principal  TEXT NOT NULL,
    action     TEXT NOT NULL,
    purpose    TEXT NOT NULL
);
CREATE INDEX audit_by_citizen ON audit_log (citizen_id, entry_no);

CREATE TRIGGER grant_versions_append_only_u BEFORE UPDATE ON grant_versions BEGIN SELECT RAISE(ABORT, 'grant_versions is append-only'); END;
CREATE TRIGGER grant_versions_append_only_d BEFORE DELETE ON grant_versions BEGIN SELECT RAISE(ABORT, 'grant_versions is append-only'); END;
CREATE TRIGGER feed_events_append_only_u BEFORE UPDATE ON feed_events BEGIN SELECT RAISE(ABORT, 'feed_events is append-only'); END;
CREATE TRIGGER feed_events_append_only_d BEFORE DELETE ON feed_events BEGIN SELECT RAISE(ABORT, 'feed_events is append-only'); END;
CREATE TRIGGER audit_log_append_only_u BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
