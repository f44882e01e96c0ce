-- A closed month's figures, frozen: the status of each of the month's days as it was computed
-- when the month was closed. A status at a date in a closed month reads its row here, so nothing
-- booked later (a late posting or actual, an executed reallocation, a new forecast or frame
-- amount) changes it; what is booked later with an effective date in the month counts from the
-- next open month. Written once, in the transaction that closes the month, and never changed.
-- rest_source: 1 commitments, 2 the leader's expected accounts (the proto ExpectedRestSource).
CREATE TABLE closed_statuses (
    frame                 TEXT NOT NULL,
    day                   TEXT NOT NULL,
    budget_ore            BIGINT NOT NULL,
    consumed_ore          BIGINT NOT NULL,
    rest_commitments_ore  BIGINT NOT NULL,
    rest_leader_ore       BIGINT NOT NULL,
    rest_source           BIGINT NOT NULL,
    expected_rest_ore     BIGINT NOT NULL,
    expected_result_ore   BIGINT NOT NULL,
    consumption_bp        BIGINT NOT NULL,
    profile_share_bp      BIGINT NOT NULL,
    explanation_required  BIGINT NOT NULL,
    PRIMARY KEY (frame, day)
);
CREATE TRIGGER closed_statuses_frozen BEFORE UPDATE OR DELETE ON closed_statuses FOR EACH ROW EXECUTE FUNCTION refuse_change();
