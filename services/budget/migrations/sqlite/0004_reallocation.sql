-- Quarterly net-zero reallocation: one case per pair of frames and quarter, the purchases
-- behind it, each committee's decision, and an audit trail.

-- Where each posting came from, written with its ledger entry (cases list their purchases).
CREATE TABLE posting_details (
    posting_id   TEXT NOT NULL PRIMARY KEY,
    statement_id TEXT NOT NULL,
    provider_id  TEXT NOT NULL,
    period       TEXT NOT NULL
) STRICT;

-- state: 1 proposed, 2 approved, 3 rejected, 4 executed (the proto CaseState numbers).
CREATE TABLE cases (
    case_id    TEXT NOT NULL PRIMARY KEY,
    year       INTEGER NOT NULL,
    quarter    INTEGER NOT NULL,
    from_frame TEXT NOT NULL,
    to_frame   TEXT NOT NULL,
    amount_ore INTEGER NOT NULL,
    state      INTEGER NOT NULL,
    purchases  TEXT NOT NULL
) STRICT;

CREATE TABLE case_decisions (
    case_id    TEXT NOT NULL REFERENCES cases (case_id),
    committee  TEXT NOT NULL,
    approved   INTEGER NOT NULL,
    decided_by TEXT NOT NULL,
    comment    TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (case_id, committee)
) STRICT;

CREATE TABLE case_audit (
    case_id   TEXT NOT NULL,
    at        TEXT NOT NULL,
    principal TEXT NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL
) STRICT;
CREATE INDEX case_audit_by_case ON case_audit (case_id, at);
