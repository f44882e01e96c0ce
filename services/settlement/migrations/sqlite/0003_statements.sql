-- Which providers a grant has named in any version: the grants a provider's month is priced from.
CREATE TABLE grant_providers (
    grant_id    TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    PRIMARY KEY (provider_id, grant_id)
) STRICT;

CREATE TABLE runs (
    run_id      TEXT NOT NULL PRIMARY KEY,
    period      TEXT NOT NULL,
    state       INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    total_ore   INTEGER NOT NULL DEFAULT 0
) STRICT;

-- One statement per provider and period: a draft until issued, then sealed.
CREATE TABLE statements (
    statement_id     TEXT NOT NULL PRIMARY KEY,
    provider_id      TEXT NOT NULL,
    period           TEXT NOT NULL,
    state            INTEGER NOT NULL,
    total_ore        INTEGER NOT NULL,
    line_count       INTEGER NOT NULL,
    catalog_versions TEXT NOT NULL,
    content_hash     TEXT NOT NULL DEFAULT '',
    computed_at      TEXT NOT NULL,
    issued_at        TEXT,
    UNIQUE (provider_id, period)
) STRICT;

-- Lines, each an encoded afregning.settlement.v1.StatementLine. `target_period` is the period a
-- line pays for: its statement's own, or an earlier one for a correction.
CREATE TABLE statement_lines (
    line_id          TEXT NOT NULL PRIMARY KEY,
    statement_id     TEXT NOT NULL REFERENCES statements (statement_id),
    line_no          INTEGER NOT NULL,
    kind             INTEGER NOT NULL,
    target_period    TEXT NOT NULL,
    grant_id         TEXT NOT NULL,
    amount_ore       INTEGER NOT NULL,
    corrects_line_id TEXT NOT NULL,
    -- JSON: how the line is split over paying frames (paying frame, need frame, account, øre).
    frames           TEXT NOT NULL,
    payload          BLOB NOT NULL
) STRICT;
CREATE INDEX statement_lines_by_statement ON statement_lines (statement_id, line_no);

-- A copy of every input that priced a statement: catalogs, grant versions, the provider.
CREATE TABLE statement_inputs (
    statement_id TEXT NOT NULL,
    kind         TEXT NOT NULL,
    input_key    TEXT NOT NULL,
    payload      BLOB NOT NULL,
    PRIMARY KEY (statement_id, kind, input_key)
) STRICT;

-- Issued statements never change: the database refuses it.
CREATE TRIGGER statements_sealed_u BEFORE UPDATE ON statements WHEN OLD.state = 2
BEGIN SELECT RAISE(ABORT, 'issued statements never change'); END;
CREATE TRIGGER statements_sealed_d BEFORE DELETE ON statements WHEN OLD.state = 2
BEGIN SELECT RAISE(ABORT, 'issued statements never change'); END;
CREATE TRIGGER statement_lines_sealed_u BEFORE UPDATE ON statement_lines
WHEN (SELECT state FROM statements WHERE statement_id = OLD.statement_id) = 2
BEGIN SELECT RAISE(ABORT, 'issued statements never change'); END;
CREATE TRIGGER statement_lines_sealed_d BEFORE DELETE ON statement_lines
WHEN (SELECT state FROM statements WHERE statement_id = OLD.statement_id) = 2
BEGIN SELECT RAISE(ABORT, 'issued statements never change'); END;
CREATE TRIGGER statement_lines_sealed_i BEFORE INSERT ON statement_lines
WHEN (SELECT state FROM statements WHERE statement_id = NEW.statement_id) = 2
BEGIN SELECT RAISE(ABORT, 'issued statements never change'); END;
CREATE TRIGGER statement_inputs_sealed_d BEFORE DELETE ON statement_inputs
WHEN (SELECT state FROM statements WHERE statement_id = OLD.statement_id) = 2
BEGIN SELECT RAISE(ABORT, 'issued statements never change'); END;
CREATE TRIGGER feed_events_append_only_u BEFORE UPDATE ON feed_events BEGIN SELECT RAISE(ABORT, 'feed_events is append-only'); END;
CREATE TRIGGER feed_events_append_only_d BEFORE DELETE ON feed_events BEGIN SELECT RAISE(ABORT, 'feed_events is append-only'); END;
