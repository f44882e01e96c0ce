-- Settlement's own data. Dates are ISO-8601 text, instants RFC 3339 text (UTC), so the same SQL
-- serves SQLite and PostgreSQL.

-- Where each followed feed was read up to; advanced in the same transaction as its effects.
CREATE TABLE cursors (
    feed     TEXT NOT NULL PRIMARY KEY,
    position BIGINT NOT NULL
);
INSERT INTO cursors (feed, position) VALUES ('visitation', 0);

-- Providers as approved by the authority (mirrored from the grant feed).
CREATE TABLE providers (
    provider_id  TEXT NOT NULL PRIMARY KEY,
    payload      BYTEA NOT NULL
);

-- Grant versions as published by visitation (encoded afregning.visitation.v1.Grant).
CREATE TABLE grant_versions (
    grant_id       TEXT NOT NULL,
    version        BIGINT NOT NULL,
    citizen_id     TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    payload        BYTEA NOT NULL,
    PRIMARY KEY (grant_id, version)
);

-- The latest known version of each grant.
CREATE TABLE grants (
    grant_id       TEXT NOT NULL PRIMARY KEY,
    latest_version BIGINT NOT NULL
);

-- Delivered visits. A correction bumps the revision; earlier revisions stay in delivery_revisions.
CREATE TABLE deliveries (
    delivery_id    TEXT NOT NULL PRIMARY KEY,
    grant_id       TEXT NOT NULL,
    provider_id    TEXT NOT NULL,
    carer_visit_id TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    ends_at        TEXT NOT NULL,
    minutes        BIGINT NOT NULL,
    period         TEXT NOT NULL,
    revision       BIGINT NOT NULL,
    recorded_at    TEXT NOT NULL
);
CREATE INDEX deliveries_by_provider_period ON deliveries (provider_id, period);
CREATE INDEX deliveries_by_grant_period ON deliveries (grant_id, period);
CREATE INDEX deliveries_by_carer_visit ON deliveries (carer_visit_id, started_at);

CREATE TABLE delivery_revisions (
    delivery_id TEXT NOT NULL,
    revision    BIGINT NOT NULL,
    started_at  TEXT NOT NULL,
    minutes     BIGINT NOT NULL,
    reason      TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (delivery_id, revision)
);

-- The postings feed (see afregning_kit::store).
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
