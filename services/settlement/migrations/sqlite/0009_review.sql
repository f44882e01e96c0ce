-- The authority's review list of a settled month (stikprøvekontrol): one list a month, drawn with
-- the settings and seed recorded here; its items with the figures they were listed for; and each
-- item's outcome, recorded once.
CREATE TABLE review_lists (
    period            TEXT NOT NULL PRIMARY KEY,
    threshold_percent INTEGER NOT NULL,
    sample_size       INTEGER NOT NULL,
    highest_count     INTEGER NOT NULL,
    -- An unsigned 64-bit seed, as decimal text.
    seed              TEXT NOT NULL,
    grants_considered INTEGER NOT NULL,
    built_at          TEXT NOT NULL
) STRICT;

CREATE TABLE review_items (
    period            TEXT NOT NULL REFERENCES review_lists (period),
    grant_id          TEXT NOT NULL,
    provider_id       TEXT NOT NULL,
    position          INTEGER NOT NULL,
    citizen_id        TEXT NOT NULL,
    visited_minutes   INTEGER NOT NULL,
    delivered_minutes INTEGER NOT NULL,
    amount_ore        INTEGER NOT NULL,
    -- Reason codes, comma-separated.
    reasons           TEXT NOT NULL,
    -- Where a recovery is booked: the grant's largest line of the month.
    paying_frame      TEXT NOT NULL,
    need_frame        TEXT NOT NULL,
    account           TEXT NOT NULL,
    unit              TEXT NOT NULL,
    unit_kind         INTEGER NOT NULL,
    PRIMARY KEY (period, grant_id, provider_id)
) STRICT;

CREATE TABLE review_outcomes (
    period       TEXT NOT NULL,
    grant_id     TEXT NOT NULL,
    provider_id  TEXT NOT NULL,
    outcome      INTEGER NOT NULL,
    note         TEXT NOT NULL,
    recovery_ore INTEGER NOT NULL,
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    PRIMARY KEY (period, grant_id, provider_id),
    FOREIGN KEY (period, grant_id, provider_id) REFERENCES review_items (period, grant_id, provider_id)
) STRICT;
CREATE INDEX review_outcomes_by_provider ON review_outcomes (provider_id, outcome);

-- A list and an outcome, once recorded, stand: the database refuses changing them.
CREATE TRIGGER review_lists_final_u BEFORE UPDATE ON review_lists BEGIN SELECT RAISE(ABORT, 'review_lists is append-only'); END;
CREATE TRIGGER review_lists_final_d BEFORE DELETE ON review_lists BEGIN SELECT RAISE(ABORT, 'review_lists is append-only'); END;
CREATE TRIGGER review_items_final_u BEFORE UPDATE ON review_items BEGIN SELECT RAISE(ABORT, 'review_items is append-only'); END;
CREATE TRIGGER review_items_final_d BEFORE DELETE ON review_items BEGIN SELECT RAISE(ABORT, 'review_items is append-only'); END;
CREATE TRIGGER review_outcomes_final_u BEFORE UPDATE ON review_outcomes BEGIN SELECT RAISE(ABORT, 'review_outcomes is append-only'); END;
CREATE TRIGGER review_outcomes_final_d BEFORE DELETE ON review_outcomes BEGIN SELECT RAISE(ABORT, 'review_outcomes is append-only'); END;
