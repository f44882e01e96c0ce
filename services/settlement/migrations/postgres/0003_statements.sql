-- Which providers a grant has named in any version: the grants a provider's month is priced from.
CREATE TABLE grant_providers (
    grant_id    TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    PRIMARY KEY (provider_id, grant_id)
);

CREATE TABLE runs (
    run_id      TEXT NOT NULL PRIMARY KEY,
    period      TEXT NOT NULL,
    state       BIGINT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    total_ore   BIGINT NOT NULL DEFAULT 0
);

-- One statement per provider and period: a draft until issued, then sealed.
CREATE TABLE statements (
    statement_id     TEXT NOT NULL PRIMARY KEY,
    provider_id      TEXT NOT NULL,
    period           TEXT NOT NULL,
    state            BIGINT NOT NULL,
    total_ore        BIGINT NOT NULL,
    line_count       BIGINT NOT NULL,
    catalog_versions TEXT NOT NULL,
    content_hash     TEXT NOT NULL DEFAULT '',
    computed_at      TEXT NOT NULL,
    issued_at        TEXT,
    UNIQUE (provider_id, period)
);

-- Lines, each an encoded afregning.settlement.v1.StatementLine. `target_period` is the period a
-- line pays for: its statement's own, or an earlier one for a correction.
CREATE TABLE statement_lines (
    line_id          TEXT NOT NULL PRIMARY KEY,
    statement_id     TEXT NOT NULL REFERENCES statements (statement_id),
    line_no          BIGINT NOT NULL,
    kind             BIGINT NOT NULL,
    target_period    TEXT NOT NULL,
    grant_id         TEXT NOT NULL,
    amount_ore       BIGINT NOT NULL,
    corrects_line_id TEXT NOT NULL,
    -- JSON: how the line is split over paying frames (paying frame, need frame, account, øre).
    frames           TEXT NOT NULL,
    payload          BYTEA NOT NULL
);
CREATE INDEX statement_lines_by_statement ON statement_lines (statement_id, line_no);

-- A copy of every input that priced a statement: catalogs, grant versions, the provider.
CREATE TABLE statement_inputs (
    statement_id TEXT NOT NULL,
    kind         TEXT NOT NULL,
    input_key    TEXT NOT NULL,
    payload      BYTEA NOT NULL,
    PRIMARY KEY (statement_id, kind, input_key)
);

-- Issued statements never change: the database refuses it.
CREATE FUNCTION refuse_sealed_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sid TEXT;
BEGIN
    IF TG_TABLE_NAME = 'statements' THEN
        IF OLD.state = 2 THEN RAISE EXCEPTION 'issued statements never change'; END IF;
    ELSE
        IF TG_OP = 'INSERT' THEN sid := NEW.statement_id; ELSE sid := OLD.statement_id; END IF;
        IF (SELECT state FROM statements WHERE statement_id = sid) = 2 THEN
            RAISE EXCEPTION 'issued statements never change';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER statements_sealed BEFORE UPDATE OR DELETE ON statements FOR EACH ROW EXECUTE FUNCTION refuse_sealed_change();
CREATE TRIGGER statement_lines_sealed BEFORE INSERT OR UPDATE OR DELETE ON statement_lines FOR EACH ROW EXECUTE FUNCTION refuse_sealed_change();
CREATE TRIGGER statement_inputs_sealed BEFORE DELETE ON statement_inputs FOR EACH ROW EXECUTE FUNCTION refuse_sealed_change();

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER feed_events_append_only BEFORE UPDATE OR DELETE ON feed_events FOR EACH ROW EXECUTE FUNCTION refuse_change();
