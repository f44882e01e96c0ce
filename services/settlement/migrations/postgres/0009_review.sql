-- The authority's review list of a settled month (stikprøvekontrol): one list a month, drawn with
-- the settings and seed recorded here; its items with the figures they were listed for; and each
-- item's outcome, recorded once.
CREATE TABLE review_lists (
    period            TEXT NOT NULL PRIMARY KEY,
    threshold_percent BIGINT NOT NULL,
    sample_size       BIGINT NOT NULL,
    highest_count     BIGINT NOT NULL,
    -- An unsigned 64-bit seed, as decimal text.
    seed              TEXT NOT NULL,
    grants_considered BIGINT NOT NULL,
    built_at          TEXT NOT NULL
);

CREATE TABLE review_items (
    period            TEXT NOT NULL REFERENCES review_lists (period),
    grant_id          TEXT NOT NULL,
    provider_id       TEXT NOT NULL,
    position          BIGINT NOT NULL,
    citizen_id        TEXT NOT NULL,
    visited_minutes   BIGINT NOT NULL,
    delivered_minutes BIGINT NOT NULL,
    amount_ore        BIGINT NOT NULL,
    -- Reason codes, comma-separated.
    reasons           TEXT NOT NULL,
    -- Where a recovery is booked: the grant's largest line of the month.
    paying_frame      TEXT NOT NULL,
    need_frame        TEXT NOT NULL,
    account           TEXT NOT NULL,
    unit              TEXT NOT NULL,
    unit_kind         BIGINT NOT NULL,
    PRIMARY KEY (period, grant_id, provider_id)
);

CREATE TABLE review_outcomes (
    period       TEXT NOT NULL,
    grant_id     TEXT NOT NULL,
    provider_id  TEXT NOT NULL,
    outcome      BIGINT NOT NULL,
    note         TEXT NOT NULL,
    recovery_ore BIGINT NOT NULL,
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    PRIMARY KEY (period, grant_id, provider_id),
    FOREIGN KEY (period, grant_id, provider_id) REFERENCES review_items (period, grant_id, provider_id)
);
CREATE INDEX review_outcomes_by_provider ON review_outcomes (provider_id, outcome);

-- A list and an outcome, once recorded, stand: the database refuses changing them.
CREATE TRIGGER review_lists_final BEFORE UPDATE OR DELETE ON review_lists FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER review_items_final BEFORE UPDATE OR DELETE ON review_items FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER review_outcomes_final BEFORE UPDATE OR DELETE ON review_outcomes FOR EACH ROW EXECUTE FUNCTION refuse_change();
