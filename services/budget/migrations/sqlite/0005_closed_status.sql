-- A closed month's figures, frozen: the status of each of the month's days as it was computed
-- when the month was closed. A status at a date in a closed month reads its row here, so nothing
-- booked later (a late posting or actual, an executed reallocation, a new forecast or frame
-- amount) changes it; what is booked later with an effective date in the month counts from the
-- next open month. Written once, in the transaction that closes the month, and never changed.
-- rest_source: 1 commitments, 2 the leader's expected accounts (the proto ExpectedRestSource).
CREATE TABLE closed_statuses (
    frame                 TEXT NOT NULL,
    day                   TEXT NOT NULL,
    budget_ore            INTEGER NOT NULL,
    consumed_ore          INTEGER NOT NULL,
    rest_commitments_ore  INTEGER NOT NULL,
    rest_leader_ore       INTEGER NOT NULL,
    rest_source           INTEGER NOT NULL,
    expected_rest_ore     INTEGER NOT NULL,
    expected_result_ore   INTEGER NOT NULL,
    consumption_bp        INTEGER NOT NULL,
    profile_share_bp      INTEGER NOT NULL,
    explanation_required  INTEGER NOT NULL,
    PRIMARY KEY (frame, day)
) STRICT;
CREATE TRIGGER closed_statuses_frozen_u BEFORE UPDATE ON closed_statuses BEGIN SELECT RAISE(ABORT, 'a closed month is frozen'); END;
CREATE TRIGGER closed_statuses_frozen_d BEFORE DELETE ON closed_statuses BEGIN SELECT RAISE(ABORT, 'a closed month is frozen'); END;
