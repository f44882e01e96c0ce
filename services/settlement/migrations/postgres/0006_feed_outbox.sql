-- Writers put their feed events here and commit side by side; the sequencer then moves them into
-- feed_events under the next sequences, one short transaction at a time. Only the move holds the
-- counter row, so writes no longer queue behind each other's commits, and sequences stay
-- gap-free and given only to committed events, so a follower never skips one.
CREATE TABLE feed_outbox (
    outbox_id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         BIGINT NOT NULL,
    payload      TEXT NOT NULL,
    committed_at TEXT NOT NULL,
    trace_parent TEXT NOT NULL
);
