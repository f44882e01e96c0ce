-- Budget's own data: committees, frames, the append-only ledger with running day totals, and
-- the cursors of the feeds it follows. Dates are ISO-8601 text, so one SQL serves both backends.

CREATE TABLE cursors (
    feed     TEXT NOT NULL PRIMARY KEY,
    position BIGINT NOT NULL
);
INSERT INTO cursors (feed, position) VALUES ('settlement', 0);

CREATE TABLE committees (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL
);

-- A committee's frame for a budget year. profile: JSON list of twelve monthly amounts, or '' for
-- even by days.
CREATE TABLE frames (
    frame      TEXT NOT NULL,
    year       BIGINT NOT NULL,
    committee  TEXT NOT NULL REFERENCES committees (code),
    name       TEXT NOT NULL,
    account    TEXT NOT NULL,
    amount_ore BIGINT NOT NULL,
    profile    TEXT NOT NULL,
    PRIMARY KEY (frame, year)
);

-- The ledger: consumption from settlement's postings, actuals from the ERP, and the two sides of
-- each executed reallocation. Never updated, never deleted (the triggers refuse it).
-- source: 1 settlement posting, 2 ERP actual, 3 reallocation (the proto EntrySource numbers).
CREATE TABLE ledger (
    entry_no    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    frame       TEXT NOT NULL,
    year        BIGINT NOT NULL,
    account     TEXT NOT NULL,
    booked_on   TEXT NOT NULL,
    amount_ore  BIGINT NOT NULL,
    source      BIGINT NOT NULL,
    source_ref  TEXT NOT NULL,
    need_frame  TEXT NOT NULL,
    text        TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (source, source_ref)
);
CREATE INDEX ledger_by_frame ON ledger (frame, year, entry_no);

-- Running balances: the sum of the ledger per frame, day and source, kept in the same
-- transaction as each entry, so follow-up reads at most 366 rows a source however long the
-- ledger grows.
CREATE TABLE frame_day_totals (
    frame      TEXT NOT NULL,
    year       BIGINT NOT NULL,
    day        TEXT NOT NULL,
    source     BIGINT NOT NULL,
    amount_ore BIGINT NOT NULL,
    PRIMARY KEY (frame, year, day, source)
);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger FOR EACH ROW EXECUTE FUNCTION refuse_change();
