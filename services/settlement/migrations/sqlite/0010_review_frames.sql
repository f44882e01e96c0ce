-- What each frame paid for a listed grant in the month reviewed (net, where it came to more than
-- nothing): a recovery is taken back from these frames in proportion, so each committee's budget
-- gets back what it paid.
CREATE TABLE review_item_frames (
    period       TEXT NOT NULL,
    grant_id     TEXT NOT NULL,
    provider_id  TEXT NOT NULL,
    paying_frame TEXT NOT NULL,
    need_frame   TEXT NOT NULL,
    account      TEXT NOT NULL,
    amount_ore   INTEGER NOT NULL,
    PRIMARY KEY (period, grant_id, provider_id, paying_frame, need_frame, account),
    FOREIGN KEY (period, grant_id, provider_id) REFERENCES review_items (period, grant_id, provider_id)
) STRICT;

CREATE TRIGGER review_item_frames_final_u BEFORE UPDATE ON review_item_frames BEGIN SELECT RAISE(ABORT, 'review_item_frames is append-only'); END;
CREATE TRIGGER review_item_frames_final_d BEFORE DELETE ON review_item_frames BEGIN SELECT RAISE(ABORT, 'review_item_frames is append-only'); END;
