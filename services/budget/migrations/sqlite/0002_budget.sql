-- Budget's own data: committees, frames, the append-only ledger with running day totals, and
-- the cursors of the feeds it follows. Dates are ISO-8601 text, so one SQL serves both backends.

CREATE TABLE cursors (
    feed     TEXT NOT NULL PRIMARY KEY,
    position INTEGER NOT NULL
) STRICT;
INSERT INTO cursors (feed, position) VALUES ('settlement', 0);

CREATE TABLE committees (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL
) STRICT;

-- A committee's frame for a budget year. profile: JSON list of twelve monthly amounts, or '' for
-- even by days.
CREATE TABLE frames (
    frame      TEXT NOT NULL,
    year       INTEGER NOT NULL,
    committee  TEXT NOT NULL REFERENCES committees (code),
    name       TEXT NOT NULL,
    account    TEXT NOT NULL,
    amount_ore INTEGER NOT NULL,
    profile    TEXT NOT NULL,
    PRIMARY KEY (frame, year)
) STRICT;

-- The ledger: consumption from settlement's postings, actuals from the ERP, and the two sides of
-- each executed reallocation. Never updated, never deleted (the triggers refuse it).
-- source: 1 settlement posting, 2 ERP actual, 3 reallocation (the proto EntrySource numbers).
CREATE TABLE ledger (
    entry_no    INTEGER PRIMARY KEY AUTOINCREMENT,
    frame       TEXT NOT NULL,
    year        INTEGER NOT NULL,
    account     TEXT NOT NULL,
    booked_on   TEXT NOT NULL,
    amount_ore  INTEGER NOT NULL,
    source      INTEGER NOT NULL,
    source_ref  TEXT NOT NULL,
    need_frame  TEXT NOT NULL,
    text        TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (source, source_ref)
) STRICT;
CREATE INDEX ledger_by_frame ON ledger (frame, year, entry_no);

-- Running balances: the sum of the ledger per frame, day and source, kept in the same
-- transaction as each entry, so follow-up reads at most 366 rows a source however long the
-- ledger grows.
CREATE TABLE frame_day_totals (
    frame      TEXT NOT NULL,
    year       INTEGER NOT NULL,
    day        TEXT NOT NULL,
    source     INTEGER NOT NULL,
    amount_ore INTEGER NOT NULL,
    PRIMARY KEY (frame, year, day, source)
) STRICT;

CREATE TRIGGER ledger_append_only_u BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_append_only_d BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
