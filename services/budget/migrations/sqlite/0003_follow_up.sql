-- What follow-up needs beside the ledger: the latest version of every grant (commitments for the
-- forecast, followed from visitation's feed), leaders' expected accounts, deviation explanations
-- and closed months.
INSERT INTO cursors (feed, position) VALUES ('visitation', 0);

CREATE TABLE grants (
    grant_id     TEXT NOT NULL PRIMARY KEY,
    version      INTEGER NOT NULL,
    paying_frame TEXT NOT NULL,
    payload      BLOB NOT NULL
) STRICT;
CREATE INDEX grants_by_frame ON grants (paying_frame);

CREATE TABLE expected_accounts (
    frame        TEXT NOT NULL,
    year         INTEGER NOT NULL,
    month        INTEGER NOT NULL,
    amount_ore   INTEGER NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    PRIMARY KEY (frame, year, month)
) STRICT;

CREATE TABLE deviation_explanations (
    frame        TEXT NOT NULL,
    period       TEXT NOT NULL,
    explanation  TEXT NOT NULL,
    actions      TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    PRIMARY KEY (frame, period)
) STRICT;

CREATE TABLE closed_months (
    frame     TEXT NOT NULL,
    period    TEXT NOT NULL,
    closed_at TEXT NOT NULL,
    PRIMARY KEY (frame, period)
) STRICT;
